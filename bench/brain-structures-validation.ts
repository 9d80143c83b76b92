// Validation of segmentBrainStructures (brainchop subcortical18) against FreeSurfer on the dev T1
// (../shared/data/validation/brain_mri: norm.mgz + aparc.a2009s+aseg.mgz): Dice and volume
// difference per structure after mapping the aseg labels onto the model's classes (docs/tasks/brain-structures.md).
// Run: npx tsx bench/brain-structures-validation.ts  (one 256^3 model run, 1-2 min on 2 cores)
import { readMgh, segmentBrainStructures } from '../src/index.js';
import { asegAgreement, SUBCORTICAL18_TO_ASEG as MAP } from '../test/helpers/freesurfer-aseg.js';

const DATA = new URL('../../shared/data/', import.meta.url).pathname;

const t1 = await readMgh(`${DATA}validation/brain_mri/niivue_freesurfer_norm_aparc2009s/norm.mgz`);
const aseg = await readMgh(`${DATA}validation/brain_mri/niivue_freesurfer_norm_aparc2009s/aparc.a2009s+aseg.mgz`);
const t0 = performance.now();
const r = await segmentBrainStructures(t1, {
  model: `${DATA}models/brainchop_subcortical18/model.onnx`,
  backend: 'cpu',
});
const seconds = (performance.now() - t0) / 1000;
const names = r.model.labelNames;
console.log(`segmentBrainStructures subcortical18 on norm.mgz: ${seconds.toFixed(1)} s`);
console.log('| structure | Dice | model mL | FreeSurfer mL | difference % |');
console.log('|---|---|---|---|---|');
for (const { name, dice, modelVoxels: a, asegVoxels: b } of asegAgreement(r.labels.data, names, aseg.data)) {
  console.log(
    `| ${name} | ${dice.toFixed(3)} | ${(a / 1000).toFixed(2)} | ${(b / 1000).toFixed(2)} | ${(((a - b) / b) * 100).toFixed(1)} |`,
  );
}
const sides = r.structures.filter((s) => MAP[s.name] && s.asymmetryIndex !== null);
for (const s of sides) {
  console.log(
    `${s.name}: left ${s.leftMl!.toFixed(2)} mL, right ${s.rightMl!.toFixed(2)} mL, AI ${s.asymmetryIndex!.toFixed(1)} %`,
  );
}
