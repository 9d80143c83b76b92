import { assertArg } from '../errors.js';
import { type Geometry, indexToWorldMatrix, mat3Inv } from '../geometry.js';
import { type Vec3, type Volume, type VoxelArray, type VoxelArrayConstructor, validateVolume } from '../volume.js';
import { metaForSlices } from './meta.js';

/** Interpolation of intensity images. */
export type Interpolation = 'nearest' | 'linear' | 'bspline';

/** Where to resample to: a new spacing (same origin, direction and extent) or another grid. */
export interface ResampleTarget {
  /**
   * Target spacing in mm (one value or per axis). The grid keeps origin (centre of voxel 0) and
   * direction; dims are `max(1, round(dims * spacing / newSpacing))` (SimpleITK/nnU-Net convention).
   */
  spacing?: number | Vec3;
  /** Target grid (a Volume or its geometry): dims, spacing, origin, direction are taken from it. */
  reference?: Geometry;
}

/** Options of {@link resample}. */
export interface ResampleOptions extends ResampleTarget {
  /** Default 'linear'. 'bspline' is cubic B-spline interpolation (with the exact prefilter). */
  interpolation?: Interpolation;
  /**
   * Value of output voxels whose centre falls more than half a voxel outside the input grid.
   * Default 0. Within half a voxel of the border the edge value is extended.
   */
  fillValue?: number;
}

/** Options of {@link resampleLabels}. */
export interface ResampleLabelsOptions extends ResampleTarget {
  /**
   * 'nearest' (default): nearest-neighbour label. 'vote': per-label linear interpolation, each
   * output voxel takes the label with the largest interpolated weight (smoother boundaries than
   * nearest, no invented labels). Ties go to the smaller label.
   */
  method?: 'nearest' | 'vote';
  /** Label of voxels outside the input grid. Default 0. */
  fillValue?: number;
}

/** Affine map from output index to input continuous index: `in = A * out + b`. */
interface IndexMap {
  out: Geometry;
  a: number[];
  b: Vec3;
  /** A is diagonal: every output axis maps to the same input axis (separable resampling). */
  aligned: boolean;
}

/** Output grid of a resample target and the output-to-input index map. */
function targetMap(vol: Volume, t: ResampleTarget): IndexMap {
  assertArg(t && typeof t === 'object', 'resample needs options { spacing } or { reference }.');
  assertArg((t.spacing === undefined) !== (t.reference === undefined), 'Give exactly one of spacing or reference.');
  let out: Geometry;
  if (t.spacing !== undefined) {
    const s = typeof t.spacing === 'number' ? [t.spacing, t.spacing, t.spacing] : t.spacing;
    assertArg(
      Array.isArray(s) && s.length === 3 && s.every((v) => Number.isFinite(v) && v > 0),
      'spacing must be positive finite mm.',
    );
    const dims = [0, 1, 2].map((i) => Math.max(1, Math.round((vol.dims[i]! * vol.spacing[i]!) / s[i]!))) as Vec3;
    out = { dims, spacing: [s[0]!, s[1]!, s[2]!], origin: [...vol.origin], direction: [...vol.direction] };
  } else {
    const r = t.reference!;
    assertArg(
      r &&
        Array.isArray(r.dims) &&
        r.dims.length === 3 &&
        r.dims.every((d) => Number.isInteger(d) && d > 0) &&
        r.spacing?.length === 3 &&
        r.spacing.every((v) => Number.isFinite(v) && v > 0) &&
        r.origin?.length === 3 &&
        r.origin.every(Number.isFinite) &&
        r.direction?.length === 9 &&
        r.direction.every(Number.isFinite),
      'reference must have dims, spacing, origin and direction.',
    );
    out = { dims: [...r.dims], spacing: [...r.spacing], origin: [...r.origin], direction: [...r.direction] };
  }
  const inInv = mat3Inv(indexToWorldMatrix(vol));
  const mOut = indexToWorldMatrix(out);
  const a = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      a[i * 3 + j] = inInv[i * 3]! * mOut[j]! + inInv[i * 3 + 1]! * mOut[3 + j]! + inInv[i * 3 + 2]! * mOut[6 + j]!;
    }
  }
  const d = [out.origin[0] - vol.origin[0], out.origin[1] - vol.origin[1], out.origin[2] - vol.origin[2]];
  const b: Vec3 = [
    inInv[0]! * d[0]! + inInv[1]! * d[1]! + inInv[2]! * d[2]!,
    inInv[3]! * d[0]! + inInv[4]! * d[1]! + inInv[5]! * d[2]!,
    inInv[6]! * d[0]! + inInv[7]! * d[1]! + inInv[8]! * d[2]!,
  ];
  // Snap values within rounding noise so identical grids map exactly.
  for (let i = 0; i < 9; i++) {
    const r = Math.round(a[i]!);
    if (Math.abs(a[i]! - r) < 1e-9) a[i] = r;
  }
  for (let i = 0; i < 3; i++) {
    const r = Math.round(b[i]!);
    if (Math.abs(b[i]! - r) < 1e-9) b[i] = r;
  }
  const aligned = a[1] === 0 && a[2] === 0 && a[3] === 0 && a[5] === 0 && a[6] === 0 && a[7] === 0;
  return { out, a, b, aligned };
}

function outputVolume<T extends VoxelArray>(vol: Volume, g: Geometry, data: T): Volume<T> {
  return {
    data,
    dims: [...g.dims],
    spacing: [...g.spacing],
    origin: [...g.origin],
    direction: [...g.direction],
    // New slices are not the source instances: per-slice UIDs are dropped.
    ...metaForSlices(vol.meta, null),
  };
}

/**
 * Resamples an image to a new spacing or onto a reference grid (world positions are matched through
 * both grids' origin, spacing and direction). Linear and B-spline results are Float32; nearest keeps
 * the input type. Axis-aligned cases (any change of spacing or origin, flips and permutations
 * excluded) run separably, one axis at a time, which is exact for these separable kernels.
 */
export function resample(vol: Volume, options: ResampleOptions): Volume {
  validateVolume(vol);
  const interp = options.interpolation ?? 'linear';
  assertArg(
    interp === 'nearest' || interp === 'linear' || interp === 'bspline',
    "interpolation must be 'nearest', 'linear' or 'bspline'.",
  );
  const fill = options.fillValue ?? 0;
  assertArg(Number.isFinite(fill), 'fillValue must be finite.');
  const map = targetMap(vol, options);
  if (interp === 'nearest') return outputVolume(vol, map.out, nearestGather(vol, map, fill));
  if (map.aligned) return outputVolume(vol, map.out, separable(vol, map, interp === 'bspline' ? 4 : 2, fill));
  return outputVolume(vol, map.out, generalResample(vol, map, interp, fill));
}

/** Resamples a label volume (nearest or per-label linear vote); the output keeps the input type. */
export function resampleLabels<T extends VoxelArray>(labels: Volume<T>, options: ResampleLabelsOptions): Volume<T> {
  validateVolume(labels, 'labels');
  const method = options.method ?? 'nearest';
  assertArg(method === 'nearest' || method === 'vote', "method must be 'nearest' or 'vote'.");
  const fill = options.fillValue ?? 0;
  assertArg(Number.isFinite(fill), 'fillValue must be finite.');
  const map = targetMap(labels, options);
  const data = method === 'nearest' ? nearestGather(labels, map, fill) : voteResample(labels, map, fill);
  return outputVolume(labels, map.out, data as T);
}

/** Continuous coordinate to tap table along one axis (separable path). */
interface AxisTaps {
  idx: Int32Array;
  w: Float64Array;
  valid: Uint8Array;
  taps: number;
}

/** Mirror ('whole-sample symmetric') index into [0, n). */
function mirror(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n - 2;
  let m = i % period;
  if (m < 0) m += period;
  return m >= n ? period - m : m;
}

function axisTaps(n: number, count: number, scale: number, offset: number, taps: number): AxisTaps {
  const idx = new Int32Array(count * taps);
  const w = new Float64Array(count * taps);
  const valid = new Uint8Array(count);
  for (let o = 0; o < count; o++) {
    let c = scale * o + offset;
    valid[o] = c >= -0.5 - 1e-9 && c <= n - 0.5 + 1e-9 ? 1 : 0;
    c = c < 0 ? 0 : c > n - 1 ? n - 1 : c;
    if (taps === 2) {
      let i0 = Math.floor(c);
      if (i0 > n - 2) i0 = Math.max(0, n - 2);
      const t = c - i0;
      idx[o * 2] = i0;
      idx[o * 2 + 1] = Math.min(i0 + 1, n - 1);
      w[o * 2] = 1 - t;
      w[o * 2 + 1] = t;
    } else {
      const i0 = Math.floor(c);
      const t = c - i0;
      const bw = bsplineWeights(t);
      for (let k = 0; k < 4; k++) {
        idx[o * 4 + k] = mirror(i0 - 1 + k, n);
        w[o * 4 + k] = bw[k]!;
      }
    }
  }
  return { idx, w, valid, taps };
}

/** Cubic B-spline weights of taps i-1, i, i+1, i+2 at fractional offset t. */
function bsplineWeights(t: number): [number, number, number, number] {
  const t2 = t * t;
  const t3 = t2 * t;
  const u = 1 - t;
  return [(u * u * u) / 6, (4 - 6 * t2 + 3 * t3) / 6, (1 + 3 * t + 3 * t2 - 3 * t3) / 6, t3 / 6];
}

/** Pole of the cubic B-spline prefilter. */
const Z1 = Math.sqrt(3) - 2;

/** In-place cubic B-spline prefilter of `c[0..n)` (mirror boundaries, Unser's recursive filter). */
function bsplinePrefilterLine(c: Float64Array, n: number): void {
  if (n === 1) return;
  const z = Z1;
  const lambda = (1 - z) * (1 - 1 / z);
  for (let k = 0; k < n; k++) c[k] = c[k]! * lambda;
  // Causal initialisation (mirror), truncated where z^k is below float precision.
  const horizon = Math.min(n, Math.ceil(Math.log(1e-10) / Math.log(Math.abs(z))));
  let sum = c[0]!;
  if (horizon < n) {
    let zk = z;
    for (let k = 1; k < horizon; k++) {
      sum += zk * c[k]!;
      zk *= z;
    }
  } else {
    let zk = z;
    const iz = 1 / z;
    let z2n = z ** (n - 1);
    sum = c[0]! + z2n * c[n - 1]!;
    z2n = z2n * z2n * iz; // z^(2n-3)
    for (let k = 1; k <= n - 2; k++) {
      sum += (zk + z2n) * c[k]!;
      zk *= z;
      z2n *= iz;
    }
    sum /= 1 - z ** (2 * n - 2);
  }
  c[0] = sum;
  for (let k = 1; k < n; k++) c[k] = c[k]! + z * c[k - 1]!;
  c[n - 1] = (z / (z * z - 1)) * (c[n - 1]! + z * c[n - 2]!);
  for (let k = n - 2; k >= 0; k--) c[k] = z * (c[k + 1]! - c[k]!);
}

/** Prefilters `data` (Float32, in place) along one axis. */
function prefilterAxis(data: Float32Array, dims: Vec3, axis: number): void {
  const n = dims[axis]!;
  if (n === 1) return;
  const stride = axis === 0 ? 1 : axis === 1 ? dims[0] : dims[0] * dims[1];
  const line = new Float64Array(n);
  const total = dims[0] * dims[1] * dims[2];
  const lines = total / n;
  for (let l = 0; l < lines; l++) {
    let start: number;
    if (axis === 0) start = l * n;
    else if (axis === 1) start = (l % dims[0]) + Math.floor(l / dims[0]) * dims[0] * dims[1];
    else start = l;
    for (let i = 0; i < n; i++) line[i] = data[start + i * stride]!;
    bsplinePrefilterLine(line, n);
    for (let i = 0; i < n; i++) data[start + i * stride] = line[i]!;
  }
}

/**
 * Separable resampling (linear: 2 taps, B-spline: 4 taps) for diagonal index maps: x, then y, then z,
 * each pass combining whole rows so memory access stays sequential.
 */
function separable(vol: Volume, map: IndexMap, taps: 2 | 4, fill: number): Float32Array {
  const [nx, ny, nz] = vol.dims;
  const [ox, oy, oz] = map.out.dims;
  const tx = axisTaps(nx, ox, map.a[0]!, map.b[0], taps);
  const ty = axisTaps(ny, oy, map.a[4]!, map.b[1], taps);
  const tz = axisTaps(nz, oz, map.a[8]!, map.b[2], taps);
  let src: VoxelArray = vol.data;
  let dimsCur: Vec3 = [nx, ny, nz];
  if (taps === 4) {
    const f = Float32Array.from(vol.data as ArrayLike<number>);
    for (let a = 0; a < 3; a++) prefilterAxis(f, dimsCur, a);
    src = f;
  }
  // x pass
  const a1 = new Float32Array(ox * ny * nz);
  {
    const line = new Float64Array(nx);
    const { idx, w } = tx;
    for (let row = 0; row < ny * nz; row++) {
      line.set(src.subarray(row * nx, row * nx + nx) as ArrayLike<number>);
      const ob = row * ox;
      if (taps === 2) {
        for (let o = 0; o < ox; o++)
          a1[ob + o] = w[2 * o]! * line[idx[2 * o]!]! + w[2 * o + 1]! * line[idx[2 * o + 1]!]!;
      } else {
        for (let o = 0; o < ox; o++) {
          const k = 4 * o;
          a1[ob + o] =
            w[k]! * line[idx[k]!]! +
            w[k + 1]! * line[idx[k + 1]!]! +
            w[k + 2]! * line[idx[k + 2]!]! +
            w[k + 3]! * line[idx[k + 3]!]!;
        }
      }
    }
  }
  dimsCur = [ox, ny, nz];
  // y pass: output row (y', z) combines input rows (idx, z)
  const a2 = new Float32Array(ox * oy * nz);
  for (let z = 0; z < nz; z++) {
    for (let o = 0; o < oy; o++) rowCombine(a1, z * ox * ny, ox, ty, o, a2, (z * oy + o) * ox);
  }
  // z pass: output plane z' combines input planes; row by row
  const a3 = new Float32Array(ox * oy * oz);
  const plane = ox * oy;
  for (let o = 0; o < oz; o++) {
    for (let y = 0; y < oy; y++) rowCombine(a2, y * ox, plane, tz, o, a3, o * plane + y * ox, ox);
  }
  applyFill(a3, map.out.dims, tx.valid, ty.valid, tz.valid, fill);
  return a3;
}

/**
 * dst[dstBase + x] = sum_t w_t * src[srcBase + idx_t * rowStride + x] for x < len (len defaults to
 * rowStride, i.e. the y pass where rows are adjacent).
 */
function rowCombine(
  src: Float32Array,
  srcBase: number,
  rowStride: number,
  t: AxisTaps,
  o: number,
  dst: Float32Array,
  dstBase: number,
  len = rowStride,
): void {
  const { idx, w, taps } = t;
  const k = o * taps;
  if (taps === 2) {
    const r0 = srcBase + idx[k]! * rowStride;
    const r1 = srcBase + idx[k + 1]! * rowStride;
    const w0 = w[k]!;
    const w1 = w[k + 1]!;
    if (w1 === 0) {
      dst.set(src.subarray(r0, r0 + len), dstBase);
      return;
    }
    for (let x = 0; x < len; x++) dst[dstBase + x] = w0 * src[r0 + x]! + w1 * src[r1 + x]!;
  } else {
    const r0 = srcBase + idx[k]! * rowStride;
    const r1 = srcBase + idx[k + 1]! * rowStride;
    const r2 = srcBase + idx[k + 2]! * rowStride;
    const r3 = srcBase + idx[k + 3]! * rowStride;
    const w0 = w[k]!;
    const w1 = w[k + 1]!;
    const w2 = w[k + 2]!;
    const w3 = w[k + 3]!;
    for (let x = 0; x < len; x++) {
      dst[dstBase + x] = w0 * src[r0 + x]! + w1 * src[r1 + x]! + w2 * src[r2 + x]! + w3 * src[r3 + x]!;
    }
  }
}

/** Sets `fill` wherever any axis position is outside the input grid. */
function applyFill(data: Float32Array, dims: Vec3, vx: Uint8Array, vy: Uint8Array, vz: Uint8Array, fill: number): void {
  const [ox, oy, oz] = dims;
  let allX = true;
  for (let i = 0; i < ox; i++) if (!vx[i]) allX = false;
  for (let z = 0; z < oz; z++) {
    for (let y = 0; y < oy; y++) {
      const base = (z * oy + y) * ox;
      if (!vz[z] || !vy[y]) data.fill(fill, base, base + ox);
      else if (!allX) for (let x = 0; x < ox; x++) if (!vx[x]) data[base + x] = fill;
    }
  }
}

/** Nearest-neighbour resampling for any map; output keeps the input array type. */
function nearestGather(vol: Volume, map: IndexMap, fill: number): VoxelArray {
  const [nx, ny, nz] = vol.dims;
  const [ox, oy, oz] = map.out.dims;
  const ctor = vol.data.constructor as VoxelArrayConstructor;
  const out = new ctor(ox * oy * oz);
  const src = vol.data;
  const a = map.a;
  const b = map.b;
  let o = 0;
  for (let z = 0; z < oz; z++) {
    for (let y = 0; y < oy; y++) {
      // Input coordinates along this output row: start + x * (a0, a3, a6).
      let cx = a[1]! * y + a[2]! * z + b[0];
      let cy = a[4]! * y + a[5]! * z + b[1];
      let cz = a[7]! * y + a[8]! * z + b[2];
      const dx = a[0]!;
      const dy = a[3]!;
      const dz = a[6]!;
      for (let x = 0; x < ox; x++, o++, cx += dx, cy += dy, cz += dz) {
        // Same validity rule as linear: within half a voxel of the border the edge voxel is used.
        const px = linearSetup(cx, nx);
        const py = linearSetup(cy, ny);
        const pz = linearSetup(cz, nz);
        if (px < 0 || py < 0 || pz < 0) {
          out[o] = fill;
          continue;
        }
        out[o] = src[Math.round(px) + nx * (Math.round(py) + ny * Math.round(pz))]!;
      }
    }
  }
  return out;
}

/** Clamped linear interpolation setup of one coordinate; returns -1 when outside. */
function linearSetup(c: number, n: number): number {
  if (c < -0.5 - 1e-9 || c > n - 0.5 + 1e-9) return -1;
  return c < 0 ? 0 : c > n - 1 ? n - 1 : c;
}

/** Trilinear or tricubic-B-spline resampling for arbitrary (rotated, permuted) maps. */
function generalResample(vol: Volume, map: IndexMap, interp: 'linear' | 'bspline', fill: number): Float32Array {
  const [nx, ny, nz] = vol.dims;
  const [ox, oy, oz] = map.out.dims;
  const src =
    vol.data instanceof Float32Array && interp === 'linear'
      ? vol.data
      : Float32Array.from(vol.data as ArrayLike<number>);
  if (interp === 'bspline') for (let ax = 0; ax < 3; ax++) prefilterAxis(src, vol.dims, ax);
  const out = new Float32Array(ox * oy * oz);
  const a = map.a;
  const b = map.b;
  const sxy = nx * ny;
  const wx = new Float64Array(4);
  const wy = new Float64Array(4);
  const wz = new Float64Array(4);
  const ix = new Int32Array(4);
  const iy = new Int32Array(4);
  const iz = new Int32Array(4);
  let o = 0;
  for (let z = 0; z < oz; z++) {
    for (let y = 0; y < oy; y++) {
      let cx = a[1]! * y + a[2]! * z + b[0];
      let cy = a[4]! * y + a[5]! * z + b[1];
      let cz = a[7]! * y + a[8]! * z + b[2];
      for (let x = 0; x < ox; x++, o++, cx += a[0]!, cy += a[3]!, cz += a[6]!) {
        const px = linearSetup(cx, nx);
        const py = linearSetup(cy, ny);
        const pz = linearSetup(cz, nz);
        if (px < 0 || py < 0 || pz < 0) {
          out[o] = fill;
          continue;
        }
        if (interp === 'linear') {
          let x0 = Math.floor(px);
          let y0 = Math.floor(py);
          let z0 = Math.floor(pz);
          if (x0 > nx - 2) x0 = Math.max(0, nx - 2);
          if (y0 > ny - 2) y0 = Math.max(0, ny - 2);
          if (z0 > nz - 2) z0 = Math.max(0, nz - 2);
          const tx = px - x0;
          const ty = py - y0;
          const tz = pz - z0;
          const x1 = x0 + 1 < nx ? 1 : 0;
          const y1 = y0 + 1 < ny ? nx : 0;
          const z1 = z0 + 1 < nz ? sxy : 0;
          const i0 = x0 + nx * y0 + sxy * z0;
          const c00 = src[i0]! + tx * (src[i0 + x1]! - src[i0]!);
          const c10 = src[i0 + y1]! + tx * (src[i0 + y1 + x1]! - src[i0 + y1]!);
          const c01 = src[i0 + z1]! + tx * (src[i0 + z1 + x1]! - src[i0 + z1]!);
          const c11 = src[i0 + z1 + y1]! + tx * (src[i0 + z1 + y1 + x1]! - src[i0 + z1 + y1]!);
          const c0 = c00 + ty * (c10 - c00);
          const c1 = c01 + ty * (c11 - c01);
          out[o] = c0 + tz * (c1 - c0);
        } else {
          fillCubic(px, nx, wx, ix, 1);
          fillCubic(py, ny, wy, iy, nx);
          fillCubic(pz, nz, wz, iz, sxy);
          let acc = 0;
          for (let k = 0; k < 4; k++) {
            for (let j = 0; j < 4; j++) {
              const base = iz[k]! + iy[j]!;
              const wjk = wz[k]! * wy[j]!;
              acc +=
                wjk *
                (wx[0]! * src[base + ix[0]!]! +
                  wx[1]! * src[base + ix[1]!]! +
                  wx[2]! * src[base + ix[2]!]! +
                  wx[3]! * src[base + ix[3]!]!);
            }
          }
          out[o] = acc;
        }
      }
    }
  }
  return out;
}

function fillCubic(c: number, n: number, w: Float64Array, idx: Int32Array, stride: number): void {
  const i0 = Math.floor(c);
  const bw = bsplineWeights(c - i0);
  for (let k = 0; k < 4; k++) {
    w[k] = bw[k]!;
    idx[k] = mirror(i0 - 1 + k, n) * stride;
  }
}

/** Per-label linear vote: each output voxel takes the label with the largest trilinear weight. */
function voteResample(vol: Volume, map: IndexMap, fill: number): VoxelArray {
  const [nx, ny, nz] = vol.dims;
  const [ox, oy, oz] = map.out.dims;
  const ctor = vol.data.constructor as VoxelArrayConstructor;
  const out = new ctor(ox * oy * oz);
  const src = vol.data;
  const a = map.a;
  const b = map.b;
  const sxy = nx * ny;
  const lab = new Float64Array(8);
  const wt = new Float64Array(8);
  let o = 0;
  for (let z = 0; z < oz; z++) {
    for (let y = 0; y < oy; y++) {
      let cx = a[1]! * y + a[2]! * z + b[0];
      let cy = a[4]! * y + a[5]! * z + b[1];
      let cz = a[7]! * y + a[8]! * z + b[2];
      for (let x = 0; x < ox; x++, o++, cx += a[0]!, cy += a[3]!, cz += a[6]!) {
        const px = linearSetup(cx, nx);
        const py = linearSetup(cy, ny);
        const pz = linearSetup(cz, nz);
        if (px < 0 || py < 0 || pz < 0) {
          out[o] = fill;
          continue;
        }
        let x0 = Math.floor(px);
        let y0 = Math.floor(py);
        let z0 = Math.floor(pz);
        if (x0 > nx - 2) x0 = Math.max(0, nx - 2);
        if (y0 > ny - 2) y0 = Math.max(0, ny - 2);
        if (z0 > nz - 2) z0 = Math.max(0, nz - 2);
        // inside a region all eight neighbours carry one label: that label wins whatever the weights
        const x1 = Math.min(x0 + 1, nx - 1) - x0;
        const y1 = (Math.min(y0 + 1, ny - 1) - y0) * nx;
        const z1 = (Math.min(z0 + 1, nz - 1) - z0) * sxy;
        const i0 = x0 + nx * y0 + sxy * z0;
        const l0 = src[i0]!;
        if (
          src[i0 + x1] === l0 &&
          src[i0 + y1] === l0 &&
          src[i0 + x1 + y1] === l0 &&
          src[i0 + z1] === l0 &&
          src[i0 + x1 + z1] === l0 &&
          src[i0 + y1 + z1] === l0 &&
          src[i0 + x1 + y1 + z1] === l0
        ) {
          out[o] = l0;
          continue;
        }
        const tx = px - x0;
        const ty = py - y0;
        const tz = pz - z0;
        let m = 0;
        for (let c = 0; c < 8; c++) {
          const dx = c & 1;
          const dy = (c >> 1) & 1;
          const dz = (c >> 2) & 1;
          const w = (dx ? tx : 1 - tx) * (dy ? ty : 1 - ty) * (dz ? tz : 1 - tz);
          if (w === 0) continue;
          const xx = Math.min(x0 + dx, nx - 1);
          const yy = Math.min(y0 + dy, ny - 1);
          const zz = Math.min(z0 + dz, nz - 1);
          const l = src[xx + nx * yy + sxy * zz]!;
          let k = 0;
          while (k < m && lab[k] !== l) k++;
          if (k === m) {
            lab[m] = l;
            wt[m] = 0;
            m++;
          }
          wt[k] = wt[k]! + w;
        }
        let best = 0;
        for (let k = 1; k < m; k++) {
          const d = wt[k]! - wt[best]!;
          if (d > 1e-12 || (Math.abs(d) <= 1e-12 && lab[k]! < lab[best]!)) best = k;
        }
        out[o] = lab[best]!;
      }
    }
  }
  return out;
}
