/**
 * Radiomics benchmark: all default PyRadiomics classes (firstorder, shape, glcm, glrlm, glszm,
 * gldm, ngtdm; binWidth 25, Original image) on the IBSI CT phantom ROI (125,256 voxels), and on a
 * small ROI. Prints total and per-class times (median of runs). Texture classes the engine does
 * not provide yet are listed as unavailable.
 * Reference (issue 6): PyRadiomics with C extensions ~1.1 s on this ROI, ~0.85 s of it shape.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import '../src/index.js';
import type { Volume } from '../src/core/volume.js';
import { readNifti } from '../src/io/nifti.js';
import { extractRadiomics, type RadiomicsSettings } from '../src/tasks/radiomics/index.js';

const dir = resolve(dirname(fileURLToPath(import.meta.url)), '../../shared/data/ibsi1/ct_radiomics_phantom/nifti');
if (!existsSync(dir)) {
  console.log(`IBSI CT phantom not found at ${dir}; nothing to benchmark.`);
  process.exit(0);
}
const img = await readNifti(`${dir}/image/phantom.nii.gz`);
const image: Volume = { ...img, data: Float32Array.from(img.data as ArrayLike<number>, (v) => Math.round(v)) };
const mask = await readNifti(`${dir}/mask/mask.nii.gz`);

async function run(label: string, m: Volume, runs: number, extra: RadiomicsSettings = {}) {
  const times: Record<string, number[]> = {};
  let unavailable: string[] = [];
  let nFeatures = 0;
  for (let r = 0; r < runs + 1; r++) {
    const t = performance.now();
    const res = await extractRadiomics(image, m, { binWidth: 25, ...extra });
    const wall = performance.now() - t;
    if (r === 0) continue; // warm-up
    unavailable = res.unavailable;
    nFeatures = Object.keys(res.features).length;
    for (const [k, v] of Object.entries(res.provenance.timingsMs)) (times[k] ??= []).push(v);
    (times.wall ??= []).push(wall);
  }
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  const min = (a: number[]) => Math.min(...a);
  let voxels = 0;
  for (let i = 0; i < m.data.length; i++) if (m.data[i]) voxels++;
  console.log(`\n${label}: ${voxels} voxels, ${nFeatures} features, ${runs} runs, median / min (ms)`);
  const classes = ['shape', 'filters', 'firstorder', 'discretise', 'glcm', 'glrlm', 'glszm', 'gldm', 'ngtdm'];
  // per-run sum of the feature classes (excludes filters), then median / min over runs
  const sums = times.wall!.map((_, r) =>
    classes.filter((k) => k !== 'filters').reduce((a, k) => a + (times[k]?.[r] ?? 0), 0),
  );
  for (const k of classes)
    if (times[k]) console.log(`  ${k.padEnd(12)} ${med(times[k]!).toFixed(1)} / ${min(times[k]!).toFixed(1)}`);
  console.log(
    `  ${'classes sum'.padEnd(12)} ${med(sums).toFixed(1)} / ${min(sums).toFixed(1)}   (PyRadiomics ~1100 ms on the full ROI, 850 ms of it shape)`,
  );
  console.log(
    `  ${'total call'.padEnd(12)} ${med(times.wall!).toFixed(1)} / ${min(times.wall!).toFixed(1)}   (incl. sha256 hashes, cropping, diagnostics)`,
  );
  if (unavailable.length) console.log(`  unavailable: ${unavailable.join('; ')}`);
}

await run('IBSI CT phantom GTV', mask, 5);
// small ROI: a 12x12x4 block inside the GTV
const small = { ...mask, data: new Uint8Array(mask.data.length) };
const [nx, ny] = mask.dims;
let cx = 0;
let cy = 0;
let cz = 0;
let n = 0;
for (let z = 0, i = 0; z < mask.dims[2]; z++)
  for (let y = 0; y < ny; y++)
    for (let x = 0; x < nx; x++, i++)
      if (mask.data[i]) {
        cx += x;
        cy += y;
        cz += z;
        n++;
      }
cx = Math.round(cx / n);
cy = Math.round(cy / n);
cz = Math.round(cz / n);
for (let z = cz - 2; z < cz + 2; z++)
  for (let y = cy - 6; y < cy + 6; y++) for (let x = cx - 6; x < cx + 6; x++) small.data[x + nx * (y + ny * z)] = 1;
await run('small ROI (12x12x4 block)', small, 20);
await run('IBSI CT phantom GTV, Original + LoG(1, 2, 3 mm) + Wavelet (13 image types)', mask, 2, {
  imageType: { Original: {}, LoG: { sigma: [1, 2, 3] }, Wavelet: {} },
});
