/**
 * Grey level run length matrix (IBSI §3.7, PyRadiomics `glrlm`).
 *
 * A run starts at a ROI voxel whose predecessor along the direction has another level (or is
 * outside the ROI); it is then walked to its end, so every voxel is visited once per direction.
 */
import type { Offset } from './directions.js';
import { type TextureGrid, linearOffset } from './grid.js';
import { SM_SIZE, denseEntries, sizeMatrixFeatures } from './matrix-features.js';

/** Run-length matrices, one per direction: m[a * Ng * width + (i - 1) * width + length]. */
export interface RunMatrices {
  m: Float64Array;
  nDir: number;
  width: number;
}

/** Row width of a run-length matrix: lengths 0..longest possible run (the bounding box's largest side). */
export function runWidth(g: TextureGrid): number {
  return Math.max(g.x1 - g.x0, g.y1 - g.y0, g.z1 - g.z0) + 1;
}

/** Adds the runs of slices [zFrom, zTo) along `dirs` (unit offsets) into `r` (cleared first). */
export function countRuns(g: TextureGrid, dirs: readonly Offset[], zFrom: number, zTo: number, r: RunMatrices): void {
  r.m.fill(0);
  const { lv } = g;
  const { m, width } = r;
  const block = g.nLevels * width;
  const nd = dirs.length;
  const offs = Int32Array.from(dirs, (d) => linearOffset(g, d[0], d[1], d[2]));
  // Voxel-outer, direction-inner: the 13 predecessor look-ups of a voxel share cache lines.
  for (let k = g.sliceStart[zFrom]!, kEnd = g.sliceStart[zTo]!; k < kEnd; k++) {
    const idx = g.roi[k]!;
    const v = lv[idx]!;
    const row = (v - 1) * width;
    for (let a = 0; a < nd; a++) {
      const off = offs[a]!;
      if (lv[idx - off] === v) continue; // not the first voxel of its run
      let len = 1;
      let q = idx + off;
      while (lv[q] === v) {
        len++;
        q += off;
      }
      m[a * block + row + len]!++;
    }
  }
}

/** Sums direction matrices with weights into a single matrix (weights null = 1). */
export function mergeRuns(r: RunMatrices, nLevels: number, weights: Float64Array | null, into: Float64Array): void {
  const block = nLevels * r.width;
  for (let a = 0; a < r.nDir; a++) {
    const w = weights ? weights[a]! : 1;
    const base = a * block;
    for (let k = 0; k < block; k++) into[k]! += w * r.m[base + k]!;
  }
}

/** Features of one run-length matrix stored at `offset` in `m`; Nv = Σ length × count. */
export function runFeatures(
  m: Float64Array,
  offset: number,
  nLevels: number,
  width: number,
  eps: number,
  out: Float64Array = new Float64Array(SM_SIZE),
): Float64Array {
  const e = denseEntries(m, offset, nLevels, width);
  let nv = 0;
  for (let k = 0; k < e.n; k++) nv += e.c[k]! * e.j[k]!;
  return sizeMatrixFeatures(e, nLevels, width, nv, eps, out);
}

export const GLRLM_IBSI = [
  '22OV',
  'W4KF',
  'V3SW',
  'G3QZ',
  'HTZT',
  'GD3A',
  'IVPO',
  '3KUM',
  'R5YN',
  'OVBL',
  'W92Y',
  'IC23',
  '9ZK5',
  '8CE5',
  'SXLW',
  'HJ9O',
  null,
] as const;

export const GLRLM_PYRADIOMICS = [
  'ShortRunEmphasis',
  'LongRunEmphasis',
  'LowGrayLevelRunEmphasis',
  'HighGrayLevelRunEmphasis',
  'ShortRunLowGrayLevelEmphasis',
  'ShortRunHighGrayLevelEmphasis',
  'LongRunLowGrayLevelEmphasis',
  'LongRunHighGrayLevelEmphasis',
  'GrayLevelNonUniformity',
  'GrayLevelNonUniformityNormalized',
  'RunLengthNonUniformity',
  'RunLengthNonUniformityNormalized',
  'RunPercentage',
  'GrayLevelVariance',
  'RunVariance',
  'RunEntropy',
  null,
] as const;
