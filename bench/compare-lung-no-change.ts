/**
 * No-change lung pairs: a real chest CT (A0001, 5 mm slices; A0002, 8 mm slices) compared with a
 * moved (rigid), resampled (linear) copy of itself, six months apart. Every reported finding should
 * be matched with a change under the measurement error, and no Lung-RADS growth (the rule is forced
 * on with `detect.lungRadsOnAnyScan`: these scans are thicker than Lung-RADS allows, where it would
 * be null). Moves: the test's (1/2 deg, -7/4/3 mm) and seeds 1-2 (random, up to 3 deg and 8 mm per
 * axis). `old` also runs the earlier setting (each study's own lung mask, no hysteresis) on move 0.
 *
 *   npx tsx bench/compare-lung-no-change.ts [old]
 */
import { cpuUsage } from 'node:process';
import { readDicomSeries } from '../src/index.js';
import { type CompareStudiesOptions, compareStudies } from '../src/tasks/compare-studies/index.js';
import { dataPath } from '../test/helpers/data.js';
import { movedScan, randomRigid, rigidAbout } from '../test/helpers/longitudinal.js';

const cpu0 = cpuUsage();
const w0 = Date.now();
const cases = ['ct_chest_LungPETCTDx_A0001_kernelB', 'ct_chest_LungPETCTDx_A0002_B40f'];
const dates = { baselineDate: '20240110', followUpDate: '20240710' };
const worst = { volumePct: 0, diameterMm: 0, unmatched: 0, growth: 0 };
for (const name of cases) {
  const ct = await readDicomSeries(dataPath('dicom', name));
  const moves = [
    ['move 0 (1/2 deg, -7/4/3 mm)', rigidAbout(ct, [0, 1, 2], [-7, 4, 3])],
    ['seed 1', randomRigid(ct, 1, 3, 8)],
    ['seed 2', randomRigid(ct, 2, 3, 8)],
  ] as const;
  for (const [k, [label, t]] of moves.entries()) {
    const copy = movedScan(ct, t, -1024);
    const settings: [string, CompareStudiesOptions['nodules']][] = [
      ['default', { detect: { lungRadsOnAnyScan: true } }],
    ];
    if (k === 0 && process.argv.includes('old')) {
      settings.push([
        'old (own lungs, no hysteresis)',
        { detect: { lungRadsOnAnyScan: true }, lungMask: 'each', matchProbability: 0.5 },
      ]);
    }
    for (const [s, nodules] of settings) {
      const r = await compareStudies(ct, copy, { ...dates, ...(nodules ? { nodules } : {}) });
      console.log(
        `${name.split('_')[3]} ${label} ${s}: ncc ${r.registration.ncc}, rotation ${r.registration.rotationDeg} deg`,
      );
      for (const n of r.nodules!) {
        console.log(
          `  ${n.status} ${n.baseline?.diameterMm ?? '-'} -> ${n.followUp?.diameterMm ?? '-'} mm (${n.diameterChangeMm ?? '-'} mm), ${n.baseline?.volumeMm3 ?? '-'} -> ${n.followUp?.volumeMm3 ?? '-'} mm3 (${n.volumeChangePct ?? '-'} %), p ${n.baseline?.probability ?? '-'} / ${n.followUp?.probability ?? '-'}, growth ${n.lungRadsGrowth}`,
        );
        if (s !== 'default') continue;
        if (n.status !== 'matched') worst.unmatched++;
        else {
          worst.volumePct = Math.max(worst.volumePct, Math.abs(n.volumeChangePct ?? 0));
          worst.diameterMm = Math.max(worst.diameterMm, Math.abs(n.diameterChangeMm ?? 0));
        }
        if (n.lungRadsGrowth) worst.growth++;
      }
    }
  }
}
console.log(`default, all pairs: ${JSON.stringify(worst)}`);
const c = cpuUsage(cpu0);
console.log(`total: ${((Date.now() - w0) / 1000).toFixed(0)} s wall, ${((c.user + c.system) / 1e6).toFixed(0)} s CPU`);
