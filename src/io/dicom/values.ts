import type { PixelInfo, StoredArray } from './pixel.js';

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
  if (dst instanceof Int16Array) return toInt(src, n, dst, offset, a, b, mode, shift, mask, up, -32768, 32767);
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
