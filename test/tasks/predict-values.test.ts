// predictValues with regression networks built here: a linear read-out of one known region, so the
// raw output is computed by hand; the card's scale/offset/units/range turn it into the value.
import { describe, expect, it } from 'vitest';
import type { ModelCard } from '../../src/backends/model-card.js';
import { isMedImgError } from '../../src/core/errors.js';
import { createVolume, type Vec3, type Volume } from '../../src/core/volume.js';
import { predictValues, readRadiograph, validateModelCard } from '../../src/index.js';
import { classifierCard, type Region, regionClassifier } from '../helpers/classifier-graph.js';
import { dataPath, describeData } from '../helpers/data.js';

/** 1 inside columns x0..x1 / rows y0..y1 (inclusive), 0 elsewhere. */
function square(dims: Vec3, x0: number, x1: number, y0: number, y1: number): Volume<Float32Array> {
  const v = createVolume(dims, Float32Array);
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) v.data[x + dims[0] * y] = 1;
  v.meta = { modality: 'DX' };
  return v;
}

/** A regression card over the classifier card helper: output_kind 'regression' and its value fields. */
function regressionCard(spatial: number[], names: string[], post: Record<string, unknown>): ModelCard {
  const c = classifierCard(spatial, names, { modality: 'DX' });
  return { ...c, postprocessing: { output_kind: 'regression', ...post } };
}

// model input 32x32 ([N, 1, H, W]); output 0 reads rows 4..11, columns 20..27; output 1 is constant
const region: Region = (i) => {
  const y = Math.floor(i / 32);
  const x = i % 32;
  return y >= 4 && y <= 11 && x >= 20 && x <= 27;
};
// raw0 = 2 * mean(region) + 0.5 ; raw1 = 0 * mean + 0.25
const onnx = regionClassifier([32, 32], region, [2, 0], [0.5, 0.25]);

describe('predictValues', () => {
  it('de-normalises each output by the card (scale, offset per channel), names and units the values', async () => {
    // image 64x64 -> 32x32; the square covers the region fully, so mean(region) = 1 and raw0 = 2.5
    const image = square([64, 64, 1], 40, 55, 8, 23);
    const r = await predictValues(image, {
      model: {
        onnx,
        card: regressionCard([32, 32], ['bone age', 'score'], {
          value_scale: [48, 1],
          value_offset: [12, 0],
          value_units: { '0': 'mo' },
          value_range: [0, 240],
        }),
      },
      backend: 'cpu',
    });
    expect(r.values.map((v) => v.label)).toEqual(['bone age', 'score']);
    expect(r.values[0]!.raw).toBeCloseTo(2.5, 5);
    expect(r.values[0]!.value).toBeCloseTo(2.5 * 48 + 12, 3);
    expect(r.values[0]!.unit).toBe('mo');
    expect(r.values[1]).toMatchObject({ unit: null, outsideTrainingRange: false });
    expect(r.values[1]!.value).toBeCloseTo(0.25, 6);
    expect(r.limitations).toEqual([]);
    expect(r.input).toMatchObject({ spatial: '2d', modelShape: [32, 32], axisOrder: 'zyx' });
    expect(r.provenance).toMatchObject({ task: 'predictValues', backend: 'cpu' });
  });

  it('flags a value outside the training range as an extrapolation', async () => {
    const image = square([64, 64, 1], 40, 55, 8, 23);
    const r = await predictValues(image, {
      model: {
        onnx,
        card: regressionCard([32, 32], ['bone age', 'score'], { value_scale: 100, value_range: [0, 200] }),
      },
      backend: 'cpu',
    });
    // 2.5 * 100 = 250 > 200; 0.25 * 100 = 25 inside
    expect(r.values.map((v) => v.outsideTrainingRange)).toEqual([true, false]);
    expect(r.limitations.map((l) => l.code)).toEqual(['OUTSIDE_TRAINING_RANGE']);
    expect(r.limitations[0]!.message).toContain('bone age');
  });

  it('refuses a card that is not a regression model, bad value fields, and stops on abort', async () => {
    const image = square([64, 64, 1], 40, 55, 8, 23);
    const cls = classifierCard([32, 32], ['a', 'b']);
    const err = await predictValues(image, { model: { onnx, card: cls }, backend: 'cpu' }).catch((e) => e);
    expect(isMedImgError(err) && err.code).toBe('MODEL_CARD_INVALID');
    expect(() => validateModelCard(regressionCard([32, 32], ['a', 'b'], { value_scale: [1, 2, 3] }))).toThrow(
      /value_scale/,
    );
    expect(() => validateModelCard(regressionCard([32, 32], ['a', 'b'], { value_range: [5, 1] }))).toThrow(
      /value_range/,
    );
    expect(() => validateModelCard(regressionCard([32, 32], ['a', 'b'], { value_units: { '0': 3 } }))).toThrow(
      /value_units/,
    );
    const noModel = await predictValues(image, {} as never).catch((e) => e);
    expect(isMedImgError(noModel) && noModel.code).toBe('INVALID_ARGUMENT');
    const ac = new AbortController();
    ac.abort();
    const aborted = await predictValues(image, {
      model: { onnx, card: regressionCard([32, 32], ['a', 'b'], {}) },
      backend: 'cpu',
      signal: ac.signal,
    }).catch((e) => e);
    expect(isMedImgError(aborted) && aborted.code).toBe('ABORTED');
  });
});

describeData('predictValues on a real radiograph', () => {
  it('reads the DX thorax as displayed: the value is the mean display level of the region the network reads', async () => {
    const dx = await readRadiograph(dataPath('dicom', 'radiography', 'dx_fuji_thorax_small_mono1_8bit.dcm'));
    // whole-image read-out: raw = mean over all 32x32 model pixels of the displayed image (0..1)
    const all = regionClassifier([32, 32], () => true, [1], [0]);
    const r = await predictValues(dx, {
      model: {
        onnx: all,
        card: regressionCard([32, 32], ['mean display level'], { value_scale: 100, value_units: { '0': '%' } }),
      },
      backend: 'cpu',
    });
    const d = dx.display.data;
    let sum = 0;
    for (let i = 0; i < d.length; i++) sum += d[i]!;
    const mean = (100 * sum) / d.length;
    // linear resizing to 32x32 keeps the mean within a few tenths of a percent
    expect(Math.abs(r.values[0]!.value - mean)).toBeLessThan(1.5);
    expect(r.values[0]!.unit).toBe('%');
    expect(r.limitations.map((l) => l.code)).toContain('ASPECT_CHANGED');
  });
});
