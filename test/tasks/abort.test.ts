// Every long task stops mid-run on abort: the signal fires from a timer while the task is working,
// and the call rejects with ABORTED soon after (the stage helper yields at least every ~50 ms of
// work and checks the signal at every step). "Soon" is counted in CPU time this process spends
// between the abort and the rejection: the work the task still did. Wall time also counts the time
// the OS gives to other processes (Vitest runs two files at once on 2 cores), so it only guards
// against a hang.
import { describe, expect, it } from 'vitest';
import { isMedImgError } from '../../src/core/errors.js';
import { makeChestCtPhantom } from '../../src/core/phantoms/index.js';
import type { LongRunOptions, ProgressEvent } from '../../src/core/progress.js';
import type { Vec3 } from '../../src/core/volume.js';
import {
  compareStudies,
  detectNodules,
  measureBoneDensity,
  segmentLungs,
  segmentTumor,
} from '../../src/tasks/index.js';

const p = makeChestCtPhantom({
  dims: [170, 120, 60] as Vec3,
  spacing: [2, 2, 2.5] as Vec3,
  blurSigmaMm: 0.6,
  nodules: 4,
  tumor: true,
  noiseSd: 15,
  seed: 1,
});

// a small follow-up: the same phantom with one nodule grown, so registration and both detections run
const pairGeo = { dims: [120, 90, 40] as Vec3, spacing: [2.5, 2.5, 4] as Vec3, noiseSd: 15, seed: 2 };
const ctAt = (studyDate: string, diameterMm: number) => {
  const image = makeChestCtPhantom({
    ...pairGeo,
    nodules: [{ centerMm: [-80, 25, -40], diameterMm, lung: 'right' }],
  }).image;
  return { ...image, meta: { ...image.meta, modality: 'CT', studyDate } };
};
const baseline = ctAt('20240110', 8);
const followUp = ctAt('20241011', 11);

const TASKS: [string, number, (o: LongRunOptions) => Promise<unknown>][] = [
  ['segmentLungs', 0.3, (o) => segmentLungs(p.image, o)],
  ['detectNodules', 0.4, (o) => detectNodules(p.image, o)],
  ['segmentTumor', 0.3, (o) => segmentTumor(p.image, { ...o, seed: p.truth.tumor!.centerMm })],
  ['measureBoneDensity', 0.3, (o) => measureBoneDensity(p.image, o)],
  ['compareStudies', 0.35, (o) => compareStudies(baseline, followUp, o)],
];

describe('abort lands mid-run', () => {
  for (const [name, at, run] of TASKS) {
    it(`${name} rejects with ABORTED after at most 200 ms of CPU work past an abort fired at ${at * 100}% progress`, async () => {
      const ac = new AbortController();
      const events: ProgressEvent[] = [];
      let abortedAt = 0;
      let cpuAtAbort: NodeJS.CpuUsage | undefined;
      let scheduled = false;
      const onProgress = (e: ProgressEvent): void => {
        events.push(e);
        if (!scheduled && e.fraction >= at) {
          scheduled = true;
          // from a timer, not from inside the task: it fires only when the task yields
          setTimeout(() => {
            abortedAt = performance.now();
            cpuAtAbort = process.cpuUsage();
            ac.abort();
          }, 0);
        }
      };
      const error = await run({ signal: ac.signal, onProgress }).then(
        () => null,
        (e: unknown) => e,
      );
      const latency = performance.now() - abortedAt;
      const cpu = cpuAtAbort && process.cpuUsage(cpuAtAbort);
      expect(scheduled).toBe(true);
      expect(abortedAt).toBeGreaterThan(0);
      expect(isMedImgError(error, 'ABORTED')).toBe(true);
      expect((cpu!.user + cpu!.system) / 1000).toBeLessThan(200);
      expect(latency).toBeLessThan(2000);
      // it stopped mid-run: progress never reached the end
      expect(events.at(-1)!.fraction).toBeLessThan(1);
    }, 60_000);
  }
});
