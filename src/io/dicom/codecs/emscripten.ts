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

/**
 * What the codec printed during the decode in progress (decodes are synchronous, so one list).
 * OpenJPEG reports a failed tile or header on stdout as `[ERROR] ...` and still returns normally,
 * leaving the previous frame's pixels in its output buffer: those lines are what tells us.
 */
let codecLog: string[] | undefined;

/** The `print`/`printErr` every emscripten codec module is created with (see {@link decodeReporting}). */
export const CODEC_PRINTERS = {
  print(line: string): void {
    if (codecLog && /^\[ERROR\]/.test(line)) codecLog.push(line);
  },
  printErr(line: string): void {
    codecLog?.push(line);
  },
};

/** Runs `decode` and returns the error lines the codec printed meanwhile (stderr, and `[ERROR]` on stdout). */
export function decodeReporting(decode: () => void): string[] {
  const reported: string[] = [];
  codecLog = reported;
  try {
    decode();
  } finally {
    codecLog = undefined;
  }
  return reported;
}

/** Imports a codec package's module factory. */
export type CodecImporter = (kind: Kind) => Promise<unknown>;

// Dynamic imports keep the codecs out of the way of users who never meet compressed data; bundlers
// split them into their own chunks. The `decode` builds are self-contained JavaScript (wasm2js: no
// .wasm file to locate), which is what a page's bundle can carry without configuration.
let importCodec: CodecImporter = (kind) =>
  kind === 'JpegLSDecoder'
    ? import('@cornerstonejs/codec-charls/decode')
    : kind === 'J2KDecoder'
      ? import('@cornerstonejs/codec-openjpeg/decode')
      : import('@cornerstonejs/codec-libjpeg-turbo-8bit/decode');

/**
 * Replaces how the codec packages are imported (the Node codec worker loads their WebAssembly
 * builds, which decode the same pixels several times faster); modules already loaded are dropped.
 */
export function setCodecImporter(importer: CodecImporter): void {
  importCodec = importer;
  modules.clear();
}

function load(kind: Kind): Promise<EmscriptenCodecModule> {
  let p = modules.get(kind);
  if (!p) {
    p = (async () => {
      const m = (await importCodec(kind)) as { default?: unknown };
      const factory = (m.default ?? m) as EmscriptenCodecFactory;
      return factory({ ...CODEC_PRINTERS });
    })();
    p.catch(() => modules.delete(kind));
    modules.set(kind, p);
  }
  return p;
}

/** Loads (and keeps) the codec module of `kind`; what fails here fails again, coded, in the decode. */
export async function loadEmscriptenCodec(kind: Kind): Promise<void> {
  await load(kind).catch(() => undefined);
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
    const reported = decodeReporting(() => decoder.decode());
    if (reported.length) throw codecReported(name, reported);
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

/** DICOM_DECODE_FAILED for a frame the codec reported an error on (its first line in details: no patient data). */
export function codecReported(name: string, lines: string[]): MedImgError {
  return new MedImgError('DICOM_DECODE_FAILED', `The ${name} frame is corrupt (the codec reported an error).`, {
    details: { codecMessage: lines[0]!.slice(0, 200) },
  });
}

/** Heap size past which a codec instance is dropped after use (a fresh one starts at a few MiB). */
const MAX_RETAINED_HEAP = 256 * 1024 ** 2;

function interleave<T extends Uint8Array | Uint16Array | Int16Array>(planar: T, n: number, c: number): T {
  const out = new (planar.constructor as { new (len: number): T })(planar.length);
  for (let k = 0; k < c; k++) for (let i = 0; i < n; i++) out[i * c + k] = planar[k * n + i]!;
  return out;
}
