import { int32Words } from '../typed.js';
import type { Vec3, VoxelArray } from '../volume.js';

/** Whether typed-array words hold their first byte lowest (every platform JS runs on in practice). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Index box [x0, y0, z0, x1, y1, z1] (inclusive) of a part of a grid. */
export type Box = [number, number, number, number, number, number];

/**
 * Bounding box of the nonzero voxels of `data`, padded by `pad` voxels per axis and clipped to the
 * grid; null when every voxel is zero. Rows are scanned from both ends, so a mask of one organ in
 * a whole CT costs one pass over its empty rows.
 */
export function nonzeroBox(data: VoxelArray, dims: Vec3, pad: readonly number[]): Box | null {
  const [nx, ny, nz] = dims;
  const b =
    LITTLE_ENDIAN && data instanceof Uint8Array && nx % 4 === 0 && data.byteOffset % 4 === 0
      ? extentOfWords(int32Words(data), nx >> 2, ny, nz)
      : extent(data, nx, ny, nz);
  if (!b) return null;
  return [
    Math.max(0, b[0] - pad[0]!),
    Math.max(0, b[1] - pad[1]!),
    Math.max(0, b[2] - pad[2]!),
    Math.min(nx - 1, b[3] + pad[0]!),
    Math.min(ny - 1, b[4] + pad[1]!),
    Math.min(nz - 1, b[5] + pad[2]!),
  ];
}

/**
 * {@link extent} of a byte mask read four bytes at a time (rows of `wx` words): the first and last
 * nonzero word of a row, then the byte within it (little-endian: byte k is bits 8k..8k+7).
 */
function extentOfWords(w: Int32Array, wx: number, ny: number, nz: number): Box | null {
  let x0 = wx * 4;
  let y0 = ny;
  let z0 = nz;
  let x1 = -1;
  let y1 = -1;
  let z1 = -1;
  const lowByte = (v: number) => (v & 0xff ? 0 : v & 0xff00 ? 1 : v & 0xff0000 ? 2 : 3);
  const highByte = (v: number) => (v & 0xff000000 ? 3 : v & 0xff0000 ? 2 : v & 0xff00 ? 1 : 0);
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++, i += wx) {
      let first = -1;
      for (let k = 0; k < wx; k++)
        if (w[i + k] !== 0) {
          first = k;
          break;
        }
      if (first < 0) continue;
      let last = first;
      for (let k = wx - 1; k > first; k--)
        if (w[i + k] !== 0) {
          last = k;
          break;
        }
      const a = 4 * first + lowByte(w[i + first]!);
      const b = 4 * last + highByte(w[i + last]!);
      if (a < x0) x0 = a;
      if (b > x1) x1 = b;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      if (z < z0) z0 = z;
      z1 = z;
    }
  return x1 < 0 ? null : [x0, y0, z0, x1, y1, z1];
}

/** Inclusive index extent of the nonzero voxels, or null. */
function extent(data: VoxelArray, nx: number, ny: number, nz: number): Box | null {
  let x0 = nx;
  let y0 = ny;
  let z0 = nz;
  let x1 = -1;
  let y1 = -1;
  let z1 = -1;
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++, i += nx) {
      let first = -1;
      for (let x = 0; x < nx; x++)
        if (data[i + x] !== 0) {
          first = x;
          break;
        }
      if (first < 0) continue;
      let last = first;
      for (let x = nx - 1; x > first; x--)
        if (data[i + x] !== 0) {
          last = x;
          break;
        }
      if (first < x0) x0 = first;
      if (last > x1) x1 = last;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      if (z < z0) z0 = z;
      z1 = z;
    }
  return x1 < 0 ? null : [x0, y0, z0, x1, y1, z1];
}

/** Dimensions of a box. */
export function boxDims(b: Box): Vec3 {
  return [b[3] - b[0] + 1, b[4] - b[1] + 1, b[5] - b[2] + 1];
}

/** Fraction of the grid's voxels a box holds. */
export function boxFraction(b: Box, dims: Vec3): number {
  const d = boxDims(b);
  return (d[0] * d[1] * d[2]) / (dims[0] * dims[1] * dims[2]);
}

/** The box's part of `data` as 0/1 bytes. */
export function cropBytes(data: VoxelArray, dims: Vec3, b: Box): Uint8Array {
  const [nx, ny] = dims;
  const bd = boxDims(b);
  const out = new Uint8Array(bd[0] * bd[1] * bd[2]);
  for (let z = b[2], c = 0; z <= b[5]; z++)
    for (let y = b[1]; y <= b[4]; y++, c += bd[0]) {
      const i = b[0] + nx * (y + ny * z);
      for (let x = 0; x < bd[0]; x++) out[c + x] = data[i + x] !== 0 ? 1 : 0;
    }
  return out;
}

/** Writes `part` (the box's voxels, row by row) into the full grid `out`. */
export function pasteBox(out: Uint8Array, dims: Vec3, b: Box, part: Uint8Array): void {
  const [nx, ny] = dims;
  const w = b[3] - b[0] + 1;
  for (let z = b[2], c = 0; z <= b[5]; z++)
    for (let y = b[1]; y <= b[4]; y++, c += w) out.set(part.subarray(c, c + w), b[0] + nx * (y + ny * z));
}
