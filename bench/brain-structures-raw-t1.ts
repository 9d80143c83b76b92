// How segmentBrainStructures (brainchop subcortical18) holds up when the T1 is not FreeSurfer's own
// conformed 8-bit image but looks like a scanner's: the dev T1 (norm.mgz) re-gridded onto another
// grid (RAS, 0.9 x 0.9 x 1.1 mm, linear), its values scaled to a 12-bit-like range as float, and
// optionally with bright specks (2x2x2-voxel clusters at 3x the maximum, 0.05 % of the head's
// voxels: vessels, fat or spikes a raw T1 has and norm.mgz does not). Dice against FreeSurfer's aseg
// carried onto the same grid (nearest), with the card's FreeSurfer intensity conform (`uchar`, as
// brainchop's niivue conform) and without it (raw values min-max scaled).
// Run: npx tsx bench/brain-structures-raw-t1.ts [variant...]  (one 256^3 model run per line, 1-4 min each)
import { conformGrid } from '../src/backends/pipeline.js';
import { resample } from '../src/core/ops/resample.js';
import type { Volume } from '../src/core/volume.js';
import { BRAINCHOP_SUBCORTICAL18_CARD, readMgh, segmentBrainStructures } from '../src/index.js';
import { asegAgreement, SUBCORTICAL18_TO_ASEG as MAP } from '../test/helpers/freesurfer-aseg.js';

const DATA = new URL('../../shared/data/', import.meta.url).pathname;
const DIR = `${DATA}validation/brain_mri/niivue_freesurfer_norm_aparc2009s/`;

const t1 = await readMgh(`${DIR}norm.mgz`);
const aseg = await readMgh(`${DIR}aparc.a2009s+aseg.mgz`);
const grid = conformGrid(t1, [240, 270, 190], 'RAS', [0.9, 0.9, 1.1]);
const regridded = resample(t1, { reference: grid, interpolation: 'linear' });
const asegOnGrid = resample(aseg, { reference: grid, interpolation: 'nearest' });

function scannerLike(specks: boolean): Volume<Float32Array> {
  const src = regridded.data;
  const data = new Float32Array(src.length);
  let max = 0;
  for (let i = 0; i < src.length; i++) {
    data[i] = src[i]! * 9.7;
    if (data[i]! > max) max = data[i]!;
  }
  if (specks) {
    const [nx, ny, nz] = grid.dims;
    let nonzero = 0;
    for (const v of data) if (v > 0) nonzero++;
    let s = 12345;
    const u = () => ((s = (s * 1664525 + 1013904223) >>> 0) + 0.5) / 4294967296;
    for (let placed = 0; placed < (0.0005 * nonzero) / 8; ) {
      const x = Math.floor(u() * (nx - 1));
      const y = Math.floor(u() * (ny - 1));
      const z = Math.floor(u() * (nz - 1));
      if (!(data[x + nx * (y + ny * z)]! > 0)) continue;
      for (let dz = 0; dz < 2; dz++)
        for (let dy = 0; dy < 2; dy++)
          for (let dx = 0; dx < 2; dx++) data[x + dx + nx * (y + dy + ny * (z + dz))] = 3 * max;
      placed++;
    }
  }
  return { ...regridded, data };
}

const withoutConformIntensity = {
  ...BRAINCHOP_SUBCORTICAL18_CARD,
  preprocessing: { ...BRAINCHOP_SUBCORTICAL18_CARD.preprocessing, conform_intensity: null },
};
const runs: [string, () => Volume, boolean][] = [
  ['norm.mgz as is (8-bit, conformed: used as is)', () => t1, true],
  ['re-gridded, x9.7 float, card with uchar conform', () => scannerLike(false), true],
  ['re-gridded, x9.7 float, raw min-max (before)', () => scannerLike(false), false],
  ['re-gridded + specks, card with uchar conform', () => scannerLike(true), true],
  ['re-gridded + specks, raw min-max (before)', () => scannerLike(true), false],
];
const only = process.argv.slice(2);
console.log(`| input | ${Object.keys(MAP).join(' | ')} | s |`);
console.log(
  `|---|${Object.keys(MAP)
    .map(() => '---|')
    .join('')}---|`,
);
for (const [what, make, uchar] of runs) {
  if (only.length && !only.some((o) => what.includes(o))) continue;
  const img = make();
  const truth = img === t1 ? aseg.data : asegOnGrid.data;
  const t0 = performance.now();
  const r = await segmentBrainStructures(img, {
    model: `${DATA}models/brainchop_subcortical18/model.onnx`,
    card: uchar ? BRAINCHOP_SUBCORTICAL18_CARD : withoutConformIntensity,
    backend: 'cpu',
  });
  const seconds = (performance.now() - t0) / 1000;
  const cells = asegAgreement(r.labels.data, r.model.labelNames, truth).map((x) => x.dice.toFixed(3));
  console.log(`| ${what} | ${cells.join(' | ')} | ${seconds.toFixed(0)} |`);
}
