import { describe, expect, it } from 'vitest';
import { gaussian, gaussianKernel1d } from '../../src/core/ops/index.js';
import { Rng } from '../../src/core/random.js';
import { createVolume, type Vec3 } from '../../src/core/volume.js';

/** Brute-force separable reference: 3D correlation with reflect boundaries, in doubles. */
function bruteGaussian(data: ArrayLike<number>, dims: Vec3, ks: Float32Array[]): Float64Array {
  const [nx, ny, nz] = dims;
  const refl = (i: number, n: number) => {
    const p = 2 * n;
    let m = ((i % p) + p) % p;
    if (m >= n) m = p - 1 - m;
    return m;
  };
  const out = new Float64Array(nx * ny * nz);
  const [kx, ky, kz] = ks as [Float32Array, Float32Array, Float32Array];
  const rx = (kx.length - 1) / 2;
  const ry = (ky.length - 1) / 2;
  const rz = (kz.length - 1) / 2;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        let acc = 0;
        for (let c = -rz; c <= rz; c++)
          for (let b = -ry; b <= ry; b++)
            for (let a = -rx; a <= rx; a++) {
              const v = data[refl(x + a, nx) + nx * (refl(y + b, ny) + ny * refl(z + c, nz))]!;
              acc += kx[a + rx]! * ky[b + ry]! * kz[c + rz]! * v;
            }
        out[x + nx * (y + ny * z)] = acc;
      }
  return out;
}

describe('gaussian', () => {
  it('of a delta is the analytic (sampled, normalised) anisotropic kernel', () => {
    const dims: Vec3 = [41, 37, 21];
    const vol = createVolume(dims, Float32Array, { spacing: [0.8, 1.1, 2.5], origin: [3, -4, 5] });
    const c = [20, 18, 10];
    vol.data[c[0]! + 41 * (c[1]! + 37 * c[2]!)] = 1;
    const sigmaMm = 2;
    const out = gaussian(vol, { sigmaMm });
    const s = [sigmaMm / 0.8, sigmaMm / 1.1, sigmaMm / 2.5];
    const norm = s.map((sv) => {
      let t = 0;
      const r = Math.floor(4 * sv + 0.5);
      for (let i = -r; i <= r; i++) t += Math.exp((-0.5 * i * i) / (sv * sv));
      return t;
    });
    let maxErr = 0;
    let total = 0;
    for (let z = 0; z < 21; z++)
      for (let y = 0; y < 37; y++)
        for (let x = 0; x < 41; x++) {
          const d = [x - c[0]!, y - c[1]!, z - c[2]!];
          let g = 1;
          for (let a = 0; a < 3; a++) {
            const r = Math.floor(4 * s[a]! + 0.5);
            g *= Math.abs(d[a]!) > r ? 0 : Math.exp((-0.5 * d[a]! * d[a]!) / (s[a]! * s[a]!)) / norm[a]!;
          }
          const v = out.data[x + 41 * (y + 37 * z)]!;
          total += v;
          maxErr = Math.max(maxErr, Math.abs(v - g));
        }
    expect(maxErr).toBeLessThan(1e-7);
    expect(total).toBeCloseTo(1, 5);
    expect(out.origin).toEqual([3, -4, 5]);
    expect(out.spacing).toEqual([0.8, 1.1, 2.5]);
  });

  it('matches brute-force 3D correlation with reflect boundaries on random data (Int16 input)', () => {
    const dims: Vec3 = [13, 11, 9];
    const rng = new Rng(7);
    const data = new Int16Array(13 * 11 * 9);
    for (let i = 0; i < data.length; i++) data[i] = Math.round(rng.uniform(-1000, 1000));
    const vol = createVolume(dims, data, { spacing: [0.7, 1.3, 2] });
    const sig: Vec3 = [2.5, 1.9, 3];
    const out = gaussian(vol, { sigmaMm: sig });
    const ks = [0, 1, 2].map((a) => gaussianKernel1d(sig[a]! / vol.spacing[a]!));
    // Kernels wider than the grid exercise the multi-bounce reflect indexing.
    expect(ks[0]!.length).toBeGreaterThan(13);
    const ref = bruteGaussian(data, dims, ks);
    for (let i = 0; i < ref.length; i++) expect(Math.abs(out.data[i]! - ref[i]!)).toBeLessThan(2e-3);
    expect(vol.data).toBe(data); // input untouched
  });

  it('leaves an axis alone with sigma 0 and handles single-voxel axes', () => {
    const vol = createVolume([5, 1, 1], Float32Array.from([0, 0, 1, 0, 0]));
    expect(Array.from(gaussian(vol, { sigmaMm: [0, 3, 3] }).data)).toEqual([0, 0, 1, 0, 0]);
    const out = gaussian(vol, { sigmaMm: 1 }).data;
    expect(out[2]!).toBeLessThan(1);
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it('derivative kernels differentiate polynomials exactly (in voxel units), even for small sigma', () => {
    for (const sigma of [0.01, 0.2, 0.4, 0.8, 2, 5]) {
      const k1 = gaussianKernel1d(sigma, 4, 1);
      const k2 = gaussianKernel1d(sigma, 4, 2);
      const r = (k1.length - 1) / 2;
      let d1 = 0;
      let d2 = 0;
      let d2c = 0;
      for (let j = -r; j <= r; j++) {
        d1 += k1[j + r]! * (3 + 2 * j); // f(x) = 3 + 2x has f' = 2
        d2 += k2[j + r]! * (1 + j + j * j); // f(x) = 1 + x + x² has f'' = 2
        d2c += k2[j + r]!; // constants have f'' = 0
      }
      expect(d1).toBeCloseTo(2, 6);
      expect(d2).toBeCloseTo(2, 6);
      expect(d2c).toBeCloseTo(0, 6); // float32 weights
    }
    // The small-sigma limit is central differences.
    expect(Array.from(gaussianKernel1d(0.01, 4, 1))).toEqual([-0.5, 0, 0.5]);
    expect(Array.from(gaussianKernel1d(0.01, 4, 2))).toEqual([1, -2, 1]);
  });

  it('rejects bad sigma with MedImgError', () => {
    const vol = createVolume([3, 3, 3], Float32Array);
    expect(() => gaussian(vol, { sigmaMm: -1 })).toThrow(/sigmaMm/);
    expect(() => gaussian(vol, { sigmaMm: [1, 2] as unknown as Vec3 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});
