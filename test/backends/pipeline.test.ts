import { describe, expect, it } from 'vitest';
import { type ModelCard, createSession, createVolume, runSegmentationModel, type Vec3 } from '../../src/index.js';
import { directionFromOrientation, normalizeIntensity } from '../../src/ops.js';
import { conv3dModel, thresholdLogitsModel } from '../../src/testing.js';
import { Rng } from '../../src/core/random.js';

function thresholdCard(extra: Partial<ModelCard> = {}, shape: (number | string)[] = [-1, -1, -1]): ModelCard {
  return {
    schema_version: 1,
    id: 'threshold',
    version: '1',
    license: 'MIT',
    network_data_format: {
      inputs: {
        image: {
          type: 'image',
          num_channels: 1,
          spatial_shape: shape,
          dtype: 'float32',
          value_range: [0, 1],
          channel_def: { '0': 'x' },
        },
      },
      outputs: {
        pred: {
          type: 'image',
          num_channels: 2,
          spatial_shape: shape,
          dtype: 'float32',
          value_range: [],
          channel_def: { '0': 'bg', '1': 'fg' },
        },
      },
    },
    postprocessing: { activation: 'softmax', argmax: true },
    ...extra,
  };
}

function randomInt16(dims: Vec3, lo: number, hi: number, seed: number) {
  const rng = new Rng(seed);
  const d = new Int16Array(dims[0] * dims[1] * dims[2]);
  for (let i = 0; i < d.length; i++) d[i] = rng.int(lo, hi);
  return createVolume(dims, d, { spacing: [0.8, 0.9, 1.5], origin: [10, -20, 30] });
}

describe('normalizeIntensity', () => {
  const v = new Float32Array([-2000, -1000, 0, 40, 100, 3000]);
  it('window maps [lower, upper] to [0, 1] with clipping', () => {
    expect(Array.from(normalizeIntensity(v, { method: 'window', lower: -1000, upper: 1000 }))).toEqual(
      [0, 0, 0.5, 0.52, 0.55, 1].map(Math.fround),
    );
  });
  it('minmax, zscore and nnU-Net CT normalisation', () => {
    const mm = normalizeIntensity(v, { method: 'minmax' });
    expect(mm[0]).toBe(0);
    expect(mm[5]).toBe(1);
    expect(mm[2]).toBeCloseTo(2000 / 5000, 6);
    const z = normalizeIntensity(v, { method: 'zscore' });
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    const sd = Math.sqrt(z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length);
    expect(mean).toBeCloseTo(0, 5);
    expect(sd).toBeCloseTo(1, 5);
    const ct = normalizeIntensity(v, {
      method: 'ct_percentile',
      percentile_00_5: -1024,
      percentile_99_5: 1500,
      mean: 50,
      std: 200,
    });
    expect(Array.from(ct)).toEqual(
      [(-1024 - 50) / 200, (-1000 - 50) / 200, -0.25, -0.05, 0.25, (1500 - 50) / 200].map(Math.fround),
    );
    expect(Array.from(normalizeIntensity(new Float32Array([3, 3]), { method: 'minmax' }))).toEqual([0, 0]);
  });
});

describe('runSegmentationModel (card-driven pipeline)', () => {
  it('window normalisation + softmax/argmax gives the analytic threshold labels, whole volume and sliding window', async () => {
    const vol = randomInt16([19, 15, 11], -500, 700, 1);
    const truth = Uint8Array.from(vol.data, (v) => (v > 100 ? 1 : 0)); // (v+100)/400 > 0.5
    const pre = { intensity: { method: 'window' as const, lower: -100, upper: 300 } };
    for (const inference of [
      { patch_size: null },
      { patch_size: [6, 7, 8], overlap: 0.5, blend_mode: 'gaussian' as const, mirror_axes: [0, 2] },
    ]) {
      const s = await createSession(
        { onnx: thresholdLogitsModel(0.5, 3), card: thresholdCard({ preprocessing: pre, inference }) },
        { backend: 'cpu' },
      );
      try {
        const fractions: number[] = [];
        const r = await runSegmentationModel(vol, s, {
          keepProbabilities: true,
          onProgress: (e) => fractions.push(e.fraction),
        });
        expect(fractions[0]).toBe(0);
        expect(fractions.at(-1)).toBe(1);
        expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]!)).toBe(true);
        expect(Array.from(r.labels.data)).toEqual(Array.from(truth));
        expect(r.labels.spacing).toEqual(vol.spacing);
        expect(r.labels.origin).toEqual(vol.origin);
        // Softmax probabilities sum to one.
        const p = r.probabilities!;
        const n = vol.data.length;
        expect(p.channels).toBe(2);
        expect(Math.abs(p.data[7]! + p.data[n + 7]! - 1)).toBeLessThan(1e-6);
      } finally {
        await s.release();
      }
    }
  });

  it("axis_order 'xyz' feeds [N, C, x, y, z]: a net that shifts along the last tensor axis shifts along image z", async () => {
    const dims: Vec3 = [6, 5, 7];
    const rng = new Rng(3);
    const data = Uint8Array.from({ length: 6 * 5 * 7 }, () => (rng.next() < 0.5 ? 1 : 0));
    const vol = createVolume(dims, data);
    const k = new Float32Array(27);
    k[0 + 3 * (1 + 3 * 1)] = 1; // out[..., w] = in[..., w - 1]
    const card = (axis_order: 'xyz' | 'zyx'): ModelCard => {
      const c = thresholdCard({
        preprocessing: { axis_order, intensity: { method: 'none' } },
        postprocessing: { activation: 'none', argmax: false, threshold: 0.5 },
      });
      c.network_data_format.outputs.pred!.num_channels = 1;
      return c;
    };
    for (const order of ['xyz', 'zyx'] as const) {
      const s = await createSession({ onnx: conv3dModel(3, k), card: card(order) }, { backend: 'cpu' });
      try {
        const r = await runSegmentationModel(vol, s);
        let wrong = 0;
        for (let z = 0; z < 7; z++)
          for (let y = 0; y < 5; y++)
            for (let x = 0; x < 6; x++) {
              const src =
                order === 'xyz'
                  ? z > 0
                    ? data[x + 6 * (y + 5 * (z - 1))]
                    : 0
                  : x > 0
                    ? data[x - 1 + 6 * (y + 5 * z)]
                    : 0;
              if (r.labels.data[x + 6 * (y + 5 * z)] !== src) wrong++;
            }
        expect(wrong, order).toBe(0);
      } finally {
        await s.release();
      }
    }
  });

  it('orientation and target spacing: labels come back on the input grid', async () => {
    // A ramp along world x (L) in an LPS volume; the card asks for RAS and 2 mm.
    const dims: Vec3 = [24, 10, 8];
    const d = new Float32Array(24 * 10 * 8);
    for (let z = 0; z < 8; z++)
      for (let y = 0; y < 10; y++) for (let x = 0; x < 24; x++) d[x + 24 * (y + 10 * z)] = x + 0.25;
    const vol = createVolume(dims, d, { direction: directionFromOrientation('LPS'), spacing: [1, 1, 1] });
    const card = thresholdCard({
      preprocessing: { orientation: 'RAS', target_spacing: [2, 2, 2], intensity: { method: 'none' } },
    });
    const s = await createSession({ onnx: thresholdLogitsModel(12, 1), card }, { backend: 'cpu' });
    try {
      const r = await runSegmentationModel(vol, s);
      expect(r.settings).toMatchObject({ orientation: 'RAS', resampled: true });
      expect(r.labels.dims).toEqual(dims);
      expect(r.labels.direction).toEqual(vol.direction);
      // Exact away from the threshold plane x = 11.75; at most the 2 mm voxel around it may differ.
      for (let z = 0; z < 8; z++)
        for (let y = 0; y < 10; y++)
          for (let x = 0; x < 24; x++) {
            if (Math.abs(x + 0.25 - 12) <= 2) continue;
            expect(r.labels.data[x + 24 * (y + 10 * z)]).toBe(x + 0.25 > 12 ? 1 : 0);
          }
    } finally {
      await s.release();
    }
  });

  it("'k*n' shapes are padded and cropped; fixed shapes and channel counts are enforced", async () => {
    const vol = randomInt16([13, 9, 10], 0, 100, 4);
    const truth = Uint8Array.from(vol.data, (v) => (v / 100 > 0.5 ? 1 : 0));
    const s = await createSession(
      {
        onnx: thresholdLogitsModel(0.5, 5),
        card: thresholdCard({ preprocessing: { intensity: { method: 'window', lower: 0, upper: 100 } } }, [
          '8*n',
          '8*n',
          '8*n',
        ]),
      },
      { backend: 'cpu' },
    );
    try {
      const r = await runSegmentationModel(vol, s);
      expect(Array.from(r.labels.data)).toEqual(Array.from(truth));
      await expect(runSegmentationModel([vol, vol], s)).rejects.toMatchObject({ code: 'MODEL_INPUT_MISMATCH' });
    } finally {
      await s.release();
    }
    const fixed = await createSession(
      { onnx: thresholdLogitsModel(0.5), card: thresholdCard({}, [16, 16, 16]) },
      { backend: 'cpu' },
    );
    try {
      await expect(runSegmentationModel(vol, fixed)).rejects.toMatchObject({ code: 'MODEL_INPUT_MISMATCH' });
    } finally {
      await fixed.release();
    }
  });

  it('largest_component keeps the biggest 6-connected blob of each label', async () => {
    const dims: Vec3 = [12, 6, 6];
    const d = new Float32Array(12 * 6 * 6);
    const set = (x: number, y: number, z: number) => {
      d[x + 12 * (y + 6 * z)] = 1;
    };
    for (let z = 1; z < 4; z++) for (let y = 1; y < 4; y++) for (let x = 1; x < 4; x++) set(x, y, z); // 27 voxels
    set(9, 2, 2);
    set(10, 2, 2); // 2 voxels
    const card = thresholdCard({
      preprocessing: { intensity: { method: 'none' } },
      postprocessing: { activation: 'softmax', argmax: true, largest_component: true },
    });
    const s = await createSession({ onnx: thresholdLogitsModel(0.5, 2), card }, { backend: 'cpu' });
    try {
      const r = await runSegmentationModel(createVolume(dims, d), s);
      expect(r.labels.data.reduce((a, b) => a + b, 0)).toBe(27);
      expect(r.labels.data[9 + 12 * (2 + 6 * 2)]).toBe(0);
    } finally {
      await s.release();
    }
  });
});
