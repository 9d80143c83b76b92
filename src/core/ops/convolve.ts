import { correlatePassesSimd, runProgramSimd, type SimdPass, type SimdStep } from '../simd/convolve.js';
import { correlatePassesThreaded, runProgramThreaded } from '../simd/threads.js';
import type { Vec3, VoxelArray } from '../volume.js';

/**
 * Separable correlation engine shared by the Gaussian family. Boundaries are scipy.ndimage's
 * 'reflect' (d c b a | a b c d | d c b a). Kernels are given as correlation weights `w[-r..r]`
 * stored at `w[j + r]`, so `out[i] = sum_j w[j] * in[i + j]`.
 *
 * Loops are written per axis so the inner loop always runs over contiguous memory: along x a padded
 * line buffer; along y and z whole rows are combined (`dst_row += w_j * (row_{-j} + row_{+j})`),
 * which keeps every access sequential and cache friendly. Symmetric and antisymmetric kernels use
 * pair folding to halve the multiplications.
 */

/** Kernel symmetry: 1 = symmetric (w[-j] = w[j]), -1 = antisymmetric (w[-j] = -w[j]), 0 = general. */
export type KernelSymmetry = 1 | -1 | 0;

/** Symmetry of a kernel (tolerance relative to its largest weight). */
export function kernelSymmetry(w: Float32Array): KernelSymmetry {
  const r = (w.length - 1) >> 1;
  let sym = true;
  let anti = w[r] === 0;
  let max = 0;
  for (let i = 0; i < w.length; i++) max = Math.max(max, Math.abs(w[i]!));
  const tol = max * 1e-7;
  for (let j = 1; j <= r; j++) {
    const a = w[r - j]!;
    const b = w[r + j]!;
    if (Math.abs(a - b) > tol) sym = false;
    if (Math.abs(a + b) > tol) anti = false;
  }
  return sym ? 1 : anti ? -1 : 0;
}

/** scipy 'reflect' index for positions outside [0, n): maps any integer into range. */
export function reflectIndex(i: number, n: number): number {
  if (i >= 0 && i < n) return i;
  const period = 2 * n;
  let m = i % period;
  if (m < 0) m += period;
  if (m >= n) m = period - 1 - m;
  return m;
}

/**
 * Correlates `src` with `w` along x into `dst` (Float32). `src` may be any voxel array: each row is
 * converted into a padded Float32 line buffer by `TypedArray.set`, so the hot loop stays monomorphic;
 * the line is then processed like the rows of {@link correlateRows} with shifted offsets.
 */
export function correlateX(src: VoxelArray, dst: Float32Array, dims: Vec3, w: Float32Array, sym: KernelSymmetry): void {
  const nx = dims[0];
  const rows = dims[1] * dims[2];
  const r = (w.length - 1) >> 1;
  const line = new Float32Array(nx + 2 * r);
  const acc = new Float64Array(nx);
  const wk = Float64Array.from(w);
  const pairs = paddedPairCount(r);
  const wp = paddedWeights(w);
  const offA = new Int32Array(Math.max(r, pairs) + 1).fill(r);
  const offB = new Int32Array(Math.max(r, pairs) + 1).fill(r);
  for (let j = 0; j <= r; j++) {
    offA[j] = r - j;
    offB[j] = r + j;
  }
  // Pre-computed reflected source positions of the padding, relative to the row start.
  const padL = new Int32Array(r);
  const padR = new Int32Array(r);
  for (let j = 1; j <= r; j++) {
    padL[j - 1] = reflectIndex(-j, nx);
    padR[j - 1] = reflectIndex(nx - 1 + j, nx);
  }
  for (let row = 0; row < rows; row++) {
    const base = row * nx;
    line.set(src.subarray(base, base + nx) as ArrayLike<number>, r);
    for (let j = 1; j <= r; j++) {
      line[r - j] = line[r + padL[j - 1]!]!;
      line[r + nx - 1 + j] = line[r + padR[j - 1]!]!;
    }
    if (sym === 0) generalRow(line, r, dst, base, nx, offA, offB, wk, r, acc);
    else pairedRow(line, r, dst, base, nx, offA, offB, wp, pairs, acc, sym);
  }
}

/**
 * Correlates along y (axis 1) or z (axis 2) by combining whole x-rows; `src` and `dst` Float32 and
 * distinct. Symmetric and antisymmetric kernels take up to four tap pairs per sweep over the row
 * (fewer accumulator loads and stores); sums are kept in doubles until the final store. With
 * `range` = [p0, p1), only output positions p0..p1-1 along the axis are computed, written to `dst`
 * starting at position 0 (a slab of the result; boundaries still reflect at the full extent).
 */
export function correlateRows(
  src: Float32Array,
  dst: Float32Array,
  dims: Vec3,
  axis: 1 | 2,
  w: Float32Array,
  sym: KernelSymmetry,
  range?: [number, number],
): void {
  const [nx, ny, nz] = dims;
  const n = axis === 1 ? ny : nz;
  const stride = axis === 1 ? nx : nx * ny;
  const r = (w.length - 1) >> 1;
  const acc = new Float64Array(nx);
  const wk = Float64Array.from(w);
  const pairs = paddedPairCount(r);
  const wp = paddedWeights(w);
  const offA = new Int32Array(Math.max(r, pairs) + 1); // row offsets at p - j
  const offB = new Int32Array(Math.max(r, pairs) + 1); // row offsets at p + j
  // Outer loop enumerates rows whose coordinate on `axis` is 0.
  const outerCount = axis === 1 ? nz : ny;
  const outerStride = axis === 1 ? nx * ny : nx;
  const p0 = range ? range[0] : 0;
  const p1 = range ? range[1] : n;
  const shift = p0 * stride;
  for (let o = 0; o < outerCount; o++) {
    const lineBase = o * outerStride;
    for (let p = p0; p < p1; p++) {
      const out = lineBase + p * stride;
      for (let j = 0; j < offA.length; j++) {
        offA[j] = j <= r ? lineBase + reflectIndex(p - j, n) * stride : out;
        offB[j] = j <= r ? lineBase + reflectIndex(p + j, n) * stride : out;
      }
      if (sym === 0) generalRow(src, out, dst, out - shift, nx, offA, offB, wk, r, acc);
      else pairedRow(src, out, dst, out - shift, nx, offA, offB, wp, pairs, acc, sym);
    }
  }
}

/**
 * Tap pairs of a symmetric/antisymmetric kernel padded to 3 + 4k pairs (zero weights; offsets of
 * padded pairs point at the centre row, which is always valid memory), so {@link pairedRow} runs
 * without remainder loops.
 */
export function paddedPairCount(r: number): number {
  return r <= 3 ? 3 : 3 + 4 * Math.ceil((r - 3) / 4);
}

/** Correlation weights at +j (j = 0..padded) as doubles, zero beyond the radius. */
export function paddedWeights(w: Float32Array): Float64Array {
  const r = (w.length - 1) >> 1;
  const out = new Float64Array(paddedPairCount(r) + 1);
  for (let j = 0; j <= r; j++) out[j] = w[r + j]!;
  return out;
}

/**
 * One output row of a symmetric (sign 1) or antisymmetric (sign -1) kernel:
 * `dst[out + x] = sum_j wp[j] * (s[offB[j] + x] + sign * s[offA[j] + x])`, with `wp` and the
 * offsets padded by {@link paddedPairCount}. Four pairs per sweep over the row.
 */
function pairedRow(
  s: Float32Array,
  cs: number,
  dst: Float32Array,
  out: number,
  nx: number,
  offA: Int32Array,
  offB: Int32Array,
  wp: Float64Array,
  pairs: number,
  acc: Float64Array,
  sign: number,
): void {
  const c0 = sign === 1 ? wp[0]! : 0;
  const a1 = offA[1]!;
  const b1 = offB[1]!;
  const a2 = offA[2]!;
  const b2 = offB[2]!;
  const a3 = offA[3]!;
  const b3 = offB[3]!;
  const w1 = wp[1]!;
  const w2 = wp[2]!;
  const w3 = wp[3]!;
  const target = pairs === 3 ? dst : acc;
  const to = pairs === 3 ? out : 0;
  if (sign === 1) {
    for (let x = 0; x < nx; x++) {
      target[to + x] =
        c0 * s[cs + x]! +
        w1 * (s[b1 + x]! + s[a1 + x]!) +
        w2 * (s[b2 + x]! + s[a2 + x]!) +
        w3 * (s[b3 + x]! + s[a3 + x]!);
    }
  } else {
    for (let x = 0; x < nx; x++) {
      target[to + x] = w1 * (s[b1 + x]! - s[a1 + x]!) + w2 * (s[b2 + x]! - s[a2 + x]!) + w3 * (s[b3 + x]! - s[a3 + x]!);
    }
  }
  for (let j = 4; j < pairs; j += 4) {
    const p1 = offA[j]!;
    const q1 = offB[j]!;
    const p2 = offA[j + 1]!;
    const q2 = offB[j + 1]!;
    const p3 = offA[j + 2]!;
    const q3 = offB[j + 2]!;
    const p4 = offA[j + 3]!;
    const q4 = offB[j + 3]!;
    const v1 = wp[j]!;
    const v2 = wp[j + 1]!;
    const v3 = wp[j + 2]!;
    const v4 = wp[j + 3]!;
    const last = j + 4 >= pairs;
    if (sign === 1) {
      if (last) {
        for (let x = 0; x < nx; x++) {
          dst[out + x] =
            acc[x]! +
            v1 * (s[q1 + x]! + s[p1 + x]!) +
            v2 * (s[q2 + x]! + s[p2 + x]!) +
            v3 * (s[q3 + x]! + s[p3 + x]!) +
            v4 * (s[q4 + x]! + s[p4 + x]!);
        }
      } else {
        for (let x = 0; x < nx; x++) {
          acc[x] =
            acc[x]! +
            v1 * (s[q1 + x]! + s[p1 + x]!) +
            v2 * (s[q2 + x]! + s[p2 + x]!) +
            v3 * (s[q3 + x]! + s[p3 + x]!) +
            v4 * (s[q4 + x]! + s[p4 + x]!);
        }
      }
    } else if (last) {
      for (let x = 0; x < nx; x++) {
        dst[out + x] =
          acc[x]! +
          v1 * (s[q1 + x]! - s[p1 + x]!) +
          v2 * (s[q2 + x]! - s[p2 + x]!) +
          v3 * (s[q3 + x]! - s[p3 + x]!) +
          v4 * (s[q4 + x]! - s[p4 + x]!);
      }
    } else {
      for (let x = 0; x < nx; x++) {
        acc[x] =
          acc[x]! +
          v1 * (s[q1 + x]! - s[p1 + x]!) +
          v2 * (s[q2 + x]! - s[p2 + x]!) +
          v3 * (s[q3 + x]! - s[p3 + x]!) +
          v4 * (s[q4 + x]! - s[p4 + x]!);
      }
    }
  }
}

/** One output row of a kernel without symmetry. */
function generalRow(
  s: Float32Array,
  cs: number,
  dst: Float32Array,
  out: number,
  nx: number,
  offA: Int32Array,
  offB: Int32Array,
  wk: Float64Array,
  r: number,
  acc: Float64Array,
): void {
  const w0 = wk[r]!;
  for (let x = 0; x < nx; x++) acc[x] = w0 * s[cs + x]!;
  for (let j = 1; j <= r; j++) {
    const a = offA[j]!;
    const b = offB[j]!;
    const wa = wk[r - j]!;
    const wb = wk[r + j]!;
    for (let x = 0; x < nx; x++) acc[x] = acc[x]! + wa * s[a + x]! + wb * s[b + x]!;
  }
  for (let x = 0; x < nx; x++) dst[out + x] = acc[x]!;
}

/** Below this many voxels the copy into WebAssembly memory costs more than SIMD saves. */
const SIMD_MIN_VOXELS = 4096;

/** A kernel's pass as the SIMD kernels take it (weights padded for pair folding). */
function simdPass(axis: 0 | 1 | 2, k: Float32Array): SimdPass {
  const sym = kernelSymmetry(k);
  const r = (k.length - 1) >> 1;
  return { axis, sym, r, pairs: paddedPairCount(r), weights: sym === 0 ? Float64Array.from(k) : paddedWeights(k) };
}

/** A term of {@link sumSeparableTermsFast}: one kernel per axis and the factor of the term. */
export interface SeparableTerm {
  kernels: [Float32Array, Float32Array, Float32Array];
  scale: number;
}

/**
 * `sum_t scale_t * (k_t,x * k_t,y * k_t,z * src)` (x, y, z passes in that order) as one WebAssembly
 * program: one copy in and out, the x pass shared by terms with the same x kernel (compared by
 * identity), each term added into the output by its z pass. Bitwise what correlateSeparable per term
 * followed by `out[i] = out[i] + scale * term[i]` over a zeroed Float32Array gives (same passes, same
 * f32 roundings, same order of the additions). Null when the SIMD path cannot run it (off,
 * unavailable, a small volume, an axis of length 1 or a kernel of one tap, too large a volume): the
 * caller then takes that path.
 */
export function sumSeparableTermsFast(
  src: VoxelArray,
  dims: Vec3,
  terms: readonly SeparableTerm[],
): Float32Array | null {
  const total = dims[0] * dims[1] * dims[2];
  if (total < SIMD_MIN_VOXELS || terms.length === 0) return null;
  for (const t of terms) for (let a = 0; a < 3; a++) if (t.kernels[a]!.length === 1 || dims[a] === 1) return null;
  // Buffers: 0 the input, then one per distinct x kernel, the output last. All x passes run
  // first, so the y passes then write into the input's buffer.
  const xs = [...new Set(terms.map((t) => t.kernels[0]))];
  const yBuf = 0;
  const outBuf = xs.length + 1;
  const steps: SimdStep[] = xs.map((k, i) => ({ ...simdPass(0, k), from: 0, to: i + 1 }));
  terms.forEach((t, i) => {
    steps.push({ ...simdPass(1, t.kernels[1]), from: xs.indexOf(t.kernels[0]) + 1, to: yBuf });
    steps.push({ ...simdPass(2, t.kernels[2]), from: yBuf, to: outBuf, mode: i === 0 ? 1 : 2, scale: t.scale });
  });
  const program = { buffers: outBuf + 1, steps, result: outBuf };
  return runProgramThreaded(src, dims, program) ?? runProgramSimd(src, dims, program);
}

/**
 * Separable correlation of `src` with one kernel per axis (null = identity on that axis). Returns a
 * new Float32Array; `src` is not modified. Uses at most two full-size Float32 buffers.
 */
export function correlateSeparable(
  src: VoxelArray,
  dims: Vec3,
  kernels: [Float32Array | null, Float32Array | null, Float32Array | null],
): Float32Array {
  const total = dims[0] * dims[1] * dims[2];
  const active: number[] = [];
  for (let a = 0; a < 3; a++) {
    const k = kernels[a];
    if (!k) continue;
    // A length-1 axis under reflect sees a constant line: the result is sum(w) * value.
    if (k.length === 1 || dims[a] === 1) active.push(a + 3);
    else active.push(a);
  }
  if (total >= SIMD_MIN_VOXELS && active.length > 0 && active.every((c) => c < 3)) {
    // The same taps in the same order in f32, four lanes at a time: within float32 rounding of the
    // loops below (which sum in f64).
    const passes = active.map((axis) => simdPass(axis as 0 | 1 | 2, kernels[axis]!));
    // Large volumes: the same kernels on worker threads (Node), bitwise equal to one thread.
    const fast = correlatePassesThreaded(src, dims, passes) ?? correlatePassesSimd(src, dims, passes);
    if (fast) return fast;
  }
  let cur: Float32Array | null = null;
  let spare: Float32Array | null = null;
  const take = (): Float32Array => {
    if (spare) {
      const s = spare;
      spare = null;
      return s;
    }
    return new Float32Array(total);
  };
  for (const code of active) {
    const axis = code % 3;
    const k = kernels[axis]!;
    if (code >= 3) {
      let s = 0;
      for (let i = 0; i < k.length; i++) s += k[i]!;
      const out: Float32Array = cur ?? take();
      const from: ArrayLike<number> = cur ?? (src as ArrayLike<number>);
      for (let i = 0; i < total; i++) out[i] = from[i]! * s;
      cur = out;
      continue;
    }
    const sym = kernelSymmetry(k);
    const out = take();
    if (axis === 0) correlateX(cur ?? src, out, dims, k, sym);
    else {
      if (!cur) {
        cur = src instanceof Float32Array ? src : Float32Array.from(src as ArrayLike<number>);
        if (cur === src) {
          correlateRows(cur, out, dims, axis as 1 | 2, k, sym);
          cur = out;
          continue;
        }
      }
      correlateRows(cur, out, dims, axis as 1 | 2, k, sym);
    }
    if (cur && cur !== src) spare = cur;
    cur = out;
  }
  if (!cur) return Float32Array.from(src as ArrayLike<number>);
  return cur;
}
