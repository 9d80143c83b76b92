import { afterEach, describe, expect, it } from 'vitest';
import { correlateSeparable } from '../../src/core/ops/convolve.js';
import { gaussianKernel1d } from '../../src/core/ops/gaussian.js';
import { gaussian, gradientMagnitude, laplacianOfGaussian } from '../../src/core/ops/index.js';
import { Rng } from '../../src/core/random.js';
import { setSimdEnabled, simdAvailable } from '../../src/core/simd/convolve.js';
import { createVolume, type Vec3, type VoxelArray } from '../../src/core/volume.js';

// The WebAssembly SIMD kernels must give exactly what the scalar JavaScript gives: same f64 sums in
// the same order, one rounding to f32. Compared bit for bit (NaN payloads and -0 included).
afterEach(() => setSimdEnabled(true));

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
      it(`${name} on ${dims.join('x')} equals the scalar code bit for bit`, () => {
        const n = dims[0] * dims[1] * dims[2];
        for (const kind of ['f32', 'i16', 'u8', 'f64'] as const) {
          const src = randomData(kind, n);
          const js = run(false, () => correlateSeparable(src, dims, ks));
          const wasm = run(true, () => correlateSeparable(src, dims, ks));
          expect(bitwiseDiffs(js, wasm)).toBe(0);
        }
      });
    }
  }

  it('keeps NaN, infinities and -0 where the scalar code does', () => {
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
    expect(
      bitwiseDiffs(
        run(false, () => correlateSeparable(src, dims, ks)),
        run(true, () => correlateSeparable(src, dims, ks)),
      ),
    ).toBe(0);
  });

  it('gaussian, LoG and gradient magnitude on an anisotropic CT-like grid are unchanged', () => {
    const dims: Vec3 = [96, 80, 24];
    const vol = createVolume(dims, randomData('i16', 96 * 80 * 24), { spacing: [0.7, 0.7, 2.5] });
    for (const op of [
      () => gaussian(vol, { sigmaMm: 2 }).data,
      () => laplacianOfGaussian(vol, { sigmaMm: 1.5 }).data,
      () => gradientMagnitude(vol, { sigmaMm: [1, 1, 3] }).data,
    ]) {
      expect(bitwiseDiffs(run(false, op), run(true, op))).toBe(0);
    }
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
    it(`LoG on ${dims.join('x')} (${normalized ? 'normalised' : 'unnormalised'}) equals the scalar code bit for bit`, () => {
      for (const kind of ['f32', 'i16'] as const) {
        const vol = createVolume(dims, randomData(kind, dims[0] * dims[1] * dims[2]), { spacing });
        const op = () => laplacianOfGaussian(vol, { sigmaMm: 1.5, normalized }).data;
        expect(bitwiseDiffs(run(false, op), run(true, op))).toBe(0);
      }
    });
  }

  it('LoG keeps NaN, infinities, -0 and constant regions where the scalar code does', () => {
    const dims: Vec3 = [41, 30, 20];
    const src = randomData('f32', 41 * 30 * 20) as Float32Array;
    for (let i = 0; i < 41 * 30 * 4; i++) src[i] = -0; // a -0 slab: terms of zero
    src[24_605] = Number.NaN;
    src[9000] = Number.NEGATIVE_INFINITY;
    const vol = createVolume(dims, src, { spacing: [1, 1, 1] });
    const op = () => laplacianOfGaussian(vol, { sigmaMm: 1 }).data;
    expect(bitwiseDiffs(run(false, op), run(true, op))).toBe(0);
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
