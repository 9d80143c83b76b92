import { MedImgError } from '../../../core/errors.js';

/** What a codec returns: samples interleaved, unsigned unless `signed`. */
export interface DecodedFrame {
  data: Uint8Array | Uint16Array | Int16Array | Uint32Array;
  width: number;
  height: number;
  components: number;
  bitsPerSample: number;
  signed: boolean;
}

type Kind = 'JpegLSDecoder' | 'J2KDecoder' | 'JPEGDecoder';

const modules = new Map<Kind, Promise<EmscriptenCodecModule>>();

// Dynamic imports keep the codecs out of the way of users who never meet compressed data; bundlers
// split them into their own chunks. The `decode` builds are self-contained (no .wasm file to locate).
function load(kind: Kind): Promise<EmscriptenCodecModule> {
  let p = modules.get(kind);
  if (!p) {
    p = (async () => {
      const m =
        kind === 'JpegLSDecoder'
          ? await import('@cornerstonejs/codec-charls/decode')
          : kind === 'J2KDecoder'
            ? await import('@cornerstonejs/codec-openjpeg/decode')
            : await import('@cornerstonejs/codec-libjpeg-turbo-8bit/decode');
      const factory = (m.default ?? m) as unknown as EmscriptenCodecFactory;
      return factory({ print: () => {}, printErr: () => {} });
    })();
    p.catch(() => modules.delete(kind));
    modules.set(kind, p);
  }
  return p;
}

/** Runs one of the emscripten codecs (CharLS, OpenJPEG, libjpeg-turbo) on one frame. */
export async function decodeWithEmscripten(kind: Kind, bytes: Uint8Array, name: string): Promise<DecodedFrame> {
  let mod: EmscriptenCodecModule;
  try {
    mod = await load(kind);
  } catch (e) {
    throw new MedImgError('DICOM_UNSUPPORTED_TRANSFER_SYNTAX', `The ${name} codec could not be loaded here.`, {
      cause: e,
    });
  }
  const decoder = new mod[kind]();
  try {
    decoder.getEncodedBuffer(bytes.length).set(bytes);
    decoder.decode();
    const fi = decoder.getFrameInfo();
    const raw = decoder.getDecodedBuffer();
    const bits = fi.bitsPerSample;
    const n = fi.width * fi.height * fi.componentCount;
    if (bits <= 8) {
      if (raw.length < n) throw new Error('short output');
      let data: Uint8Array = raw.slice(0, n);
      if (
        kind === 'JpegLSDecoder' &&
        fi.componentCount > 1 &&
        (decoder as { getInterleaveMode(): number }).getInterleaveMode() === 0
      ) {
        data = interleave(data, fi.width * fi.height, fi.componentCount) as Uint8Array;
      }
      return {
        data,
        width: fi.width,
        height: fi.height,
        components: fi.componentCount,
        bitsPerSample: bits,
        signed: !!fi.isSigned,
      };
    }
    if (raw.length < 2 * n) throw new Error('short output');
    const copy = raw.slice(0, 2 * n);
    let data: Uint16Array | Int16Array = fi.isSigned
      ? new Int16Array(copy.buffer, 0, n)
      : new Uint16Array(copy.buffer, 0, n);
    if (
      kind === 'JpegLSDecoder' &&
      fi.componentCount > 1 &&
      (decoder as { getInterleaveMode(): number }).getInterleaveMode() === 0
    ) {
      data = interleave(data, fi.width * fi.height, fi.componentCount) as Uint16Array;
    }
    return {
      data,
      width: fi.width,
      height: fi.height,
      components: fi.componentCount,
      bitsPerSample: bits,
      signed: !!fi.isSigned,
    };
  } catch (e) {
    if (e instanceof MedImgError) throw e;
    // an emscripten abort leaves the instance unusable: start a fresh one next time
    modules.delete(kind);
    throw new MedImgError('DICOM_DECODE_FAILED', `The ${name} frame could not be decoded.`, { cause: e });
  } finally {
    try {
      decoder.delete();
    } catch {
      // already freed
    }
    // WASM memory never shrinks: after a large frame, drop the instance so the heap can be collected
    if ((mod.HEAPU8?.buffer.byteLength ?? 0) > MAX_RETAINED_HEAP) modules.delete(kind);
  }
}

/** Heap size past which a codec instance is dropped after use (a fresh one starts at a few MiB). */
const MAX_RETAINED_HEAP = 256 * 1024 ** 2;

function interleave<T extends Uint8Array | Uint16Array | Int16Array>(planar: T, n: number, c: number): T {
  const out = new (planar.constructor as { new (len: number): T })(planar.length);
  for (let k = 0; k < c; k++) for (let i = 0; i < n; i++) out[i * c + k] = planar[k * n + i]!;
  return out;
}
