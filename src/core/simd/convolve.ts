import type { Vec3, VoxelArray } from '../volume.js';
import { WASM_BASE64, WASM_SHARED_BASE64 } from './convolve-wasm.js';

/**
 * The WebAssembly (128-bit SIMD) path of the separable correlation in core/ops/convolve.ts. The
 * kernels (wasm/convolve.ts, AssemblyScript) do the same f64 sums in the same order as the scalar
 * JavaScript, two lanes at a time, so the result is bitwise identical; the scalar code stays the
 * fallback wherever WebAssembly SIMD is missing (old browsers, `--no-experimental-wasm-simd`) or the
 * volume does not fit a 32-bit WebAssembly memory.
 *
 * Memory: the volume is copied into the module's memory (two f32 buffers, ping-ponged between the
 * passes) and the result copied out, so a call holds the input, two f32 volumes in WebAssembly and
 * the f32 result. After a call that grew the memory past {@link RELEASE_BYTES} the instance is
 * dropped so that the memory can be collected.
 */

/** One 1D correlation pass along an axis, with the weights as core/ops/convolve.ts prepares them. */
export interface SimdPass {
  axis: 0 | 1 | 2;
  /** 1 symmetric, -1 antisymmetric, 0 general. */
  sym: -1 | 0 | 1;
  /** Kernel radius. */
  r: number;
  /** Padded tap-pair count (symmetric kernels). */
  pairs: number;
  /** Padded weights at +j (sym != 0) or all weights w[-r..r] (sym = 0), as doubles. */
  weights: Float64Array;
}

export interface Kernels {
  /** Outer lines o0 <= o < o1 (z for axis 1, y for axis 2). */
  correlateRows(
    src: number,
    dst: number,
    nx: number,
    ny: number,
    nz: number,
    axis: number,
    w: number,
    r: number,
    pairs: number,
    sym: number,
    offA: number,
    offB: number,
    acc: number,
    o0: number,
    o1: number,
  ): void;
  /** Rows row0 <= row < row1 of ny * nz. */
  correlateX(
    src: number,
    dst: number,
    nx: number,
    w: number,
    r: number,
    pairs: number,
    sym: number,
    offA: number,
    offB: number,
    acc: number,
    line: number,
    row0: number,
    row1: number,
  ): void;
}

const PAGE = 65_536;
/** Largest memory a 32-bit module can address, less a margin. */
const MAX_BYTES = 4 * 1024 ** 3 - 16 * PAGE;
const RELEASE_BYTES = 256 * 1024 ** 2;

let compiled: WebAssembly.Module | null | undefined;
let cached: { kernels: Kernels; memory: WebAssembly.Memory } | undefined;
let enabled = !(typeof process !== 'undefined' && process.env?.MEDIMG_SIMD === '0');

let compiledShared: WebAssembly.Module | null | undefined;

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Compiles the module once; null when this engine has no WebAssembly SIMD. */
function module(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    // 3 KB: small enough for a synchronous compile even on a browser's main thread.
    compiled = new WebAssembly.Module(decodeBase64(WASM_BASE64) as BufferSource);
  } catch {
    compiled = null;
  }
  return compiled;
}

/**
 * Turns the WebAssembly SIMD kernels on or off (default on; `MEDIMG_SIMD=0` in the environment
 * starts with them off). Off, every op runs the scalar JavaScript; results are identical either way.
 *
 * @example
 * ```ts
 * setSimdEnabled(false); // e.g. to compare timings
 * ```
 */
export function setSimdEnabled(on: boolean): void {
  enabled = on;
}

/**
 * The kernels compiled for a shared memory (worker threads), when the SIMD kernels are on and this
 * engine has WebAssembly SIMD and threads; compiled on first use only.
 */
export function simdSharedModule(): WebAssembly.Module | null {
  if (!enabled || !module()) return null;
  if (compiledShared === undefined) {
    try {
      compiledShared = new WebAssembly.Module(decodeBase64(WASM_SHARED_BASE64) as BufferSource);
    } catch {
      compiledShared = null;
    }
  }
  return compiledShared;
}

/** Whether the SIMD kernels are on and this engine can run them. */
export function simdAvailable(): boolean {
  return enabled && module() !== null;
}

function instance(bytes: number): { kernels: Kernels; memory: WebAssembly.Memory } | null {
  const mod = module();
  if (!mod) return null;
  const pages = Math.ceil(bytes / PAGE);
  if (cached && cached.memory.buffer.byteLength < pages * PAGE) {
    try {
      cached.memory.grow(pages - cached.memory.buffer.byteLength / PAGE);
    } catch {
      cached = undefined;
    }
  }
  if (!cached) {
    try {
      const memory = new WebAssembly.Memory({ initial: pages, maximum: MAX_BYTES / PAGE });
      const inst = new WebAssembly.Instance(mod, { env: { memory } });
      cached = { kernels: inst.exports as unknown as Kernels, memory };
    } catch {
      return null; // not enough memory for this volume: the caller falls back to JavaScript
    }
  }
  return cached;
}

/**
 * Runs the passes in order on `src` (any voxel array, read as f32) and returns the f32 result, or
 * null when the SIMD path is off, unavailable or the volume too large for it.
 */
export function correlatePassesSimd(src: VoxelArray, dims: Vec3, passes: readonly SimdPass[]): Float32Array | null {
  if (!enabled || passes.length === 0) return null;
  const [nx, ny, nz] = dims;
  const total = nx * ny * nz;
  let tab = 1;
  let wlen = 1;
  let rmax = 0;
  for (const p of passes) {
    tab = Math.max(tab, Math.max(p.r, p.pairs) + 1);
    wlen = Math.max(wlen, p.weights.length);
    rmax = Math.max(rmax, p.r);
  }
  // Layout (bytes, 16-aligned): [a: f32 volume][b: f32 volume][weights f64][offA i32][offB i32][acc f64 nx][line f32]
  const align = (n: number): number => Math.ceil(n / 16) * 16;
  const a = 0;
  const b = align(a + total * 4);
  const w = align(b + total * 4);
  const offA = align(w + wlen * 8);
  const offB = align(offA + tab * 4);
  const acc = align(offB + tab * 4);
  const line = align(acc + nx * 8);
  const end = align(line + (nx + 2 * rmax) * 4);
  if (end > MAX_BYTES) return null;
  const inst = instance(end);
  if (!inst) return null;
  const { kernels, memory } = inst;
  new Float32Array(memory.buffer, a, total).set(src as ArrayLike<number>);
  let from = a;
  let to = b;
  for (const p of passes) {
    new Float64Array(memory.buffer, w, p.weights.length).set(p.weights);
    if (p.axis === 0) kernels.correlateX(from, to, nx, w, p.r, p.pairs, p.sym, offA, offB, acc, line, 0, ny * nz);
    else {
      const outer = p.axis === 1 ? nz : ny;
      kernels.correlateRows(from, to, nx, ny, nz, p.axis, w, p.r, p.pairs, p.sym, offA, offB, acc, 0, outer);
    }
    [from, to] = [to, from];
  }
  const out = new Float32Array(memory.buffer, from, total).slice();
  if (memory.buffer.byteLength > RELEASE_BYTES) cached = undefined;
  return out;
}
