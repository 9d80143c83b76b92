/**
 * Grey level co-occurrence matrix (IBSI §3.6, PyRadiomics `glcm`).
 *
 * Matrices are counted per direction over the padded grid (both voxels must be in the ROI),
 * optionally symmetrised (P + Pᵀ), and stored row-major Ng × Ng with index (i-1)·Ng + (j-1).
 */
import type { Offset } from './directions.js';
import { symmetricEigenvalues } from './eigen.js';
import { EPS, type TextureGrid, linearOffset } from './grid.js';

/** Counts co-occurrences of slices [zFrom, zTo) for `dirs` into `out` (dirs × Ng²; cleared first). */
export function countGlcm(
  g: TextureGrid,
  dirs: readonly Offset[],
  zFrom: number,
  zTo: number,
  symmetric: boolean,
  out: Float64Array,
): void {
  out.fill(0);
  const { lv } = g;
  const ng = g.nLevels;
  const block = ng * ng;
  const nd = dirs.length;
  const offs = new Int32Array(nd);
  for (let a = 0; a < nd; a++) offs[a] = linearOffset(g, dirs[a]![0], dirs[a]![1], dirs[a]![2]);
  for (let k = g.sliceStart[zFrom]!, kEnd = g.sliceStart[zTo]!; k < kEnd; k++) {
    const idx = g.roi[k]!;
    const v = lv[idx]!;
    if (v === 0) continue;
    const row = (v - 1) * ng - 1;
    for (let a = 0; a < nd; a++) {
      const w = lv[idx + offs[a]!]!;
      if (w !== 0) out[a * block + row + w]!++;
    }
  }
  if (symmetric) {
    for (let a = 0; a < nd; a++) {
      const base = a * block;
      for (let i = 0; i < ng; i++) {
        for (let j = i; j < ng; j++) {
          const s = out[base + i * ng + j]! + out[base + j * ng + i]!;
          out[base + i * ng + j] = s;
          out[base + j * ng + i] = s;
        }
      }
    }
  }
}

/** Sums `nd` blocks of `m` with optional weights into `into` (length Ng²). */
export function mergeBlocks(
  m: Float64Array,
  nd: number,
  block: number,
  weights: Float64Array | null,
  into: Float64Array,
): void {
  for (let a = 0; a < nd; a++) {
    const w = weights ? weights[a]! : 1;
    const base = a * block;
    for (let k = 0; k < block; k++) into[k]! += w * m[base + k]!;
  }
}

export const GLCM_IBSI = [
  'GYBY',
  '60VM',
  'UR99',
  'TU9B',
  'TF7R',
  'D3YU',
  'NTRS',
  'ZGXS',
  'OEEB',
  'P6QZ',
  '8ZQL',
  'ACUI',
  '8S9J',
  'IB1Z',
  'NDRX',
  'WF0Z',
  '1QCO',
  'E8JP',
  'NI2N',
  'QWB0',
  'DG8W',
  '7NFM',
  'AE86',
  'R8DG',
  'JN9H',
] as const;

/**
 * IBSI GLCM features (order of {@link GLCM_IBSI}) of the matrix at `offset`. Grey levels run
 * 1..Ng with Ng the discretisation's level count (normalised inverse differences use it).
 * NaN everywhere when the matrix is empty.
 */
export function ibsiGlcmFeatures(m: Float64Array, offset: number, ng: number, out: Float64Array): Float64Array {
  // Marginals and range of non-empty rows/columns.
  const px = new Float64Array(ng + 1);
  const py = new Float64Array(ng + 1);
  let total = 0;
  for (let i = 1; i <= ng; i++) {
    const row = offset + (i - 1) * ng - 1;
    let s = 0;
    for (let j = 1; j <= ng; j++) {
      const c = m[row + j]!;
      if (c !== 0) {
        s += c;
        py[j]! += c;
      }
    }
    px[i] = s;
    total += s;
  }
  if (!(total > 0)) {
    out.fill(Number.NaN);
    return out;
  }
  let lo = ng + 1;
  let hi = 0;
  for (let i = 1; i <= ng; i++) {
    px[i]! /= total;
    py[i]! /= total;
    if (px[i]! > 0 || py[i]! > 0) {
      if (i < lo) lo = i;
      hi = i;
    }
  }
  const pd = new Float64Array(ng);
  const ps = new Float64Array(2 * ng + 1);
  let pmax = 0;
  let entropy = 0;
  let energy = 0;
  let contrast = 0;
  let dissim = 0;
  let invDiff = 0;
  let invDiffNorm = 0;
  let idm = 0;
  let idmNorm = 0;
  let invVar = 0;
  let auto = 0;
  for (let i = lo; i <= hi; i++) {
    const row = offset + (i - 1) * ng - 1;
    for (let j = lo; j <= hi; j++) {
      const c = m[row + j]!;
      if (c === 0) continue;
      const p = c / total;
      const k = i > j ? i - j : j - i;
      if (p > pmax) pmax = p;
      entropy -= p * Math.log2(p);
      energy += p * p;
      contrast += p * k * k;
      dissim += p * k;
      invDiff += p / (1 + k);
      invDiffNorm += p / (1 + k / ng);
      idm += p / (1 + k * k);
      idmNorm += p / (1 + (k * k) / (ng * ng));
      if (k !== 0) invVar += p / (k * k);
      auto += p * i * j;
      pd[k]! += p;
      ps[i + j]! += p;
    }
  }
  let mux = 0;
  let muy = 0;
  let hx = 0;
  let hy = 0;
  for (let i = lo; i <= hi; i++) {
    const a = px[i]!;
    const b = py[i]!;
    mux += i * a;
    muy += i * b;
    if (a > 0) hx -= a * Math.log2(a);
    if (b > 0) hy -= b * Math.log2(b);
  }
  let varx = 0;
  let vary = 0;
  for (let i = lo; i <= hi; i++) {
    varx += (i - mux) * (i - mux) * px[i]!;
    vary += (i - muy) * (i - muy) * py[i]!;
  }
  let dAvg = 0;
  let dEnt = 0;
  for (let k = 0; k < ng; k++) {
    const p = pd[k]!;
    if (p === 0) continue;
    dAvg += k * p;
    dEnt -= p * Math.log2(p);
  }
  let dVar = 0;
  for (let k = 0; k < ng; k++) dVar += (k - dAvg) * (k - dAvg) * pd[k]!;
  let sAvg = 0;
  let sEnt = 0;
  for (let k = 2; k <= 2 * ng; k++) {
    const p = ps[k]!;
    if (p === 0) continue;
    sAvg += k * p;
    sEnt -= p * Math.log2(p);
  }
  let sVar = 0;
  let shade = 0;
  let prom = 0;
  const mu2 = mux + muy;
  for (let k = 2; k <= 2 * ng; k++) {
    const p = ps[k]!;
    if (p === 0) continue;
    sVar += (k - sAvg) * (k - sAvg) * p;
    const t = k - mu2;
    shade += t * t * t * p;
    prom += t * t * t * t * p;
  }
  // Marginal entropies: HXY1 = HXY2 = HX + HY for any joint distribution with these marginals.
  const hxy1 = hx + hy;
  const hmax = Math.max(hx, hy);
  out[0] = pmax;
  out[1] = mux;
  out[2] = varx;
  out[3] = entropy;
  out[4] = dAvg;
  out[5] = dVar;
  out[6] = dEnt;
  out[7] = sAvg;
  out[8] = sVar;
  out[9] = sEnt;
  out[10] = energy;
  out[11] = contrast;
  out[12] = dissim;
  out[13] = invDiff;
  out[14] = invDiffNorm;
  out[15] = idm;
  out[16] = idmNorm;
  out[17] = invVar;
  out[18] = (auto - mux * muy) / Math.sqrt(varx * vary);
  out[19] = auto;
  out[20] = sVar;
  out[21] = shade;
  out[22] = prom;
  out[23] = hmax > 0 ? (entropy - hxy1) / hmax : Number.NaN;
  out[24] = Math.sqrt(Math.max(0, 1 - Math.exp(-2 * (hxy1 - entropy))));
  return out;
}

export const GLCM_PYRADIOMICS = [
  'Autocorrelation',
  'JointAverage',
  'ClusterProminence',
  'ClusterShade',
  'ClusterTendency',
  'Contrast',
  'Correlation',
  'DifferenceAverage',
  'DifferenceEntropy',
  'DifferenceVariance',
  'JointEnergy',
  'JointEntropy',
  'Imc1',
  'Imc2',
  'Idm',
  'MCC',
  'Idmn',
  'Id',
  'Idn',
  'InverseVariance',
  'MaximumProbability',
  'SumAverage',
  'SumEntropy',
  'SumSquares',
] as const;

/**
 * PyRadiomics GLCM features (order of {@link GLCM_PYRADIOMICS}) of the matrix at `offset`,
 * restricted to the grey levels present in the ROI (`levels`, actual values) as PyRadiomics
 * deletes the others; `ngMax` is PyRadiomics's Ng (largest level in the ROI). Follows
 * radiomics/glcm.py, eps included; NaN everywhere when the matrix is empty.
 */
export function pyradiomicsGlcmFeatures(
  m: Float64Array,
  offset: number,
  ng: number,
  levels: Int32Array,
  ngMax: number,
  symmetric: boolean,
  out: Float64Array,
): Float64Array {
  const n = levels.length;
  const p = new Float64Array(n * n);
  let total = 0;
  for (let a = 0; a < n; a++) {
    const row = offset + (levels[a]! - 1) * ng - 1;
    for (let b = 0; b < n; b++) {
      const c = m[row + levels[b]!]!;
      p[a * n + b] = c;
      total += c;
    }
  }
  if (!(total > 0)) {
    out.fill(Number.NaN);
    return out;
  }
  const px = new Float64Array(n);
  const py = new Float64Array(n);
  for (let k = 0; k < n * n; k++) p[k]! /= total;
  let ux = 0;
  let uy = 0;
  let auto = 0;
  let pmax = 0;
  let energy = 0;
  let hxy = 0;
  let contrast = 0;
  const pd = new Float64Array(ngMax);
  const ps = new Float64Array(2 * ngMax + 1);
  for (let a = 0; a < n; a++) {
    const i = levels[a]!;
    for (let b = 0; b < n; b++) {
      const v = p[a * n + b]!;
      px[a]! += v;
      py[b]! += v;
      if (v === 0) continue;
      const j = levels[b]!;
      ux += v * i;
      uy += v * j;
      auto += v * i * j;
      if (v > pmax) pmax = v;
      energy += v * v;
      hxy -= v * Math.log2(v + EPS);
      contrast += v * (i - j) * (i - j);
      pd[Math.abs(i - j)]! += v;
      ps[i + j]! += v;
    }
  }
  let cp = 0;
  let cs = 0;
  let ct = 0;
  let sigx = 0;
  let sigy = 0;
  let corm = 0;
  let hxy1 = 0;
  for (let a = 0; a < n; a++) {
    const i = levels[a]!;
    for (let b = 0; b < n; b++) {
      const v = p[a * n + b]!;
      if (v === 0) continue;
      const j = levels[b]!;
      const t = i + j - ux - uy;
      ct += v * t * t;
      cs += v * t * t * t;
      cp += v * t * t * t * t;
      sigx += v * (i - ux) * (i - ux);
      sigy += v * (j - uy) * (j - uy);
      corm += v * (i - ux) * (j - uy);
      hxy1 -= v * Math.log2(px[a]! * py[b]! + EPS);
    }
  }
  sigx = Math.sqrt(sigx);
  sigy = Math.sqrt(sigy);
  let hx = 0;
  let hy = 0;
  for (let a = 0; a < n; a++) {
    hx -= px[a]! * Math.log2(px[a]! + EPS);
    hy -= py[a]! * Math.log2(py[a]! + EPS);
  }
  let hxy2 = 0;
  for (let a = 0; a < n; a++) {
    const x = px[a]!;
    if (x === 0) continue;
    for (let b = 0; b < n; b++) {
      const q = x * py[b]!;
      if (q !== 0) hxy2 -= q * Math.log2(q + EPS);
    }
  }
  let dAvg = 0;
  let dEnt = 0;
  let idm = 0;
  let idmn = 0;
  let id = 0;
  let idn = 0;
  let inv = 0;
  for (let k = 0; k < ngMax; k++) {
    const v = pd[k]!;
    dAvg += k * v;
    dEnt -= v * Math.log2(v + EPS);
    idm += v / (1 + k * k);
    idmn += v / (1 + (k * k) / (ngMax * ngMax));
    id += v / (1 + k);
    idn += v / (1 + k / ngMax);
    if (k > 0) inv += v / (k * k);
  }
  let dVar = 0;
  for (let k = 0; k < ngMax; k++) dVar += pd[k]! * (k - dAvg) * (k - dAvg);
  let sAvg = 0;
  let sEnt = 0;
  for (let k = 2; k <= 2 * ngMax; k++) {
    const v = ps[k]!;
    sAvg += k * v;
    sEnt -= v * Math.log2(v + EPS);
  }
  const div = Math.max(hx, hy);
  const imc1 = div !== 0 ? (hxy - hxy1) / div : 0;
  const imc2 = hxy2 === hxy ? 0 : Math.sqrt(1 - Math.exp(-2 * (hxy2 - hxy)));
  const corr = sigx * sigy === 0 ? 1 : corm / (sigx * sigy + EPS);
  out[0] = auto;
  out[1] = ux;
  out[2] = cp;
  out[3] = cs;
  out[4] = ct;
  out[5] = contrast;
  out[6] = corr;
  out[7] = dAvg;
  out[8] = dEnt;
  out[9] = dVar;
  out[10] = energy;
  out[11] = hxy;
  out[12] = imc1;
  out[13] = imc2;
  out[14] = idm;
  out[15] = mcc(p, px, py, n, symmetric);
  out[16] = idmn;
  out[17] = id;
  out[18] = idn;
  out[19] = inv;
  out[20] = pmax;
  out[21] = sAvg;
  out[22] = sEnt;
  out[23] = sigx * sigx;
  return out;
}

/**
 * Maximal correlation coefficient: sqrt of the second largest eigenvalue of
 * Q(i,j) = Σ_k p(i,k) p(j,k) / (px(i) py(k)). Q is similar to N Nᵀ with
 * N = Dx^-½ P Dy^-½ (rows with px = 0 add zero eigenvalues), so a symmetric solver suffices;
 * for a symmetric GLCM N is symmetric and Q's eigenvalues are the squares of N's.
 * One grey level: 1, as PyRadiomics.
 */
function mcc(p: Float64Array, px: Float64Array, py: Float64Array, n: number, symmetric: boolean): number {
  if (n < 2) return 1;
  const rows: number[] = [];
  const cols: number[] = [];
  for (let a = 0; a < n; a++) {
    if (px[a]! > 0) rows.push(a);
    if (py[a]! > 0) cols.push(a);
  }
  const r = rows.length;
  const c = cols.length;
  const nm = new Float64Array(r * c);
  for (let u = 0; u < r; u++) {
    const a = rows[u]!;
    const sa = Math.sqrt(px[a]!);
    for (let w = 0; w < c; w++) {
      const b = cols[w]!;
      nm[u * c + w] = p[a * n + b]! / (sa * Math.sqrt(py[b]!));
    }
  }
  let eig: Float64Array;
  if (symmetric && r === c) {
    eig = symmetricEigenvalues(nm, r);
    for (let k = 0; k < r; k++) eig[k] = eig[k]! * eig[k]!;
  } else {
    const s = new Float64Array(r * r);
    for (let u = 0; u < r; u++) {
      for (let v = u; v < r; v++) {
        let acc = 0;
        for (let w = 0; w < c; w++) acc += nm[u * c + w]! * nm[v * c + w]!;
        s[u * r + v] = acc;
        s[v * r + u] = acc;
      }
    }
    eig = symmetricEigenvalues(s, r);
  }
  const all = new Float64Array(n);
  all.set(eig);
  all.sort();
  const second = all[n - 2]!;
  return Math.sqrt(Math.max(0, second));
}
