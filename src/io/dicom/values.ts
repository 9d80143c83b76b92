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
 * Writes `stored * slope + intercept` for `n` values into `dst` at `offset`, inverting first when
 * `invert` (MONOCHROME1: v -> lo + hi - v). Returns false (leaving `dst` partly written) when an
 * integer destination cannot hold a value.
 */
export function writeModalityFrame(
  src: StoredArray,
  n: number,
  dst: ValueArray,
  offset: number,
  slope: number,
  intercept: number,
  invert: [number, number] | undefined,
): boolean {
  let a = slope;
  let b = intercept;
  if (invert) {
    // slope * (lo + hi - v) + intercept
    b = slope * (invert[0] + invert[1]) + intercept;
    a = -slope;
  }
  if (dst instanceof Float32Array) {
    for (let i = 0; i < n; i++) dst[offset + i] = src[i]! * a + b;
    return true;
  }
  const [min, max] =
    dst instanceof Int16Array
      ? [-32768, 32767]
      : dst instanceof Uint16Array
        ? [0, 65535]
        : dst instanceof Uint8Array
          ? [0, 255]
          : [-2147483648, 2147483647];
  if (a === 1 && b === 0) {
    for (let i = 0; i < n; i++) {
      const v = src[i]!;
      if (v < min || v > max) return false;
      dst[offset + i] = v;
    }
    return true;
  }
  for (let i = 0; i < n; i++) {
    const v = src[i]! * a + b;
    if (v < min || v > max) return false;
    dst[offset + i] = v;
  }
  return true;
}
