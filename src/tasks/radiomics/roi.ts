/** ROI helpers shared by the shape families: bounding box, cropping, PCA of voxel positions. */
import type { Vec3 } from '../../core/volume.js';
import type { BoxMask } from './mesh.js';

/** Inclusive index bounding box [x0, x1, y0, y1, z0, z1], or null for an empty mask. */
export type BBox = [number, number, number, number, number, number];

export function boundingBox(mask: ArrayLike<number>, dims: Vec3): BBox | null {
  const [nx, ny, nz] = dims;
  let x0 = nx;
  let x1 = -1;
  let y0 = ny;
  let y1 = -1;
  let z0 = nz;
  let z1 = -1;
  let i = 0;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) {
        if (!mask[i]) continue;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
        if (z < z0) z0 = z;
        if (z > z1) z1 = z;
      }
  return x1 < 0 ? null : [x0, x1, y0, y1, z0, z1];
}

/** Crops any array on `dims` to the box (copy). */
export function cropArray<T extends Uint8Array | Int32Array | Float64Array | Float32Array>(
  data: T,
  dims: Vec3,
  bb: BBox,
): T {
  const [nx, ny] = dims;
  const bx = bb[1] - bb[0] + 1;
  const by = bb[3] - bb[2] + 1;
  const bz = bb[5] - bb[4] + 1;
  const out = new (data.constructor as { new (n: number): T })(bx * by * bz);
  let o = 0;
  for (let z = 0; z < bz; z++)
    for (let y = 0; y < by; y++) {
      const row = bb[0] + nx * (bb[2] + y + ny * (bb[4] + z));
      for (let x = 0; x < bx; x++) out[o++] = data[row + x]!;
    }
  return out;
}

export function boxDims(bb: BBox): Vec3 {
  return [bb[1] - bb[0] + 1, bb[3] - bb[2] + 1, bb[5] - bb[4] + 1];
}

/** Binary (0/1) box mask. */
export function boxMask(mask: Uint8Array, dims: Vec3, spacing: Vec3, bb: BBox): BoxMask {
  const data = cropArray(mask, dims, bb);
  for (let i = 0; i < data.length; i++) data[i] = data[i] ? 1 : 0;
  return { data, dims: boxDims(bb), spacing };
}

/**
 * Eigenvalues (descending) of the covariance of voxel-centre positions (mm): population (/N, as
 * PyRadiomics) or sample (/(N-1), as IBSI's reference values imply).
 */
export function pcaEigenvalues(mask: BoxMask, sample = false): [number, number, number] {
  const [nx, ny, nz] = mask.dims;
  const [sx, sy, sz] = mask.spacing;
  let n = 0;
  let mx = 0;
  let my = 0;
  let mz = 0;
  let i = 0;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) {
        if (!mask.data[i]) continue;
        n++;
        mx += x;
        my += y;
        mz += z;
      }
  mx /= n;
  my /= n;
  mz /= n;
  let cxx = 0;
  let cyy = 0;
  let czz = 0;
  let cxy = 0;
  let cxz = 0;
  let cyz = 0;
  i = 0;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) {
        if (!mask.data[i]) continue;
        const dx = (x - mx) * sx;
        const dy = (y - my) * sy;
        const dz = (z - mz) * sz;
        cxx += dx * dx;
        cyy += dy * dy;
        czz += dz * dz;
        cxy += dx * dy;
        cxz += dx * dz;
        cyz += dy * dz;
      }
  const dn = sample ? n - 1 : n;
  return symmetricEigenvalues3([cxx / dn, cxy / dn, cxz / dn, cyy / dn, cyz / dn, czz / dn]);
}

/** Eigenvalues (descending) of a symmetric 3x3 matrix [a00,a01,a02,a11,a12,a22] (Jacobi). */
export function symmetricEigenvalues3(m: number[]): [number, number, number] {
  const a = [
    [m[0]!, m[1]!, m[2]!],
    [m[1]!, m[3]!, m[4]!],
    [m[2]!, m[4]!, m[5]!],
  ] as number[][];
  for (let sweep = 0; sweep < 50; sweep++) {
    const off = a[0]![1]! ** 2 + a[0]![2]! ** 2 + a[1]![2]! ** 2;
    if (off < 1e-30 * (a[0]![0]! ** 2 + a[1]![1]! ** 2 + a[2]![2]! ** 2 + 1e-300)) break;
    for (let p = 0; p < 2; p++)
      for (let q = p + 1; q < 3; q++) {
        const apq = a[p]![q]!;
        if (apq === 0) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < 3; k++) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < 3; k++) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
      }
  }
  const ev = [a[0]![0]!, a[1]![1]!, a[2]![2]!].sort((x, y) => y - x);
  return [ev[0]!, ev[1]!, ev[2]!];
}
