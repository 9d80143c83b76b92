import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Session,
  createSession,
  createVolume,
  slidingWindowInference,
  type Vec3,
  type Volume,
} from '../../src/index.js';
import { importanceMap, patchStarts, scanInterval } from '../../src/ops.js';
import { conv3dModel, identityModel, scaleModel, thresholdSoftmaxModel } from '../../src/testing.js';
import { Rng } from '../../src/core/random.js';

function randomVolume(dims: Vec3, seed = 1): Volume<Float32Array> {
  const rng = new Rng(seed);
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform(-1, 1);
  return createVolume(dims, data);
}

async function wholeVolume(session: Session, vol: Volume<Float32Array>): Promise<Float32Array> {
  const [nx, ny, nz] = vol.dims;
  const out = await session.run({ input: { data: vol.data, dims: [1, 1, nz, ny, nx] } });
  return out.output!.data as Float32Array;
}

function maxAbsDiff(a: Float32Array, b: Float32Array, mask?: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) if (!mask || mask[i]) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('MONAI scan geometry and importance map', () => {
  it('scan interval and patch starts follow MONAI dense_patch_slices', () => {
    // image 10, roi 4, overlap 0.25 -> interval 3; starts 0,3,6 (6+4 = 10 reaches the end).
    expect(scanInterval([10, 10, 4], [4, 4, 4], [0.25, 0.5, 0.25])).toEqual([3, 2, 4]);
    expect(patchStarts(10, 4, 3)).toEqual([0, 3, 6]);
    // image 11: 0,3,6 then 9 snapped back to 7 so the last patch ends at the border.
    expect(patchStarts(11, 4, 3)).toEqual([0, 3, 6, 7]);
    // roi equal to the image: one patch.
    expect(patchStarts(4, 4, 4)).toEqual([0]);
    // overlap so large the interval would be 0 -> 1.
    expect(scanInterval([5, 5, 5], [1, 1, 1], [0.9, 0.9, 0.9])).toEqual([1, 1, 1]);
  });

  it('constant map is ones; gaussian map is the separable exp(-t^2/2sigma^2), sigma = 0.125 size, clamped at 1e-3', () => {
    expect(Array.from(importanceMap([3, 2, 2], 'constant'))).toEqual(new Array(12).fill(1));
    const roi = [16, 8, 4];
    const w = importanceMap(roi, 'gaussian');
    const g = (i: number, n: number) => {
      const t = i - (n - 1) / 2;
      const s = 0.125 * n;
      return Math.exp(-(t * t) / (2 * s * s));
    };
    let minRaw = Infinity;
    for (let z = 0; z < 4; z++)
      for (let y = 0; y < 8; y++) for (let x = 0; x < 16; x++) minRaw = Math.min(minRaw, g(x, 16) * g(y, 8) * g(z, 4));
    const floor = Math.max(minRaw, 1e-3);
    for (const [x, y, z] of [
      [7, 3, 1],
      [0, 0, 0],
      [15, 7, 3],
      [3, 5, 2],
    ] as const) {
      const expected = Math.max(floor, g(x, 16) * g(y, 8) * g(z, 4));
      expect(w[x + 16 * (y + 8 * z)]).toBeCloseTo(expected, 6);
    }
    // Corners are clamped to 1e-3 here (the raw product is far below it).
    expect(minRaw).toBeLessThan(1e-3);
    expect(w[0]).toBeCloseTo(1e-3, 7);
    // Symmetric under flips.
    expect(w[0 + 16 * (3 + 8 * 1)]).toBeCloseTo(w[15 + 16 * (4 + 8 * 2)]!, 7);
  });
});

describe('slidingWindowInference on cpu', () => {
  let identity: Session;
  let scale: Session;
  let box: Session;
  let soft: Session;
  beforeAll(async () => {
    identity = await createSession(identityModel(), { backend: 'cpu' });
    scale = await createSession(scaleModel(2.5, -1), { backend: 'cpu' });
    box = await createSession(conv3dModel(3), { backend: 'cpu' });
    soft = await createSession(thresholdSoftmaxModel(0.2, 4), { backend: 'cpu' });
  });
  afterAll(async () => {
    for (const s of [identity, scale, box, soft]) await s.release();
  });

  for (const mode of ['constant', 'gaussian'] as const) {
    it(`identity and scaling equal the input exactly (${mode})`, async () => {
      const vol = randomVolume([21, 17, 13]);
      const r = await slidingWindowInference(vol, identity, { roiSize: [8, 6, 5], overlap: 0.5, mode });
      expect(r.channels).toBe(1);
      expect(r.patches).toBeGreaterThan(20);
      expect(maxAbsDiff(r.data, vol.data)).toBeLessThan(1e-5);
      const s = await slidingWindowInference(vol, scale, { roiSize: [8, 8, 8], mode, swBatchSize: 3 });
      const expected = vol.data.map((v) => 2.5 * v - 1);
      expect(maxAbsDiff(s.data, expected)).toBeLessThan(1e-5);
    });

    it(`box filter equals the whole-volume output wherever every covering patch holds the 3x3x3 neighbourhood (${mode})`, async () => {
      const vol = randomVolume([23, 19, 14], 7);
      const roi: Vec3 = [10, 8, 6];
      const overlap = 0.5;
      const r = await slidingWindowInference(vol, box, { roiSize: roi, overlap, mode });
      const ref = await wholeVolume(box, vol);
      // Voxels where a covering patch cuts the neighbourhood (inside the volume) legitimately differ.
      const [nx, ny, nz] = vol.dims;
      const starts = [0, 1, 2].map((a) =>
        patchStarts(vol.dims[a]!, roi[a]!, scanInterval(vol.dims, roi, [overlap, overlap, overlap])[a]!),
      );
      const okAxis = (a: number, i: number): boolean =>
        starts[a]!.every(
          (s) =>
            i < s || i >= s + roi[a]! || ((i - 1 >= s || i - 1 < 0) && (i + 1 < s + roi[a]! || i + 1 >= vol.dims[a]!)),
        );
      const mask = new Uint8Array(nx * ny * nz);
      let kept = 0;
      for (let z = 0; z < nz; z++)
        for (let y = 0; y < ny; y++)
          for (let x = 0; x < nx; x++) {
            // A patch covers the voxel iff it covers it on all three axes; check per axis is a safe superset.
            if (okAxis(0, x) && okAxis(1, y) && okAxis(2, z)) {
              mask[x + nx * (y + ny * z)] = 1;
              kept++;
            }
          }
      expect(kept).toBeGreaterThan(200);
      expect(maxAbsDiff(r.data, ref, mask)).toBeLessThan(1e-5);
      // Elsewhere the difference is real (the test would catch a stitching that ignored patch borders).
      expect(maxAbsDiff(r.data, ref)).toBeGreaterThan(1e-3);
    });

    it(`box filter on a volume smaller than the roi: padding then cropping equals the whole-volume output everywhere (${mode})`, async () => {
      const vol = randomVolume([9, 7, 5], 3);
      const r = await slidingWindowInference(vol, box, { roiSize: [12, 12, 8], mode });
      expect(r.patches).toBe(1);
      expect(r.dims).toEqual([9, 7, 5]);
      expect(maxAbsDiff(r.data, await wholeVolume(box, vol))).toBeLessThan(1e-5);
      // Smaller than the roi on one axis only, patches along the others.
      const vol2 = randomVolume([30, 6, 5], 4);
      const r2 = await slidingWindowInference(vol2, box, { roiSize: [30, 10, 10], mode, overlap: 0.25 });
      expect(r2.patches).toBe(1);
      expect(maxAbsDiff(r2.data, await wholeVolume(box, vol2))).toBeLessThan(1e-5);
    });
  }

  it('replicate padding equals the network run on the edge-replicated volume, cropped', async () => {
    const vol = randomVolume([7, 6, 5], 13);
    const roi: Vec3 = [11, 10, 9]; // pads [2,2], [2,2], [2,2]
    const r = await slidingWindowInference(vol, box, { roiSize: roi, padding: { mode: 'replicate' } });
    const [nx, ny, nz] = vol.dims;
    const before = [2, 2, 2];
    const padded = new Float32Array(roi[0] * roi[1] * roi[2]);
    const clamp = (v: number, n: number) => Math.min(n - 1, Math.max(0, v));
    for (let z = 0; z < roi[2]; z++)
      for (let y = 0; y < roi[1]; y++)
        for (let x = 0; x < roi[0]; x++)
          padded[x + roi[0] * (y + roi[1] * z)] =
            vol.data[clamp(x - before[0]!, nx) + nx * (clamp(y - before[1]!, ny) + ny * clamp(z - before[2]!, nz))]!;
    const full = await wholeVolume(box, createVolume(roi, padded));
    const expected = new Float32Array(nx * ny * nz);
    for (let z = 0; z < nz; z++)
      for (let y = 0; y < ny; y++)
        for (let x = 0; x < nx; x++)
          expected[x + nx * (y + ny * z)] = full[x + 2 + roi[0] * (y + 2 + roi[1] * (z + 2))]!;
    expect(maxAbsDiff(r.data, expected)).toBeLessThan(1e-6);
    // and it differs from zero padding at the border
    const zero = await slidingWindowInference(vol, box, { roiSize: roi });
    expect(maxAbsDiff(r.data, zero.data)).toBeGreaterThan(1e-2);
  });

  it('two-class softmax on a threshold gives the analytic probabilities', async () => {
    const vol = randomVolume([16, 12, 9], 5);
    const r = await slidingWindowInference(vol, soft, { roiSize: [7, 7, 7], mode: 'gaussian', overlap: 0.3 });
    expect(r.channels).toBe(2);
    const n = vol.data.length;
    let maxErr = 0;
    for (let i = 0; i < n; i++) {
      const p1 = 1 / (1 + Math.exp(-2 * 4 * (vol.data[i]! - 0.2)));
      maxErr = Math.max(maxErr, Math.abs(r.data[n + i]! - p1), Math.abs(r.data[i]! - (1 - p1)));
    }
    expect(maxErr).toBeLessThan(1e-5);
  });

  it('mirror TTA: a symmetric net is unchanged; a shift net averages the mirrored shifts', async () => {
    const vol = randomVolume([12, 10, 8], 9);
    const plain = await slidingWindowInference(vol, box, { roiSize: [12, 10, 8] });
    const tta = await slidingWindowInference(vol, box, { roiSize: [12, 10, 8], mirrorAxes: [0, 1, 2] });
    expect(tta.runs).toBe(8);
    expect(maxAbsDiff(tta.data, plain.data)).toBeLessThan(1e-5);
    // Kernel that copies the voxel at x-1 (ONNX Conv is cross-correlation: weight at kx=0 reads x-1).
    const k = new Float32Array(27);
    k[0 + 3 * (1 + 3 * 1)] = 1;
    const shift = await createSession(conv3dModel(3, k), { backend: 'cpu' });
    try {
      const r = await slidingWindowInference(vol, shift, { roiSize: [12, 10, 8], mirrorAxes: [0] });
      const [nx, ny, nz] = vol.dims;
      let err = 0;
      for (let z = 0; z < nz; z++)
        for (let y = 0; y < ny; y++)
          for (let x = 0; x < nx; x++) {
            const at = (xx: number) => (xx >= 0 && xx < nx ? vol.data[xx + nx * (y + ny * z)]! : 0);
            err = Math.max(err, Math.abs(r.data[x + nx * (y + ny * z)]! - (at(x - 1) + at(x + 1)) / 2));
          }
      expect(err).toBeLessThan(1e-6);
    } finally {
      await shift.release();
    }
  });

  it('reports progress, aborts with ABORTED, and rejects bad options', async () => {
    const vol = randomVolume([16, 16, 16], 2);
    const fractions: number[] = [];
    await slidingWindowInference(vol, identity, { roiSize: [8, 8, 8], onProgress: (e) => fractions.push(e.fraction) });
    expect(fractions.at(-1)).toBe(1);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]!)).toBe(true);
    const ac = new AbortController();
    ac.abort();
    await expect(
      slidingWindowInference(vol, identity, { roiSize: [8, 8, 8], signal: ac.signal }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(slidingWindowInference(vol, identity, { roiSize: [8, 8, 8], overlap: 1 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});

describe('slidingWindowInference on wasm (onnxruntime-web in Node)', () => {
  it('box filter matches cpu within 1e-5 (gaussian)', async () => {
    const cpu = await createSession(conv3dModel(3), { backend: 'cpu' });
    const wasm = await createSession(conv3dModel(3), { backend: 'wasm' });
    try {
      expect(wasm.backend).toBe('wasm');
      const vol = randomVolume([20, 14, 11], 11);
      const opts = { roiSize: [8, 8, 8] as Vec3, mode: 'gaussian' as const };
      const a = await slidingWindowInference(vol, cpu, opts);
      const b = await slidingWindowInference(vol, wasm, opts);
      expect(maxAbsDiff(a.data, b.data)).toBeLessThan(1e-5);
    } finally {
      await cpu.release();
      await wasm.release();
    }
  });
});
