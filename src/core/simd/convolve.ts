import type { Vec3, VoxelArray } from '../volume.js';
import { WASM_BASE64, WASM_SHARED_BASE64 } from './convolve-wasm.js';

/**
 * The WebAssembly (128-bit SIMD) path of the separable correlation in core/ops/convolve.ts. The
 * kernels (wasm/convolve.ts, AssemblyScript) sum the same taps in the same order as the scalar
 * JavaScript but in f32, four lanes at a time (the JavaScript sums in f64), so the results agree
 * within float32 rounding (bound in test/core/simd.test.ts); the scalar code stays the
 * fallback wherever WebAssembly SIMD is missing (old browsers, `--no-experimental-wasm-simd`) or the
 * volume does not fit a 32-bit WebAssembly memory.
 *
 * Memory: the volume is copied into the module's memory (two f32 buffers, ping-ponged between the
 * passes) and the result copied out, so a call holds the input, two f32 volumes in WebAssembly and
 * the f32 result (a LoG: four f32 volumes). A memory grown past {@link RELEASE_BYTES} is kept for
 * the next call only until the event loop has been idle for {@link RELEASE_AFTER_MS}, then dropped so
 * that it can be collected: filters that follow each other (a pipeline, LoG scales) reuse its
 * touched pages instead of faulting in fresh ones (~45 ms CPU per 512x512x128 f32 volume here).
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

/**
 * One pass of a {@link SimdProgram}: from volume buffer `from` into `to` (0 holds the input).
 * `mode` 0 (default) stores the f32 result r; 1 stores f32(0 + scale * r); 2 stores
 * f32(to + scale * r), as `out[i] = out[i] + scale * term[i]` on Float32Arrays in JavaScript.
 */
export interface SimdStep extends SimdPass {
  from: number;
  to: number;
  mode?: 0 | 1 | 2;
  scale?: number;
}

/** Passes over `buffers` f32 volumes in one WebAssembly memory; the input is copied into buffer 0. */
export interface SimdProgram {
  buffers: number;
  steps: readonly SimdStep[];
  /** The buffer copied out as the result. */
  result: number;
}

/** Passes applied in order, ping-ponging between two buffers. */
export function passProgram(passes: readonly SimdPass[]): SimdProgram {
  return {
    buffers: 2,
    steps: passes.map((p, i) => ({ ...p, from: i % 2, to: (i + 1) % 2 })),
    result: passes.length % 2,
  };
}

/**
 * Byte layout of a program's memory (16-aligned): the volumes, the weights (f64), then per thread
 * [offA i32][offB i32][acc f64 nx][line f32]. `end` is null when it exceeds a 32-bit memory.
 */
export function programLayout(
  dims: Vec3,
  program: SimdProgram,
  threads: number,
): { volumes: number[]; w: number; scratch: (i: number) => [number, number, number, number]; end: number | null } {
  const [nx, ny, nz] = dims;
  const total = nx * ny * nz;
  let tab = 1;
  let wlen = 1;
  let rmax = 0;
  for (const p of program.steps) {
    tab = Math.max(tab, Math.max(p.r, p.pairs) + 1);
    wlen = Math.max(wlen, p.weights.length);
    rmax = Math.max(rmax, p.r);
  }
  const align = (v: number): number => Math.ceil(v / 16) * 16;
  const volBytes = align(total * 4);
  const volumes = Array.from({ length: program.buffers }, (_, i) => i * volBytes);
  const w = program.buffers * volBytes;
  const scratch0 = align(w + wlen * 8);
  const tabBytes = align(tab * 4);
  const perThread = 2 * tabBytes + align(nx * 8) + align((nx + 2 * rmax) * 4);
  const end = scratch0 + threads * perThread;
  const scratch = (i: number): [number, number, number, number] => {
    const offA = scratch0 + i * perThread;
    const acc = offA + 2 * tabBytes;
    return [offA, offA + tabBytes, acc, acc + align(nx * 8)];
  };
  return { volumes, w, scratch, end: end > MAX_BYTES ? null : end };
}

/**
 * The arguments of one kernel call for `step` over outer lines (x pass: rows) lo <= line < hi with
 * the scratch buffers `sc`.
 */
export function stepArgs(
  step: SimdStep,
  dims: Vec3,
  volumes: readonly number[],
  w: number,
  sc: readonly number[],
  lo: number,
  hi: number,
): number[] {
  const from = volumes[step.from]!;
  const to = volumes[step.to]!;
  const [nx, ny, nz] = dims;
  const [offA, offB, acc, line] = sc as [number, number, number, number];
  const tail = [step.mode ?? 0, step.scale ?? 1];
  return step.axis === 0
    ? [from, to, nx, w, step.r, step.pairs, step.sym, offA, offB, acc, line, lo, hi, ...tail]
    : [from, to, nx, ny, nz, step.axis, w, step.r, step.pairs, step.sym, offA, offB, acc, lo, hi, ...tail];
}

/** Outer lines of a pass: the unit its work is split in between threads. */
export function stepLines(step: SimdStep, dims: Vec3): number {
  return step.axis === 0 ? dims[1] * dims[2] : step.axis === 1 ? dims[2] : dims[1];
}

export interface Kernels {
  /** Outer lines o0 <= o < o1 (z for axis 1, y for axis 2). */
  correlateRows(...args: number[]): void;
  /** Rows row0 <= row < row1 of ny * nz. */
  correlateX(...args: number[]): void;
}

const PAGE = 65_536;
/** Largest memory a 32-bit module can address, less a margin. */
const MAX_BYTES = 4 * 1024 ** 3 - 16 * PAGE;
const RELEASE_BYTES = 256 * 1024 ** 2;
/** How long a large memory outlives the last call (the timer is unref'd in Node). */
export const RELEASE_AFTER_MS = 1000;

/**
 * Runs `drop` once the event loop has been idle for {@link RELEASE_AFTER_MS} after the last call
 * with the same `slot` (one pending timer per slot).
 */
export function releaseLater(slot: { timer?: ReturnType<typeof setTimeout> }, drop: () => void): void {
  if (slot.timer !== undefined) clearTimeout(slot.timer);
  slot.timer = setTimeout(() => {
    slot.timer = undefined;
    drop();
  }, RELEASE_AFTER_MS);
  (slot.timer as { unref?: () => void }).unref?.();
}
const release: { timer?: ReturnType<typeof setTimeout> } = {};

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
 * starts with them off). Off, every op runs the scalar JavaScript; results agree within float32 rounding.
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
  if (passes.length === 0) return null;
  return runProgramSimd(src, dims, passProgram(passes));
}

/** Runs a program on this thread; null as {@link correlatePassesSimd}. */
export function runProgramSimd(src: VoxelArray, dims: Vec3, program: SimdProgram): Float32Array | null {
  if (!enabled || program.steps.length === 0) return null;
  const total = dims[0] * dims[1] * dims[2];
  const { volumes, w, scratch, end } = programLayout(dims, program, 1);
  if (end === null) return null;
  const inst = instance(end);
  if (!inst) return null;
  const { kernels, memory } = inst;
  new Float32Array(memory.buffer, volumes[0], total).set(src as ArrayLike<number>);
  const sc = scratch(0);
  for (const step of program.steps) {
    new Float64Array(memory.buffer, w, step.weights.length).set(step.weights);
    const args = stepArgs(step, dims, volumes, w, sc, 0, stepLines(step, dims));
    if (step.axis === 0) kernels.correlateX(...args);
    else kernels.correlateRows(...args);
  }
  const out = new Float32Array(memory.buffer, volumes[program.result], total).slice();
  if (memory.buffer.byteLength > RELEASE_BYTES)
    releaseLater(release, () => {
      cached = undefined;
    });
  return out;
}
