/**
 * Test-retest experiment behind compareStudies' smallest detectable change (SDC) for brain
 * structures: the real FreeSurfer T1 (../shared/data/validation/brain_mri) and its aseg, moved by a
 * random rigid transform (seeds 1..N: up to 4 deg and 8 mm per axis), resampled, re-noised (SD 2 on
 * 0-125), registered back by compareStudies; the label map travels with the scan. Per structure
 * SDC95 = 1.96 x RMS of the reported % change over the seeds. Seeds 101 and 102 are held out for the
 * tests. Prints the table as TypeScript for DEFAULT_SMALLEST_DETECTABLE_CHANGE_PCT.
 *
 *   npx tsx bench/compare-test-retest.ts [seeds=6]
 */
import { readMgh } from '../src/index.js';
import { compareStudies } from '../src/tasks/compare-studies/index.js';
import { dataPath } from '../test/helpers/data.js';
import { movedLabels, movedScan, randomRigid } from '../test/helpers/longitudinal.js';

const n = Number(process.argv[2] ?? 6);
const dir = 'validation/brain_mri/niivue_freesurfer_norm_aparc2009s';
const t1 = { ...(await readMgh(dataPath(dir, 'norm.mgz'))), meta: { modality: 'MR' } };
const aseg = await readMgh(dataPath(dir, 'aparc.a2009s+aseg.mgz'));
const changes = new Map<string, number[]>();
for (let seed = 1; seed <= n; seed++) {
  const t = randomRigid(t1, seed);
  const t0 = Date.now();
  const r = await compareStudies(t1, movedScan(t1, t, 0, 2, seed), {
    brain: { baselineLabels: aseg, followUpLabels: movedLabels(aseg, t) },
  });
  console.log(
    `seed ${seed}: ncc ${r.registration.ncc}, rotation ${r.registration.rotationDeg} deg, ${Date.now() - t0} ms`,
  );
  for (const s of r.structures!) changes.set(s.name, [...(changes.get(s.name) ?? []), s.changePct!]);
}
console.log('structure | RMS % | max |%| | SDC95 %');
const table: Record<string, number> = {};
for (const [name, v] of changes) {
  const rms = Math.sqrt(v.reduce((a, x) => a + x * x, 0) / v.length);
  const sdc = Math.ceil(1.96 * rms * 100) / 100;
  table[name] = sdc;
  console.log(`${name} | ${rms.toFixed(3)} | ${Math.max(...v.map(Math.abs)).toFixed(3)} | ${sdc}`);
}
console.log(JSON.stringify(table, null, 2));
