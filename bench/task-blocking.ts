// Longest stretch each long task blocks the event loop on the small chest phantom (what bounds how
// fast an abort lands). Usage: npx tsx bench/task-blocking.ts
import { makeChestCtPhantom } from '../src/core/phantoms/index.js';
import type { Vec3 } from '../src/core/volume.js';
import { detectNodules, measureBoneDensity, segmentLungs, segmentTumor } from '../src/tasks/index.js';

const p = makeChestCtPhantom({
  dims: [170, 120, 60] as Vec3,
  spacing: [2, 2, 2.5] as Vec3,
  blurSigmaMm: 0.6,
  nodules: 4,
  tumor: true,
  noiseSd: 15,
  seed: 1,
});
const tumour = p.truth.tumor!;
const tasks: [string, () => Promise<unknown>][] = [
  ['segmentLungs', () => segmentLungs(p.image)],
  ['detectNodules', () => detectNodules(p.image)],
  ['segmentTumor', () => segmentTumor(p.image, { seed: tumour.centerMm })],
  ['measureBoneDensity', () => measureBoneDensity(p.image)],
];
for (const [name, run] of tasks) {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const t = performance.now();
    worst = Math.max(worst, t - last);
    last = t;
  }, 1);
  const t0 = performance.now();
  await run();
  const total = performance.now() - t0;
  worst = Math.max(worst, performance.now() - last);
  clearInterval(timer);
  console.log(`${name}: total ${total.toFixed(0)} ms, longest block ${worst.toFixed(0)} ms`);
}
