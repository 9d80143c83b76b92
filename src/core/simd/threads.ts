import { assertArg } from '../errors.js';
import type { Vec3, VoxelArray } from '../volume.js';
import {
  type Kernels,
  passProgram,
  programLayout,
  releaseLater,
  type SimdPass,
  type SimdProgram,
  simdSharedModule,
  stepArgs,
  stepLines,
} from './convolve.js';
import { THREAD_WORKER_SOURCE } from './thread-worker.js';

/**
 * Worker threads for the separable correlation of large volumes (Node only). The kernels are
 * compiled for a shared WebAssembly memory holding the two f32 volumes (as the single-threaded
 * path, no extra copy); each pass is cut into slabs along its outer loop (x pass: rows; y pass: z;
 * z pass: y), the calling thread computing the first slab and the workers the others, each with its
 * own scratch buffers. Every output voxel gets the same sums in the same order as on one thread, so
 * results are bitwise identical whatever the thread count. The calling thread blocks
 * (Atomics.wait) until the workers are done, so the ops stay synchronous.
 *
 * Browsers keep the single-threaded path: blocking their main thread is not allowed and a
 * SharedArrayBuffer needs a cross-origin-isolated page; a page that wants parallelism runs whole
 * tasks in its own workers.
 */

/** Below this many voxels the copies and the hand-off cost more than a second core saves. */
const DEFAULT_MIN_VOXELS = 4_000_000;
/** More threads than this gain little: the passes are memory bound. */
const MAX_THREADS = 8;
/** How long an op waits for starting workers before it runs on the calling thread alone. */
const READY_WAIT_MS = 5_000;
/** A worker that takes longer than this over one slab is taken as lost (the op then runs here). */
const SLAB_TIMEOUT_MS = 10 * 60_000;

interface WorkerLike {
  postMessage(value: unknown): void;
  unref(): void;
  terminate(): unknown;
  on(event: string, listener: (...args: unknown[]) => void): void;
}
type WorkerCtor = new (source: string, options: { eval: true; workerData: unknown }) => WorkerLike;

interface NodeBuiltins {
  getBuiltinModule?: (id: string) => unknown;
  env?: Record<string, string | undefined>;
}

const nodeProcess = (globalThis as { process?: NodeBuiltins }).process;

function parseThreads(v: string | undefined): number | 'auto' {
  if (v === undefined || v === '' || v === 'auto') return 'auto';
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 ? n : 'auto';
}

let requested: number | 'auto' = parseThreads(nodeProcess?.env?.MEDIMG_THREADS);
let minVoxels = DEFAULT_MIN_VOXELS;
interface Pool {
  workers: WorkerLike[];
  /** Counts the workers that have started. */
  ready: Int32Array;
}
let pool: Pool | null = null;
let broken: string | null = null;
let threadedRuns = 0;

function disable(reason: string): void {
  broken ??= reason;
  stopPool();
}

/**
 * How many separable filters ran on the worker threads so far, and why threads were turned off if
 * they were (for tests and benches).
 */
export function threadStats(): { runs: number; disabled: string | null } {
  return { runs: threadedRuns, disabled: broken };
}

/** Options of {@link setThreads}. */
export interface SetThreadsOptions {
  /** Volumes with fewer voxels run on the calling thread. Default 4 000 000 (measured: bench/ops.ts). */
  minVoxels?: number;
}

/**
 * Sets how many threads the separable filters (Gaussian, LoG, gradient magnitude) use on large
 * volumes in Node: `'auto'` (default) uses `os.availableParallelism()` (at most 8), 0 or 1 keeps
 * everything on the calling thread. `MEDIMG_THREADS` in the environment sets the starting value
 * (`MEDIMG_THREADS=1` turns the workers off). Workers start on the first large op, are unref'd
 * (they never keep the process alive) and stay for the next op. Results are bitwise identical
 * with any thread count. Browsers always run single-threaded.
 *
 * @example
 * ```ts
 * import { setThreads } from 'medimg/ops';
 * setThreads(1); // no worker threads
 * setThreads('auto', { minVoxels: 2_000_000 });
 * ```
 */
export function setThreads(threads: number | 'auto', options: SetThreadsOptions = {}): void {
  assertArg(
    threads === 'auto' || (Number.isInteger(threads) && threads >= 0),
    "threads must be an integer >= 0 or 'auto'.",
  );
  const min = options.minVoxels;
  assertArg(min === undefined || (Number.isFinite(min) && min >= 0), 'minVoxels must be a number >= 0.');
  requested = threads;
  if (min !== undefined) minVoxels = min;
  if (pool && pool.workers.length !== threadCount() - 1) stopPool();
}

/** Threads the separable filters use on a large volume now (1: the calling thread only). */
export function threadCount(): number {
  if (broken || !nodeProcess?.getBuiltinModule) return 1;
  if (requested !== 'auto') return Math.max(1, Math.min(MAX_THREADS, requested));
  const os = nodeProcess.getBuiltinModule('node:os') as { availableParallelism?: () => number } | undefined;
  const n = os?.availableParallelism?.() ?? 1;
  return Math.max(1, Math.min(MAX_THREADS, n));
}

function stopPool(): void {
  if (!pool) return;
  for (const w of pool.workers) void w.terminate();
  pool = null;
}

/** Starts the workers (once) and waits until all have loaded the kernels; null if they cannot start. */
function ensurePool(n: number, wasm: WebAssembly.Module): Pool | null {
  if (!pool || pool.workers.length !== n) {
    stopPool();
    const wt = nodeProcess?.getBuiltinModule?.('node:worker_threads') as { Worker?: WorkerCtor } | undefined;
    if (!wt?.Worker) {
      disable('node:worker_threads is unavailable');
      return null;
    }
    const ready = new Int32Array(new SharedArrayBuffer(4));
    const workers: WorkerLike[] = [];
    try {
      for (let i = 0; i < n; i++) {
        const w = new wt.Worker(THREAD_WORKER_SOURCE, { eval: true, workerData: { wasm, ready: ready.buffer } });
        // A worker that dies is not retried: the ops run on the calling thread from then on.
        w.on('error', (e) => disable(`a worker failed: ${e instanceof Error ? e.message : String(e)}`));
        w.unref();
        workers.push(w);
      }
    } catch (e) {
      for (const w of workers) void w.terminate();
      disable(`workers cannot start: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
    pool = { workers, ready };
  }
  // A slow start (a loaded machine) is not a failure: this op then runs here, a later one on all.
  const deadline = Date.now() + READY_WAIT_MS;
  for (let v = Atomics.load(pool.ready, 0); v < n; v = Atomics.load(pool.ready, 0)) {
    const left = deadline - Date.now();
    if (left <= 0) return null;
    Atomics.wait(pool.ready, 0, v, left);
  }
  return pool;
}

const PAGE = 65_536;
/** The shared variant's declared maximum (pages): the 32-bit limit less a margin. */
const MAX_PAGES = 65_520;
/** A shared memory grown past this is dropped (it cannot shrink) once idle, see releaseLater. */
const RELEASE_BYTES = 256 * 1024 ** 2;
const release: { timer?: ReturnType<typeof setTimeout> } = {};
let shared: { memory: WebAssembly.Memory; kernels: Kernels } | undefined;

/** The shared memory, grown to `bytes`, with this thread's instance on it; null if out of memory. */
function sharedInstance(
  wasm: WebAssembly.Module,
  bytes: number,
): { memory: WebAssembly.Memory; kernels: Kernels } | null {
  const pages = Math.ceil(bytes / PAGE);
  if (pages > MAX_PAGES) return null;
  if (shared && shared.memory.buffer.byteLength < pages * PAGE) {
    try {
      shared.memory.grow(pages - shared.memory.buffer.byteLength / PAGE);
    } catch {
      shared = undefined;
    }
  }
  if (!shared) {
    try {
      const memory = new WebAssembly.Memory({ initial: pages, maximum: MAX_PAGES, shared: true });
      const inst = new WebAssembly.Instance(wasm, { env: { memory } });
      shared = { memory, kernels: inst.exports as unknown as Kernels };
    } catch {
      return null;
    }
  }
  return shared;
}

/**
 * The passes of correlatePassesSimd with each pass cut into slabs along its outer loop, one per
 * thread (this thread takes the first), on one shared WebAssembly memory; null when threads are
 * off, the volume is below the threshold, or the workers or the memory are unavailable (the caller
 * then runs single-threaded from the untouched `src`).
 */
export function correlatePassesThreaded(src: VoxelArray, dims: Vec3, passes: readonly SimdPass[]): Float32Array | null {
  if (passes.length === 0) return null;
  return runProgramThreaded(src, dims, passProgram(passes));
}

/** Runs a program (see runProgramSimd) on the threads; null as {@link correlatePassesThreaded}. */
export function runProgramThreaded(src: VoxelArray, dims: Vec3, program: SimdProgram): Float32Array | null {
  const n = threadCount();
  const total = dims[0] * dims[1] * dims[2];
  if (n < 2 || total < minVoxels || program.steps.length === 0) return null;
  const wasm = simdSharedModule();
  if (!wasm) return null;
  const p = ensurePool(n - 1, wasm);
  if (!p) return null;
  const { volumes, w, scratch, end } = programLayout(dims, program, n);
  if (end === null) return null;
  const inst = sharedInstance(wasm, end);
  if (!inst) return null;
  const { memory, kernels } = inst;
  new Float32Array(memory.buffer, volumes[0], total).set(src as ArrayLike<number>);
  const ctl = new Int32Array(new SharedArrayBuffer(8));
  for (const q of program.steps) {
    new Float64Array(memory.buffer, w, q.weights.length).set(q.weights);
    const lines = stepLines(q, dims);
    const parts = Math.min(n, lines);
    const argsOf = (i: number): number[] =>
      stepArgs(q, dims, volumes, w, scratch(i), Math.floor((i * lines) / parts), Math.floor(((i + 1) * lines) / parts));
    const fn = q.axis === 0 ? 'x' : 'rows';
    Atomics.store(ctl, 0, 0);
    Atomics.store(ctl, 1, 0);
    for (let i = 1; i < parts; i++) p.workers[i - 1]!.postMessage({ memory, ctl: ctl.buffer, fn, args: argsOf(i) });
    if (q.axis === 0) kernels.correlateX(...argsOf(0));
    else kernels.correlateRows(...argsOf(0));
    for (let v = Atomics.load(ctl, 0); v < parts - 1; v = Atomics.load(ctl, 0)) {
      if (Atomics.wait(ctl, 0, v, SLAB_TIMEOUT_MS) === 'timed-out') {
        disable('a worker did not finish its slab');
        shared = undefined; // a lost worker may still write into it
        return null;
      }
    }
    if (Atomics.load(ctl, 1) !== 0) {
      shared = undefined;
      return null; // a worker failed: the caller runs single-threaded
    }
  }
  const out = new Float32Array(memory.buffer, volumes[program.result], total).slice();
  threadedRuns++;
  if (memory.buffer.byteLength > RELEASE_BYTES)
    releaseLater(release, () => {
      shared = undefined;
    });
  return out;
}
