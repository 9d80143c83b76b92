import { existsSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { MedImgError, type MedImgErrorCode } from '../../../core/errors.js';
import { startModuleWorker } from '../../../core/module-worker.js';
import type { CodecReply, CodecRequest } from './codec-worker.js';
import type { DecodedFrame } from './emscripten.js';
import { type CodecJob, type CodecRunner, codecName, codecTimeLimitMs, decodeInThread } from './run.js';

// Node: the codecs (WebAssembly and the JavaScript JPEG Lossless and 12-bit JPEG) run in one worker thread, started on first use and reused, so that
// a frame that spins (a corrupt body behind a valid header) can be stopped. Past its time limit,
// or when the caller aborts, the worker is terminated, which frees its WebAssembly memory too, and
// the next frame starts a fresh one. Frames are decoded one at a time, in request order.

/** Starting the worker and loading a codec in it: not something a file can stretch, so generous. */
const LOAD_LIMIT_MS = 60_000;

/** Wall-clock cap of a decode, as a multiple of its (CPU) time limit. */
const WALL_FACTOR = 10;

/** The worker module beside this one: src codec-worker.ts (tsx), dist codec-worker.js / .cjs. */
let located: URL | null | undefined;
function workerUrl(): URL | undefined {
  if (located !== undefined) return located ?? undefined;
  // import.meta.url is empty in the CJS build; __filename is absent in ESM.
  const self = typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);
  const ext = extname(self);
  const file = join(dirname(self), `codec-worker${ext === '.ts' || ext === '.cjs' ? ext : '.js'}`);
  located = existsSync(file) ? pathToFileURL(file) : null;
  return located ?? undefined;
}

interface Pending {
  id: number;
  job: CodecJob;
  resolve(frame: DecodedFrame): void;
  reject(e: MedImgError): void;
  timer?: ReturnType<typeof setTimeout>;
  onAbort?: () => void;
}

let worker: Worker | undefined;
let current: Pending | undefined;
const queue: Pending[] = [];
let nextId = 1;
let started = 0;

/** Workers started so far in this process (a terminated one is replaced on the next frame). */
export function codecWorkersStarted(): number {
  return started;
}

function startWorker(url: URL): Worker {
  const w = startModuleWorker(url);
  started++;
  w.on('message', (m: CodecReply) => {
    if (w === worker) onReply(m);
  });
  const lost = (why: string, cause?: unknown) => {
    if (w !== worker) return; // terminated on purpose
    worker = undefined;
    if (current) {
      finish(current, undefined, new MedImgError('DICOM_DECODE_FAILED', `The codec worker ${why}.`, { cause }));
    }
  };
  w.on('error', (e) => lost('failed', e));
  w.on('exit', (code) => lost(`exited (${code})`));
  w.unref();
  return w;
}

function stopWorker(): void {
  const w = worker;
  worker = undefined;
  // terminate() resolves when the thread is gone; its heap goes with it
  w?.terminate().catch(() => undefined);
}

function onReply(m: CodecReply): void {
  const p = current;
  if (!p || m.id !== p.id) return;
  if ('started' in m) {
    clearTimeout(p.timer);
    const ms = codecTimeLimitMs(p.job.samples);
    // The limit counts CPU time, not wall time: on a loaded machine an honest frame may wait for a
    // core far longer than it computes, and a spinning codec is what burns CPU. process.cpuUsage()
    // is the whole process (this thread, the worker and any other), so it never undercounts the
    // worker; a wall-clock cap of WALL_FACTOR x the limit bounds the rest.
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const check = () => {
      const wall = performance.now() - t0;
      const c = process.cpuUsage(cpu0);
      const cpu = (c.user + c.system) / 1000;
      if (cpu < ms && wall < WALL_FACTOR * ms) {
        p.timer = setTimeout(check, Math.max(20, Math.min(ms - cpu, WALL_FACTOR * ms - wall)));
        return;
      }
      stopWorker();
      finish(p, undefined, timeout(p, ms, cpu, wall));
    };
    p.timer = setTimeout(check, ms);
    return;
  }
  if (m.ok) {
    // the timer's own verdict for a frame that finished before the timer looked (its result may be
    // queued right behind 'started' when this thread is busy): the timer looks after `ms` of wall
    // time, so a decode shorter than that passes whatever other threads burnt meanwhile
    const ms = codecTimeLimitMs(p.job.samples);
    const over = m.wallMs >= ms && (m.cpuMs >= ms || m.wallMs >= WALL_FACTOR * ms);
    if (over) finish(p, undefined, timeout(p, ms, m.cpuMs, m.wallMs));
    else finish(p, m.frame);
  } else
    finish(
      p,
      undefined,
      new MedImgError(m.code as MedImgErrorCode, m.message, m.details ? { details: m.details } : undefined),
    );
}

function timeout(p: Pending, ms: number, cpu: number, wall: number): MedImgError {
  return new MedImgError(
    'CODEC_TIMEOUT',
    `The ${codecName(p.job.kind)} frame took more than its ${ms} ms limit to decode (a corrupt or hostile file?); the codec was stopped.`,
    { details: { limitMs: ms, cpuMs: Math.round(cpu), wallMs: Math.round(wall) } },
  );
}

function finish(p: Pending, frame: DecodedFrame | undefined, error?: MedImgError): void {
  clearTimeout(p.timer);
  if (p.onAbort) p.job.signal?.removeEventListener('abort', p.onAbort);
  if (current === p) current = undefined;
  else {
    const i = queue.indexOf(p);
    if (i >= 0) queue.splice(i, 1);
  }
  if (error) p.reject(error);
  else p.resolve(frame!);
  pump();
}

function pump(): void {
  if (current) return;
  const p = queue.shift();
  if (!p) {
    worker?.unref();
    return;
  }
  current = p;
  const url = workerUrl()!;
  worker ??= startWorker(url);
  worker.ref();
  // a copy the worker owns (the frame is often a view of the whole file, which must stay here);
  // not .slice(): on a Node Buffer that is a view, and transferring it would detach the caller's file
  const bytes = new Uint8Array(p.job.bytes);
  p.timer = setTimeout(() => {
    stopWorker();
    finish(p, undefined, new MedImgError('CODEC_TIMEOUT', 'The codec worker did not start in time.'));
  }, LOAD_LIMIT_MS);
  worker.postMessage(
    {
      id: p.id,
      kind: p.job.kind,
      bytes: bytes.buffer,
      ...(p.job.layout ? { layout: { ...p.job.layout } } : {}),
    } satisfies CodecRequest,
    [bytes.buffer],
  );
}

function aborted(p: Pending): void {
  if (current === p) stopWorker();
  finish(p, undefined, new MedImgError('ABORTED', 'The operation was aborted.', { cause: p.job.signal?.reason }));
}

/**
 * The Node codec runner: frames decode in a worker thread with a time limit
 * ({@link setCodecTimeLimit}) and stop on abort. Where the worker module is not beside this one
 * (medimg's sources re-bundled into one file), frames decode in the calling thread instead.
 */
export function workerCodecRunner(): CodecRunner {
  return (job) => {
    if (!workerUrl()) return decodeInThread(job.kind, job.bytes, job.layout);
    return new Promise<DecodedFrame>((resolve, reject) => {
      const p: Pending = { id: nextId++, job, resolve, reject };
      if (job.signal) {
        p.onAbort = () => aborted(p);
        job.signal.addEventListener('abort', p.onAbort, { once: true });
      }
      queue.push(p);
      pump();
    });
  };
}
