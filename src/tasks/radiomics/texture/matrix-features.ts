/**
 * Features shared by the grey level × "size" matrices: GLRLM (run length), GLSZM (zone size),
 * GLDZM (zone distance) and NGLDM/GLDM (dependence count). IBSI and PyRadiomics use the same
 * formulas here, with i the grey level value and j the size (≥ 1); PyRadiomics adds eps inside
 * the entropy's log2.
 *
 * The matrix is given sparsely as entries (i, j, count) so that GLSZM zone sizes up to the ROI
 * voxel count need no dense Ng × Nvoxels matrix.
 */

/** Indices of {@link sizeMatrixFeatures}'s output vector. */
export const SM = {
  smallEmph: 0,
  largeEmph: 1,
  lowGrey: 2,
  highGrey: 3,
  smallLow: 4,
  smallHigh: 5,
  largeLow: 6,
  largeHigh: 7,
  glnu: 8,
  glnuNorm: 9,
  jnu: 10,
  jnuNorm: 11,
  percentage: 12,
  glVar: 13,
  jVar: 14,
  entropy: 15,
  energy: 16,
} as const;
export const SM_SIZE = 17;

/** A sparse grey level × size matrix. */
export interface SizeEntries {
  i: Int32Array;
  j: Int32Array;
  c: Float64Array;
  n: number;
}

/**
 * Computes the 17 size-matrix features into `out` (NaN everywhere when the matrix is empty).
 *
 * @param nLevels largest possible grey level (row marginal length)
 * @param maxJ largest possible size (column marginal length)
 * @param nVoxels denominator of the percentage feature (IBSI Nv, PyRadiomics Np)
 * @param eps added inside log2 (0 for IBSI, PyRadiomics's 2.2e-16)
 */
export function sizeMatrixFeatures(
  e: SizeEntries,
  nLevels: number,
  maxJ: number,
  nVoxels: number,
  eps: number,
  out: Float64Array,
): Float64Array {
  let ns = 0;
  for (let k = 0; k < e.n; k++) ns += e.c[k]!;
  if (!(ns > 0)) {
    out.fill(Number.NaN);
    return out;
  }
  const rows = new Float64Array(nLevels + 1);
  const cols = new Float64Array(maxJ + 1);
  let se = 0;
  let le = 0;
  let lg = 0;
  let hg = 0;
  let slg = 0;
  let shg = 0;
  let llg = 0;
  let lhg = 0;
  let entropy = 0;
  let energy = 0;
  let muI = 0;
  let muJ = 0;
  for (let k = 0; k < e.n; k++) {
    const c = e.c[k]!;
    if (c === 0) continue;
    const i = e.i[k]!;
    const j = e.j[k]!;
    const i2 = i * i;
    const j2 = j * j;
    rows[i]! += c;
    cols[j]! += c;
    se += c / j2;
    le += c * j2;
    lg += c / i2;
    hg += c * i2;
    slg += c / (i2 * j2);
    shg += (c * i2) / j2;
    llg += (c * j2) / i2;
    lhg += c * i2 * j2;
    const p = c / ns;
    entropy -= p * Math.log2(p + eps);
    energy += p * p;
    muI += p * i;
    muJ += p * j;
  }
  let glnu = 0;
  let glVar = 0;
  for (let i = 1; i <= nLevels; i++) {
    const r = rows[i]!;
    if (r === 0) continue;
    glnu += r * r;
    glVar += (r / ns) * (i - muI) * (i - muI);
  }
  let jnu = 0;
  let jVar = 0;
  for (let j = 1; j <= maxJ; j++) {
    const c = cols[j]!;
    if (c === 0) continue;
    jnu += c * c;
    jVar += (c / ns) * (j - muJ) * (j - muJ);
  }
  out[SM.smallEmph] = se / ns;
  out[SM.largeEmph] = le / ns;
  out[SM.lowGrey] = lg / ns;
  out[SM.highGrey] = hg / ns;
  out[SM.smallLow] = slg / ns;
  out[SM.smallHigh] = shg / ns;
  out[SM.largeLow] = llg / ns;
  out[SM.largeHigh] = lhg / ns;
  out[SM.glnu] = glnu / ns;
  out[SM.glnuNorm] = glnu / (ns * ns);
  out[SM.jnu] = jnu / ns;
  out[SM.jnuNorm] = jnu / (ns * ns);
  out[SM.percentage] = ns / nVoxels;
  out[SM.glVar] = glVar;
  out[SM.jVar] = jVar;
  out[SM.entropy] = entropy;
  out[SM.energy] = energy;
  return out;
}

/** Sparse entries of a dense row-major matrix m[(i-1) * width + j] (j from 0; j = 0 never used). */
export function denseEntries(m: Float64Array, offset: number, nLevels: number, width: number): SizeEntries {
  let n = 0;
  const end = offset + nLevels * width;
  for (let k = offset; k < end; k++) if (m[k] !== 0) n++;
  const e: SizeEntries = { i: new Int32Array(n), j: new Int32Array(n), c: new Float64Array(n), n };
  let q = 0;
  for (let i = 1; i <= nLevels; i++) {
    const row = offset + (i - 1) * width;
    for (let j = 0; j < width; j++) {
      const c = m[row + j]!;
      if (c !== 0) {
        e.i[q] = i;
        e.j[q] = j;
        e.c[q] = c;
        q++;
      }
    }
  }
  return e;
}

/** Maps a feature vector to named keys; `null` names are skipped. */
export function named(values: Float64Array, names: readonly (string | null)[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (let k = 0; k < names.length; k++) {
    const key = names[k];
    if (key) out[key] = values[k]!;
  }
  return out;
}
