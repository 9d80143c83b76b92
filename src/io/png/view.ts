import { MedImgError } from '../../core/errors.js';
import { orientationFromDirection, worldToIndexFn } from '../../core/geometry.js';
import type { Vec3, Volume } from '../../core/volume.js';

/** Which anatomical plane a slice shows. */
export type SliceAxis = 'axial' | 'coronal' | 'sagittal';

/**
 * How a slice of a volume is laid out on screen, in radiological convention:
 * - axial: patient's right on the image left, anterior at the top;
 * - coronal: patient's right on the image left, superior at the top;
 * - sagittal: anterior on the image left, superior at the top.
 *
 * Index axes are matched to patient axes by the nearest direction (see
 * `orientationFromDirection`); an oblique grid is shown along its nearest axes, not resliced.
 */
export interface SliceView {
  axis: SliceAxis;
  /** Volume index axis (0, 1, 2) across the slice, and the slice's index on it. */
  sliceAxis: 0 | 1 | 2;
  index: number;
  /** Volume index axis along image columns (left→right) and rows (top→bottom). */
  columnAxis: 0 | 1 | 2;
  rowAxis: 0 | 1 | 2;
  /** True when image column 0 is the last voxel of `columnAxis` (likewise rows). */
  flipColumns: boolean;
  flipRows: boolean;
  /** Voxels of the slice along columns and rows, before resampling. */
  sourceWidth: number;
  sourceHeight: number;
  /** Output size in pixels (square pixels). */
  width: number;
  height: number;
  /** Side of one output pixel in mm. */
  pixelSizeMm: number;
}

/** For each display axis: patient axis (0 = L/R, 1 = P/A, 2 = S/I), and whether it runs toward +LPS. */
const LAYOUT: Record<SliceAxis, { col: [number, boolean]; row: [number, boolean]; slice: number }> = {
  axial: { col: [0, true], row: [1, true], slice: 2 }, // columns toward L, rows toward P
  coronal: { col: [0, true], row: [2, false], slice: 1 }, // columns toward L, rows toward I
  sagittal: { col: [1, true], row: [2, false], slice: 0 }, // columns toward P, rows toward I
};

const PATIENT_AXIS: Record<string, [number, boolean]> = {
  L: [0, true],
  R: [0, false],
  P: [1, true],
  A: [1, false],
  S: [2, true],
  I: [2, false],
};

/**
 * The on-screen layout of slice `index` (volume index along the axis nearest the plane's normal;
 * default the middle slice) with square pixels: the finer of the two in-plane spacings, or larger
 * so that neither side exceeds `maxSize` pixels.
 *
 * @example
 * ```ts
 * import { sliceView } from 'medimg';
 * const view = sliceView(ct, 'sagittal', undefined, 512); // middle slice, at most 512 px a side
 * console.log(view.width, view.height, view.index);
 * ```
 */
export function sliceView(vol: Volume, axis: SliceAxis = 'axial', index?: number, maxSize?: number): SliceView {
  const layout = LAYOUT[axis];
  if (!layout)
    throw new MedImgError('INVALID_ARGUMENT', `axis must be 'axial', 'coronal' or 'sagittal', got '${String(axis)}'.`);
  const code = orientationFromDirection(vol.direction);
  const byPatient: [number, boolean][] = [];
  for (let a = 0; a < 3; a++) {
    const [p, positive] = PATIENT_AXIS[code[a]!]!;
    byPatient[p] = [a, positive];
  }
  const [sliceAxis] = byPatient[layout.slice]!;
  const [columnAxis, colPositive] = byPatient[layout.col[0]]!;
  const [rowAxis, rowPositive] = byPatient[layout.row[0]]!;
  const n = vol.dims[sliceAxis]!;
  const idx = index ?? Math.floor((n - 1) / 2);
  if (!Number.isInteger(idx) || idx < 0 || idx >= n) {
    throw new MedImgError('INVALID_ARGUMENT', `Slice index ${idx} is outside 0..${n - 1} for the ${axis} axis.`);
  }
  const sourceWidth = vol.dims[columnAxis]!;
  const sourceHeight = vol.dims[rowAxis]!;
  const wMm = sourceWidth * vol.spacing[columnAxis]!;
  const hMm = sourceHeight * vol.spacing[rowAxis]!;
  let pixelSizeMm = Math.min(vol.spacing[columnAxis]!, vol.spacing[rowAxis]!);
  if (maxSize !== undefined) {
    if (!(Number.isFinite(maxSize) && maxSize >= 8))
      throw new MedImgError('INVALID_ARGUMENT', 'maxSize must be a number >= 8.');
    pixelSizeMm = Math.max(pixelSizeMm, Math.max(wMm, hMm) / maxSize);
  }
  const width = Math.max(1, Math.round(wMm / pixelSizeMm));
  const height = Math.max(1, Math.round(hMm / pixelSizeMm));
  if (width * height > 1 << 26)
    throw new MedImgError('INVALID_ARGUMENT', 'The rendered slice would be too large; set maxSize.');
  return {
    axis,
    sliceAxis: sliceAxis as 0 | 1 | 2,
    index: idx,
    columnAxis: columnAxis as 0 | 1 | 2,
    rowAxis: rowAxis as 0 | 1 | 2,
    flipColumns: colPositive !== layout.col[1],
    flipRows: rowPositive !== layout.row[1],
    sourceWidth,
    sourceHeight,
    width,
    height,
    pixelSizeMm,
  };
}

/** Offset of voxel (0, 0, 0) → linear-index stride of each volume axis. */
function strides(vol: Volume): Vec3 {
  return [1, vol.dims[0], vol.dims[0] * vol.dims[1]];
}

/** Per output column (or row): the two neighbouring source offsets and the weight of the second. */
export interface SampleTable {
  lo: Int32Array;
  hi: Int32Array;
  w: Float32Array;
  /** Nearest source offset. */
  nearest: Int32Array;
}

function table(outN: number, srcN: number, flip: boolean, stride: number): SampleTable {
  const lo = new Int32Array(outN);
  const hi = new Int32Array(outN);
  const w = new Float32Array(outN);
  const nearest = new Int32Array(outN);
  const scale = srcN / outN;
  for (let u = 0; u < outN; u++) {
    // Pixel centres map to continuous source positions; voxel i covers [i - 0.5, i + 0.5].
    const s = Math.min(srcN - 1, Math.max(0, (u + 0.5) * scale - 0.5));
    const i0 = Math.floor(s);
    const i1 = Math.min(srcN - 1, i0 + 1);
    const near = Math.min(srcN - 1, Math.floor((u + 0.5) * scale));
    const f = (i: number) => (flip ? srcN - 1 - i : i) * stride;
    lo[u] = f(i0);
    hi[u] = f(i1);
    w[u] = s - i0;
    nearest[u] = f(near);
  }
  return { lo, hi, w, nearest };
}

/** Sampling tables of a view: column and row offsets into `vol.data`, plus the slice's base offset. */
export function sampleTables(vol: Volume, view: SliceView): { cols: SampleTable; rows: SampleTable; base: number } {
  const st = strides(vol);
  return {
    cols: table(view.width, view.sourceWidth, view.flipColumns, st[view.columnAxis]),
    rows: table(view.height, view.sourceHeight, view.flipRows, st[view.rowAxis]),
    base: view.index * st[view.sliceAxis],
  };
}

/**
 * Where an LPS point falls on a view: output pixel coordinates (continuous; pixel centres at
 * integers) and its distance from the slice plane along the slice axis in mm.
 *
 * @example
 * ```ts
 * import { renderSlice, sliceView, worldToViewPixel } from 'medimg';
 * const view = sliceView(ct, 'axial', 47);
 * const img = renderSlice(ct, { axis: 'axial', index: 47 });
 * const { x, y, offsetMm } = worldToViewPixel(ct, view, [40, 205, -209]); // where to draw a marker
 * ```
 */
export function worldToViewPixel(
  vol: Volume,
  view: SliceView,
  pointMm: readonly number[],
): { x: number; y: number; offsetMm: number } {
  const idx = worldToIndexFn(vol)(pointMm);
  const c = view.flipColumns ? view.sourceWidth - 1 - idx[view.columnAxis] : idx[view.columnAxis];
  const r = view.flipRows ? view.sourceHeight - 1 - idx[view.rowAxis] : idx[view.rowAxis];
  return {
    x: ((c + 0.5) * view.width) / view.sourceWidth - 0.5,
    y: ((r + 0.5) * view.height) / view.sourceHeight - 0.5,
    offsetMm: (idx[view.sliceAxis] - view.index) * vol.spacing[view.sliceAxis],
  };
}
