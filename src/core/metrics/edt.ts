import type { Vec3 } from '../volume.js';

// TODO(merge): replace with `distanceTransform` from src/core/ops once the ops branch is merged.
// Kept internal (not exported from the barrel) so the public API has one distance transform.

/**
 * Exact Euclidean distance transform in mm on an anisotropic grid (Felzenszwalb & Huttenlocher
 * 2012, separable lower envelope of parabolas). Returns, for every voxel, the distance in mm to the
 * nearest voxel where `feature` is non-zero; Infinity when there is no feature voxel at all.
 */
export function edtMm(feature: ArrayLike<number>, dims: Vec3, spacing: Vec3): Float32Array {
  const [nx, ny, nz] = dims;
  const n = nx * ny * nz;
  const d2 = new Float64Array(n);
  for (let i = 0; i < n; i++) d2[i] = feature[i] ? 0 : Number.POSITIVE_INFINITY;
  const maxLen = Math.max(nx, ny, nz);
  const f = new Float64Array(maxLen);
  const out = new Float64Array(maxLen);
  const v = new Int32Array(maxLen);
  const z = new Float64Array(maxLen + 1);
  const pass = (start: number, stride: number, len: number, s: number): void => {
    for (let i = 0; i < len; i++) f[i] = d2[start + i * stride]!;
    envelope(f, len, s * s, out, v, z);
    for (let i = 0; i < len; i++) d2[start + i * stride] = out[i]!;
  };
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) pass((k * ny + j) * nx, 1, nx, spacing[0]);
  for (let k = 0; k < nz; k++) for (let i = 0; i < nx; i++) pass(k * nx * ny + i, nx, ny, spacing[1]);
  if (nz > 1) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) pass(j * nx + i, nx * ny, nz, spacing[2]);
  const res = new Float32Array(n);
  for (let i = 0; i < n; i++) res[i] = Math.sqrt(d2[i]!);
  return res;
}

/** 1D squared-distance transform: out[q] = min_p (w2 (q-p)^2 + f[p]); f may hold Infinity. */
function envelope(f: Float64Array, len: number, w2: number, out: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = -1;
  for (let q = 0; q < len; q++) {
    const fq = f[q]!;
    if (fq === Number.POSITIVE_INFINITY) continue;
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = Number.NEGATIVE_INFINITY;
      z[1] = Number.POSITIVE_INFINITY;
      continue;
    }
    // z[0] = -Infinity stops the loop at k = 0
    let s = 0;
    for (;;) {
      const p = v[k]!;
      s = (fq + w2 * q * q - (f[p]! + w2 * p * p)) / (2 * w2 * (q - p));
      if (s <= z[k]!) k--;
      else break;
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Number.POSITIVE_INFINITY;
  }
  if (k < 0) {
    for (let q = 0; q < len; q++) out[q] = Number.POSITIVE_INFINITY;
    return;
  }
  let j = 0;
  for (let q = 0; q < len; q++) {
    while (z[j + 1]! < q) j++;
    const p = v[j]!;
    out[q] = w2 * (q - p) * (q - p) + f[p]!;
  }
}
