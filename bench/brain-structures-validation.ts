// Validation of segmentBrainStructures (brainchop subcortical18) against FreeSurfer on the dev T1
// (../shared/data/validation/brain_mri: norm.mgz + aparc.a2009s+aseg.mgz): Dice and volume
// difference per structure after mapping the aseg labels onto the model's classes (docs/tasks/brain-structures.md).
// Run: npx tsx bench/brain-structures-validation.ts  (one 256^3 model run, 1-2 min on 2 cores)
import { readMgh, segmentBrainStructures } from '../src/index.js';

const DATA = new URL('../../shared/data/', import.meta.url).pathname;
/** Model class -> FreeSurfer aseg labels (cortex: 3/42 and the Destrieux parcels 11101-11175, 12101-12175). */
const MAP: Record<string, (l: number) => boolean> = {
  'Cerebral-White-Matter': (l) => l === 2 || l === 41,
  'Cerebral-Cortex': (l) => l === 3 || l === 42 || (l >= 11100 && l < 11200) || (l >= 12100 && l < 12200),
  'Lateral-Ventricle': (l) => l === 4 || l === 43,
  Thalamus: (l) => l === 10 || l === 49,
  Caudate: (l) => l === 11 || l === 50,
  Putamen: (l) => l === 12 || l === 51,
  Pallidum: (l) => l === 13 || l === 52,
  Hippocampus: (l) => l === 17 || l === 53,
  Amygdala: (l) => l === 18 || l === 54,
};

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
for (const [name, isFs] of Object.entries(MAP)) {
  const label = Number(Object.keys(names).find((k) => names[k] === name));
  let a = 0;
  let b = 0;
  let both = 0;
  const L = r.labels.data;
  const F = aseg.data;
  for (let i = 0; i < L.length; i++) {
    const m = L[i] === label;
    const f = isFs(F[i]!);
    if (m) a++;
    if (f) b++;
    if (m && f) both++;
  }
  const dice = (2 * both) / (a + b);
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
