import { MedImgError } from '../../core/errors.js';

export const TS_RLE_LOSSLESS = '1.2.840.10008.1.2.5';

/** Items (Basic Offset Table first, then fragments) of raw encapsulated pixel data. */
export function encapsulatedItems(raw: Uint8Array): Uint8Array[] {
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const items: Uint8Array[] = [];
  let pos = 0;
  while (pos + 8 <= raw.length) {
    const group = dv.getUint16(pos, true);
    const elem = dv.getUint16(pos + 2, true);
    const len = dv.getUint32(pos + 4, true);
    if (group === 0xfffe && elem === 0xe0dd) break;
    if (group !== 0xfffe || elem !== 0xe000 || pos + 8 + len > raw.length) {
      throw new MedImgError('DICOM_DECODE_FAILED', 'Malformed encapsulated pixel data.');
    }
    items.push(raw.subarray(pos + 8, pos + 8 + len));
    pos += 8 + len;
  }
  if (items.length === 0) throw new MedImgError('DICOM_DECODE_FAILED', 'Encapsulated pixel data has no items.');
  return items;
}

/** The compressed bytes of each frame, using the Basic Offset Table when present. */
export function frameFragments(raw: Uint8Array, nFrames: number): Uint8Array[] {
  const [bot, ...frags] = encapsulatedItems(raw);
  const concat = (parts: Uint8Array[]) => {
    const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  };
  if (frags.length === nFrames) return frags;
  if (nFrames === 1) return [concat(frags)];
  if (bot && bot.length >= nFrames * 4) {
    const dv = new DataView(bot.buffer, bot.byteOffset, bot.byteLength);
    const starts: number[] = [];
    let off = 0;
    const fragStart = frags.map((f) => {
      const s = off;
      off += f.length + 8;
      return s;
    });
    for (let i = 0; i < nFrames; i++) starts.push(dv.getUint32(i * 4, true));
    return starts.map((s, i) => {
      const end = i + 1 < nFrames ? (starts[i + 1] as number) : Number.POSITIVE_INFINITY;
      return concat(frags.filter((_, k) => (fragStart[k] as number) >= s && (fragStart[k] as number) < end));
    });
  }
  throw new MedImgError('DICOM_DECODE_FAILED', 'Cannot tell which fragments belong to which frame.');
}

/** PackBits decoding of one RLE segment into `out` (PS3.5 G.3.1). */
function unpackBits(src: Uint8Array, out: Uint8Array): void {
  let i = 0;
  let o = 0;
  while (i < src.length && o < out.length) {
    const n = ((src[i++] as number) << 24) >> 24;
    if (n >= 0) {
      const count = Math.min(n + 1, out.length - o, src.length - i);
      out.set(src.subarray(i, i + count), o);
      i += n + 1;
      o += count;
    } else if (n !== -128) {
      const count = Math.min(1 - n, out.length - o);
      out.fill(src[i++] as number, o, o + count);
      o += count;
    }
  }
}

/**
 * Decodes one RLE Lossless frame (PS3.5 Annex G) of `length` samples with 1 or 2 bytes per sample
 * into native little-endian bytes.
 */
export function decodeRleFrame(frame: Uint8Array, length: number, bytesPerSample: 1 | 2): Uint8Array {
  if (frame.length < 64) throw new MedImgError('DICOM_DECODE_FAILED', 'RLE frame is shorter than its header.');
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const nSeg = dv.getUint32(0, true);
  if (nSeg !== bytesPerSample) {
    throw new MedImgError('DICOM_DECODE_FAILED', `RLE frame has ${nSeg} segments, ${bytesPerSample} expected.`);
  }
  const out = new Uint8Array(length * bytesPerSample);
  const seg = new Uint8Array(length);
  for (let s = 0; s < nSeg; s++) {
    const start = dv.getUint32(4 + s * 4, true);
    const end = s + 1 < nSeg ? dv.getUint32(8 + s * 4, true) : frame.length;
    if (start < 64 || start > end || end > frame.length)
      throw new MedImgError('DICOM_DECODE_FAILED', 'Bad RLE segment offset.');
    seg.fill(0);
    unpackBits(frame.subarray(start, end), seg);
    // Segment 0 holds the most significant byte; store little endian.
    const byteIndex = bytesPerSample - 1 - s;
    if (bytesPerSample === 1) out.set(seg);
    else for (let p = 0; p < length; p++) out[p * 2 + byteIndex] = seg[p] as number;
  }
  return out;
}
