import type { PixelInfo } from './pixel.js';

/** Typed arrays modality values are written to. */
export type ValueArray = Uint8Array | Int16Array | Uint16Array | Int32Array | Float32Array;
export type ValueCtor = { new (n: number): ValueArray };

/** Smallest and largest stored value BitsStored/PixelRepresentation allow. */
export function storedRange(info: PixelInfo): [number, number] {
  const bs = Math.min(info.bitsStored, 32);
  if (info.pixelRepresentation === 1) return [-(2 ** (bs - 1)), 2 ** (bs - 1) - 1];
  return [0, 2 ** bs - 1];
}

/**
 * The array type for modality values: integers stay integers when every slope and intercept is
 * an integer; Int16 when the values can fit (optimistic for 16-bit signed stored data, which then
 * falls back to Int32 through {@link writeModalityFrame} returning false), Float32 otherwise.
 */
export function chooseValueCtor(info: PixelInfo, rescales: { slope: number; intercept: number }[]): ValueCtor {
  if (info.samplesPerPixel !== 1) return info.bitsAllocated <= 8 ? Uint8Array : Uint16Array;
  const integer = rescales.every((r) => Number.isInteger(r.slope) && Number.isInteger(r.intercept));
  if (!integer) return Float32Array;
  const [lo, hi] = storedRange(info);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const r of rescales) {
    const a = lo * r.slope + r.intercept;
    const b = hi * r.slope + r.intercept;
    min = Math.min(min, a, b);
    max = Math.max(max, a, b);
  }
  if (min >= 0 && max <= 255 && info.bitsAllocated <= 8) return Uint8Array;
  if (min >= -32768 && max <= 32767) return Int16Array;
  if (min >= 0 && max <= 65535) return Uint16Array;
  if (info.bitsStored <= 16) return Int16Array; // optimistic: CT with 16-bit signed stored values and an intercept
  return Int32Array;
}

/** The wider type to retry with when a frame did not fit. */
export function widerCtor(ctor: ValueCtor): ValueCtor {
  return ctor === Float32Array ? Float32Array : Int32Array;
}

/**
 * How to turn raw words into stored values on the fly (BitsStored/HighBit masking and sign
 * extension), so native pixel data can go from the file bytes to modality values in one pass.
 */
export interface RawNorm {
  shift: number;
  bitsStored: number;
  signed: boolean;
}

/**
 * Writes `stored * slope + intercept` for `n` values into `dst` at `offset`, inverting first when
 * `invert` (MONOCHROME1: v -> lo + hi - v). With `norm`, `src` holds raw words that are masked and
 * sign-extended first. Returns false (leaving `dst` partly written) when an integer destination
 * cannot hold a value. Each destination type has its own loop so every loop stays monomorphic.
 */
export function writeModalityFrame(
  src: ArrayLike<number>,
  n: number,
  dst: ValueArray,
  offset: number,
  slope: number,
  intercept: number,
  invert: [number, number] | undefined,
  norm?: RawNorm,
): boolean {
  let a = slope;
  let b = intercept;
  if (invert) {
    // slope * (lo + hi - v) + intercept
    b = slope * (invert[0] + invert[1]) + intercept;
    a = -slope;
  }
  const shift = norm ? norm.shift : 0;
  const bs = norm ? norm.bitsStored : 32;
  const up = 32 - bs;
  const mask = bs >= 32 ? -1 : (1 << bs) - 1;
  const mode = !norm || (bs >= 32 && shift === 0) ? 0 : norm.signed ? 2 : 1;
  if (dst instanceof Float32Array) return toFloat32(src, n, dst, offset, a, b, mode, shift, mask, up);
  if (dst instanceof Int16Array) {
    if (norm && mode !== 0 && fitsInt16(norm, a, b)) {
      // every possible stored value maps into Int16: no range check needed (the CT hot path)
      toInt16Unchecked(src, n, dst, offset, a, b, mode, shift, mask, up);
      return true;
    }
    return toInt(src, n, dst, offset, a, b, mode, shift, mask, up, -32768, 32767);
  }
  if (dst instanceof Uint16Array) return toU16(src, n, dst, offset, a, b, mode, shift, mask, up);
  if (dst instanceof Uint8Array) return toU8(src, n, dst, offset, a, b, mode, shift, mask, up);
  return toI32(src, n, dst, offset, a, b, mode, shift, mask, up);
}

function toFloat32(
  src: ArrayLike<number>,
  n: number,
  dst: Float32Array,
  o: number,
  a: number,
  b: number,
  mode: number,
  shift: number,
  mask: number,
  up: number,
): boolean {
  if (mode === 0) for (let i = 0; i < n; i++) dst[o + i] = src[i]! * a + b;
  else if (mode === 1) for (let i = 0; i < n; i++) dst[o + i] = ((src[i]! >>> shift) & mask) * a + b;
  else for (let i = 0; i < n; i++) dst[o + i] = ((((src[i]! >>> shift) & mask) << up) >> up) * a + b;
  return true;
}

function toInt(
  src: ArrayLike<number>,
  n: number,
  dst: Int16Array,
  o: number,
  a: number,
  b: number,
  mode: number,
  shift: number,
  mask: number,
  up: number,
  min: number,
  max: number,
): boolean {
  // one loop per mode keeps the hot loop free of branches other than the range check
  if (mode === 0) {
    for (let i = 0; i < n; i++) {
      const v = src[i]! * a + b;
      if (v < min || v > max) return false;
      dst[o + i] = v;
    }
  } else if (mode === 1) {
    for (let i = 0; i < n; i++) {
      const v = ((src[i]! >>> shift) & mask) * a + b;
      if (v < min || v > max) return false;
      dst[o + i] = v;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const v = ((((src[i]! >>> shift) & mask) << up) >> up) * a + b;
      if (v < min || v > max) return false;
      dst[o + i] = v;
    }
  }
  return true;
}

function toU16(
  src: ArrayLike<number>,
  n: number,
  dst: Uint16Array,
  o: number,
  a: number,
  b: number,
  mode: number,
  shift: number,
  mask: number,
  up: number,
): boolean {
  // one loop per mode keeps the hot loop free of branches other than the range check
  if (mode === 0) {
    for (let i = 0; i < n; i++) {
      const v = src[i]! * a + b;
      if (v < 0 || v > 65535) return false;
      dst[o + i] = v;
    }
  } else if (mode === 1) {
    for (let i = 0; i < n; i++) {
      const v = ((src[i]! >>> shift) & mask) * a + b;
      if (v < 0 || v > 65535) return false;
      dst[o + i] = v;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const v = ((((src[i]! >>> shift) & mask) << up) >> up) * a + b;
      if (v < 0 || v > 65535) return false;
      dst[o + i] = v;
    }
  }
  return true;
}

function toU8(
  src: ArrayLike<number>,
  n: number,
  dst: Uint8Array,
  o: number,
  a: number,
  b: number,
  mode: number,
  shift: number,
  mask: number,
  up: number,
): boolean {
  // one loop per mode keeps the hot loop free of branches other than the range check
  if (mode === 0) {
    for (let i = 0; i < n; i++) {
      const v = src[i]! * a + b;
      if (v < 0 || v > 255) return false;
      dst[o + i] = v;
    }
  } else if (mode === 1) {
    for (let i = 0; i < n; i++) {
      const v = ((src[i]! >>> shift) & mask) * a + b;
      if (v < 0 || v > 255) return false;
      dst[o + i] = v;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const v = ((((src[i]! >>> shift) & mask) << up) >> up) * a + b;
      if (v < 0 || v > 255) return false;
      dst[o + i] = v;
    }
  }
  return true;
}

function toI32(
  src: ArrayLike<number>,
  n: number,
  dst: ValueArray,
  o: number,
  a: number,
  b: number,
  mode: number,
  shift: number,
  mask: number,
  up: number,
): boolean {
  // one loop per mode keeps the hot loop free of branches other than the range check
  if (mode === 0) {
    for (let i = 0; i < n; i++) {
      const v = src[i]! * a + b;
      if (v < -2147483648 || v > 2147483647) return false;
      dst[o + i] = v;
    }
  } else if (mode === 1) {
    for (let i = 0; i < n; i++) {
      const v = ((src[i]! >>> shift) & mask) * a + b;
      if (v < -2147483648 || v > 2147483647) return false;
      dst[o + i] = v;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const v = ((((src[i]! >>> shift) & mask) << up) >> up) * a + b;
      if (v < -2147483648 || v > 2147483647) return false;
      dst[o + i] = v;
    }
  }
  return true;
}

function fitsInt16(norm: RawNorm, a: number, b: number): boolean {
  const bs = norm.bitsStored;
  if (bs > 16) return false;
  const lo = norm.signed ? -(2 ** (bs - 1)) : 0;
  const hi = norm.signed ? 2 ** (bs - 1) - 1 : 2 ** bs - 1;
  const v1 = lo * a + b;
  const v2 = hi * a + b;
  return Number.isInteger(a) && Number.isInteger(b) && Math.min(v1, v2) >= -32768 && Math.max(v1, v2) <= 32767;
}

function toInt16Unchecked(
  src: ArrayLike<number>,
  n: number,
  dst: Int16Array,
  o: number,
  a: number,
  b: number,
  mode: number,
  shift: number,
  mask: number,
  up: number,
): void {
  if (mode === 1 && a === 1 && shift === 0 && mask <= 0x7fff && addPairs(src, n, dst, o, mask, b)) return;
  if (mode === 1) {
    if (a === 1) for (let i = 0; i < n; i++) dst[o + i] = ((src[i]! >>> shift) & mask) + b;
    else for (let i = 0; i < n; i++) dst[o + i] = ((src[i]! >>> shift) & mask) * a + b;
  } else {
    for (let i = 0; i < n; i++) dst[o + i] = ((((src[i]! >>> shift) & mask) << up) >> up) * a + b;
  }
}

/**
 * `dst = (src & mask) + b` two 16-bit lanes at a time through 32-bit words (SWAR add without carry
 * between lanes): the hot path of 12-bit CT. Only with a 4-byte aligned destination (the source is
 * 2-byte aligned as a Uint16Array); returns false otherwise. Lane results are taken modulo 2^16, which is exact because the caller proved
 * that every result fits Int16.
 */
function addPairs(src: ArrayLike<number>, n: number, dst: Int16Array, o: number, mask: number, b: number): boolean {
  if (!(src instanceof Uint16Array) || n % 2 !== 0 || n < 2) return false;
  const dOff = dst.byteOffset + 2 * o;
  if (dOff % 4 !== 0) return false;
  const m2 = mask | (mask << 16);
  const lane = b & 0xffff;
  const bb = lane | (lane << 16);
  const bLow = bb & 0x7fff7fff;
  const bHigh = bb & 0x80008000;
  const half = n / 2;
  const d32 = new Uint32Array(dst.buffer, dOff, half);
  if (src.byteOffset % 4 === 0) {
    const s32 = new Uint32Array(src.buffer, src.byteOffset, half);
    for (let i = 0; i < half; i++) {
      const m = s32[i]! & m2; // lanes < 0x8000
      d32[i] = (m + bLow) ^ bHigh;
    }
    return true;
  }
  // Pixel data at 2 mod 4 (common: it follows an odd number of 16-bit words of header). Aligned
  // word k, starting 2 bytes before the data, holds (value 2k-1, value 2k): a pair is the high lane
  // of one word and the low lane of the next. The last pair goes alone so no byte past the data is read.
  const s32 = new Uint32Array(src.buffer, src.byteOffset - 2, half);
  let prev = s32[0]!;
  for (let i = 0; i < half - 1; i++) {
    const next = s32[i + 1]!;
    const m = ((prev >>> 16) | (next << 16)) & m2;
    prev = next;
    d32[i] = (m + bLow) ^ bHigh;
  }
  dst[o + n - 2] = (src[n - 2]! & mask) + b;
  dst[o + n - 1] = (src[n - 1]! & mask) + b;
  return true;
}
