import { MedImgError } from '../../../core/errors.js';
import { CODEC_PRINTERS, codecReported, type DecodedFrame, decodeReporting } from './emscripten.js';

// High-Throughput JPEG 2000 (ISO/IEC 15444-15; DICOM transfer syntaxes 1.2.840.10008.1.2.4.201-203)
// through OpenJPH's WebAssembly build, @cornerstonejs/codec-openjph. Unlike the other codec
// packages it ships its .wasm as a separate file: Node loads it from beside the package's script;
// browser bundles inline it (build/browser-shims.ts gives it esbuild's binary loader), so a page
// needs no file to serve and nothing is fetched.

let module: Promise<OpenJphModule> | undefined;

const IS_NODE = typeof process === 'object' && typeof process.versions?.node === 'string';

function load(): Promise<OpenJphModule> {
  if (!module) {
    const p = (async () => {
      const m = await import('@cornerstonejs/codec-openjph');
      const factory = (m.default ?? m) as unknown as OpenJphFactory;
      const options: Record<string, unknown> = { ...CODEC_PRINTERS };
      if (!IS_NODE) options.wasmBinary = (await import('@cornerstonejs/codec-openjph/wasm')).default;
      return factory(options);
    })();
    p.catch(() => {
      if (module === p) module = undefined;
    });
    module = p;
  }
  return module;
}

/** Loads (and keeps) the codec module; what fails here fails again, coded, in the decode. */
export async function loadHtj2k(): Promise<void> {
  await load().catch(() => undefined);
}

/** Heap size past which the instance is dropped after use (WASM memory never shrinks). */
const MAX_RETAINED_HEAP = 256 * 1024 ** 2;

/**
 * Decodes one HTJ2K codestream (full resolution). Samples come back interleaved, with OpenJPH's
 * inverse colour transform applied when the codestream used one (so YBR_RCT/ICT frames are RGB).
 * Throws DICOM_UNSUPPORTED_TRANSFER_SYNTAX when the codec cannot load, DICOM_DECODE_FAILED when the
 * codestream is corrupt.
 */
export async function decodeHtj2k(bytes: Uint8Array): Promise<DecodedFrame> {
  let mod: OpenJphModule;
  try {
    mod = await load();
  } catch (e) {
    throw new MedImgError('DICOM_UNSUPPORTED_TRANSFER_SYNTAX', 'The HTJ2K codec could not be loaded here.', {
      cause: e,
    });
  }
  const decoder = new mod.HTJ2KDecoder();
  try {
    decoder.getEncodedBuffer(bytes.length).set(bytes);
    const reported = decodeReporting(() => decoder.decode());
    if (reported.length) throw codecReported('HTJ2K', reported);
    const fi = decoder.getFrameInfo();
    const raw = decoder.getDecodedBuffer();
    const n = fi.width * fi.height * fi.componentCount;
    const bytesPerSample = fi.bitsPerSample <= 8 ? 1 : 2;
    if (fi.bitsPerSample > 16 || raw.length < n * bytesPerSample) throw new Error('short or unsupported output');
    // copy out of the WASM heap: the view dies with the decoder
    const copy = raw.slice(0, n * bytesPerSample);
    const data =
      bytesPerSample === 1
        ? copy
        : fi.isSigned
          ? new Int16Array(copy.buffer, 0, n)
          : new Uint16Array(copy.buffer, 0, n);
    return {
      data,
      width: fi.width,
      height: fi.height,
      components: fi.componentCount,
      bitsPerSample: fi.bitsPerSample,
      signed: !!fi.isSigned,
    };
  } catch (e) {
    if (e instanceof MedImgError) throw e;
    // an emscripten abort leaves the instance unusable: start a fresh one next time
    module = undefined;
    throw new MedImgError('DICOM_DECODE_FAILED', 'The HTJ2K frame could not be decoded.', { cause: e });
  } finally {
    try {
      decoder.delete();
    } catch {
      // already freed
    }
    if ((mod.HEAPU8?.buffer.byteLength ?? 0) > MAX_RETAINED_HEAP) module = undefined;
  }
}

interface OpenJphDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned: boolean };
  delete(): void;
}
interface OpenJphModule {
  HTJ2KDecoder: new () => OpenJphDecoder;
  HEAPU8?: Uint8Array;
}
type OpenJphFactory = (options?: Record<string, unknown>) => Promise<OpenJphModule>;
