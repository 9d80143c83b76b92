/** ROI helpers shared by the shape families: bounding box, cropping, PCA of voxel positions. */
import { symmetricEigenvalues3 as coreSymmetricEigenvalues3 } from '../../core/geometry.js';
import { maskBoundingBox } from '../../core/ops/crop.js';
import type { Vec3 } from '../../core/volume.js';
import type { BoxMask } from './mesh.js';

/** Inclusive index bounding box [x0, x1, y0, y1, z0, z1], or null for an empty mask. */
export type BBox = [number, number, number, number, number, number];

export function boundingBox(mask: Uint8Array, dims: Vec3): BBox | null {
  // Spacing only scales margins, and there is none here.
  const box = maskBoundingBox({ data: mask, dims, spacing: [1, 1, 1] });
  return box ? [box.min[0], box.max[0], box.min[1], box.max[1], box.min[2], box.max[2]] : null;
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

/** Eigenvalues (descending) of a symmetric 3x3 matrix [a00,a01,a02,a11,a12,a22]. */
export function symmetricEigenvalues3(m: number[]): [number, number, number] {
  const out = [0, 0, 0];
  coreSymmetricEigenvalues3(m[0]!, m[3]!, m[5]!, m[1]!, m[2]!, m[4]!, out);
  return [out[2]!, out[1]!, out[0]!];
}
