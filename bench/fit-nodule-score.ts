import { makeChestCtPhantom } from '../src/core/phantoms/chest-ct.ts';
import { detectNodules } from '../src/tasks/detect-nodules/index.ts';
const rows = [];
for (const seed of [101, 102, 103, 104, 105, 106]) {
  const noise = [10, 25, 40][seed % 3];
  const p = makeChestCtPhantom({
    dims: [170, 120, 60],
    spacing: [2, 2, 2.5],
    nodules: 14,
    noiseSd: noise,
    seed,
    blurSigmaMm: 0.6,
  });
  const r = await detectNodules(p.image, { minProbability: 0 });
  for (const c of r.nodules) {
    const h = p.truth.nodules.some(
      (n) =>
        Math.hypot(c.centerMm[0] - n.centerMm[0], c.centerMm[1] - n.centerMm[1], c.centerMm[2] - n.centerMm[2]) <=
        n.diameterMm / 2,
    );
    const f = c.features;
    rows.push({
      y: h ? 1 : 0,
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
  console.error('seed', seed, 'cands', r.nodules.length, 'truth', p.truth.nodules.length);
}
// logistic regression, L2, gradient descent on standardised features
const d = rows[0].x.length;
const mu = Array(d).fill(0),
  sd = Array(d).fill(0);
for (const r of rows) r.x.forEach((v, i) => (mu[i] += v / rows.length));
for (const r of rows) r.x.forEach((v, i) => (sd[i] += (v - mu[i]) ** 2 / rows.length));
sd.forEach((v, i) => (sd[i] = Math.sqrt(v) || 1));
let w = Array(d).fill(0),
  b = 0;
const lr = 0.1;
const pos = rows.filter((r) => r.y).length;
const wPos = (rows.length - pos) / pos;
for (let it = 0; it < 3000; it++) {
  const gw = Array(d).fill(0);
  let gb = 0;
  for (const r of rows) {
    const z = b + r.x.reduce((a, v, i) => a + (w[i] * (v - mu[i])) / sd[i], 0);
    const p = 1 / (1 + Math.exp(-z));
    const e = (p - r.y) * (r.y ? wPos : 1);
    r.x.forEach((v, i) => (gw[i] += (e * (v - mu[i])) / sd[i]));
    gb += e;
  }
  w = w.map((v, i) => v - lr * (gw[i] / rows.length + 0.01 * v));
  b -= (lr * gb) / rows.length;
}
// back to raw feature weights
const wr = w.map((v, i) => v / sd[i]);
const br = b - w.reduce((a, v, i) => a + (v * mu[i]) / sd[i], 0) - Math.log(wPos);
console.log(
  'n',
  rows.length,
  'pos',
  pos,
  'weights',
  wr.map((v) => v.toFixed(3)),
  'bias',
  br.toFixed(3),
);
