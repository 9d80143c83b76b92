/**
 * The working grid shared by all texture families: the ROI's bounding box cropped out of the
 * discretised image and padded with `pad` layers of 0 (= outside the ROI) on every side, so that
 * neighbour look-ups within the padding distance never need bounds checks.
 */
import { MedImgError } from '../../../core/errors.js';
import type { Vec3 } from '../../../core/volume.js';
import type { DiscretisedImage } from './index.js';

export interface TextureGrid {
  /** Padded, cropped grey levels (0 = outside the intensity ROI). */
  lv: Int32Array;
  /** Padded dims and strides (x fastest). */
  nx: number;
  ny: number;
  nz: number;
  sy: number;
  sz: number;
  pad: number;
  /** Voxel index ranges of the bounding box inside the padded grid: [lo, hi) per axis. */
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  z0: number;
  z1: number;
  /** Bounding-box size of the intensity ROI, [x, y, z] (PyRadiomics builds its angles from it). */
  roiSize: Vec3;
  /** Number of ROI voxels. */
  nVoxels: number;
  /** Number of grey levels of the discretisation (IBSI Ng). */
  nLevels: number;
  /** Voxel count per grey level, index 0..nLevels. */
  levelCounts: Float64Array;
  /** Grey levels present in the ROI, ascending. */
  presentLevels: Int32Array;
  /** Largest grey level present (PyRadiomics Ng). */
  maxLevel: number;
  spacing: Vec3;
  /** Padded-grid indices of the ROI voxels in raster order. */
  roi: Int32Array;
  /** roi[sliceStart[z] .. sliceStart[z + 1]) are the ROI voxels of padded slice z (length nz + 1). */
  sliceStart: Int32Array;
  /** Padded, cropped morphological mask (morphMask, or levels > 0 when absent) OR intensity ROI. */
  morph: Uint8Array;
}

/**
 * Validates a {@link DiscretisedImage} and builds the padded working grid.
 *
 * @throws MedImgError INVALID_ARGUMENT for inconsistent sizes or levels out of 0..nLevels,
 *   EMPTY_MASK when no voxel has a level > 0.
 */
export function buildGrid(image: DiscretisedImage, pad: number): TextureGrid {
  const { levels, dims, nLevels, morphMask } = image;
  if (!Array.isArray(dims) || dims.length !== 3 || dims.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new MedImgError('INVALID_ARGUMENT', 'Texture input dims must be three positive integers.');
  }
  const [dx, dy, dz] = dims;
  const n = dx * dy * dz;
  if (!(levels instanceof Int32Array) || levels.length !== n) {
    throw new MedImgError('INVALID_ARGUMENT', `Texture input levels must be an Int32Array of ${n} voxels.`, {
      details: { expected: n, got: levels?.length },
    });
  }
  if (!Number.isInteger(nLevels) || nLevels < 1) {
    throw new MedImgError('INVALID_ARGUMENT', 'Texture input nLevels must be a positive integer.');
  }
  if (morphMask !== undefined && morphMask.length !== n) {
    throw new MedImgError('INVALID_ARGUMENT', 'Texture input morphMask must have one entry per voxel.');
  }
  // Bounding boxes of the intensity ROI (a*) and of ROI ∪ morphological mask (b*). Rows are
  // scanned for their first and last non-zero voxel, which keeps the whole-image pass tight.
  const box = [dx, -1, dy, -1, dz, -1];
  const levelCounts = new Float64Array(nLevels + 1);
  let nVoxels = 0;
  for (let z = 0; z < dz; z++) {
    for (let y = 0; y < dy; y++) {
      const row = (z * dy + y) * dx;
      let first = 0;
      while (first < dx && levels[row + first] === 0) first++;
      if (first === dx) continue;
      let last = dx - 1;
      while (levels[row + last] === 0) last--;
      for (let i = row + first; i <= row + last; i++) {
        const v = levels[i]!;
        if (v === 0) continue;
        if (v < 0 || v > nLevels) {
          throw new MedImgError('INVALID_ARGUMENT', `Grey level ${v} is outside 1..${nLevels}.`);
        }
        nVoxels++;
        levelCounts[v]!++;
      }
      extend(box, first, last, y, z);
    }
  }
  const [ax0, ax1, ay0, ay1, az0, az1] = box as [number, number, number, number, number, number];
  if (morphMask !== undefined) {
    for (let z = 0; z < dz; z++) {
      for (let y = 0; y < dy; y++) {
        const row = (z * dy + y) * dx;
        let first = 0;
        while (first < dx && morphMask[row + first] === 0) first++;
        if (first === dx) continue;
        let last = dx - 1;
        while (morphMask[row + last] === 0) last--;
        extend(box, first, last, y, z);
      }
    }
  }
  const [bx0, bx1, by0, by1, bz0, bz1] = box as [number, number, number, number, number, number];
  if (nVoxels === 0) {
    throw new MedImgError('EMPTY_MASK', 'The ROI holds no voxel with a grey level > 0.');
  }
  const cx = bx1 - bx0 + 1;
  const cy = by1 - by0 + 1;
  const cz = bz1 - bz0 + 1;
  const nx = cx + 2 * pad;
  const ny = cy + 2 * pad;
  const nz = cz + 2 * pad;
  const sy = nx;
  const sz = nx * ny;
  const lv = new Int32Array(nx * ny * nz);
  const morph = new Uint8Array(nx * ny * nz);
  for (let z = 0; z < cz; z++) {
    for (let y = 0; y < cy; y++) {
      let src = (z + bz0) * dx * dy + (y + by0) * dx + bx0;
      let dst = (z + pad) * sz + (y + pad) * sy + pad;
      for (let x = 0; x < cx; x++, src++, dst++) {
        const v = levels[src]!;
        lv[dst] = v;
        morph[dst] = v !== 0 || (morphMask !== undefined && morphMask[src] !== 0) ? 1 : 0;
      }
    }
  }
  const roi = new Int32Array(nVoxels);
  const sliceStart = new Int32Array(nz + 1);
  let q = 0;
  for (let z = 0; z < nz; z++) {
    sliceStart[z] = q;
    if (z < pad || z >= pad + cz) continue;
    for (let y = pad; y < pad + cy; y++) {
      const row = z * sz + y * sy;
      for (let x = pad; x < pad + cx; x++) if (lv[row + x] !== 0) roi[q++] = row + x;
    }
  }
  sliceStart[nz] = q;
  let count = 0;
  for (let l = 1; l <= nLevels; l++) if (levelCounts[l]! > 0) count++;
  const presentLevels = new Int32Array(count);
  for (let l = 1, k = 0; l <= nLevels; l++) if (levelCounts[l]! > 0) presentLevels[k++] = l;
  return {
    lv,
    nx,
    ny,
    nz,
    sy,
    sz,
    pad,
    x0: pad,
    x1: pad + cx,
    y0: pad,
    y1: pad + cy,
    z0: pad,
    z1: pad + cz,
    roiSize: [ax1 - ax0 + 1, ay1 - ay0 + 1, az1 - az0 + 1],
    nVoxels,
    nLevels,
    levelCounts,
    presentLevels,
    maxLevel: presentLevels[count - 1]!,
    spacing: [...image.spacing] as Vec3,
    roi,
    sliceStart,
    morph,
  };
}

function extend(box: number[], x0: number, x1: number, y: number, z: number): void {
  if (x0 < box[0]!) box[0] = x0;
  if (x1 > box[1]!) box[1] = x1;
  if (y < box[2]!) box[2] = y;
  if (y > box[3]!) box[3] = y;
  if (z < box[4]!) box[4] = z;
  if (z > box[5]!) box[5] = z;
}

/** Linear offset in the padded grid of a voxel displacement. */
export function linearOffset(g: TextureGrid, dx: number, dy: number, dz: number): number {
  return dx + dy * g.sy + dz * g.sz;
}

/** Slices (padded z indices) that hold at least one ROI voxel. */
export function roiSlices(g: TextureGrid): number[] {
  const out: number[] = [];
  for (let z = g.z0; z < g.z1; z++) if (g.sliceStart[z + 1]! > g.sliceStart[z]!) out.push(z);
  return out;
}

/** NaN-ignoring running mean of feature vectors (IBSI averaging, PyRadiomics `nanmean`). */
export class FeatureMean {
  private readonly sum: Float64Array;
  private readonly count: Float64Array;
  constructor(readonly size: number) {
    this.sum = new Float64Array(size);
    this.count = new Float64Array(size);
  }
  add(values: Float64Array): void {
    for (let k = 0; k < this.size; k++) {
      const v = values[k]!;
      if (!Number.isNaN(v)) {
        this.sum[k]! += v;
        this.count[k]!++;
      }
    }
  }
  /** Mean per feature; NaN where no value was added. */
  result(): Float64Array {
    const out = new Float64Array(this.size);
    for (let k = 0; k < this.size; k++) out[k] = this.count[k]! > 0 ? this.sum[k]! / this.count[k]! : Number.NaN;
    return out;
  }
}

/** numpy.spacing(1): PyRadiomics's epsilon inside log2(p + eps) and divisions. */
export const EPS = 2.220446049250313e-16;
