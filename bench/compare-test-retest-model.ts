/**
 * Test-retest of compareStudies with the brainchop subcortical18 model segmenting both time points
 * (SUBCORTICAL18_SMALLEST_DETECTABLE_CHANGE_PCT): the real FreeSurfer T1
 * (../shared/data/validation/brain_mri) moved by a random rigid transform (seeds 1..N: up to 6 deg
 * and 5 mm per axis), resampled, re-noised (SD 2 on 0-125), segmented in its own space and its labels
 * carried into baseline space by the registration. Per structure SDC95 = 1.96 x RMS of the reported % change. The baseline is
 * segmented once (compareStudies' `segment` with the baseline's labels kept: the same computation
 * as `brain.model`, one 256^3 run fewer per pair). With `atrophy`, one more pair: the left
 * hippocampus (aseg 17) eroded by one voxel layer on one side (known loss), moved by seed 102.
 *
 *   npx tsx bench/compare-test-retest-model.ts [pairs=4] [atrophy]   (1 + pairs (+1) model runs, 1-4 min each)
 */
import { cpuUsage } from 'node:process';
import { readMgh, segmentBrainStructures, type Volume } from '../src/index.js';
import {
  brainModelStructures,
  type CompareStudiesResult,
  compareStudies,
  structureVolumesMl,
} from '../src/tasks/compare-studies/index.js';
import { dataPath } from '../test/helpers/data.js';
import { erodeOneSide, movedScan, randomRigid } from '../test/helpers/longitudinal.js';

const n = Number(process.argv[2] ?? 4);
const withAtrophy = process.argv.includes('atrophy');
const dir = 'validation/brain_mri/niivue_freesurfer_norm_aparc2009s';
const model = dataPath('models', 'brainchop_subcortical18', 'model.onnx');
const t1 = { ...(await readMgh(dataPath(dir, 'norm.mgz'))), meta: { modality: 'MR' } };
const cpu0 = cpuUsage();
const w0 = Date.now();
const base = await segmentBrainStructures(t1, { model, backend: 'cpu' });
const structures = brainModelStructures(base.model.labelNames);
console.log(`baseline: ${Date.now() - w0} ms wall, midline x ${base.midlineXMm?.toFixed(2)} mm`);

async function pair(follow: Volume): Promise<CompareStudiesResult> {
  return compareStudies(t1, follow, {
    brain: {
      segment: async (v, o) =>
        v === t1 ? base.labels : (await segmentBrainStructures(v, { model, backend: 'cpu', ...o })).labels,
      structures,
      smallestDetectableChangePct: {},
    },
  });
}

let atrophy: { lossPct: number; r: CompareStudiesResult } | null = null;
if (withAtrophy) {
  const aseg = await readMgh(dataPath(dir, 'aparc.a2009s+aseg.mgz'));
  let csfSum = 0;
  let csfN = 0;
  for (let i = 0; i < aseg.data.length; i++) {
    if (aseg.data[i] !== 4) continue;
    csfSum += t1.data[i] as number;
    csfN++;
  }
  const shrunk = erodeOneSide(t1, aseg, 17, csfSum / csfN);
  const r = await pair(movedScan(shrunk.t1, randomRigid(t1, 102, 6, 5), 0, 2, 102));
  atrophy = { lossPct: shrunk.lossPct, r };
  console.log(`atrophy (seed 102): known FreeSurfer left hippocampus loss ${shrunk.lossPct.toFixed(2)} %`);
  // The part of the eroded layer inside the model's own baseline left hippocampus: the loss the
  // model would report if it followed the edit exactly.
  const hippo = structures.filter((s) => s.name === 'Left hippocampus');
  const inEroded = base.labels.data.map((v, i) => (aseg.data[i] === 17 && shrunk.labels.data[i] === 0 ? v : 0));
  const [all] = structureVolumesMl(base.labels, hippo, base.midlineXMm ?? null);
  const [cut] = structureVolumesMl({ ...base.labels, data: inEroded }, hippo, base.midlineXMm ?? null);
  console.log(`  eroded voxels in the model's left hippocampus: ${((100 * cut!) / all!).toFixed(2)} % of it`);
  console.log(`  ${r.structures!.map((s) => `${s.name} ${s.changePct}`).join(', ')}`);
}

const changes = new Map<string, number[]>();
for (let seed = 1; seed <= n; seed++) {
  const t = randomRigid(t1, seed, 6, 5);
  const t0 = Date.now();
  const r = await pair(movedScan(t1, t, 0, 2, seed));
  console.log(
    `seed ${seed}: ncc ${r.registration.ncc}, rotation ${r.registration.rotationDeg} deg, shift ${r.registration.centreShiftMm.join('/')} mm, ${Date.now() - t0} ms`,
  );
  for (const s of r.structures!) changes.set(s.name, [...(changes.get(s.name) ?? []), s.changePct!]);
  console.log(`  ${r.structures!.map((s) => `${s.name} ${s.changePct}`).join(', ')}`);
}
console.log('| structure | RMS % | max abs % | SDC95 % |');
console.log('|---|---|---|---|');
const table: Record<string, number> = {};
for (const [name, v] of changes) {
  const rms = Math.sqrt(v.reduce((a, x) => a + x * x, 0) / v.length);
  const sdc = Math.ceil(1.96 * rms * 100) / 100;
  table[name] = sdc;
  console.log(`| ${name} | ${rms.toFixed(3)} | ${Math.max(...v.map(Math.abs)).toFixed(3)} | ${sdc} |`);
}
console.log(JSON.stringify(table, null, 2));

if (atrophy) {
  console.log(`atrophy (seed 102) against the SDC above: known loss ${atrophy.lossPct.toFixed(2)} %`);
  for (const s of atrophy.r.structures!) {
    const over = table[s.name] !== undefined && Math.abs(s.changePct!) > table[s.name]! ? ' (over SDC)' : '';
    console.log(`  ${s.name}: ${s.baselineMl} -> ${s.followUpMl} mL, ${s.changePct} %${over}`);
  }
}
const c = cpuUsage(cpu0);
console.log(`total: ${((Date.now() - w0) / 1000).toFixed(0)} s wall, ${((c.user + c.system) / 1e6).toFixed(0)} s CPU`);
