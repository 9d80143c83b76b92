import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { correlateSeparable } from '../../src/core/ops/convolve.js';
import { gaussianKernel1d } from '../../src/core/ops/gaussian.js';
import { gaussian, gradientMagnitude, laplacianOfGaussian } from '../../src/core/ops/index.js';
import { Rng } from '../../src/core/random.js';
import { setSimdEnabled, simdAvailable } from '../../src/core/simd/convolve.js';
import { createVolume, type Vec3, type VoxelArray } from '../../src/core/volume.js';

// The WebAssembly SIMD kernels compute in f32 (four lanes), the scalar JavaScript fallback in f64
// with one rounding to f32 per pass: they agree within float32 rounding. The bound: |simd - js| <=
// ULPS units of 2^-24 * max|input| * prod_axes(sum|w|) (the largest magnitude any partial sum can
// reach). Measured: at most 5.0 units here (a radius-20 kernel, 41 taps summed in f32) and 1.3 on a
// 512x512x128 CT-like volume (Gaussian 2 mm: max|diff| 1.5e-4 on values up to 518; LoG 0.3). The
// bound is 8 units. Non-finite voxels (NaN, +-Infinity) must match exactly.
const ULPS = 8;
let worst = 0;
afterEach(() => setSimdEnabled(true));
afterAll(() => console.log(`SIMD vs scalar: at most ${worst.toFixed(2)} units of 2^-24 * max|input| * gain`));

function run(simd: boolean, fn: () => Float32Array): Float32Array {
  setSimdEnabled(simd);
  try {
    return fn();
  } finally {
    setSimdEnabled(true);
  }
}

function bitwiseDiffs(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let d = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) d++;
  return d;
}

const sumAbs = (k: Float32Array | null): number => (k ? k.reduce((s, v) => s + Math.abs(v), 0) : 1);
function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i]!)) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** max|js - wasm| in units of 2^-24 * scale; non-finite voxels must be the same (NaN, signed infinity). */
function ulpsApart(js: Float32Array, wasm: Float32Array, scale: number): number {
  expect(js.length).toBe(wasm.length);
  let m = 0;
  let mismatched = 0;
  for (let i = 0; i < js.length; i++) {
    const a = js[i]!;
    const b = wasm[i]!;
    if (!Number.isFinite(a) || !Number.isFinite(b)) {
      if (!Object.is(a, b)) mismatched++;
    } else m = Math.max(m, Math.abs(a - b));
  }
  expect(mismatched).toBe(0);
  worst = Math.max(worst, m / (scale * 2 ** -24));
  return m / (scale * 2 ** -24);
}

const rng = new Rng(11);
function randomData(kind: 'f32' | 'i16' | 'u8' | 'f64', n: number): VoxelArray {
  const out =
    kind === 'f32'
      ? new Float32Array(n)
      : kind === 'i16'
        ? new Int16Array(n)
        : kind === 'u8'
          ? new Uint8Array(n)
          : new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = rng.normal() * 300 + (i % 97);
    out[i] = kind === 'u8' ? Math.abs(v) % 256 : kind === 'i16' ? Math.round(v) : v;
  }
  return out;
}

describe('WebAssembly SIMD separable correlation', () => {
  it('is available in this Node (WebAssembly SIMD is on by default since Node 16.4)', () => {
    expect(simdAvailable()).toBe(true);
  });

  const shapes: Vec3[] = [
    [17, 13, 21], // odd row length: the scalar tail of each row
    [64, 48, 40],
    [1, 80, 90], // one voxel per row
    [128, 3, 19],
  ];
  const kernels: [string, [Float32Array | null, Float32Array | null, Float32Array | null]][] = [
    ['gaussian r=1..12', [gaussianKernel1d(0.4), gaussianKernel1d(2.9), gaussianKernel1d(0.8)]],
    ['first/second derivatives', [gaussianKernel1d(1.5, 4, 1), gaussianKernel1d(1.1, 4, 2), gaussianKernel1d(3, 4, 1)]],
    [
      'general (no symmetry)',
      [Float32Array.of(0.1, 0.5, 0.2, 0.15, 0.05), Float32Array.of(1, -2, 3), Float32Array.of(0.3, 0.3, 0.4)],
    ],
    ['one axis only', [null, null, gaussianKernel1d(5)]],
    ['a wide kernel (radius 20)', [gaussianKernel1d(5), null, null]],
  ];
  for (const dims of shapes) {
    for (const [name, ks] of kernels) {
      it(`${name} on ${dims.join('x')} matches the scalar code within float32 rounding`, () => {
        const n = dims[0] * dims[1] * dims[2];
        const gain = ks.reduce((p, k) => p * sumAbs(k), 1);
        for (const kind of ['f32', 'i16', 'u8', 'f64'] as const) {
          const src = randomData(kind, n);
          const js = run(false, () => correlateSeparable(src, dims, ks));
          const wasm = run(true, () => correlateSeparable(src, dims, ks));
          expect(ulpsApart(js, wasm, maxAbs(Float32Array.from(src as ArrayLike<number>)) * gain)).toBeLessThanOrEqual(
            ULPS,
          );
        }
      });
    }
  }

  it('keeps NaN and infinities where the scalar code does', () => {
    const dims: Vec3 = [40, 30, 20];
    const src = randomData('f32', 40 * 30 * 20) as Float32Array;
    src[5] = Number.NaN;
    src[900] = Number.POSITIVE_INFINITY;
    src[1800] = -0;
    const ks: [Float32Array, Float32Array, Float32Array] = [
      gaussianKernel1d(1),
      gaussianKernel1d(1),
      gaussianKernel1d(1),
    ];
    const js = run(false, () => correlateSeparable(src, dims, ks));
    expect(
      ulpsApart(
        js,
        run(true, () => correlateSeparable(src, dims, ks)),
        maxAbs(src),
      ),
    ).toBeLessThanOrEqual(ULPS);
    expect(js.some((v) => Number.isNaN(v))).toBe(true);
  });

  it('gaussian, LoG and gradient magnitude on an anisotropic CT-like grid agree within float32 rounding', () => {
    const dims: Vec3 = [96, 80, 24];
    const spacing: Vec3 = [0.7, 0.7, 2.5];
    const vol = createVolume(dims, randomData('i16', 96 * 80 * 24), { spacing });
    const mx = maxAbs(vol.data);
    const kernelGain = (sigmaMm: number, order: 0 | 1 | 2): number[] =>
      spacing.map((s) => sumAbs(gaussianKernel1d(sigmaMm / s, 4, order)) / s ** order);
    const ops: [() => Float32Array, number][] = [
      [() => gaussian(vol, { sigmaMm: 2 }).data, 1],
      // sum over the three terms of sigma^2 * |d2| * |g| * |g| (|g| sums to 1)
      [() => laplacianOfGaussian(vol, { sigmaMm: 1.5 }).data, kernelGain(1.5, 2).reduce((s, v) => s + 1.5 ** 2 * v, 0)],
      // gradient magnitude is sqrt(sum d_a^2): bounded by the largest first-derivative gain
      [() => gradientMagnitude(vol, { sigmaMm: [1, 1, 3] }).data, 3 * Math.max(...kernelGain(3, 1))],
    ];
    for (const [op, gain] of ops) expect(ulpsApart(run(false, op), run(true, op), mx * gain)).toBeLessThanOrEqual(ULPS);
  });

  // LoG runs as one program (8 passes, each term added into the output by its z pass): compared
  // with the scalar path, which computes the terms separately and adds them in a loop.
  const logCases: [Vec3, Vec3, boolean][] = [
    [[17, 13, 21], [1, 1, 1], true], // odd rows: the scalar tail of each row, and its accumulation
    [[64, 48, 40], [0.7, 0.9, 2.5], false], // scale 1: out + term
    [[1, 80, 90], [1, 1, 1], true], // x of length 1: the program declines, the separate path runs
    [[40, 30, 9], [0.3, 0.3, 3], true], // z sigma 0.5 voxel
  ];
  for (const [dims, spacing, normalized] of logCases) {
    it(`LoG on ${dims.join('x')} (${normalized ? 'normalised' : 'unnormalised'}) matches the scalar code within float32 rounding`, () => {
      const gain = spacing.reduce(
        (s, sp) => s + (normalized ? 1.5 ** 2 : 1) * (sumAbs(gaussianKernel1d(1.5 / sp, 4, 2)) / sp ** 2),
        0,
      );
      for (const kind of ['f32', 'i16'] as const) {
        const vol = createVolume(dims, randomData(kind, dims[0] * dims[1] * dims[2]), { spacing });
        const op = () => laplacianOfGaussian(vol, { sigmaMm: 1.5, normalized }).data;
        expect(ulpsApart(run(false, op), run(true, op), maxAbs(vol.data) * gain)).toBeLessThanOrEqual(ULPS);
      }
    });
  }

  it('LoG keeps NaN, infinities and constant regions where the scalar code does', () => {
    const dims: Vec3 = [41, 30, 20];
    const src = randomData('f32', 41 * 30 * 20) as Float32Array;
    for (let i = 0; i < 41 * 30 * 4; i++) src[i] = -0; // a -0 slab: terms of zero
    src[24_605] = Number.NaN;
    src[9000] = Number.NEGATIVE_INFINITY;
    const vol = createVolume(dims, src, { spacing: [1, 1, 1] });
    const op = () => laplacianOfGaussian(vol, { sigmaMm: 1 }).data;
    const gain = 3 * sumAbs(gaussianKernel1d(1, 4, 2));
    const js = run(false, op);
    expect(ulpsApart(js, run(true, op), maxAbs(src) * gain)).toBeLessThanOrEqual(ULPS);
    expect(js.some((v) => Number.isNaN(v))).toBe(true);
  });

  it('does not modify its input', () => {
    const src = randomData('f32', 32 * 32 * 8) as Float32Array;
    const copy = src.slice();
    run(true, () =>
      correlateSeparable(src, [32, 32, 8], [gaussianKernel1d(2), gaussianKernel1d(2), gaussianKernel1d(1)]),
    );
    expect(bitwiseDiffs(src, copy)).toBe(0);
  });
});
