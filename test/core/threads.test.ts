import { afterEach, describe, expect, it } from 'vitest';
import { correlateSeparable } from '../../src/core/ops/convolve.js';
import { gaussianKernel1d } from '../../src/core/ops/gaussian.js';
import { gaussian, gradientMagnitude, laplacianOfGaussian } from '../../src/core/ops/index.js';
import { Rng } from '../../src/core/random.js';
import { setThreads, threadCount, threadStats } from '../../src/core/simd/threads.js';
import { createVolume, type Vec3 } from '../../src/core/volume.js';
import { isMedImgError } from '../../src/index.js';

// Worker threads split each pass of the SIMD kernels by lines over one shared WebAssembly memory:
// every voxel gets the same sums in the same order, so results must match one thread bit for bit.
// minVoxels 0 sends even these small volumes through the workers.
afterEach(() => setThreads('auto', { minVoxels: 4_000_000 }));

function bitwiseDiffs(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let d = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) d++;
  return d;
}

function both(fn: () => Float32Array, threads = 3): [Float32Array, Float32Array] {
  setThreads(1);
  const one = fn();
  setThreads(threads, { minVoxels: 0 });
  const runs = threadStats().runs;
  const many = fn();
  expect(threadStats()).toEqual({ runs: expect.any(Number), disabled: null });
  expect(threadStats().runs).toBeGreaterThan(runs); // the workers ran it, no silent fallback
  return [one, many];
}

const rng = new Rng(5);
function noise(n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal() * 200 + (i % 89);
  return out;
}

describe('worker threads for the separable filters', () => {
  it('uses more than one thread when asked, and one when told', () => {
    setThreads(3);
    expect(threadCount()).toBe(3);
    setThreads(1);
    expect(threadCount()).toBe(1);
  });

  const shapes: Vec3[] = [
    [61, 47, 33], // uneven slabs
    [2, 3, 1000], // fewer lines than threads for the z pass
    [128, 2, 40], // two rows per slice
  ];
  const kernels: [Float32Array | null, Float32Array | null, Float32Array | null][] = [
    [gaussianKernel1d(2.2), gaussianKernel1d(0.7), gaussianKernel1d(3.1)],
    [gaussianKernel1d(1.3, 4, 1), gaussianKernel1d(1.1, 4, 2), null],
    [Float32Array.of(0.1, 0.5, 0.2, 0.15, 0.05), null, Float32Array.of(1, -2, 3)],
  ];
  for (const dims of shapes) {
    it(`correlateSeparable on ${dims.join('x')} equals one thread bit for bit`, () => {
      const src = noise(dims[0] * dims[1] * dims[2]);
      for (const ks of kernels) {
        for (const t of [2, 3, 5]) {
          const [one, many] = both(() => correlateSeparable(src, dims, ks), t);
          expect(bitwiseDiffs(one, many)).toBe(0);
        }
      }
    });
  }

  it('LoG (one program of 8 passes) on uneven shapes equals one thread bit for bit', () => {
    for (const dims of [
      [61, 47, 33],
      [5, 3, 400],
    ] as Vec3[]) {
      const vol = createVolume(dims, noise(dims[0] * dims[1] * dims[2]), { spacing: [0.8, 0.8, 2] });
      for (const normalized of [true, false]) {
        const [one, many] = both(() => laplacianOfGaussian(vol, { sigmaMm: 1.6, normalized }).data, 2);
        expect(bitwiseDiffs(one, many)).toBe(0);
      }
    }
  });

  it('gaussian, LoG and gradient magnitude on an Int16 CT-like grid are unchanged, input untouched', () => {
    const dims: Vec3 = [96, 80, 40];
    const data = new Int16Array(96 * 80 * 40);
    for (let i = 0; i < data.length; i++) data[i] = Math.round(rng.normal() * 300 - 400);
    const copy = data.slice();
    const vol = createVolume(dims, data, { spacing: [0.7, 0.7, 2.5] });
    for (const op of [
      () => gaussian(vol, { sigmaMm: 2 }).data,
      () => laplacianOfGaussian(vol, { sigmaMm: 1.5 }).data,
      () => gradientMagnitude(vol, { sigmaMm: [1, 1, 3] }).data,
    ]) {
      const [one, many] = both(op);
      expect(bitwiseDiffs(one, many)).toBe(0);
      expect(many.buffer).toBeInstanceOf(ArrayBuffer); // a plain array, not a view of shared memory
    }
    expect(data).toEqual(copy);
  });

  it('rejects a bad thread count with INVALID_ARGUMENT', () => {
    for (const bad of [-1, 1.5, Number.NaN]) {
      try {
        setThreads(bad);
        expect.unreachable();
      } catch (e) {
        expect(isMedImgError(e) && e.code).toBe('INVALID_ARGUMENT');
      }
    }
    expect(() => setThreads(2, { minVoxels: -5 })).toThrow(/minVoxels/);
  });
});
