import { MedImgError } from '../../../core/errors.js';

/**
 * Decodes one RLE Lossless frame (PS3.5 annex G): a 64-byte header of segment offsets, then one
 * PackBits segment per byte plane, most significant byte first, sample after sample. Returns the
 * unsigned composed values, samples interleaved.
 */
export function decodeRle(
  frame: Uint8Array,
  rows: number,
  columns: number,
  samplesPerPixel: number,
  bitsAllocated: number,
): Uint8Array | Uint16Array | Uint32Array {
  if (frame.length < 64) throw new MedImgError('DICOM_DECODE_FAILED', 'RLE frame shorter than its 64-byte header.');
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const nSeg = dv.getUint32(0, true);
  const bytesPerSample = bitsAllocated <= 8 ? 1 : bitsAllocated <= 16 ? 2 : 4;
  const expected = bytesPerSample * samplesPerPixel;
  if (nSeg !== expected || nSeg > 15) {
    throw new MedImgError('DICOM_DECODE_FAILED', `RLE frame has ${nSeg} segments, expected ${expected}.`);
  }
  const n = rows * columns;
  const out =
    bytesPerSample === 1
      ? new Uint8Array(n * samplesPerPixel)
      : bytesPerSample === 2
        ? new Uint16Array(n * samplesPerPixel)
        : new Uint32Array(n * samplesPerPixel);
  const plane = new Uint8Array(n);
  for (let s = 0; s < nSeg; s++) {
    const start = dv.getUint32(4 + 4 * s, true);
    const end = s + 1 < nSeg ? dv.getUint32(8 + 4 * s, true) : frame.length;
    if (start < 64 || start > frame.length || end > frame.length || end < start) {
      throw new MedImgError('DICOM_DECODE_FAILED', 'RLE segment offsets are out of range.');
    }
    unpackBits(frame, start, end, plane);
    const sample = Math.floor(s / bytesPerSample);
    const shift = 8 * (bytesPerSample - 1 - (s % bytesPerSample));
    if (bytesPerSample === 1) {
      for (let i = 0, o = sample; i < n; i++, o += samplesPerPixel) out[o] = plane[i]!;
    } else {
      for (let i = 0, o = sample; i < n; i++, o += samplesPerPixel) out[o] = out[o]! | (plane[i]! << shift);
    }
  }
  return out;
}

/** PackBits into `out`; a short segment leaves the rest zero, an overlong one is cut. */
function unpackBits(src: Uint8Array, start: number, end: number, out: Uint8Array): void {
  let p = start;
  let o = 0;
  const n = out.length;
  while (p < end && o < n) {
    const h = src[p++]!;
    if (h < 128) {
      const len = Math.min(h + 1, n - o, end - p);
      out.set(src.subarray(p, p + len), o);
      p += h + 1;
      o += len;
    } else if (h > 128) {
      const len = Math.min(257 - h, n - o);
      if (p >= end) break;
      out.fill(src[p++]!, o, o + len);
      o += len;
    }
  }
  if (o < n) {
    out.fill(0, o);
    throw new MedImgError('DICOM_DECODE_FAILED', 'RLE segment is shorter than the image.');
  }
}
