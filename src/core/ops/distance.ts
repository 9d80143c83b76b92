import { assertArg } from '../errors.js';
import { type Vec3, type Volume, type VoxelArray, validateVolume, withData } from '../volume.js';

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
export function distanceTransform(mask: Volume, options: DistanceTransformOptions = {}): Volume<Float32Array> {
  validateVolume(mask, 'mask');
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
 */
export function squaredDistanceField(
  data: VoxelArray,
  dims: Vec3,
  spacing: Vec3,
  targetNonzero: boolean,
  outsideIsTarget: boolean,
): Float32Array {
  const [nx, ny, nz] = dims;
  const out = new Float32Array(nx * ny * nz);
  let bytes: Uint8Array;
  if (data instanceof Uint8Array) bytes = data;
  else {
    bytes = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) bytes[i] = data[i] !== 0 ? 1 : 0;
  }
  rowPass(bytes, out, nx, ny * nz, spacing[0], targetNonzero, outsideIsTarget);
  const ws = new EnvelopeWork(Math.max(ny, nz), BLOCK);
  if (ny > 1 || outsideIsTarget) {
    for (let z = 0; z < nz; z++) blockedAxisPass(out, z * nx * ny, nx, nx, ny, spacing[1], outsideIsTarget, ws);
  }
  if (nz > 1 || outsideIsTarget) blockedAxisPass(out, 0, nx * ny, nx * ny, nz, spacing[2], outsideIsTarget, ws);
  return out;
}

/** Lines processed together along y and z: contiguous runs of this many x positions. */
const BLOCK = 64;

/** Scratch buffers of the envelope passes, allocated once per transform. */
class EnvelopeWork {
  readonly buf: Float64Array;
  readonly f: Float64Array;
  readonly d: Float64Array;
  readonly v: Int32Array;
  readonly zb: Float64Array;
  readonly pos: Float64Array;
  constructor(n: number, block: number) {
    this.buf = new Float64Array(n * block);
    this.f = new Float64Array(n + 2);
    this.d = new Float64Array(n + 2);
    this.v = new Int32Array(n + 4);
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
): void {
  const { buf, f, d, v, zb, pos } = ws;
  for (let q = 0; q < n; q++) pos[q] = q * s;
  for (let b0 = 0; b0 < count; b0 += BLOCK) {
    const bw = Math.min(BLOCK, count - b0);
    for (let q = 0; q < n; q++) {
      const src = base + b0 + q * stride;
      const row = q * bw;
      for (let b = 0; b < bw; b++) buf[row + b] = data[src + b]!;
    }
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
      envelope1d(f, d, n, pos, s, outside, v, zb);
      for (let q = 0; q < n; q++) buf[q * bw + b] = d[q]!;
    }
    for (let q = 0; q < n; q++) {
      const dst = base + b0 + q * stride;
      const row = q * bw;
      for (let b = 0; b < bw; b++) data[dst + b] = buf[row + b]!;
    }
  }
}

/** Squared distance along x rows to the nearest target in the row (two scans). */
function rowPass(
  data: Uint8Array,
  out: Float32Array,
  nx: number,
  rows: number,
  sx: number,
  targetNonzero: boolean,
  outside: boolean,
): void {
  const dist = new Int32Array(nx);
  const far = 1 << 30;
  // Squared mm of an index distance, tabulated (index distances are at most nx).
  const sq = new Float64Array(nx + 2);
  for (let i = 0; i <= nx + 1; i++) sq[i] = i * sx * i * sx;
  const flip = targetNonzero ? 0 : 1;
  for (let row = 0; row < rows; row++) {
    const base = row * nx;
    // Forward scan: index distance to the last target at or before x.
    let last = outside ? -1 : -far;
    for (let x = 0; x < nx; x++) {
      if ((data[base + x]! !== 0 ? 1 : 0) !== flip) last = x;
      dist[x] = x - last;
    }
    let next = outside ? nx : far;
    for (let x = nx - 1; x >= 0; x--) {
      if ((data[base + x]! !== 0 ? 1 : 0) !== flip) next = x;
      const b = next - x;
      const a = dist[x]!;
      const m = a < b ? a : b;
      out[base + x] = m > nx ? Infinity : sq[m]!;
    }
  }
}

/**
 * 1D squared distance transform of sampled function `f` (Infinity = no target) at positions `pos`
 * (mm): `d[q] = min_p (pos[q] - pos[p])² + f[p]`, with optional zero-cost targets just outside
 * both ends (at -s and n*s).
 */
function envelope1d(
  f: Float64Array,
  d: Float64Array,
  n: number,
  pos: Float64Array,
  s: number,
  outside: boolean,
  v: Int32Array,
  zb: Float64Array,
): void {
  // v holds parabola vertices as indices; index -1 and n stand for the outside points (f = 0).
  let k = -1;
  const last = outside ? n : n - 1;
  for (let q = outside ? -1 : 0; q <= last; q++) {
    const fq = q < 0 || q >= n ? 0 : f[q]!;
    if (fq === Infinity) continue;
    const pq = q < 0 ? -s : q >= n ? n * s : pos[q]!;
    const hq = fq + pq * pq;
    let inter = -Infinity;
    while (k >= 0) {
      const vk = v[k]!;
      const pv = vk < 0 ? -s : vk >= n ? n * s : pos[vk]!;
      const fv = vk < 0 || vk >= n ? 0 : f[vk]!;
      inter = (hq - (fv + pv * pv)) / (2 * (pq - pv));
      if (inter <= zb[k]!) k--;
      else break;
    }
    k++;
    v[k] = q;
    zb[k] = k === 0 ? -Infinity : inter;
    zb[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    const p = pos[q]!;
    while (zb[k + 1]! < p) k++;
    const vk = v[k]!;
    const pv = vk < 0 ? -s : vk >= n ? n * s : pos[vk]!;
    const fv = vk < 0 || vk >= n ? 0 : f[vk]!;
    const dp = p - pv;
    d[q] = dp * dp + fv;
  }
}
