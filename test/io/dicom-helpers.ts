import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** SHA-256 hex of a typed array's bytes (little-endian on every platform we run on). */
export function sha256(a: ArrayBufferView): string {
  return createHash('sha256')
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex');
}

/** Minimal NIfTI-1 (.nii, little-endian) reader for the reference files: header facts + raw data. */
export function readNifti1(path: string): {
  dims: number[];
  datatype: number;
  sclSlope: number;
  sclInter: number;
  srow: number[][];
  data: Int16Array;
} {
  const b = readFileSync(path);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (dv.getInt32(0, true) !== 348) throw new Error('not a little-endian NIfTI-1 file');
  const ndim = dv.getInt16(40, true);
  const dims: number[] = [];
  for (let i = 1; i <= ndim; i++) dims.push(dv.getInt16(40 + 2 * i, true));
  const datatype = dv.getInt16(70, true);
  const voxOffset = dv.getFloat32(108, true);
  const srow: number[][] = [];
  for (let r = 0; r < 3; r++) {
    const row: number[] = [];
    for (let c = 0; c < 4; c++) row.push(dv.getFloat32(280 + 16 * r + 4 * c, true));
    srow.push(row);
  }
  if (datatype !== 4) throw new Error('only int16 NIfTI handled here');
  const n = dims.reduce((a, x) => a * x, 1);
  const data = new Int16Array(n);
  for (let i = 0; i < n; i++) data[i] = dv.getInt16(voxOffset + 2 * i, true);
  return { dims, datatype, sclSlope: dv.getFloat32(112, true), sclInter: dv.getFloat32(116, true), srow, data };
}

/** Largest absolute difference between the top 3 rows of two 4x4 affines. */
export function affineMaxDiff(a: number[][], b: number[][]): number {
  let m = 0;
  for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) m = Math.max(m, Math.abs(a[r]![c]! - b[r]![c]!));
  return m;
}
