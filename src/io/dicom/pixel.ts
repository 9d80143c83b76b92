import { MedImgError } from '../../core/errors.js';
import type { DecodedFrame } from './codecs/emscripten.js';
import { checkDecodedSize, checkFrameCodestream } from './codecs/codestream.js';
import { decodeRle } from './codecs/rle.js';
import { runCodec } from './codecs/run.js';
import { type DicomDataset, type DicomElement, readNumber, readText, readUint16, tag } from './ds-model.js';
import type { ParsedDicom } from './ds-parse.js';
import { HTJ2K_SYNTAXES, isEncapsulatedSyntax, TS } from './transfer-syntax.js';

export { isEncapsulatedSyntax };

const PIXEL_DATA = tag(0x7fe0, 0x0010);
const EXTENDED_OFFSET_TABLE = tag(0x7fe0, 0x0001);

/** Stored-value array types, as BitsAllocated/PixelRepresentation imply. */
export type StoredArray = Uint8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;

/** The Image Pixel module (PS3.3 C.7.6.3) facts a decoder needs. */
export interface PixelInfo {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  /** 0 unsigned, 1 two's complement. */
  pixelRepresentation: number;
  photometric: string;
  planarConfiguration: number;
  frames: number;
  transferSyntax: string;
  /** Values per frame: rows * columns * samplesPerPixel. */
  frameLength: number;
}

function need(v: number | undefined, name: string, tag: string): number {
  if (v === undefined || !Number.isFinite(v)) {
    throw new MedImgError('DICOM_MISSING_TAG', `Required attribute ${name} (${tag}) is missing or unreadable.`, {
      details: { tag },
    });
  }
  return v;
}

/** Reads and checks the Image Pixel module. Throws DICOM_NO_PIXEL_DATA / DICOM_MISSING_TAG / DICOM_INVALID. */
export function readPixelInfo(parsed: ParsedDicom): PixelInfo {
  const ds = parsed.dataset;
  if (!ds.has(PIXEL_DATA)) {
    const fl = ds.has(tag(0x7fe0, 0x0008)) || ds.has(tag(0x7fe0, 0x0009));
    throw new MedImgError(
      fl ? 'DICOM_UNSUPPORTED_TRANSFER_SYNTAX' : 'DICOM_NO_PIXEL_DATA',
      fl ? 'Float Pixel Data is not supported.' : 'The DICOM object has no Pixel Data (7FE0,0010).',
    );
  }
  const rows = need(readUint16(ds, tag(0x0028, 0x0010)), 'Rows', '0028,0010');
  const columns = need(readUint16(ds, tag(0x0028, 0x0011)), 'Columns', '0028,0011');
  const bitsAllocated = need(readUint16(ds, tag(0x0028, 0x0100)), 'BitsAllocated', '0028,0100');
  const bitsStored = readUint16(ds, tag(0x0028, 0x0101)) ?? bitsAllocated;
  const highBit = readUint16(ds, tag(0x0028, 0x0102)) ?? bitsStored - 1;
  const samplesPerPixel = readUint16(ds, tag(0x0028, 0x0002)) ?? 1;
  const pixelRepresentation = readUint16(ds, tag(0x0028, 0x0103)) ?? 0;
  const photometric = (
    readText(ds, tag(0x0028, 0x0004)) ?? (samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2')
  ).toUpperCase();
  const planarConfiguration = readUint16(ds, tag(0x0028, 0x0006)) ?? 0;
  const nf = readNumber(ds, tag(0x0028, 0x0008));
  const frames = nf === undefined ? 1 : Math.round(nf);
  const bad = (what: string) => new MedImgError('DICOM_INVALID', `Invalid Image Pixel module: ${what}.`);
  if (rows < 1 || columns < 1) throw bad('Rows/Columns must be positive');
  if (![1, 8, 16, 32].includes(bitsAllocated)) throw bad(`BitsAllocated ${bitsAllocated} is not 1, 8, 16 or 32`);
  if (bitsStored < 1 || bitsStored > bitsAllocated)
    throw bad(`BitsStored ${bitsStored} with BitsAllocated ${bitsAllocated}`);
  if (highBit < bitsStored - 1 || highBit >= bitsAllocated)
    throw bad(`HighBit ${highBit} with BitsStored ${bitsStored}`);
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3) throw bad(`SamplesPerPixel ${samplesPerPixel}`);
  if (pixelRepresentation !== 0 && pixelRepresentation !== 1) throw bad(`PixelRepresentation ${pixelRepresentation}`);
  if (!Number.isInteger(frames) || frames < 1 || frames > 1 << 20) throw bad(`NumberOfFrames ${nf}`);
  if (rows * columns * samplesPerPixel > 1 << 28) throw bad('image too large');
  // before any buffer is sized from it: rows x columns x frames may pass 2^32 (a RangeError otherwise)
  checkDecodedSize(rows * columns * samplesPerPixel * frames * Math.ceil(bitsAllocated / 8));
  return {
    rows,
    columns,
    samplesPerPixel,
    bitsAllocated,
    bitsStored,
    highBit,
    pixelRepresentation,
    photometric,
    planarConfiguration,
    frames,
    transferSyntax: parsed.transferSyntaxUid,
    frameLength: rows * columns * samplesPerPixel,
  };
}

/** The typed-array constructor for stored values of this image. */
export function storedCtor(info: PixelInfo): { new (n: number): StoredArray } {
  const signed = info.pixelRepresentation === 1;
  if (info.bitsAllocated <= 8) return signed ? (Int16Array as never) : Uint8Array;
  if (info.bitsAllocated === 16) return signed ? Int16Array : Uint16Array;
  return signed ? Int32Array : Uint32Array;
}

/** The Pixel Data element (the parser checked that it lies inside the file). */
function pixelElement(ds: DicomDataset): DicomElement {
  const el = ds.get(PIXEL_DATA);
  if (!el) throw new MedImgError('DICOM_NO_PIXEL_DATA', 'The DICOM object has no Pixel Data (7FE0,0010).');
  return el;
}

/** Native pixel data bytes (a view of the file). */
function nativeBytes(ds: DicomDataset): Uint8Array {
  const el = pixelElement(ds);
  if (el.encapsulated || el.items) {
    throw new MedImgError('DICOM_INVALID', 'Pixel Data is encapsulated but the transfer syntax is native.');
  }
  return el.value ?? new Uint8Array(0);
}

/** Bytes of one native frame; YBR_FULL_422 keeps two bytes per pixel (Y Y Cb Cr per pair). */
function nativeFrameBytes(info: PixelInfo): number {
  if (info.photometric === 'YBR_FULL_422' && info.samplesPerPixel === 3 && info.bitsAllocated === 8) {
    return info.rows * info.columns * 2;
  }
  return Math.ceil((info.frameLength * info.bitsAllocated) / 8);
}

/**
 * Checks that native (uncompressed) pixel data holds every frame. Returns a warning when it holds
 * more than one even-padding byte extra.
 */
export function checkNativeLength(parsed: ParsedDicom, info: PixelInfo): string | undefined {
  const el = pixelElement(parsed.dataset);
  if (el.unread?.length === 0xffffffff) {
    throw new MedImgError('DICOM_INVALID', 'Pixel Data is encapsulated but the transfer syntax is native.');
  }
  const length = el.unread ? el.unread.length : nativeBytes(parsed.dataset).length;
  const expected = nativeFrameBytes(info) * info.frames;
  if (length < expected) {
    throw new MedImgError(
      'DICOM_PIXEL_LENGTH_MISMATCH',
      `Pixel Data has ${length} bytes but Rows x Columns x Samples x Frames x BitsAllocated need ${expected}.`,
      { details: { actual: length, expected } },
    );
  }
  if (length > expected + 1)
    return `Pixel Data has ${length - expected} bytes more than the header needs; they were ignored.`;
  return undefined;
}

/**
 * Compressed bytes of one frame of the encapsulated Pixel Data of `ds`. Uses the Extended or Basic
 * Offset Table when present and consistent; otherwise one fragment per frame, or, with fewer frames
 * than fragments and no table, splits at codec start-of-image markers (PS3.5 A.4). A frame in one
 * fragment is a view of the file; only a frame split over fragments is joined into a new array.
 */
export function encapsulatedFrame(
  ds: DicomDataset,
  frames: number,
  transferSyntax: string,
  frameIndex: number,
): Uint8Array {
  const el = pixelElement(ds);
  const frags = el.fragments;
  if (!frags) {
    throw new MedImgError('DICOM_INVALID', 'Transfer syntax is compressed but Pixel Data is not encapsulated.');
  }
  if (frags.length === 0) throw new MedImgError('DICOM_NO_PIXEL_DATA', 'Encapsulated Pixel Data has no fragments.');
  const joinFrags = (from: number, to: number): Uint8Array => {
    if (to - from === 1) return frags[from]!.data;
    let len = 0;
    for (let i = from; i < to; i++) len += frags[i]!.data.length;
    const out = new Uint8Array(len);
    let o = 0;
    for (let i = from; i < to; i++) {
      out.set(frags[i]!.data, o);
      o += frags[i]!.data.length;
    }
    return out;
  };
  if (frames === 1) return joinFrags(0, frags.length);
  // offsets of fragments relative to the first fragment item
  const starts = frameStartsFromTables(ds, el, frames);
  if (starts) {
    const first = frags.findIndex((f) => f.offset === starts[frameIndex]);
    if (first >= 0) {
      const endOffset = frameIndex + 1 < frames ? starts[frameIndex + 1]! : Number.POSITIVE_INFINITY;
      let last = first + 1;
      while (last < frags.length && frags[last]!.offset < endOffset) last++;
      return joinFrags(first, last);
    }
  }
  if (frags.length === frames) return joinFrags(frameIndex, frameIndex + 1);
  if (frags.length < frames) {
    throw new MedImgError(
      'DICOM_PIXEL_LENGTH_MISMATCH',
      `Encapsulated Pixel Data has ${frags.length} fragments for ${frames} frames.`,
    );
  }
  // No usable table and more fragments than frames: a frame starts at each fragment that begins
  // with a start-of-image marker of the codec.
  const begins: number[] = [];
  for (let i = 0; i < frags.length; i++) if (startsImage(frags[i]!.data, transferSyntax)) begins.push(i);
  if (begins.length !== frames || begins[0] !== 0) {
    throw new MedImgError(
      'DICOM_PIXEL_LENGTH_MISMATCH',
      'Cannot tell which Pixel Data fragments belong to which frame.',
    );
  }
  return joinFrags(begins[frameIndex]!, frameIndex + 1 < frames ? begins[frameIndex + 1]! : frags.length);
}

function frameStartsFromTables(ds: DicomDataset, el: DicomElement, frames: number): number[] | undefined {
  const ext = ds.get(EXTENDED_OFFSET_TABLE)?.value;
  if (ext && ext.length === frames * 8) {
    const dv = new DataView(ext.buffer, ext.byteOffset, ext.length);
    const out: number[] = [];
    for (let i = 0; i < frames; i++) out.push(Number(dv.getBigUint64(8 * i, true)));
    if (isIncreasing(out)) return out;
  }
  const bot = el.basicOffsetTable;
  if (bot && bot.length === frames && isIncreasing(bot)) return bot;
  return undefined;
}

function isIncreasing(a: number[]): boolean {
  if (a[0] !== 0) return false;
  for (let i = 1; i < a.length; i++) if (!(a[i]! > a[i - 1]!)) return false;
  return true;
}

function startsImage(b: Uint8Array, ts: string): boolean {
  if (b.length < 2) return false;
  if (ts === TS.j2k || ts === TS.j2kLossless || HTJ2K_SYNTAXES.has(ts)) {
    // raw codestream (SOC FF4F) or JP2 file signature box
    return (b[0] === 0xff && b[1] === 0x4f) || (b.length >= 8 && b[4] === 0x6a && b[5] === 0x50);
  }
  return b[0] === 0xff && b[1] === 0xd8;
}

/** Sign-extends or masks `v` to BitsStored after shifting out bits below HighBit - BitsStored + 1. */
function normalizeInto(src: ArrayLike<number>, dst: StoredArray, n: number, info: PixelInfo, srcSigned: boolean): void {
  const bs = info.bitsStored;
  const shift = Math.max(0, info.highBit + 1 - bs);
  const signed = info.pixelRepresentation === 1;
  if (srcSigned && signed) {
    for (let i = 0; i < n; i++) dst[i] = src[i]!;
    return;
  }
  if (bs >= 32) {
    for (let i = 0; i < n; i++) dst[i] = src[i]!;
    return;
  }
  const full = shift === 0 && bs === info.bitsAllocated && (bs === 16 || (bs === 8 && !signed));
  if (full && !srcSigned) {
    // the typed-array store wraps to the destination type, which is exactly the reinterpretation
    for (let i = 0; i < n; i++) dst[i] = src[i]!;
    return;
  }
  const mask = bs >= 31 ? 0xffffffff : (1 << bs) - 1;
  if (signed) {
    const up = 32 - bs;
    for (let i = 0; i < n; i++) dst[i] = (((src[i]! >>> shift) & mask) << up) >> up;
  } else {
    for (let i = 0; i < n; i++) dst[i] = (src[i]! >>> shift) & mask;
  }
}

/**
 * Decodes frame `frameIndex` to stored values (masked to BitsStored, sign-extended when signed),
 * samples interleaved, colour as RGB where the photometric interpretation is YBR_FULL/_422.
 * Writes into `out` when given (length >= frameLength) and returns it. JPEG, JPEG-LS, JPEG 2000
 * and HTJ2K frames go to the installed codec runner (a worker with a time limit in Node), which
 * stops on `signal` (ABORTED).
 */
export async function decodeFrame(
  parsed: ParsedDicom,
  info: PixelInfo,
  frameIndex: number,
  out?: StoredArray,
  signal?: AbortSignal,
): Promise<StoredArray> {
  const n = info.frameLength;
  const dst = out ?? new (storedCtor(info))(n);
  if (dst.length < n) throw new MedImgError('INVALID_ARGUMENT', 'Output buffer is smaller than one frame.');
  if (frameIndex < 0 || frameIndex >= info.frames)
    throw new MedImgError('INVALID_ARGUMENT', `Frame ${frameIndex} out of range.`);
  const ts = info.transferSyntax;
  const ds = parsed.dataset;
  if (!isEncapsulatedSyntax(ts)) {
    decodeNative(ds, info, frameIndex, dst);
    return dst;
  }
  const frame = encapsulatedFrame(ds, info.frames, ts, frameIndex);
  checkFrameCodestream(ts, frame, info);
  let decoded: DecodedFrame;
  let alreadyRgb = false;
  if (ts === TS.rle) {
    const d = decodeRle(frame, info.rows, info.columns, info.samplesPerPixel, info.bitsAllocated);
    decoded = {
      data: d,
      width: info.columns,
      height: info.rows,
      components: info.samplesPerPixel,
      bitsPerSample: info.bitsAllocated,
      signed: false,
    };
  } else if (ts === TS.jpegLsLossless || ts === TS.jpegLsNear) {
    decoded = await runCodec({ kind: 'JpegLSDecoder', bytes: frame, samples: n, signal });
  } else if (ts === TS.j2k || ts === TS.j2kLossless) {
    decoded = await runCodec({ kind: 'J2KDecoder', bytes: frame, samples: n, signal });
    alreadyRgb = true; // OpenJPEG applies the inverse component transform
  } else if (HTJ2K_SYNTAXES.has(ts)) {
    decoded = await runCodec({ kind: 'HTJ2K', bytes: frame, samples: n, signal });
    alreadyRgb = true; // so does OpenJPH
  } else if (ts === TS.jpegLossless14 || ts === TS.jpegLosslessSV1) {
    const { rows, columns, samplesPerPixel, bitsAllocated } = info;
    const layout = { rows, columns, samplesPerPixel, bitsAllocated };
    decoded = await runCodec({ kind: 'JpegLossless', bytes: frame, samples: n, layout, signal });
  } else if (ts === TS.jpegBaseline || ts === TS.jpegExtended) {
    const precision = jpegPrecision(frame);
    if (precision !== 8) {
      // 12-bit extended: our own IJG-exact decoder (the libjpeg-turbo build is 8-bit only)
      decoded = await runCodec({ kind: 'JpegExtended12', bytes: frame, samples: n, signal });
    } else {
      decoded = await runCodec({ kind: 'JPEGDecoder', bytes: frame, samples: n, signal });
    }
    alreadyRgb = true; // libjpeg-turbo converts YCbCr to RGB
  } else {
    throw new MedImgError('DICOM_UNSUPPORTED_TRANSFER_SYNTAX', `Transfer syntax ${ts || '(none)'} is not supported.`, {
      details: { transferSyntax: ts },
    });
  }
  if (decoded.width !== info.columns || decoded.height !== info.rows || decoded.components !== info.samplesPerPixel) {
    throw new MedImgError(
      'DICOM_PIXEL_LENGTH_MISMATCH',
      `Decoded frame is ${decoded.width}x${decoded.height}x${decoded.components}, header says ${info.columns}x${info.rows}x${info.samplesPerPixel}.`,
    );
  }
  let src = decoded.data;
  // RLE keeps colour planes per sample (interleaved above); YBR in RLE/JPEG-LS/lossless is not converted by the codec
  if (
    !alreadyRgb &&
    info.samplesPerPixel === 3 &&
    info.bitsAllocated === 8 &&
    info.photometric.startsWith('YBR_FULL')
  ) {
    src = ybrFullToRgb(src as Uint8Array);
  }
  normalizeInto(src, dst, n, info, decoded.signed);
  return dst;
}

function jpegPrecision(b: Uint8Array): number {
  // walk markers to the first SOF
  let p = 2;
  while (p + 4 < b.length) {
    if (b[p] !== 0xff) {
      p++;
      continue;
    }
    const m = b[p + 1]!;
    if (m === 0xff) {
      p++;
      continue;
    }
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) return b[p + 4] ?? 8;
    const len = (b[p + 2]! << 8) | b[p + 3]!;
    p += 2 + len;
  }
  return 8;
}

function decodeNative(ds: DicomDataset, info: PixelInfo, frameIndex: number, dst: StoredArray): void {
  // big-endian words were swapped to little endian by the parser: one path for every native syntax
  const bytes = nativeBytes(ds);
  const n = info.frameLength;
  const ba = info.bitsAllocated;
  if (ba === 1) {
    const bitStart = frameIndex * n;
    for (let i = 0; i < n; i++) {
      const bit = bitStart + i;
      dst[i] = (bytes[bit >>> 3]! >>> (bit & 7)) & 1;
    }
    return;
  }
  const bpv = ba / 8;
  if (info.photometric === 'YBR_FULL_422' && info.samplesPerPixel === 3 && ba === 8) {
    const fb = nativeFrameBytes(info);
    const at = frameIndex * fb;
    normalizeInto(ybr422ToRgb(bytes.subarray(at, at + fb), info.rows, info.columns), dst, n, info, false);
    return;
  }
  const start = frameIndex * n * bpv;
  let src: ArrayLike<number>;
  if (ba === 8) src = bytes.subarray(start, start + n);
  else if ((bytes.byteOffset + start) % bpv === 0) {
    src =
      ba === 16
        ? new Uint16Array(bytes.buffer, bytes.byteOffset + start, n)
        : new Uint32Array(bytes.buffer, bytes.byteOffset + start, n);
  } else {
    // odd offset in the file: DataView reads, no aligned view possible
    const dv = new DataView(bytes.buffer, bytes.byteOffset + start, n * bpv);
    const tmp = ba === 16 ? new Uint16Array(n) : new Uint32Array(n);
    if (ba === 16) for (let i = 0; i < n; i++) tmp[i] = dv.getUint16(2 * i, true);
    else for (let i = 0; i < n; i++) tmp[i] = dv.getUint32(4 * i, true);
    src = tmp;
  }
  let s = src;
  if (info.samplesPerPixel === 3) {
    if (info.planarConfiguration === 1) s = planarToInterleaved(s, info.rows * info.columns);
    if (info.photometric === 'YBR_FULL' && ba === 8) s = ybrFullToRgb(s);
  }
  normalizeInto(s, dst, n, info, false);
}

function planarToInterleaved(src: ArrayLike<number>, np: number): Uint32Array {
  const out = new Uint32Array(np * 3);
  for (let i = 0; i < np; i++) {
    out[3 * i] = src[i]!;
    out[3 * i + 1] = src[np + i]!;
    out[3 * i + 2] = src[2 * np + i]!;
  }
  return out;
}

const clamp8 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/** YBR_FULL (PS3.3 C.7.6.3.1.2) to RGB, 8-bit. */
function ybrFullToRgb(src: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let i = 0; i + 2 < src.length; i += 3) {
    const y = src[i]!;
    const cb = src[i + 1]! - 128;
    const cr = src[i + 2]! - 128;
    out[i] = clamp8(y + 1.402 * cr);
    out[i + 1] = clamp8(y - 0.344136 * cb - 0.714136 * cr);
    out[i + 2] = clamp8(y + 1.772 * cb);
  }
  return out;
}

/** Native YBR_FULL_422: Y1 Y2 Cb Cr per pixel pair. */
function ybr422ToRgb(b: Uint8Array, rows: number, columns: number): Uint8Array {
  const np = rows * columns;
  if (b.length < np * 2) throw new MedImgError('DICOM_PIXEL_LENGTH_MISMATCH', 'YBR_FULL_422 data too short.');
  const ybr = new Uint8Array(np * 3);
  for (let p = 0, q = 0; p + 1 < np; p += 2, q += 4) {
    const cb = b[q + 2]!;
    const cr = b[q + 3]!;
    ybr[3 * p] = b[q]!;
    ybr[3 * p + 1] = cb;
    ybr[3 * p + 2] = cr;
    ybr[3 * p + 3] = b[q + 1]!;
    ybr[3 * p + 4] = cb;
    ybr[3 * p + 5] = cr;
  }
  return ybrFullToRgb(ybr);
}

/**
 * Zero-copy view of one native frame's raw words when they can be read in place (little endian,
 * 8 or 16 bits, one sample, aligned); undefined otherwise. Pair with {@link rawNorm}.
 */
export function nativeFrameView(
  parsed: ParsedDicom,
  info: PixelInfo,
  frameIndex: number,
): Uint8Array | Uint16Array | undefined {
  if (isEncapsulatedSyntax(info.transferSyntax)) return undefined;
  if (info.samplesPerPixel !== 1 || (info.bitsAllocated !== 8 && info.bitsAllocated !== 16)) return undefined;
  const bytes = nativeBytes(parsed.dataset);
  const n = info.frameLength;
  const bpv = info.bitsAllocated / 8;
  const start = frameIndex * n * bpv;
  if (start + n * bpv > bytes.length)
    throw new MedImgError('DICOM_TRUNCATED', 'Pixel Data runs past the end of the file.');
  if (bpv === 1) return bytes.subarray(start, start + n);
  if ((bytes.byteOffset + start) % 2 !== 0) return undefined;
  return new Uint16Array(bytes.buffer, bytes.byteOffset + start, n);
}

/** Masking/sign extension that turns raw words of this image into stored values. */
export function rawNorm(info: PixelInfo): { shift: number; bitsStored: number; signed: boolean } {
  return {
    shift: Math.max(0, info.highBit + 1 - info.bitsStored),
    bitsStored: info.bitsStored,
    signed: info.pixelRepresentation === 1,
  };
}
