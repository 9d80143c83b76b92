/**
 * Fits the logistic weights of detectNodules' candidate score (src/tasks/detect-nodules/score.ts)
 * on the candidates that bench/nodule-candidates.ts wrote: the real chest CTs (each with its
 * re-sliced and re-filtered variants) and phantoms at 1.25-8 mm slices.
 *
 * Held out per patient: for each real patient, the weights are fitted on the phantoms and the OTHER
 * patient(s) only, and that patient's scans (all variants) are scored with them: the printed
 * hits and false findings at the default threshold are the held-out figures. The shipped weights
 * are then fitted on everything.
 *
 * Weighting: real and phantom candidates count equally as sources, and within each source
 * lesion and non-lesion candidates count equally (a few masses against hundreds of vessels).
 * The fitted bias is then shifted by the log prior odds of lesions among the candidates of real
 * scans, so a probability reads as the share of real-scan candidates like it that are lesions.
 * Run: npx tsx bench/nodule-candidates.ts && npx tsx bench/fit-nodule-score.ts
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { noduleProbability, SCORE_INPUTS, type ScoreFeatures, scoreInputs } from '../src/tasks/detect-nodules/score.js';
import type { CandidateRow, ScanRow } from './nodule-candidates.js';

const here = dirname(fileURLToPath(import.meta.url));
const { rows, scans } = JSON.parse(readFileSync(join(here, 'out', 'nodule-candidates.json'), 'utf8')) as {
  rows: CandidateRow[];
  scans: ScanRow[];
};
const threshold = Number(process.argv[2] ?? 0.5);
const lambda = Number(process.argv[3] ?? 0.02);
const MAX_FP_PER_SCAN = Number(process.argv[4] ?? 1);
const isReal = (g: string): boolean => !g.startsWith('phantom');
const xOf = (r: CandidateRow): number[] =>
  scoreInputs({ ...r.features, diameterMm: r.diameterMm } as unknown as ScoreFeatures);

function fit(train: CandidateRow[], prior?: number): Record<string, number> {
  const X = train.map(xOf);
  const y = train.map((r) => (r.hit ? 1 : 0));
  const d = SCORE_INPUTS.length;
  const mu = new Array<number>(d).fill(0);
  const sd = new Array<number>(d).fill(0);
  for (const x of X) x.forEach((v, i) => (mu[i]! += v / X.length));
  for (const x of X) x.forEach((v, i) => (sd[i]! += (v - mu[i]!) ** 2 / X.length));
  for (let i = 0; i < d; i++) sd[i] = Math.sqrt(sd[i]!) || 1;
  // four buckets (real/phantom x lesion/not), each of total weight 1
  const bucket = train.map((r, k) => (isReal(r.group) ? 0 : 2) + y[k]!);
  const count = [0, 0, 0, 0];
  for (const b of bucket) count[b]!++;
  const wt = bucket.map((b) => (count[b] ? 1 / count[b]! : 0));
  const wsum = wt.reduce((a, v) => a + v, 0);
  let w = new Array<number>(d).fill(0);
  let b0 = 0;
  for (let it = 0; it < 4000; it++) {
    const gw = new Array<number>(d).fill(0);
    let gb = 0;
    X.forEach((x, k) => {
      const z = b0 + x.reduce((a, v, i) => a + (w[i]! * (v - mu[i]!)) / sd[i]!, 0);
      const e = (1 / (1 + Math.exp(-z)) - y[k]!) * wt[k]!;
      x.forEach((v, i) => (gw[i]! += (e * (v - mu[i]!)) / sd[i]!));
      gb += e;
    });
    w = w.map((v, i) => v - 0.5 * (gw[i]! / wsum + lambda * v));
    b0 -= (0.5 * gb) / wsum;
  }
  // balanced fit -> prior of lesions among real-scan candidates (at least 1 in 20: the real CTs hold
  // one annotated lesion each, unannotated true nodules among the "negatives" are likely)
  if (prior === undefined) return choosePrior(train, b0, w, mu, sd);
  return toRaw(b0, w, mu, sd, prior);
}

function toRaw(b0: number, w: number[], mu: number[], sd: number[], prior: number): Record<string, number> {
  const bias = b0 - w.reduce((a, v, i) => a + (v * mu[i]!) / sd[i]!, 0) + Math.log(prior / (1 - prior));
  return {
    bias: Number(bias.toFixed(3)),
    ...Object.fromEntries(SCORE_INPUTS.map((n, i) => [n, Number((w[i]! / sd[i]!).toFixed(3))])),
  };
}

/**
 * The prior (bias shift) is chosen on the TRAINING scans only: the most sensitive one (lesions found
 * at the threshold over all training scans) that keeps the mean false findings per training scan at
 * or under MAX_FP_PER_SCAN.
 */
function choosePrior(
  train: CandidateRow[],
  b0: number,
  w: number[],
  mu: number[],
  sd: number[],
): Record<string, number> {
  let best: { sens: number; weights: Record<string, number> } | null = null;
  const trainScans = scans.filter((s) => train.some((r) => r.scan === s.scan));
  for (const prior of [0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5]) {
    const weights = { ...toRaw(b0, w, mu, sd, prior), prior };
    let found = 0;
    let lesions = 0;
    let fp = 0;
    for (const s of trainScans) {
      const e = score(weights, s);
      found += e.found;
      lesions += s.lesions;
      fp += e.fp;
    }
    if (fp / trainScans.length > MAX_FP_PER_SCAN) break;
    const sens = found / lesions;
    if (!best || sens > best.sens) best = { sens, weights };
  }
  return best!.weights;
}

function score(weights: Record<string, number>, s: ScanRow): { found: number; fp: number; best: number } {
  const c = rows.filter((r) => r.scan === s.scan);
  const p = c.map((r) =>
    noduleProbability({ ...r.features, diameterMm: r.diameterMm } as unknown as ScoreFeatures, weights),
  );
  return {
    found: new Set(c.filter((r, k) => r.hit && p[k]! >= threshold).map((r) => r.lesion)).size,
    fp: c.filter((r, k) => !r.hit && p[k]! >= threshold).length,
    best: Math.max(0, ...c.map((r, k) => (r.hit ? p[k]! : 0))),
  };
}

function evaluate(weights: Record<string, number>, which: (s: ScanRow) => boolean): void {
  for (const s of scans.filter(which)) {
    const c = rows.filter((r) => r.scan === s.scan);
    const p = c.map((r) =>
      noduleProbability({ ...r.features, diameterMm: r.diameterMm } as unknown as ScoreFeatures, weights),
    );
    const found = new Set(c.filter((r, k) => r.hit && p[k]! >= threshold).map((r) => r.lesion));
    const fp = c.filter((r, k) => !r.hit && p[k]! >= threshold).length;
    const best = Math.max(0, ...c.map((r, k) => (r.hit ? p[k]! : 0)));
    const before = c.filter((r) => r.probability >= 0.5);
    const foundBefore = new Set(before.filter((r) => r.hit).map((r) => r.lesion));
    console.log(
      `| ${s.scan} | ${s.sliceMm} | ${found.size}/${s.lesions} (best ${best.toFixed(2)}) | ${fp} | ${foundBefore.size}/${s.lesions} | ${before.filter((r) => !r.hit).length} |`,
    );
  }
}

console.log(`threshold ${threshold}, L2 ${lambda}`);
console.log('| scan | slice mm | lesions found (best p) | false findings | before: found | before: false |');
console.log('|---|---|---|---|---|---|');
const patients = [...new Set(rows.filter((r) => isReal(r.group)).map((r) => r.group))];
for (const held of patients) {
  const w = fit(rows.filter((r) => r.group !== held));
  console.error(`held out ${held}: ${JSON.stringify(w)}`);
  evaluate(w, (s) => s.group === held);
}
const all = fit(rows);
console.log('\nall data (phantoms scored in-sample):');
evaluate(all, (s) => !isReal(s.group));
console.log(`\nSCORE_WEIGHTS = ${JSON.stringify(all)}`);
