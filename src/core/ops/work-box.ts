import type { Vec3, VoxelArray } from '../volume.js';

/** Index box [x0, y0, z0, x1, y1, z1] (inclusive) of a part of a grid. */
export type Box = [number, number, number, number, number, number];

/**
 * Bounding box of the nonzero voxels of `data`, padded by `pad` voxels per axis and clipped to the
 * grid; null when every voxel is zero. Rows are scanned from both ends, so a mask of one organ in
 * a whole CT costs one pass over its empty rows.
 */
export function nonzeroBox(data: VoxelArray, dims: Vec3, pad: readonly number[]): Box | null {
  const [nx, ny, nz] = dims;
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
  if (x1 < 0) return null;
  return [
    Math.max(0, x0 - pad[0]!),
    Math.max(0, y0 - pad[1]!),
    Math.max(0, z0 - pad[2]!),
    Math.min(nx - 1, x1 + pad[0]!),
    Math.min(ny - 1, y1 + pad[1]!),
    Math.min(nz - 1, z1 + pad[2]!),
  ];
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
