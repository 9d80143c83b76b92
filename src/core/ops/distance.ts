import { assertArg } from '../errors.js';
import { type Grid, type Vec3, type Volume, type VoxelArray, validateGrid, withData } from '../volume.js';

/** Options of {@link distanceTransform}. */
export interface DistanceTransformOptions {
  /**
   * Which voxels distances are measured to. 'foreground' (default): every voxel gets its distance
   * to the nearest nonzero voxel (0 on the mask, as ITK's distance maps). 'background': distance to
   * the nearest zero voxel (0 outside the mask, as scipy's `distance_transform_edt(mask)`).
   */
  target?: 'foreground' | 'background';
  /** Return squared distances (mm²), skipping the square root. Default false. */
  squared?: boolean;
  /**
   * Treat the space outside the grid as target voxels (distances then never exceed the distance to
   * the border). Default false.
   */
  outsideIsTarget?: boolean;
}

/**
 * Exact Euclidean distance transform in millimetres on anisotropic grids (Felzenszwalb–Huttenlocher
 * lower envelope of parabolas, one pass per axis, O(n)). Returns Float32 distances on the same
 * grid; voxels with no target anywhere get `Infinity`. Exact: the squared distance of every voxel is
 * `min_q |p - q|²` over target voxels `q`, with only float32 rounding of the stored result.
 */
export function distanceTransform(mask: Volume, options?: DistanceTransformOptions): Volume<Float32Array>;
export function distanceTransform(mask: Grid, options?: DistanceTransformOptions): Grid<Float32Array>;
export function distanceTransform(mask: Grid, options: DistanceTransformOptions = {}): Grid<Float32Array> {
  validateGrid(mask, 'mask');
  const target = options.target ?? 'foreground';
  assertArg(target === 'foreground' || target === 'background', "target must be 'foreground' or 'background'.");
  const d2 = squaredDistanceField(
    mask.data,
    mask.dims,
    mask.spacing,
    target === 'foreground',
    !!options.outsideIsTarget,
  );
  if (!options.squared) for (let i = 0; i < d2.length; i++) d2[i] = Math.sqrt(d2[i]!);
  return withData(mask, d2);
}

/**
 * Squared distance (mm²) of every voxel to the nearest target voxel, where target voxels are the
 * nonzero ones (`targetNonzero`) or the zero ones. Shared by distanceTransform and morphology.
 *
 * `cap` (mm², default Infinity) is for callers that only compare the field with it (morphology's
 * ball threshold): every voxel whose squared distance exceeds `cap` may get any value above `cap`
 * (Infinity or its true distance); those at or under it get exactly the uncapped value. Between
 * passes values above the cap become Infinity, since a partial distance above it can only end
 * above it: fewer parabolas per line, and lines with none left are skipped.
 */
export function squaredDistanceField(
  data: VoxelArray,
  dims: Vec3,
  spacing: Vec3,
  targetNonzero: boolean,
  outsideIsTarget: boolean,
  cap = Infinity,
): Float32Array {
  const [nx, ny, nz] = dims;
  const out = new Float32Array(nx * ny * nz);
  let bytes: Uint8Array;
  if (data instanceof Uint8Array) bytes = data;
  else {
    bytes = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) bytes[i] = data[i] !== 0 ? 1 : 0;
  }
  rowPass(bytes, out, nx, ny * nz, spacing[0], targetNonzero, outsideIsTarget, cap);
  const ws = new EnvelopeWork(Math.max(ny, nz));
  if (ny > 1 || outsideIsTarget) {
    for (let z = 0; z < nz; z++) {
      blockedAxisPass(out, z * nx * ny, nx, nx, ny, spacing[1], outsideIsTarget, ws, cap);
    }
  }
  if (nz > 1 || outsideIsTarget) blockedAxisPass(out, 0, nx * ny, nx * ny, nz, spacing[2], outsideIsTarget, ws, cap);
  return out;
}

/** Lines processed together along y and z: contiguous runs of this many x positions. */
const BLOCK = 64;

/** Scratch buffers of the envelope passes, allocated once per transform. */
class EnvelopeWork {
  /** A block of lines as stored (float32): gathering and scattering convert nothing. */
  readonly buf: Float32Array;
  readonly f: Float64Array;
  readonly d: Float64Array;
  readonly vp: Float64Array;
  readonly vf: Float64Array;
  readonly vh: Float64Array;
  readonly zb: Float64Array;
  readonly pos: Float64Array;
  constructor(n: number) {
    this.buf = new Float32Array(n * BLOCK);
    this.f = new Float64Array(n + 2);
    this.d = new Float64Array(n + 2);
    this.vp = new Float64Array(n + 4);
    this.vf = new Float64Array(n + 4);
    this.vh = new Float64Array(n + 4);
    this.zb = new Float64Array(n + 5);
    this.pos = new Float64Array(n + 2);
  }
}

/**
 * Runs the 1D envelope along an axis of stride `stride` and length `n` for the `count` contiguous
 * lines starting at `base`. Lines are gathered in blocks of consecutive positions (whole cache lines
 * per plane instead of one float per page), transformed, and scattered back.
 */
function blockedAxisPass(
  data: Float32Array,
  base: number,
  count: number,
  stride: number,
  n: number,
  s: number,
  outside: boolean,
  ws: EnvelopeWork,
  cap: number,
): void {
  const { buf, f, d, pos } = ws;
  for (let q = 0; q < n; q++) pos[q] = q * s;
  for (let b0 = 0; b0 < count; b0 += BLOCK) {
    const bw = Math.min(BLOCK, count - b0);
    for (let q = 0; q < n; q++) {
      const src = base + b0 + q * stride;
      const row = q * bw;
      for (let b = 0; b < bw; b++) buf[row + b] = data[src + b]!;
    }
    let changed = false;
    for (let b = 0; b < bw; b++) {
      let anyFinite = false;
      let anyNonzero = false;
      for (let q = 0; q < n; q++) {
        const val = buf[q * bw + b]!;
        f[q] = val;
        if (val !== Infinity) anyFinite = true;
        if (val !== 0) anyNonzero = true;
      }
      // All targets (0) or no target on the line: nothing changes.
      if (!anyNonzero || (!anyFinite && !outside)) continue;
      envelope1d(f, d, n, pos, s, outside, ws);
      changed = true;
      for (let q = 0; q < n; q++) {
        const v = d[q]!;
        // compared as stored (float32): a value rounding down to the cap must stay
        buf[q * bw + b] = Math.fround(v) > cap ? Infinity : v;
      }
    }
    if (!changed) continue;
    for (let q = 0; q < n; q++) {
      const dst = base + b0 + q * stride;
      const row = q * bw;
      for (let b = 0; b < bw; b++) data[dst + b] = buf[row + b]!;
    }
  }
}

/**
 * Squared distance along x rows to the nearest target in the row: one sweep per row, jumping from
 * target to target and filling each gap from both ends.
 */
function rowPass(
  data: Uint8Array,
  out: Float32Array,
  nx: number,
  rows: number,
  sx: number,
  targetNonzero: boolean,
  outside: boolean,
  cap: number,
): void {
  const far = 1 << 29;
  // Squared mm of an index distance, tabulated (index distances are at most nx; above the cap:
  // Infinity); beyond: no target.
  const sq = new Float64Array(nx + 2);
  for (let i = 0; i <= nx + 1; i++) {
    const v = i * sx * i * sx;
    sq[i] = Math.fround(v) > cap ? Infinity : v;
  }
  for (let row = 0; row < rows; row++) {
    const base = row * nx;
    let prev = outside ? -1 : -far;
    let x = 0;
    while (x <= nx) {
      let t = x;
      if (targetNonzero) while (t < nx && data[base + t] === 0) t++;
      else while (t < nx && data[base + t] !== 0) t++;
      const next = t < nx ? t : outside ? nx : far;
      for (let g = x; g < t; g++) {
        const a = g - prev;
        const b = next - g;
        const m = a < b ? a : b;
        out[base + g] = m > nx ? Infinity : sq[m]!;
      }
      if (t < nx) out[base + t] = 0;
      prev = t;
      x = t + 1;
    }
  }
}

/**
 * 1D squared distance transform of sampled function `f` (Infinity = no target) at positions `pos`
 * (mm): `d[q] = min_p (pos[q] - pos[p])² + f[p]`, with optional zero-cost targets just outside
 * both ends (at -s and n*s). Lower envelope of parabolas (Felzenszwalb–Huttenlocher); each
 * parabola keeps its vertex position `vp`, offset `vf` and `vp² + vf` so nothing is recomputed.
 */
function envelope1d(
  f: Float64Array,
  d: Float64Array,
  n: number,
  pos: Float64Array,
  s: number,
  outside: boolean,
  ws: EnvelopeWork,
): void {
  const { vp, vf, vh, zb } = ws;
  let k = -1;
  if (outside) {
    k = 0;
    vp[0] = -s;
    vf[0] = 0;
    vh[0] = s * s;
    zb[0] = -Infinity;
    zb[1] = Infinity;
  }
  for (let q = 0; q <= n; q++) {
    let fq: number;
    let pq: number;
    if (q < n) {
      fq = f[q]!;
      if (fq === Infinity) continue;
      pq = pos[q]!;
    } else {
      if (!outside) break;
      fq = 0;
      pq = n * s;
    }
    const hq = fq + pq * pq;
    // Pop parabolas hidden by the new one: intersection <= start of their interval. Positions
    // increase, so the test is done without dividing: (hq - vh) <= zb * 2 (pq - vp).
    while (k >= 0 && hq - vh[k]! <= zb[k]! * (2 * (pq - vp[k]!))) k--;
    const inter = k >= 0 ? (hq - vh[k]!) / (2 * (pq - vp[k]!)) : -Infinity;
    k++;
    vp[k] = pq;
    vf[k] = fq;
    vh[k] = hq;
    zb[k] = k === 0 ? -Infinity : inter;
    zb[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    const p = pos[q]!;
    while (zb[k + 1]! < p) k++;
    const dp = p - vp[k]!;
    d[q] = dp * dp + vf[k]!;
  }
}
