/**
 * Leave-one-case-out choice of segmentTumor's low-contrast seed-mode parameters (lowContrastMm,
 * lowContrastGradient) over every click run of the dev manifest (both chest CTs from their box
 * centres, STS_001 CT and MR, chest phantoms at 1/2.5/5/8 mm), each at the default search sphere
 * and at maxRadiusMm 100 (a size bound from the image must not depend on the sphere). Score per
 * case: Dice where a mask is the truth, mean per-slice box IoU where boxes are. For each case, the
 * candidate with the best mean score over the OTHER cases is chosen and that case's score reported
 * (held out). Writes the full table to stdout.
 * Run: npx tsx bench/segment-tumor-loco.ts
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import '../src/index.js';
import { validate } from '../src/validation/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(resolve(ROOT, 'validation/dev.manifest.json'), 'utf8'));
const candidates: Record<string, unknown>[] = [
  { lowContrastMm: 0 },
  { lowContrastMm: 2, lowContrastGradient: 3 },
  { lowContrastMm: 3, lowContrastGradient: 2 },
  { lowContrastMm: 3, lowContrastGradient: 3 },
  { lowContrastMm: 3, lowContrastGradient: 4 },
  { lowContrastMm: 4, lowContrastGradient: 3 },
];
const radii = [50, 100];
const cpu0 = process.cpuUsage();
// one manifest: every click run of the dev manifest once per candidate and radius (images load once)
const keep = new Set([
  'LungPETCTDx_A0001',
  'LungPETCTDx_A0002',
  'sts_001_CT',
  'sts_001_MR',
  'phantom_chest_2p5mm',
  'phantom_chest_8mm',
]);
const m = structuredClone(manifest);
m.cases = m.cases
  .filter((c: { id: string }) => keep.has(c.id))
  .map((c: { tasks: { id?: string; options?: Record<string, unknown> }[] }) => ({
    ...c,
    tasks: c.tasks
      .filter((t) => t.id === 'click')
      .flatMap((t) =>
        candidates.flatMap((cand, ci) =>
          radii.map((r) => ({ ...t, id: `c${ci}-r${r}`, options: { ...cand, maxRadiusMm: r } })),
        ),
      ),
  }));
const runs: { caseId: string; runId: string; metrics: Record<string, number | null> }[] = [];
await validate(JSON.stringify(m), {
  manifestDir: resolve(ROOT, 'validation'),
  dataRoot: process.env.MEDIMG_DATA ?? resolve(ROOT, '../shared/data'),
  outDir: mkdtempSync(join(tmpdir(), 'loco-')),
  overlays: false,
  onRun: (r) => {
    runs.push(r);
    const ci = Number(r.runId.slice(1, r.runId.indexOf('-')));
    const s = (r.metrics.dice ?? r.metrics.meanBoxIoU ?? 0) as number;
    console.log(`${r.caseId}/${r.runId} ${JSON.stringify(candidates[ci])}: ${s.toFixed(3)}, ${r.metrics.volumeMl} mL`);
  },
});
// score[case][candidate] = mean over radii
const score = new Map<string, number[]>();
for (const r of runs) {
  const ci = Number(r.runId.slice(1, r.runId.indexOf('-')));
  const s = (r.metrics.dice ?? r.metrics.meanBoxIoU ?? 0) as number;
  const list = score.get(r.caseId) ?? candidates.map(() => 0);
  list[ci]! += s / radii.length;
  score.set(r.caseId, list);
}
console.log('\nheld-out (leave-one-case-out): case, chosen candidate, its score, all candidates');
const cases = [...score.keys()];
for (const c of cases) {
  const others = cases.filter((o) => o !== c);
  const mean = candidates.map((_, i) => others.reduce((s, o) => s + score.get(o)![i]!, 0) / others.length);
  const best = mean.indexOf(Math.max(...mean));
  console.log(
    `${c}: ${JSON.stringify(candidates[best])} -> ${score.get(c)![best]!.toFixed(3)} [${score
      .get(c)!
      .map((v) => v.toFixed(3))
      .join(' ')}]`,
  );
}
const u = process.cpuUsage(cpu0);
console.log(`cpu ${((u.user + u.system) / 1e6).toFixed(0)} s`);
