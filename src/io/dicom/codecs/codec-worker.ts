// The codec worker thread (Node): decodes one compressed frame per message with the same code as
// the in-thread path, so that the caller's thread can stop it (see worker-pool.ts). Built as its
// own self-contained file beside the package entries (dist/codec-worker.js and .cjs).
import { parentPort } from 'node:worker_threads';
import { isMedImgError } from '../../../core/errors.js';
import { type DecodedFrame, setCodecImporter } from './emscripten.js';
import { type CodecKind, decodeInThread, type FrameLayout, loadCodec } from './run.js';

/** A decode request: the frame's bytes, transferred. */
export interface CodecRequest {
  id: number;
  kind: CodecKind;
  bytes: ArrayBuffer;
  layout?: FrameLayout;
}

/**
 * `started` once the codec is loaded (the time limit starts then), then the result. A decoded frame
 * carries what its decode cost, measured here, so that the caller applies its limit even when the
 * result reaches it before its timer has looked (a busy caller thread handles `started` late).
 */
export type CodecReply =
  | { id: number; started: true }
  | { id: number; ok: true; frame: DecodedFrame; cpuMs: number; wallMs: number }
  | { id: number; ok: false; code: string; message: string; details?: Record<string, unknown> };

// Node finds a package's .wasm beside its script, so the worker uses the WebAssembly builds: the
// same pixels as the JavaScript (wasm2js) builds of the in-thread path, about 6x less CPU (OpenJPEG
// on a 3.1-megapixel J2K frame: 0.27 s against 1.77 s).
setCodecImporter((kind) =>
  kind === 'JpegLSDecoder'
    ? import('@cornerstonejs/codec-charls/decodewasmjs')
    : kind === 'J2KDecoder'
      ? import('@cornerstonejs/codec-openjpeg/decodewasmjs')
      : import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs'),
);

const port = parentPort;
port?.on('message', async (m: CodecRequest) => {
  try {
    await loadCodec(m.kind);
    port.postMessage({ id: m.id, started: true } satisfies CodecReply);
    // process-wide CPU, as the caller's timer counts it: never less than this thread's share
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const frame = await decodeInThread(m.kind, new Uint8Array(m.bytes), m.layout);
    const c = process.cpuUsage(cpu0);
    const cpuMs = (c.user + c.system) / 1000;
    const wallMs = performance.now() - t0;
    // the samples go back transferred: they must own their buffer (codec outputs are fresh copies)
    let data = frame.data;
    if (data.byteOffset !== 0 || data.byteLength !== data.buffer.byteLength) data = data.slice();
    port.postMessage({ id: m.id, ok: true, frame: { ...frame, data }, cpuMs, wallMs } satisfies CodecReply, [
      data.buffer as ArrayBuffer,
    ]);
  } catch (e) {
    port.postMessage({
      id: m.id,
      ok: false,
      code: isMedImgError(e) ? e.code : 'DICOM_DECODE_FAILED',
      message: isMedImgError(e) ? e.message : 'The frame could not be decoded.',
      ...(isMedImgError(e) && e.details ? { details: e.details } : {}),
    } satisfies CodecReply);
  }
});
