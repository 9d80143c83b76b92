/**
 * Fits the logistic weights of detectNodules' candidate score on TRAINING phantoms (seeds 101–108,
 * never the validation seeds 1–n of bench/validate.ts): class-balanced logistic regression with a
 * small L2 penalty on standardised features, printed back in raw feature units.
 * Run: npx tsx bench/fit-nodule-score.ts
 */
import { makeChestCtPhantom } from '../src/core/phantoms/chest-ct.js';
import { detectNodules } from '../src/tasks/detect-nodules/index.js';

interface Row {
  y: number;
  x: number[];
}
const rows: Row[] = [];
for (const seed of [101, 102, 103, 104, 105, 106, 107, 108]) {
  const noise = [10, 25, 40][seed % 3]!;
  const p = makeChestCtPhantom({
    dims: [170, 120, 60],
    spacing: [2, 2, 2.5],
    nodules: 14,
    noiseSd: noise,
    seed,
    blurSigmaMm: 0.6,
    tumor: seed % 2 === 0,
  });
  const r = await detectNodules(p.image, { minProbability: 0 });
  const lesions = p.truth.nodules.map((n) => ({ c: n.centerMm, r: n.diameterMm / 2 }));
  if (p.truth.tumor) lesions.push({ c: p.truth.tumor.centerMm, r: 20 });
  for (const c of r.nodules) {
    const hit = lesions.some(
      (l) => Math.hypot(c.centerMm[0] - l.c[0], c.centerMm[1] - l.c[1], c.centerMm[2] - l.c[2]) <= l.r,
    );
    const f = c.features;
    rows.push({
      y: hit ? 1 : 0,
      x: [
        f.blobness,
        Math.log(Math.max(f.contrastHU, 1) / 100),
        Math.min(f.compactness, 1.5),
        f.leak,
        Math.log(c.diameterMm / 10),
        Math.log(f.response / 100),
      ],
    });
  }
  console.error(`seed ${seed}: ${r.nodules.length} candidates, ${lesions.length} lesions`);
}
const d = rows[0]!.x.length;
const mu = new Array<number>(d).fill(0);
const sd = new Array<number>(d).fill(0);
for (const r of rows) r.x.forEach((v, i) => (mu[i]! += v / rows.length));
for (const r of rows) r.x.forEach((v, i) => (sd[i]! += (v - mu[i]!) ** 2 / rows.length));
for (let i = 0; i < d; i++) sd[i] = Math.sqrt(sd[i]!) || 1;
let w = new Array<number>(d).fill(0);
let b = 0;
const pos = rows.filter((r) => r.y).length;
const wPos = (rows.length - pos) / pos;
for (let it = 0; it < 3000; it++) {
  const gw = new Array<number>(d).fill(0);
  let gb = 0;
  for (const r of rows) {
    const z = b + r.x.reduce((a, v, i) => a + (w[i]! * (v - mu[i]!)) / sd[i]!, 0);
    const e = (1 / (1 + Math.exp(-z)) - r.y) * (r.y ? wPos : 1);
    r.x.forEach((v, i) => (gw[i]! += (e * (v - mu[i]!)) / sd[i]!));
    gb += e;
  }
  w = w.map((v, i) => v - 0.1 * (gw[i]! / rows.length + 0.01 * v));
  b -= (0.1 * gb) / rows.length;
}
const names = ['blobness', 'logContrast', 'compactness', 'leak', 'logDiameter', 'logResponse'];
const raw = Object.fromEntries(w.map((v, i) => [names[i], Number((v / sd[i]!).toFixed(3))]));
// the class weighting shifts the bias by log(wPos); undo it so probabilities match the class mix
const bias = b - w.reduce((a, v, i) => a + (v * mu[i]!) / sd[i]!, 0) - Math.log(wPos);
console.log(JSON.stringify({ rows: rows.length, positives: pos, bias: Number(bias.toFixed(3)), ...raw }));
