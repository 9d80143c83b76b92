import { assertArg, MedImgError } from '../errors.js';
import { indexToWorld } from '../geometry.js';
import { metaForSlices, sliceRange } from './meta.js';
import { nonzeroBox } from './work-box.js';
import {
  assertSameGrid,
  type Grid,
  type Vec3,
  type Volume,
  type VoxelArray,
  type VoxelArrayConstructor,
  validateGrid,
  validateVolume,
} from '../volume.js';

/** Inclusive voxel-index box. */
export interface IndexBox {
  min: Vec3;
  max: Vec3;
}

/** Options of {@link maskBoundingBox} and {@link cropToMask}. */
export interface MarginOptions {
  /** Margin added on every side, in mm (rounded up to whole voxels per axis). Default 0. */
  marginMm?: number | Vec3;
  /** Margin in voxels, added to marginMm. Default 0. */
  marginVoxels?: number | Vec3;
}

function triple(v: number | Vec3 | undefined, name: string): Vec3 {
  const t = v === undefined ? [0, 0, 0] : typeof v === 'number' ? [v, v, v] : v;
  assertArg(
    Array.isArray(t) && t.length === 3 && t.every((x) => Number.isFinite(x) && x >= 0),
    `${name} must be a number >= 0 or three of them.`,
  );
  return [t[0]!, t[1]!, t[2]!];
}

/**
 * Inclusive index bounding box of the nonzero voxels of `mask`, grown by the margin and clamped to
 * the grid; null when the mask is empty. The one bounding-box scan of the library: tasks pass their
 * intermediate masks as a bare grid.
 *
 * @example
 * ```ts
 * import { maskBoundingBox } from 'medimg/ops';
 * const box = maskBoundingBox({ data: mask.data, dims: mask.dims, spacing: mask.spacing }, { marginMm: 6 });
 * if (box) console.log(box.min, box.max);
 * ```
 */
export function maskBoundingBox(mask: Grid, options: MarginOptions = {}): IndexBox | null {
  validateGrid(mask, 'mask');
  const mm = triple(options.marginMm, 'marginMm');
  const vx = triple(options.marginVoxels, 'marginVoxels');
  const [nx, ny, nz] = mask.dims;
  const b = nonzeroBox(mask.data, mask.dims, [0, 0, 0]);
  if (!b) return null;
  const [x0, y0, z0, x1, y1, z1] = b;
  const m = [0, 1, 2].map((a) => Math.ceil(mm[a]! / mask.spacing[a]! - 1e-9) + Math.ceil(vx[a]!));
  return {
    min: [Math.max(0, x0 - m[0]!), Math.max(0, y0 - m[1]!), Math.max(0, z0 - m[2]!)],
    max: [Math.min(nx - 1, x1 + m[0]!), Math.min(ny - 1, y1 + m[1]!), Math.min(nz - 1, z1 + m[2]!)],
  };
}

/** The sub-volume inside an inclusive index box (clamped to the grid); geometry follows. */
export function crop<T extends VoxelArray>(vol: Volume<T>, box: IndexBox): Volume<T> {
  validateVolume(vol);
  assertArg(box && Array.isArray(box.min) && Array.isArray(box.max), 'box needs min and max index triples.');
  const lo: Vec3 = [0, 0, 0];
  const hi: Vec3 = [0, 0, 0];
  for (let a = 0; a < 3; a++) {
    assertArg(Number.isInteger(box.min[a]) && Number.isInteger(box.max[a]), 'box indices must be integers.');
    lo[a] = Math.max(0, box.min[a]!);
    hi[a] = Math.min(vol.dims[a]! - 1, box.max[a]!);
    assertArg(lo[a]! <= hi[a]!, 'box does not overlap the grid.', { axis: a });
  }
  const dims: Vec3 = [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1];
  const [nx, ny] = vol.dims;
  const ctor = vol.data.constructor as VoxelArrayConstructor;
  const out = new ctor(dims[0] * dims[1] * dims[2]);
  let o = 0;
  for (let z = 0; z < dims[2]; z++) {
    for (let y = 0; y < dims[1]; y++) {
      const s = lo[0] + nx * (lo[1] + y + ny * (lo[2] + z));
      out.set(vol.data.subarray(s, s + dims[0]) as ArrayLike<number>, o);
      o += dims[0];
    }
  }
  return {
    data: out as T,
    dims,
    spacing: [...vol.spacing],
    origin: indexToWorld(vol, lo),
    direction: [...vol.direction],
    ...metaForSlices(vol.meta, sliceRange(lo[2], dims[2])),
  };
}

/**
 * Crops `vol` to the bounding box of the nonzero voxels of `mask` (same grid) plus a margin.
 * Throws EMPTY_MASK when the mask is empty.
 */
export function cropToMask<T extends VoxelArray>(vol: Volume<T>, mask: Volume, options: MarginOptions = {}): Volume<T> {
  validateVolume(vol);
  assertSameGrid(vol, mask);
  const box = maskBoundingBox(mask, options);
  if (!box) throw new MedImgError('EMPTY_MASK', 'Cannot crop to an empty mask.');
  return crop(vol, box);
}

/** Options of {@link pad}. */
export interface PadOptions {
  /** Voxels added before index 0 on each axis. Default [0, 0, 0]. */
  before?: number | Vec3;
  /** Voxels added after the last index on each axis. Default [0, 0, 0]. */
  after?: number | Vec3;
  /** 'constant' (default) fills with `value`; 'edge' repeats the border voxels. */
  mode?: 'constant' | 'edge';
  /** Fill value for mode 'constant'. Default 0. */
  value?: number;
}

/** Pads a volume; the origin moves so world positions of existing voxels are unchanged. */
export function pad<T extends VoxelArray>(vol: Volume<T>, options: PadOptions): Volume<T> {
  validateVolume(vol);
  const b = triple(options.before, 'before');
  const a = triple(options.after, 'after');
  assertArg([...b, ...a].every(Number.isInteger), 'Padding must be whole voxels.');
  const mode = options.mode ?? 'constant';
  assertArg(mode === 'constant' || mode === 'edge', "mode must be 'constant' or 'edge'.");
  const value = options.value ?? 0;
  const [nx, ny, nz] = vol.dims;
  const dims: Vec3 = [nx + b[0] + a[0], ny + b[1] + a[1], nz + b[2] + a[2]];
  const ctor = vol.data.constructor as VoxelArrayConstructor;
  const out = new ctor(dims[0] * dims[1] * dims[2]);
  const src = vol.data;
  if (mode === 'constant' && value !== 0) out.fill(value);
  for (let z = 0; z < dims[2]; z++) {
    const iz = z - b[2];
    if (mode === 'constant' && (iz < 0 || iz >= nz)) continue;
    const sz = Math.min(nz - 1, Math.max(0, iz));
    for (let y = 0; y < dims[1]; y++) {
      const iy = y - b[1];
      if (mode === 'constant' && (iy < 0 || iy >= ny)) continue;
      const sy = Math.min(ny - 1, Math.max(0, iy));
      const s = nx * (sy + ny * sz);
      const o = dims[0] * (y + dims[1] * z);
      out.set(src.subarray(s, s + nx) as ArrayLike<number>, o + b[0]);
      if (mode === 'edge') {
        out.fill(src[s]!, o, o + b[0]);
        out.fill(src[s + nx - 1]!, o + b[0] + nx, o + dims[0]);
      }
    }
  }
  return {
    data: out as T,
    dims,
    spacing: [...vol.spacing],
    origin: indexToWorld(vol, [-b[0], -b[1], -b[2]]),
    direction: [...vol.direction],
    // Padded slices have no source instance: per-slice UIDs survive only without z padding.
    ...metaForSlices(vol.meta, b[2] === 0 && a[2] === 0 ? sliceRange(0, nz) : null),
  };
}
