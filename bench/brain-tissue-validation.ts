// segmentBrainTissue (MeshNet GM/WM) against FreeSurfer on the dev T1 (norm.mgz, conformed: used as
// is) and on the same T1 re-gridded onto another grid (RAS, 0.9 x 0.9 x 1.1 mm, x9.7 float: conformed
// back by the card), and the demo T1 re-gridded against its own conformed run. Dice of white matter
// (aseg 2/41) and grey matter (cortex 3/42 and the Destrieux parcels; and with the deep grey
// nuclei, hippocampus, amygdala and cerebellar cortex added), docs/tasks/brain-tissue.md.
// Run: npx tsx bench/brain-tissue-validation.ts  (five 256^3 runs of a light model, ~20-60 s each)
import { conformGrid } from '../src/backends/pipeline.js';
import { resample, resampleLabels } from '../src/core/ops/resample.js';
import { readMgh, readNifti, segmentBrainTissue, type Volume } from '../src/index.js';
import { dataPath } from '../test/helpers/data.js';

const model = dataPath('models', 'niivue_meshnet_tissue_gwm', 'model.onnx');
const dir = dataPath('validation', 'brain_mri', 'niivue_freesurfer_norm_aparc2009s');
const t1 = await readMgh(`${dir}/norm.mgz`);
const aseg = await readMgh(`${dir}/aparc.a2009s+aseg.mgz`);
const wm = (l: number) => l === 2 || l === 41;
const cortex = (l: number) => l === 3 || l === 42 || (l >= 11100 && l < 11200) || (l >= 12100 && l < 12200);
const DEEP = new Set([8, 10, 11, 12, 13, 17, 18, 26, 47, 49, 50, 51, 52, 53, 54, 58]);
const allGrey = (l: number) => cortex(l) || DEEP.has(l);

function dice(labels: ArrayLike<number>, label: number, truth: ArrayLike<number>, isTruth: (l: number) => boolean) {
  let a = 0;
  let b = 0;
  let both = 0;
  for (let i = 0; i < labels.length; i++) {
    const x = labels[i] === label;
    const y = isTruth(truth[i]!);
    a += +x;
    b += +y;
    both += +(x && y);
  }
  return ((2 * both) / (a + b)).toFixed(3);
}

async function vsFreeSurfer(what: string, img: Volume, truth: ArrayLike<number>) {
  const t0 = performance.now();
  const r = await segmentBrainTissue(img, { model, backend: 'cpu' });
  const s = ((performance.now() - t0) / 1000).toFixed(0);
  console.log(
    `| ${what} | ${dice(r.labels.data, 1, truth, wm)} | ${dice(r.labels.data, 2, truth, cortex)} | ${dice(r.labels.data, 2, truth, allGrey)} | ${r.whiteMatterMl.toFixed(1)} | ${r.greyMatterMl.toFixed(1)} | ${s} |`,
  );
  return r;
}

console.log('| input | WM Dice | GM Dice (cortex) | GM Dice (cortex + deep grey) | WM mL | GM mL | s |');
console.log('|---|---|---|---|---|---|---|');
await vsFreeSurfer('norm.mgz as is', t1, aseg.data);
const grid = conformGrid(t1, [240, 270, 190], 'RAS', [0.9, 0.9, 1.1]);
const g = resample(t1, { reference: grid });
const asegOnGrid = resampleLabels(aseg, { reference: grid, method: 'nearest' });
await vsFreeSurfer(
  'norm.mgz re-gridded (RAS 0.9x0.9x1.1 mm, x9.7 float)',
  { ...g, data: Float32Array.from(g.data, (v) => v * 9.7) },
  asegOnGrid.data,
);

// the demo T1 (whole head): re-gridded against its own conformed run
const demo = await readNifti(dataPath('models', 'niivue_meshnet_tissue_gwm', 't1_crop.nii.gz'));
const ref = await segmentBrainTissue(demo, { model, backend: 'cpu' });
const dgrid = conformGrid(demo, [200, 230, 210], 'RAS', [1.1, 1.1, 1.1]);
const moved = await segmentBrainTissue(resample(demo, { reference: dgrid }), { model, backend: 'cpu' });
const refOnGrid = resampleLabels(ref.labels, { reference: dgrid, method: 'nearest' });
console.log(
  `t1_crop re-gridded (RAS 1.1 mm) vs its conformed run: WM Dice ${dice(moved.labels.data, 1, refOnGrid.data, (l) => l === 1)}, GM Dice ${dice(moved.labels.data, 2, refOnGrid.data, (l) => l === 2)}; WM ${ref.whiteMatterMl.toFixed(1)} -> ${moved.whiteMatterMl.toFixed(1)} mL, GM ${ref.greyMatterMl.toFixed(1)} -> ${moved.greyMatterMl.toFixed(1)} mL`,
);
