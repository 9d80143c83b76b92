import { describe, expect, it } from 'vitest';
import { correlateSeparable } from '../../src/core/ops/convolve.js';
import { gaussianKernel1d } from '../../src/core/ops/gaussian.js';
import { gradientMagnitude, hessianEigen, laplacianOfGaussian } from '../../src/core/ops/index.js';
import { Rng } from '../../src/core/random.js';
import { createVolume, type Vec3 } from '../../src/core/volume.js';

function fillFn(dims: Vec3, spacing: Vec3, f: (x: number, y: number, z: number) => number) {
  const v = createVolume(dims, Float32Array, { spacing });
  for (let k = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++)
        v.data[i + dims[0] * (j + dims[1] * k)] = f(i * spacing[0], j * spacing[1], k * spacing[2]);
  return v;
}

describe('Gaussian derivatives', () => {
  it('scale-normalised LoG at a ball centre peaks at sigma = r / sqrt(3)', () => {
    const n = 48;
    const sp = 0.5;
    const r = 4; // mm (8 voxels)
    const c = 24 * sp;
    const ball = fillFn([n, n, n], [sp, sp, sp], (x, y, z) => (Math.hypot(x - c, y - c, z - c) <= r ? 1 : 0));
    const centre = 24 + n * (24 + n * 24);
    let best = 0;
    let bestSigma = 0;
    for (let s = 1.8; s <= 2.9; s += 0.05) {
      const v = laplacianOfGaussian(ball, { sigmaMm: s }).data[centre]!;
      if (v < best) {
        best = v;
        bestSigma = s;
      }
    }
    expect(best).toBeLessThan(0);
    expect(Math.abs(bestSigma - r / Math.sqrt(3))).toBeLessThan(0.08);
  });

  it('Hessian eigenvalues of a rotated quadratic are exact on an anisotropic grid', () => {
    // H = R diag(-3, 0.5, 2) R^T with R a rotation; f = x^T H x / 2 (mm).
    const lam = [-3, 0.5, 2];
    const a = 0.4;
    const b = 0.7;
    const rz = [Math.cos(a), -Math.sin(a), 0, Math.sin(a), Math.cos(a), 0, 0, 0, 1];
    const rx = [1, 0, 0, 0, Math.cos(b), -Math.sin(b), 0, Math.sin(b), Math.cos(b)];
    const R = new Array(9).fill(0);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) R[i * 3 + j] += rz[i * 3 + k]! * rx[k * 3 + j]!;
    const H = new Array(9).fill(0);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) H[i * 3 + j] += R[i * 3 + k] * lam[k]! * R[j * 3 + k];
    const sp: Vec3 = [0.7, 0.8, 1.2];
    const dims: Vec3 = [41, 37, 25];
    const c = [20 * sp[0], 18 * sp[1], 12 * sp[2]];
    const vol = fillFn(dims, sp, (x, y, z) => {
      const d = [x - c[0]!, y - c[1]!, z - c[2]!];
      let q = 0;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) q += d[i]! * H[i * 3 + j] * d[j]!;
      return q / 2;
    });
    const e = hessianEigen(vol, { sigmaMm: 1.5, truncate: 6 });
    const i = 20 + 41 * (18 + 37 * 12);
    expect(e.l1.data[i]).toBeCloseTo(-3, 3);
    expect(e.l2.data[i]).toBeCloseTo(0.5, 3);
    expect(e.l3.data[i]).toBeCloseTo(2, 3);
    // Slab-wise computation gives exactly the whole-volume result.
    const whole = hessianEigen(vol, { sigmaMm: 1.5, truncate: 6, slabSlices: 1000 });
    const thin = hessianEigen(vol, { sigmaMm: 1.5, truncate: 6, slabSlices: 3 });
    expect(Array.from(thin.l1.data)).toEqual(Array.from(whole.l1.data));
    expect(Array.from(thin.l3.data)).toEqual(Array.from(e.l3.data));
    const m = hessianEigen(vol, { sigmaMm: 1.5, truncate: 6, order: 'magnitude', normalized: true });
    expect(m.l1.data[i]).toBeCloseTo(0.5 * 2.25, 2);
    expect(m.l2.data[i]).toBeCloseTo(2 * 2.25, 2);
    expect(m.l3.data[i]).toBeCloseTo(-3 * 2.25, 2);
  });

  it('Hessian of a single-slice image (nz = 1) sees no curvature along z', () => {
    const vol = fillFn([31, 25, 1], [0.5, 0.7, 3], (x, y) => (x - 7) ** 2 - 0.5 * (y - 8) ** 2);
    const e = hessianEigen(vol, { sigmaMm: 1 });
    const i = 15 + 31 * 12;
    expect(e.l1.data[i]).toBeCloseTo(-1, 4);
    expect(e.l2.data[i]).toBeCloseTo(0, 4);
    expect(e.l3.data[i]).toBeCloseTo(2, 4);
  });

  it('Hessian eigenvalues at the axis of a Gaussian tube match the analytic values', () => {
    const s0 = 2;
    const sigma = 1.5;
    const sp: Vec3 = [0.5, 0.5, 0.8];
    const dims: Vec3 = [41, 17, 41];
    const cx = 20 * sp[0];
    const cz = 20 * sp[2];
    // Tube along y.
    const vol = fillFn(dims, sp, (x, _y, z) => Math.exp(-((x - cx) ** 2 + (z - cz) ** 2) / (2 * s0 * s0)));
    const e = hessianEigen(vol, { sigmaMm: sigma, order: 'magnitude' });
    const i = 20 + 41 * (8 + 17 * 20);
    const S2 = s0 * s0 + sigma * sigma;
    const expected = -(s0 * s0) / (S2 * S2);
    expect(Math.abs(e.l1.data[i]!)).toBeLessThan(1e-4);
    expect(e.l2.data[i]).toBeCloseTo(expected, 3);
    expect(e.l3.data[i]).toBeCloseTo(expected, 3);
  });

  it('gradient magnitude of a linear ramp is its slope in intensity per mm', () => {
    const sp: Vec3 = [0.6, 1.1, 2.4];
    const vol = fillFn([30, 30, 20], sp, (x, y, z) => 2 * x - 3 * y + 6 * z);
    const g = gradientMagnitude(vol, { sigmaMm: 1 }).data;
    expect(g[15 + 30 * (15 + 30 * 10)]).toBeCloseTo(7, 3);
    const flat = gradientMagnitude(createVolume([8, 8, 8], Float32Array), { sigmaMm: 1 });
    expect(flat.data.every((v) => v === 0)).toBe(true);
    expect(() => gradientMagnitude(vol, { sigmaMm: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('LoG and gradient magnitude sharing the x smoothing equal three full separable passes bit for bit', () => {
    // The definition the validated figures were computed with: one 3-pass correlation per term.
    const dims: Vec3 = [37, 29, 23];
    const spacing: Vec3 = [0.7, 0.9, 2.5];
    const sig: Vec3 = [1.5, 1.5, 2];
    const rng = new Rng(3);
    const v = createVolume(dims, Int16Array, { spacing });
    for (let i = 0; i < v.data.length; i++) v.data[i] = Math.round(rng.normal() * 300);
    const kernel = (a: number, order: 0 | 1 | 2): Float32Array => {
      const k = gaussianKernel1d(sig[a]! / spacing[a]!, 4, order);
      const f = 1 / spacing[a]! ** order; // as derivativeKernels scales them
      return order === 0 ? k : k.map((w) => w * f);
    };
    const reference = (order: 1 | 2, combine: (acc: number, d: number, a: number) => number): Float32Array => {
      const out = new Float32Array(v.data.length);
      for (let a = 0; a < 3; a++) {
        const ks = [0, 1, 2].map((b) => kernel(b, b === a ? order : 0)) as [Float32Array, Float32Array, Float32Array];
        const d = correlateSeparable(v.data, dims, ks);
        for (let i = 0; i < out.length; i++) out[i] = combine(out[i]!, d[i]!, a);
      }
      return out;
    };
    const log = reference(2, (acc, d, a) => acc + sig[a]! * sig[a]! * d);
    const grad = reference(1, (acc, d) => acc + d * d).map(Math.sqrt);
    const bits = (x: Float32Array) => Array.from(new Uint32Array(x.buffer));
    expect(bits(laplacianOfGaussian(v, { sigmaMm: sig }).data)).toEqual(bits(log));
    expect(bits(gradientMagnitude(v, { sigmaMm: sig }).data)).toEqual(bits(grad));
  });
});
