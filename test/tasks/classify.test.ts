// classifyImage / classifyStudy and occlusion explanations with classifiers built here: a linear
// read-out of one known region (Flatten -> MatMul -> Add), so the expected logits are computed by
// hand and the explanation must peak in that region, for a 2D and a 3D network.
import { describe, expect, it } from 'vitest';
import { isMedImgError } from '../../src/core/errors.js';
import { createVolume, type Vec3, type Volume } from '../../src/core/volume.js';
import { classifyImage, classifyStudy, createSession, readRadiograph } from '../../src/index.js';
import { classifierCard as card, type Region, regionClassifier } from '../helpers/classifier-graph.js';
import { dataPath, describeData } from '../helpers/data.js';

/** Seeded uniform noise in [0, 0.2) plus 1 inside `box` (x0, x1, y0, y1, z0, z1, inclusive). */
function noisyImage(dims: Vec3, box: number[], modality = 'DX'): Volume<Float32Array> {
  const v = createVolume(dims, Float32Array);
  let s = 12345;
  for (let z = 0; z < dims[2]; z++)
    for (let y = 0; y < dims[1]; y++)
      for (let x = 0; x < dims[0]; x++) {
        s = (s * 1103515245 + 12345) >>> 0;
        const inBox =
          x >= box[0]! && x <= box[1]! && y >= box[2]! && y <= box[3]! && z >= (box[4] ?? 0) && z <= (box[5] ?? 0);
        v.data[x + dims[0] * (y + dims[1] * z)] = (s / 2 ** 32) * 0.2 + (inBox ? 1 : 0);
      }
  v.meta = { modality };
  return v;
}

function argmax(d: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < d.length; i++) if (d[i]! > d[best]!) best = i;
  return best;
}

const softmax2 = (a: number, b: number) => [1 / (1 + Math.exp(b - a)), 1 / (1 + Math.exp(a - b))];

describe('classifyImage on a 2D network', () => {
  // model input 32x32 ([N, 1, H, W]); class 'nodule' reads rows 4..11, columns 20..27
  const region2d: Region = (i) => {
    const y = Math.floor(i / 32);
    const x = i % 32;
    return y >= 4 && y <= 11 && x >= 20 && x <= 27;
  };
  const onnx = regionClassifier([32, 32], region2d, [0, 8], [0, -4]);
  // the bright square in image space (64x64 -> 32x32): columns 40..55, rows 8..23
  const image = noisyImage([64, 64, 1], [40, 55, 8, 23]);

  it('names the card classes, applies softmax, ranks top-k, and explains: the map peaks on the region', async () => {
    const events: number[] = [];
    const r = await classifyImage(image, {
      model: { onnx, card: card([32, 32], ['normal', 'nodule']) },
      backend: 'cpu',
      topK: 1,
      explain: true,
      onProgress: (e) => events.push(e.fraction),
    });
    // mean over the region of the resized image: ~1 + 0.1 (noise); logit = 8 * mean - 4
    const l1 = r.classes[1]!.logit;
    expect(l1).toBeGreaterThan(8 * 1.05 - 4);
    expect(l1).toBeLessThan(8 * 1.15 - 4);
    expect(r.classes[0]!.logit).toBe(0);
    expect(r.classes[1]!.probability).toBeCloseTo(softmax2(0, l1)[1]!, 6);
    expect(r.top.map((c) => c.label)).toEqual(['nodule']);
    expect(r.positives).toEqual(['nodule']);
    expect(r.multiLabel).toBe(false);
    expect(r.calibrated).toBe(false);
    expect(r.limitations.map((l) => l.code)).toEqual(['UNCALIBRATED_PROBABILITIES']);
    expect(r.input).toMatchObject({ spatial: '2d', modelShape: [32, 32], axisOrder: 'zyx' });
    // explanation on the input grid, peaking inside the bright square
    const ex = r.explanation!;
    expect(ex.map.dims).toEqual([64, 64, 1]);
    expect(ex.target).toEqual({ index: 1, label: 'nodule' });
    const p = argmax(ex.map.data);
    const [px, py] = [p % 64, Math.floor(p / 64)];
    expect(px).toBeGreaterThanOrEqual(40);
    expect(px).toBeLessThanOrEqual(55);
    expect(py).toBeGreaterThanOrEqual(8);
    expect(py).toBeLessThanOrEqual(23);
    // hiding anything far from the region changes nothing
    expect(Math.abs(ex.map.data[5 + 64 * 60]!)).toBeLessThan(1e-6);
    expect(ex.patches).toEqual([
      [2, 2, 1],
      [4, 4, 1],
      [8, 8, 1],
    ]);
    expect(ex.regions.regions[0]!.location).toBe('upper right');
    expect(ex.regions.regions[0]!.share).toBeGreaterThan(0.5); // the rest lies in the fringe below half the peak
    expect(ex.regions.summary).toMatch(/^Output driven mostly by the upper right/);
    // progress rises to 1
    expect(events.at(-1)).toBe(1);
    for (let i = 1; i < events.length; i++) expect(events[i]!).toBeGreaterThanOrEqual(events[i - 1]!);
  });

  it('sigmoid multi-label with a card temperature: calibrated probabilities and positives by threshold', async () => {
    const three = regionClassifier([32, 32], region2d, [4, -4, 0], [-1, 1, -3]);
    const r = await classifyImage(image, {
      model: { onnx: three, card: card([32, 32], ['a', 'b', 'c'], { activation: 'sigmoid', temperature: 2 }) },
      backend: 'cpu',
    });
    expect(r.multiLabel).toBe(true);
    expect(r.calibrated).toBe(true);
    for (const c of r.classes) expect(c.probability).toBeCloseTo(1 / (1 + Math.exp(-c.logit / 2)), 6);
    expect(r.positives).toEqual(['a']);
    expect(r.top.map((c) => c.label)).toEqual(['a', 'c', 'b']);
    expect(r.limitations.map((l) => l.code)).not.toContain('UNCALIBRATED_PROBABILITIES');
  });

  it('a network with a fixed batch of 1 is run one image at a time; softmax temperature divides the logits', async () => {
    const fixed = regionClassifier([32, 32], region2d, [0, 8], [0, -4], { fixedBatch: true });
    const r = await classifyImage(image, {
      model: { onnx: fixed, card: card([32, 32], ['normal', 'nodule'], { temperature: 4 }) },
      backend: 'cpu',
      explain: { patchFractions: [0.25], batchSize: 8 },
    });
    expect(r.classes[1]!.probability).toBeCloseTo(softmax2(0, r.classes[1]!.logit / 4)[1]!, 6);
    const p = argmax(r.explanation!.map.data);
    expect(p % 64).toBeGreaterThanOrEqual(40);
    expect(Math.floor(p / 64)).toBeLessThanOrEqual(23);
  });

  it('repeats a grey image over three channels and applies channel_mean/std', async () => {
    const rgb = regionClassifier([32, 32], region2d, [0, 1], [0, 0], { channels: 3, channel: 2 });
    const plain = await classifyImage(image, {
      model: { onnx: rgb, card: card([32, 32], ['x', 'y'], { channels: 3 }) },
      backend: 'cpu',
    });
    const normed = await classifyImage(image, {
      model: {
        onnx: rgb,
        card: card([32, 32], ['x', 'y'], { channels: 3 }, { channel_mean: [0, 0, 0.5], channel_std: [1, 1, 0.25] }),
      },
      backend: 'cpu',
    });
    expect(normed.classes[1]!.logit).toBeCloseTo((plain.classes[1]!.logit - 0.5) / 0.25, 4);
  });

  it("says when the aspect ratio is changed and when the modality is not the card's", async () => {
    const wide = noisyImage([64, 32, 1], [40, 55, 4, 11], 'CT');
    const r = await classifyImage(wide, {
      model: { onnx, card: card([32, 32], ['n', 'y'], { modality: 'CR/DX' }) },
      backend: 'cpu',
    });
    expect(r.limitations.map((l) => l.code).sort()).toEqual([
      'ASPECT_CHANGED',
      'MODALITY_MISMATCH',
      'UNCALIBRATED_PROBABILITIES',
    ]);
  });

  it('rejects bad inputs with stable codes and stops on abort', async () => {
    const c = card([32, 32], ['normal', 'nodule']);
    const vol3d = noisyImage([32, 32, 4], [0, 1, 0, 1]);
    await expect(classifyImage(vol3d, { model: { onnx, card: c }, backend: 'cpu' })).rejects.toSatisfy((e: unknown) =>
      isMedImgError(e, 'MODEL_INPUT_MISMATCH'),
    );
    // a card naming 3 classes for a 2-class graph is refused when the session opens
    await expect(
      classifyImage(image, { model: { onnx, card: card([32, 32], ['a', 'b', 'c']) }, backend: 'cpu' }),
    ).rejects.toSatisfy((e: unknown) => isMedImgError(e, 'MODEL_CARD_INVALID'));
    const segCard = card([32, 32], ['a', 'b']);
    segCard.postprocessing = { activation: 'softmax' };
    await expect(classifyImage(image, { model: { onnx, card: segCard }, backend: 'cpu' })).rejects.toSatisfy(
      (e: unknown) => isMedImgError(e, 'MODEL_CARD_INVALID'),
    );
    await expect(classifyImage(image, { model: { onnx, card: c }, topK: 0 })).rejects.toSatisfy((e: unknown) =>
      isMedImgError(e, 'INVALID_ARGUMENT'),
    );
    await expect(
      classifyImage(image, { model: { onnx, card: c }, backend: 'cpu', explain: { target: 'missing' } }),
    ).rejects.toSatisfy((e: unknown) => isMedImgError(e, 'INVALID_ARGUMENT'));
    const ac = new AbortController();
    const run = classifyImage(image, {
      model: { onnx, card: c },
      backend: 'cpu',
      explain: true,
      signal: ac.signal,
      onProgress: (e) => {
        if (e.stage.startsWith('explain') && e.fraction > 0.5) ac.abort();
      },
    });
    await expect(run).rejects.toSatisfy((e: unknown) => isMedImgError(e, 'ABORTED'));
  });

  it('classifyStudy opens the model once and aggregates views (max for multi-label, mean for softmax)', async () => {
    const empty = noisyImage([64, 64, 1], [-1, -1, -1, -1]);
    const session = await createSession({ onnx, card: card([32, 32], ['normal', 'nodule']) }, { backend: 'cpu' });
    try {
      const mean = await classifyStudy([image, empty], { model: session });
      const p = mean.series.map((s) => s.classes[1]!.probability);
      expect(mean.aggregate).toBe('mean');
      expect(mean.classes[1]!.probability).toBeCloseTo((p[0]! + p[1]!) / 2, 6);
      const noisy = await classifyStudy([image, empty], { model: session, aggregate: 'noisy-or' });
      expect(noisy.classes[1]!.probability).toBeCloseTo(1 - (1 - p[0]!) * (1 - p[1]!), 6);
    } finally {
      await session.release();
    }
    const multi = await classifyStudy([empty, image], {
      model: { onnx, card: card([32, 32], ['normal', 'nodule'], { activation: 'sigmoid' }) },
      backend: 'cpu',
      threshold: 0.6, // class 0's logit is 0 (p = 0.5) by construction
    });
    expect(multi.aggregate).toBe('max');
    expect(multi.classes[1]!.probability).toBe(multi.series[1]!.classes[1]!.probability);
    expect(multi.positives).toEqual(['nodule']);
  });
});

describe('classifyImage on a 3D network', () => {
  it('reads [N, C, x, y, z] (axis order xyz) and the explanation peaks in the known region', async () => {
    const n = 16;
    // tensor order [x, y, z], z fastest: flat = (x * 16 + y) * 16 + z; region x 2..5, y 9..12, z 6..9
    const region: Region = (i) => {
      const z = i % n;
      const y = Math.floor(i / n) % n;
      const x = Math.floor(i / (n * n));
      return x >= 2 && x <= 5 && y >= 9 && y <= 12 && z >= 6 && z <= 9;
    };
    const onnx = regionClassifier([n, n, n], region, [0, 6], [0, -3]);
    const vol = noisyImage([n, n, n], [2, 5, 9, 12, 6, 9], 'CT');
    const r = await classifyImage(vol, {
      model: { onnx, card: card([n, n, n], ['absent', 'present'], { axis: 'xyz' }) },
      backend: 'cpu',
      explain: { patchFractions: [0.125, 0.25] },
    });
    expect(r.input.spatial).toBe('3d');
    expect(r.top[0]!.label).toBe('present');
    expect(r.classes[1]!.logit).toBeGreaterThan(6 * 1.05 - 3);
    const p = argmax(r.explanation!.map.data);
    const [x, y, z] = [p % n, Math.floor(p / n) % n, Math.floor(p / (n * n))];
    expect(x).toBeGreaterThanOrEqual(2);
    expect(x).toBeLessThanOrEqual(5);
    expect(y).toBeGreaterThanOrEqual(9);
    expect(y).toBeLessThanOrEqual(12);
    expect(z).toBeGreaterThanOrEqual(6);
    expect(z).toBeLessThanOrEqual(9);
    expect(r.explanation!.regions.regions[0]!.location).toMatch(/^lower left, slices \d+-\d+ of 16$/);
  });
});

describeData('classifyImage on a real radiograph', () => {
  it('classifies the DX thorax as displayed and the explanation peaks where the network looks', async () => {
    const dx = await readRadiograph(dataPath('dicom', 'radiography', 'dx_fuji_thorax_small_mono1_8bit.dcm'));
    // the network reads model rows 40..55, columns 8..23 of a 64x64 input: image columns ~26..75, rows ~105..145
    const region: Region = (i) => {
      const y = Math.floor(i / 64);
      const x = i % 64;
      return y >= 40 && y <= 55 && x >= 8 && x <= 23;
    };
    const onnx = regionClassifier([64, 64], region, [0, 10], [0, -5]);
    const r = await classifyImage(dx, {
      model: { onnx, card: card([64, 64], ['other', 'dense'], { modality: 'DX' }) },
      backend: 'cpu',
      explain: { patchFractions: [1 / 8, 1 / 4] },
    });
    expect(r.input.dims).toEqual([211, 169, 1]);
    // 211 x 1.2012 mm by 169 x 1.2 mm into a square input
    expect(r.limitations.map((l) => l.code).sort()).toEqual(['ASPECT_CHANGED', 'UNCALIBRATED_PROBABILITIES']);
    const p = argmax(r.explanation!.map.data);
    const [x, y] = [p % 211, Math.floor(p / 211)];
    // model column c covers image columns c*211/64 .. (c+1)*211/64; rows likewise with 169/64
    expect(x).toBeGreaterThanOrEqual(Math.floor((8 * 211) / 64) - 3);
    expect(x).toBeLessThanOrEqual(Math.ceil((24 * 211) / 64) + 3);
    expect(y).toBeGreaterThanOrEqual(Math.floor((40 * 169) / 64) - 3);
    expect(y).toBeLessThanOrEqual(Math.ceil((56 * 169) / 64) + 3);
  });
});

describe('classifier card fields', () => {
  it('validates temperature and channel_mean/channel_std', async () => {
    const { validateModelCard } = await import('../../src/backends/model-card.js');
    const base = card([32, 32], ['a', 'b']);
    expect(() => validateModelCard({ ...base, postprocessing: { temperature: 0 } })).toThrow(/temperature/);
    expect(() =>
      validateModelCard({ ...base, preprocessing: { channel_mean: [0.5, 0.5], channel_std: [0.2] } }),
    ).toThrow(/channel_std/);
    expect(() => validateModelCard({ ...base, preprocessing: { channel_mean: [0.5], channel_std: [0] } })).toThrow(
      /channel_std/,
    );
    expect(
      validateModelCard({ ...base, postprocessing: { activation: 'sigmoid', temperature: 1.7 } }).postprocessing
        ?.temperature,
    ).toBe(1.7);
  });
});
