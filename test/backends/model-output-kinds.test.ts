// Card output kinds (validation) and the heatmap peak finder.
import { describe, expect, it } from 'vitest';
import { boxIou, heatmapPeaks, outputKind, validateModelCard } from '../../src/backends/index.js';
import { isMedImgError } from '../../src/core/index.js';

const t = (c: number, shape: (number | string)[] = [-1, -1, -1]) => ({
  type: 'image',
  num_channels: c,
  spatial_shape: shape,
  dtype: 'float32',
  value_range: [],
  channel_def: {},
});
const base = (out: unknown, post?: unknown) => ({
  schema_version: 1,
  id: 'x',
  version: '1',
  license: 'MIT',
  network_data_format: { inputs: { i: t(1) }, outputs: { o: out } },
  ...(post ? { postprocessing: post } : {}),
});
const fieldOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return isMedImgError(e) && e.code === 'MODEL_CARD_INVALID' ? String(e.details?.field) : `other: ${e}`;
  }
  return undefined;
};

describe('model card output kinds', () => {
  it('defaults to probabilities and accepts each kind with a fitting channel count', () => {
    expect(outputKind(validateModelCard(base(t(3))))).toBe('probabilities');
    expect(outputKind(validateModelCard(base(t(1), { output_kind: 'labels' })))).toBe('labels');
    expect(outputKind(validateModelCard(base(t(1), { output_kind: 'heatmap', peak_threshold: 0.3 })))).toBe('heatmap');
    expect(outputKind(validateModelCard(base(t(7, [-1]), { output_kind: 'boxes', iou_threshold: 0.5 })))).toBe('boxes');
    expect(outputKind(validateModelCard(base(t(2, [1]), { output_kind: 'regression' })))).toBe('regression');
  });

  it('names the offending field', () => {
    expect(fieldOf(() => validateModelCard(base(t(1), { output_kind: 'mask' })))).toBe('postprocessing.output_kind');
    expect(fieldOf(() => validateModelCard(base(t(2), { output_kind: 'labels' })))).toBe(
      'network_data_format.outputs.num_channels',
    );
    expect(fieldOf(() => validateModelCard(base(t(6, [-1]), { output_kind: 'boxes' })))).toBe(
      'network_data_format.outputs.num_channels',
    );
    expect(fieldOf(() => validateModelCard(base(t(7), { output_kind: 'boxes', iou_threshold: 2 })))).toBe(
      'postprocessing.iou_threshold',
    );
    expect(fieldOf(() => validateModelCard(base(t(1), { min_peak_distance_mm: -1 })))).toBe(
      'postprocessing.min_peak_distance_mm',
    );
  });
});

describe('heatmapPeaks', () => {
  it('finds separated maxima above the threshold with their half-maximum radius, best first', () => {
    const dims: [number, number, number] = [40, 30, 20];
    const d = new Float32Array(40 * 30 * 20);
    const blobs = [
      { c: [10, 10, 10], a: 0.9, s: 2 },
      { c: [30, 20, 8], a: 0.7, s: 3 },
      { c: [33, 20, 8], a: 0.6, s: 1 }, // 3 voxels (3 mm) from the second: dropped at 5 mm
      { c: [5, 25, 3], a: 0.3, s: 2 }, // under the threshold
    ];
    for (let z = 0, i = 0; z < 20; z++)
      for (let y = 0; y < 30; y++)
        for (let x = 0; x < 40; x++, i++)
          for (const b of blobs) {
            const r2 = (x - b.c[0]!) ** 2 + (y - b.c[1]!) ** 2 + (z - b.c[2]!) ** 2;
            d[i] = Math.max(d[i]!, b.a * Math.exp(-r2 / (2 * b.s * b.s)));
          }
    const p = heatmapPeaks(d, dims, [1, 1, 1], { threshold: 0.5, minDistanceMm: 5 });
    expect(p.map((q) => q.index)).toEqual([
      [10, 10, 10],
      [30, 20, 8],
    ]);
    expect(p[0]!.score).toBeCloseTo(0.9, 5);
    // half maximum of a gaussian at r = s·sqrt(2 ln 2) = 1.18 s: the voxelised ball is about that size
    expect(p[0]!.halfMaxRadiusMm).toBeGreaterThan(1.18 * 2 - 0.6);
    expect(p[0]!.halfMaxRadiusMm).toBeLessThan(1.18 * 2 + 0.6);
  });

  it('boxIou', () => {
    expect(boxIou([0, 0, 0, 2, 2, 2], [0, 0, 0, 2, 2, 2])).toBe(1);
    expect(boxIou([0, 0, 0, 2, 2, 2], [1, 0, 0, 3, 2, 2])).toBeCloseTo(4 / 12, 6);
    expect(boxIou([0, 0, 0, 1, 1, 1], [2, 2, 2, 3, 3, 3])).toBe(0);
  });
});
