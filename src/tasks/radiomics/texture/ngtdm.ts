/**
 * Neighbourhood grey tone difference matrix (IBSI §3.10, PyRadiomics `ngtdm`).
 *
 * For each ROI voxel, the mean level of its neighbours inside the ROI (Chebyshev neighbourhood)
 * is compared with its own level. IBSI counts only voxels with at least one ROI neighbour
 * (n_i, N_v,c); PyRadiomics's C code counts every voxel (a voxel without neighbours adds 0 to s_i).
 */
import type { Offset } from './directions.js';
import { type TextureGrid, linearOffset } from './grid.js';

/** n_i and s_i per grey level (index 1..Ng), accumulated into `n` and `s`. */
export function countNgtdm(
  g: TextureGrid,
  neighbours: readonly Offset[],
  zFrom: number,
  zTo: number,
  countIsolated: boolean,
  n: Float64Array,
  s: Float64Array,
): void {
  const { lv } = g;
  const offs = Int32Array.from(neighbours, (o) => linearOffset(g, o[0], o[1], o[2]));
  const nOff = offs.length;
  for (let k = g.sliceStart[zFrom]!, kEnd = g.sliceStart[zTo]!; k < kEnd; k++) {
    const idx = g.roi[k]!;
    const v = lv[idx]!;
    if (v === 0) continue;
    let count = 0;
    let sum = 0;
    for (let a = 0; a < nOff; a++) {
      const w = lv[idx + offs[a]!]!;
      if (w !== 0) {
        count++;
        sum += w;
      }
    }
    if (count > 0) {
      n[v]!++;
      s[v]! += Math.abs(v - sum / count);
    } else if (countIsolated) {
      n[v]!++;
    }
  }
}

/** NGTDM features of slices [zFrom, zTo) with `neighbours` (PyRadiomics or IBSI voxel counting). */
export function ngtdmSliceFeatures(
  g: TextureGrid,
  neighbours: readonly Offset[],
  zFrom: number,
  zTo: number,
  pyradiomics: boolean,
): Float64Array {
  const n = new Float64Array(g.nLevels + 1);
  const s = new Float64Array(g.nLevels + 1);
  countNgtdm(g, neighbours, zFrom, zTo, pyradiomics, n, s);
  return ngtdmFeatures(n, s, g.nLevels, pyradiomics);
}

export const NGTDM_IBSI = ['QCDE', '65HE', 'NQ30', 'HDEZ', '1X9X'] as const;
export const NGTDM_PYRADIOMICS = ['Coarseness', 'Contrast', 'Busyness', 'Complexity', 'Strength'] as const;

/**
 * The five NGTDM features. `pyradiomics` only changes contrast for a single grey level
 * (PyRadiomics divides 0 by 0: NaN; IBSI defines 0). NaN everywhere when no voxel counts.
 */
export function ngtdmFeatures(
  n: Float64Array,
  s: Float64Array,
  nLevels: number,
  pyradiomics: boolean,
  out: Float64Array = new Float64Array(5),
): Float64Array {
  let nvc = 0;
  for (let i = 1; i <= nLevels; i++) nvc += n[i]!;
  if (!(nvc > 0)) {
    out.fill(Number.NaN);
    return out;
  }
  const lv: number[] = [];
  for (let i = 1; i <= nLevels; i++) if (n[i]! > 0) lv.push(i);
  const ngp = lv.length;
  let ps = 0;
  let sSum = 0;
  for (const i of lv) {
    ps += (n[i]! / nvc) * s[i]!;
    sSum += s[i]!;
  }
  let contrastSum = 0;
  let busyDen = 0;
  let complexity = 0;
  let strengthNum = 0;
  for (const i of lv) {
    const pi = n[i]! / nvc;
    for (const j of lv) {
      const pj = n[j]! / nvc;
      const d = i - j;
      contrastSum += pi * pj * d * d;
      busyDen += Math.abs(i * pi - j * pj);
      complexity += (Math.abs(d) * (pi * s[i]! + pj * s[j]!)) / (pi + pj);
      strengthNum += (pi + pj) * d * d;
    }
  }
  out[0] = ps === 0 ? 1e6 : 1 / ps;
  out[1] = ngp > 1 ? (contrastSum / (ngp * (ngp - 1))) * (sSum / nvc) : pyradiomics ? Number.NaN : 0;
  out[2] = busyDen === 0 ? 0 : ps / busyDen;
  out[3] = complexity / nvc;
  out[4] = sSum === 0 ? 0 : strengthNum / sSum;
  return out;
}
