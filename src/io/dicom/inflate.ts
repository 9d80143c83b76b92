import { inflateBounded, inflateRaw, maxDecodedBytes } from '../gzip.js';

/** Inflated bytes allowed beyond the declared pixel data (other elements, overlays, icons). */
const NON_PIXEL_ALLOWANCE = 64 * 1024 ** 2;
/** The cap for a deflated data set whose head declares no image (SR, encapsulated document...). */
const NO_IMAGE_LIMIT = 256 * 1024 ** 2;
/** How much of the inflated data set is searched for the Image Pixel module. */
const HEAD_BYTES = 256 * 1024;

/**
 * Inflates the deflated data set of a Deflated Explicit VR Little Endian file, bounded: the first
 * 256 KiB are inflated and searched for Rows, Columns, Number of Frames, Samples per Pixel and
 * Bits Allocated; the whole set may then inflate to the image it declares plus 64 MiB (256 MiB
 * when it declares none), and never past the `setMaxDecodedBytes` budget. Past that,
 * `DECODE_LIMIT_EXCEEDED` after inflating only the limit. Returns the bytes before `position`
 * followed by the inflated data set (what parseDicom reads on from).
 */
export function inflateDataSet(bytes: Uint8Array, position: number): Uint8Array {
  const deflated = bytes.subarray(position);
  const budget = maxDecodedBytes();
  const declared = declaredImageBytes(inflateBounded(deflated, 'deflate', budget, HEAD_BYTES));
  const limit = Math.min(budget, declared === undefined ? NO_IMAGE_LIMIT : declared + NON_PIXEL_ALLOWANCE);
  const inflated = inflateRaw(deflated, limit);
  const full = new Uint8Array(position + inflated.length);
  full.set(bytes.subarray(0, position), 0);
  full.set(inflated, position);
  return full;
}

/**
 * Pixel bytes an explicit VR little endian data set declares, from the first occurrence of each
 * Image Pixel element (group 0028 precedes any nested icon image, which sorts after it); undefined
 * without Rows and Columns.
 */
export function declaredImageBytes(head: Uint8Array): number | undefined {
  const us = (el: number): number | undefined => {
    const at = findElement(head, 0x0028, el, 0x55, 0x53); // 'US'
    return at !== undefined && at + 10 <= head.length ? head[at + 8]! | (head[at + 9]! << 8) : undefined;
  };
  const rows = us(0x0010);
  const columns = us(0x0011);
  if (rows === undefined || columns === undefined) return undefined;
  const spp = us(0x0002) ?? 1;
  const bits = us(0x0100) ?? 16;
  let frames = 1;
  const nf = findElement(head, 0x0028, 0x0008, 0x49, 0x53); // 'IS'
  if (nf !== undefined) {
    const len = head[nf + 6]! | (head[nf + 7]! << 8);
    const v = Number.parseInt(String.fromCharCode(...head.subarray(nf + 8, nf + 8 + Math.min(len, 12))).trim(), 10);
    if (Number.isFinite(v) && v > 0) frames = v;
  }
  return rows * columns * spp * Math.max(1, Math.ceil(bits / 8)) * frames;
}

function findElement(b: Uint8Array, group: number, element: number, vr0: number, vr1: number): number | undefined {
  const g0 = group & 0xff;
  const g1 = group >> 8;
  const e0 = element & 0xff;
  const e1 = element >> 8;
  for (let p = 0; p + 8 <= b.length; p++) {
    if (b[p] === g0 && b[p + 1] === g1 && b[p + 2] === e0 && b[p + 3] === e1 && b[p + 4] === vr0 && b[p + 5] === vr1) {
      return p;
    }
  }
  return undefined;
}
