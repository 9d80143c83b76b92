import { MedImgError } from '../../../core/errors.js';
import { decodeLimitError, maxDecodedBytes } from '../../gzip.js';
import { HTJ2K_SYNTAXES, TS } from '../transfer-syntax.js';

/** What the DICOM header says one frame is. */
export interface ExpectedFrame {
  rows: number;
  columns: number;
  samplesPerPixel: number;
}

/** The frame size a codestream header declares. */
export interface CodestreamSize {
  width: number;
  height: number;
  components: number;
  /** JPEG 2000 only: tiles in the image (a crafted tiny tile size means millions of them). */
  tiles?: number;
}

/** More tiles than any real DICOM J2K frame uses (they hold one tile, or a few hundred). */
const MAX_J2K_TILES = 1 << 16;

const mismatch = (name: string, msg: string): MedImgError =>
  new MedImgError('DICOM_PIXEL_LENGTH_MISMATCH', `The ${name} codestream ${msg}`);

/**
 * Checks a JPEG, JPEG-LS or JPEG 2000 frame's own header (SOF, SOF55, SIZ) against the DICOM
 * header before the codec runs: a codestream that claims another size would make the codec
 * allocate for (and spend seconds on) an image that is not there. Throws
 * DICOM_PIXEL_LENGTH_MISMATCH, or DICOM_DECODE_FAILED when no such header is found.
 */
export function checkCodestream(kind: 'jpeg' | 'jpeg-ls' | 'j2k', bytes: Uint8Array, expect: ExpectedFrame): void {
  const name = kind === 'j2k' ? 'JPEG 2000' : kind === 'jpeg-ls' ? 'JPEG-LS' : 'JPEG';
  const size = kind === 'j2k' ? j2kSize(bytes) : jpegSize(bytes, kind === 'jpeg-ls');
  if (!size) {
    throw new MedImgError('DICOM_DECODE_FAILED', `The ${name} frame has no readable size header.`);
  }
  if (size.width !== expect.columns || size.height !== expect.rows || size.components !== expect.samplesPerPixel) {
    throw mismatch(
      name,
      `declares ${size.width}x${size.height}x${size.components}, the DICOM header ${expect.columns}x${expect.rows}x${expect.samplesPerPixel}.`,
    );
  }
  if (size.tiles !== undefined && size.tiles > MAX_J2K_TILES) throw mismatch(name, `declares ${size.tiles} tiles.`);
}

/**
 * Size from the first SOF marker (JPEG: FFC0-FFCF less DHT/JPG/DAC; JPEG-LS: SOF55 = FFF7),
 * walking marker segments from SOI. Undefined when none is found.
 */
export function jpegSize(b: Uint8Array, ls: boolean): CodestreamSize | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let p = 2;
  while (p + 4 <= b.length) {
    if (b[p] !== 0xff) return undefined;
    const m = b[p + 1]!;
    if (m === 0xff) {
      p++; // fill byte
      continue;
    }
    if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) {
      p += 2; // no length
      continue;
    }
    if (m === 0xda || m === 0xd9) return undefined; // scan before any frame header
    const len = (b[p + 2]! << 8) | b[p + 3]!;
    const sof = ls ? m === 0xf7 : m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
    if (sof) {
      if (p + 10 > b.length) return undefined;
      return { height: (b[p + 5]! << 8) | b[p + 6]!, width: (b[p + 7]! << 8) | b[p + 8]!, components: b[p + 9]! };
    }
    if (len < 2) return undefined;
    p += 2 + len;
  }
  return undefined;
}

/** Size and tile count from the SIZ marker that must follow SOC (FF4F FF51). */
export function j2kSize(b: Uint8Array): CodestreamSize | undefined {
  // a JP2 file wraps the codestream in boxes; DICOM holds the bare codestream, but look for SOC+SIZ anywhere early
  let p = 0;
  const end = Math.min(b.length - 42, 4096);
  while (p <= end && !(b[p] === 0xff && b[p + 1] === 0x4f && b[p + 2] === 0xff && b[p + 3] === 0x51)) p++;
  if (p > end) return undefined;
  const dv = new DataView(b.buffer, b.byteOffset + p + 4);
  // Lsiz(2) Rsiz(2) Xsiz Ysiz XOsiz YOsiz XTsiz YTsiz XTOsiz YTOsiz (4 each) Csiz(2)
  const xsiz = dv.getUint32(4);
  const ysiz = dv.getUint32(8);
  const xo = dv.getUint32(12);
  const yo = dv.getUint32(16);
  const xt = dv.getUint32(20);
  const yt = dv.getUint32(24);
  const xto = dv.getUint32(28);
  const yto = dv.getUint32(32);
  const csiz = dv.getUint16(36);
  if (xsiz <= xo || ysiz <= yo || xt === 0 || yt === 0) return { width: 0, height: 0, components: csiz };
  const tiles = Math.ceil((xsiz - xto) / xt) * Math.ceil((ysiz - yto) / yt);
  return { width: xsiz - xo, height: ysiz - yo, components: csiz, tiles };
}

const TS_JPEG_LS = new Set<string>([TS.jpegLsLossless, TS.jpegLsNear]);
const TS_J2K = new Set<string>([TS.j2kLossless, TS.j2k]);
const TS_JPEG = new Set<string>([TS.jpegBaseline, TS.jpegExtended, TS.jpegLossless14, TS.jpegLosslessSV1]);

/** {@link checkCodestream} for one encapsulated frame of transfer syntax `ts` (others pass unchecked). */
export function checkFrameCodestream(ts: string, frame: Uint8Array, info: ExpectedFrame): void {
  if (TS_JPEG_LS.has(ts)) checkCodestream('jpeg-ls', frame, info);
  else if (TS_J2K.has(ts) || HTJ2K_SYNTAXES.has(ts)) checkCodestream('j2k', frame, info);
  else if (TS_JPEG.has(ts)) checkCodestream('jpeg', frame, info);
}

/**
 * Throws `DECODE_LIMIT_EXCEEDED` when an image of `bytes` decoded bytes is over the
 * `setMaxDecodedBytes` budget (default 2 GiB), before anything is allocated for it.
 */
export function checkDecodedSize(bytes: number): void {
  const limit = maxDecodedBytes();
  if (!(bytes <= limit)) throw decodeLimitError(limit, 'The declared image');
}
