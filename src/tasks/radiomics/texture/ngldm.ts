/**
 * Neighbouring grey level dependence matrix (IBSI §3.11) and PyRadiomics's grey level dependence
 * matrix (`gldm`), which is the same matrix: for each ROI voxel, j = 1 + the number of neighbours
 * inside the ROI whose level differs by at most alpha.
 */
import type { Offset } from './directions.js';
import { type TextureGrid, linearOffset } from './grid.js';
import { SM_SIZE, denseEntries, sizeMatrixFeatures } from './matrix-features.js';

/** Adds dependence counts into m[(i-1)·width + j] (width = neighbours + 2). */
export function countDependence(
  g: TextureGrid,
  neighbours: readonly Offset[],
  zFrom: number,
  zTo: number,
  alpha: number,
  m: Float64Array,
): void {
  const { lv } = g;
  const offs = Int32Array.from(neighbours, (o) => linearOffset(g, o[0], o[1], o[2]));
  const nOff = offs.length;
  const width = nOff + 2;
  for (let k = g.sliceStart[zFrom]!, kEnd = g.sliceStart[zTo]!; k < kEnd; k++) {
    const idx = g.roi[k]!;
    const v = lv[idx]!;
    if (v === 0) continue;
    let dep = 1;
    if (alpha === 0) {
      // v > 0, so an equal neighbour is inside the ROI
      for (let a = 0; a < nOff; a++) dep += lv[idx + offs[a]!] === v ? 1 : 0;
    } else {
      for (let a = 0; a < nOff; a++) {
        const w = lv[idx + offs[a]!]!;
        const d = w - v;
        if (w !== 0 && d <= alpha && d >= -alpha) dep++;
      }
    }
    m[(v - 1) * width + dep]!++;
  }
}

/** NGLDM features (order of {@link NGLDM_IBSI}) of slices [zFrom, zTo) with `neighbours`. */
export function ngldmFeatures(
  g: TextureGrid,
  neighbours: readonly Offset[],
  zFrom: number,
  zTo: number,
  alpha: number,
  eps: number,
): Float64Array {
  const width = neighbours.length + 2;
  const m = new Float64Array(g.nLevels * width);
  countDependence(g, neighbours, zFrom, zTo, alpha, m);
  const e = denseEntries(m, 0, g.nLevels, width);
  let nv = 0;
  for (let k = 0; k < e.n; k++) nv += e.c[k]!;
  return sizeMatrixFeatures(e, g.nLevels, width, nv, eps, new Float64Array(SM_SIZE));
}

export const NGLDM_IBSI = [
  'SODN',
  'IMOQ',
  'TL9H',
  'OAE7',
  'EQ3F',
  'JA6D',
  'NBZI',
  '9QMG',
  'FP8K',
  '5SPA',
  'Z87G',
  'OKJI',
  '6XV8',
  '1PFV',
  'DNX2',
  'FCBV',
  'CAS9',
] as const;
