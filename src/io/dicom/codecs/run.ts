import { MedImgError } from '../../../core/errors.js';
import { throwIfAborted } from '../../../core/progress.js';
import type { DecodedFrame } from './emscripten.js';

/**
 * The codecs: the WebAssembly CharLS, OpenJPEG, libjpeg-turbo (8-bit) and OpenJPH, and the
 * JavaScript JPEG Lossless (jpeg-lossless-decoder-js) and 12-bit JPEG extended (jpeg12.ts).
 */
export type CodecKind = 'JpegLSDecoder' | 'J2KDecoder' | 'JPEGDecoder' | 'HTJ2K' | 'JpegLossless' | 'JpegExtended12';

/** The frame's layout from the DICOM header, which the JPEG Lossless decoder needs (the others read the codestream's). */
export interface FrameLayout {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
}

/** One compressed frame for a codec. */
export interface CodecJob {
  kind: CodecKind;
  /** The frame's codestream (may be a view of the file: a runner that moves it copies it first). */
  bytes: Uint8Array;
  /** Samples the DICOM header declares for the frame (rows x columns x samples per pixel). */
  samples: number;
  /** Required for `JpegLossless`. */
  layout?: FrameLayout;
  signal?: AbortSignal;
}

/** Runs a codec job somewhere: in this thread (the default, and the browser) or a worker (Node). */
export type CodecRunner = (job: CodecJob) => Promise<DecodedFrame>;

const NAMES: Record<CodecKind, string> = {
  JpegLSDecoder: 'JPEG-LS',
  J2KDecoder: 'JPEG 2000',
  JPEGDecoder: 'JPEG',
  HTJ2K: 'HTJ2K',
  JpegLossless: 'JPEG Lossless',
  JpegExtended12: '12-bit JPEG',
};

/** The codec's name for messages. */
export const codecName = (kind: CodecKind): string => NAMES[kind];

/** Decodes in the calling thread (synchronous WebAssembly or JavaScript: cannot be interrupted). */
export async function decodeInThread(kind: CodecKind, bytes: Uint8Array, layout?: FrameLayout): Promise<DecodedFrame> {
  if (kind === 'JpegLossless') {
    if (!layout) throw new MedImgError('INVALID_ARGUMENT', 'A JPEG Lossless frame needs its layout.');
    const { decodeJpegLossless } = await import('./jpeg-lossless.js');
    return decodeJpegLossless(bytes, layout.rows, layout.columns, layout.samplesPerPixel, layout.bitsAllocated);
  }
  if (kind === 'JpegExtended12') return (await import('./jpeg12.js')).decodeJpegGrey(bytes);
  if (kind === 'HTJ2K') {
    const { decodeHtj2k } = await import('./htj2k.js');
    return decodeHtj2k(bytes);
  }
  const { decodeWithEmscripten } = await import('./emscripten.js');
  return decodeWithEmscripten(kind, bytes, NAMES[kind]);
}

/** Loads the codec of `kind` ahead of a decode (a worker does, so that its time limit counts decoding only). */
export async function loadCodec(kind: CodecKind): Promise<void> {
  if (kind === 'JpegLossless') await (await import('./jpeg-lossless.js')).loadJpegLossless();
  else if (kind === 'JpegExtended12') await import('./jpeg12.js');
  else if (kind === 'HTJ2K') await (await import('./htj2k.js')).loadHtj2k();
  else await (await import('./emscripten.js')).loadEmscriptenCodec(kind);
}

const inThread: CodecRunner = (job) => decodeInThread(job.kind, job.bytes, job.layout);
let runner: CodecRunner = inThread;

/** Installs where codecs run (the Node entry installs a worker); `undefined` restores in-thread. */
export function setCodecRunner(r: CodecRunner | undefined): void {
  runner = r ?? inThread;
}

/** Decodes one compressed frame with the installed runner. Throws ABORTED when `signal` is aborted. */
export function runCodec(job: CodecJob): Promise<DecodedFrame> {
  throwIfAborted(job.signal);
  return runner(job);
}

/**
 * How long one compressed frame may take to decode: `baseMs + msPerMegasample x samples / 10^6`
 * milliseconds of CPU time (of the process, while the frame decodes), and at most 10 times that
 * in wall-clock time, so that a busy machine does not fail honest files.
 */
export interface CodecTimeLimit {
  /** Fixed part, milliseconds. Default 2000. */
  baseMs: number;
  /** Per million samples the DICOM header declares for the frame, milliseconds. Default 2000. */
  msPerMegasample: number;
}

/**
 * The default codec time limit: 2 s plus 2 s per megasample (a 512x512 CT frame: 2.5 s; the
 * 2500x2048 CR: 12.2 s). The WebAssembly codecs take at most 0.17 s of CPU per megasample on the
 * real radiographs (bench/codecs.ts), so an honest frame has 10x headroom or more.
 */
export const DEFAULT_CODEC_TIME_LIMIT: Readonly<CodecTimeLimit> = Object.freeze({
  baseMs: 2000,
  msPerMegasample: 2_000,
});

let timeLimit: CodecTimeLimit = { ...DEFAULT_CODEC_TIME_LIMIT };

/**
 * Sets the process-wide time limit of one compressed frame's decode (JPEG baseline, 12-bit JPEG,
 * JPEG Lossless, JPEG-LS, JPEG 2000, HTJ2K; RLE is linear in its input and runs in place). In Node
 * these codecs run in a worker thread, which is terminated (its WebAssembly memory freed) when a
 * frame passes the limit (CPU time; 10x in wall-clock time): the read fails with `CODEC_TIMEOUT`, also
 * when the frame finished before the check came round (the worker reports its decode's cost), so
 * the verdict does not depend on scheduling. Fields left out keep their current value; `undefined` restores the default (2 s + 2 s per megasample). In the browser
 * codecs run in the calling thread and the limit does not apply (run medimg in a Web Worker).
 *
 * @example
 * ```ts
 * import { setCodecTimeLimit } from 'medimg';
 * setCodecTimeLimit({ baseMs: 1000, msPerMegasample: 4000 }); // a server that must answer fast
 * setCodecTimeLimit(undefined); // back to the default
 * ```
 */
export function setCodecTimeLimit(limit: Partial<CodecTimeLimit> | undefined): void {
  if (limit === undefined) {
    timeLimit = { ...DEFAULT_CODEC_TIME_LIMIT };
    return;
  }
  const next = { ...timeLimit, ...limit };
  for (const k of ['baseMs', 'msPerMegasample'] as const) {
    const v = next[k];
    if (!(Number.isFinite(v) && v >= 0)) {
      throw new MedImgError('INVALID_ARGUMENT', `Codec time limit ${k} must be a non-negative number of milliseconds.`);
    }
  }
  if (next.baseMs + next.msPerMegasample === 0) {
    throw new MedImgError('INVALID_ARGUMENT', 'The codec time limit must allow some time.');
  }
  timeLimit = next;
}

/**
 * The codec time limit in force.
 *
 * @example
 * ```ts
 * import { codecTimeLimit } from 'medimg';
 * const { baseMs, msPerMegasample } = codecTimeLimit();
 * ```
 */
export function codecTimeLimit(): CodecTimeLimit {
  return { ...timeLimit };
}

/** Milliseconds a frame of `samples` samples may take under the limit in force. */
export function codecTimeLimitMs(samples: number): number {
  return Math.ceil(timeLimit.baseMs + (timeLimit.msPerMegasample * samples) / 1e6);
}
