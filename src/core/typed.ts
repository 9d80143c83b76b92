import type { VoxelArray, VoxelArrayConstructor } from './volume.js';

/** Minimum and maximum of an array, ignoring NaN. Returns [NaN, NaN] for an empty or all-NaN array. */
export function minMax(a: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo === Infinity ? [Number.NaN, Number.NaN] : [lo, hi];
}

/** Constructor of a typed array, e.g. Float32Array for a Float32Array. */
export function ctorOf<T extends VoxelArray>(a: T): { new (length: number): T } {
  return a.constructor as { new (length: number): T };
}

/** Name of a typed array's element type: 'int16', 'float32', ... */
export function dtypeOf(a: VoxelArray): DType {
  for (const [name, ctor] of Object.entries(DTYPE_CTORS) as [DType, VoxelArrayConstructor][]) {
    if (a instanceof ctor) return name;
  }
  throw new TypeError('Unsupported typed array');
}

/** Element type names. */
export type DType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64';

/** Typed array constructors by element type name. */
export const DTYPE_CTORS: Record<DType, VoxelArrayConstructor> = {
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  float32: Float32Array,
  float64: Float64Array,
};

/** Copies any numeric array into a new Float32Array. */
export function toFloat32(a: ArrayLike<number>): Float32Array {
  if (a instanceof Float32Array) return a.slice();
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]!;
  return out;
}

/** Count of non-zero elements. */
export function countNonZero(a: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) n++;
  return n;
}

/** Mean and population standard deviation of `a` where `mask` is non-zero (or everywhere). */
export function meanStd(a: ArrayLike<number>, mask?: ArrayLike<number>): { mean: number; std: number; count: number } {
  let n = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    if (mask && mask[i] === 0) continue;
    s += a[i]!;
    n++;
  }
  if (n === 0) return { mean: Number.NaN, std: Number.NaN, count: 0 };
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < a.length; i++) {
    if (mask && mask[i] === 0) continue;
    const d = a[i]! - mean;
    ss += d * d;
  }
  return { mean, std: Math.sqrt(ss / n), count: n };
}

/** Hex SHA-256 of bytes, using WebCrypto (Node ≥ 20 and browsers). */
export async function sha256Hex(bytes: Uint8Array | ArrayBufferView): Promise<string> {
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const digest = await globalThis.crypto.subtle.digest('SHA-256', view as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The bytes of `a` four at a time, as an Int32 view (no copy; Int32 rather than Uint32 keeps every
 * word a small integer for the JIT). Covers `a.length >> 2` words; the caller handles the tail and
 * needs a byteOffset that is a multiple of 4.
 */
export function int32Words(a: Uint8Array): Int32Array {
  return new Int32Array(a.buffer, a.byteOffset, a.length >> 2);
}

/** A copy of `a` in a longer array (growing buffers whose final length is not known ahead). */
export function growInt32(a: Int32Array, length: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(length);
  b.set(a);
  return b;
}

/** Little-endian bytes view of a typed array (no copy on little-endian hosts). */
export function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
