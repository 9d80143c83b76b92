import { describe, expect, it } from 'vitest';
import { bootstrapCi, froc } from '../../src/core/metrics/index.js';
import type { Mask, Vec3 } from '../../src/core/volume.js';
import {
  boxIoU,
  frocScanOf,
  hitsLesion,
  maskMetrics,
  scoreDetection,
  scoreExpectedValues,
  sliceBoxIoUs,
  summarise,
  type TruthLesion,
  type ValidationCaseReport,
  type ValidationRun,
} from '../../src/validation/index.js';

/** A 10x10x4 mask of 2x2x2 mm voxels, origin 0, holding the given inclusive index box. */
function boxMask(x0: number, y0: number, z0: number, x1: number, y1: number, z1: number): Mask {
  const dims: Vec3 = [10, 10, 4];
  const data = new Uint8Array(400);
  for (let z = z0; z <= z1; z++)
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) data[x + 10 * (y + 10 * z)] = 1;
  return { data, dims, spacing: [2, 2, 2], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
}

describe('detection glue', () => {
  const lesions: TruthLesion[] = [
    { id: 'point', centerMm: [0, 0, 0], radiusMm: 5 },
    {
      id: 'boxes',
      centerMm: [100, 100, 50],
      radiusMm: 1,
      boxes: [
        { min: [90, 90, 40], max: [110, 120, 40] },
        { min: [92, 95, 48], max: [108, 110, 48] },
      ],
    },
    { id: 'mask', centerMm: [-100, -100, -100], radiusMm: 1, mask: boxMask(2, 2, 1, 4, 4, 2) },
  ];

  it('hit = centre within the radius, inside the box hull (z widened by half a slice) or inside the mask', () => {
    expect(hitsLesion([3, 4, 0], lesions[0]!)).toBe(true); // distance 5
    expect(hitsLesion([3, 4.01, 0], lesions[0]!)).toBe(false);
    expect(hitsLesion([91, 119, 44], lesions[1]!)).toBe(true);
    expect(hitsLesion([91, 119, 52], lesions[1]!, 8)).toBe(true); // 48 + 4
    expect(hitsLesion([91, 119, 52.5], lesions[1]!, 8)).toBe(false);
    expect(hitsLesion([89, 100, 44], lesions[1]!)).toBe(false);
    expect(hitsLesion([4, 6, 2], lesions[2]!)).toBe(true); // voxel (2,3,1)
    expect(hitsLesion([10, 6, 2], lesions[2]!)).toBe(false); // voxel (5,3,1)
  });

  it('scores each lesion once and counts findings that hit nothing as false', () => {
    const findings = [
      { centerMm: [1, 1, 0] as Vec3, probability: 0.9 },
      { centerMm: [0, 1, 1] as Vec3, probability: 0.8 }, // second hit on 'point': not false
      { centerMm: [100, 100, 44] as Vec3, probability: 0.2 }, // hits 'boxes' below the threshold
      { centerMm: [50, 50, 50] as Vec3, probability: 0.6 }, // false
      { centerMm: [60, 50, 50] as Vec3, probability: 0.1 }, // false but below the threshold
    ];
    const s = scoreDetection(findings, lesions, 0.5, 8);
    expect(s.lesions).toEqual([
      { id: 'point', hit: true, bestProbability: 0.9 },
      { id: 'boxes', hit: false, bestProbability: 0.2 },
      { id: 'mask', hit: false, bestProbability: null },
    ]);
    expect(s.falseFindings).toBe(1);
    expect(s.sensitivity).toBeCloseTo(1 / 3, 12);
    // FROC through core/metrics: the box hit is placed on the lesion centre so froc's radius rule counts it
    const f = froc([frocScanOf(findings, lesions, 8)], [1]);
    expect(f.lesionHits[0]).toEqual([0.9, 0.2, null]);
    expect(f.sensitivities).toEqual([2 / 3]);
  });
});

describe('box and mask glue', () => {
  it('boxIoU of inclusive pixel boxes', () => {
    expect(boxIoU([0, 0, 1, 1], [0, 0, 1, 1])).toBe(1);
    expect(boxIoU([0, 0, 1, 1], [1, 1, 2, 2])).toBe(1 / 7);
    expect(boxIoU([0, 0, 1, 1], [5, 5, 6, 6])).toBe(0);
  });

  it('per-slice IoU of the mask box against expert boxes in LPS mm', () => {
    const m = boxMask(2, 2, 1, 5, 5, 1); // slice 1 only
    const r = sliceBoxIoUs(m, [
      { min: [4, 4, 2], max: [10, 10, 2] }, // indices 2..5 on slice 1: exact
      { min: [4, 4, 2], max: [16, 10, 2] }, // x 2..8: 16 / 28
      { min: [4, 4, 4], max: [10, 10, 4] }, // slice 2: mask empty
    ]);
    expect(r).toEqual([
      { slice: 1, iou: 1 },
      { slice: 1, iou: 16 / 28 },
      { slice: 2, iou: 0 },
    ]);
  });

  it('Dice, volume and long-axis error of a mask against its truth', () => {
    const image = { ...boxMask(0, 0, 0, 9, 9, 3), data: new Int16Array(400) };
    const truth = boxMask(2, 2, 1, 5, 5, 2); // 32 voxels
    const pred = boxMask(2, 2, 1, 5, 5, 1); // 16 voxels, inside
    const m = maskMetrics(image, pred, truth);
    expect(m.dice).toBeCloseTo((2 * 16) / 48, 12);
    expect(m.volumeMl).toBeCloseTo((16 * 8) / 1000, 12);
    expect(m.truthVolumeMl).toBeCloseTo((32 * 8) / 1000, 12);
    expect(m.volumeErrorPct).toBeCloseTo(-50, 12);
    expect(m.longAxisErrorMm).toBe(0); // same in-plane square
    expect(m.hd95Mm).toBeGreaterThan(0);
    const empty = maskMetrics(image, boxMask(0, 0, 0, -1, -1, -1), truth);
    expect(empty).toMatchObject({ dice: 0, hd95Mm: null, assdMm: null, volumeMl: 0, longAxisMm: null });
  });

  it('matches expected values to the nearest measurement within its distance', () => {
    const s = scoreExpectedValues(
      [
        { centerMm: [0, 0, 0], value: 140 },
        { centerMm: [0, 0, 30], value: 200 },
      ],
      [
        { id: 'a', kind: 'hu', centerMm: [0, 0, 4], value: 150 },
        { id: 'b', kind: 'hu', centerMm: [0, 0, 100], value: 150 },
      ],
    );
    expect(s).toEqual([
      { id: 'a', expected: 150, measured: 140, error: -10, distanceMm: 4 },
      { id: 'b', expected: 150, measured: null, error: null, distanceMm: null },
    ]);
  });
});

describe('bootstrapCi', () => {
  it('is seeded, brackets the mean and has no interval below two values', () => {
    const v = [0.5, 0.7, 0.8, 0.9, 1];
    const a = bootstrapCi(v, { seed: 3 });
    expect(a).toEqual(bootstrapCi(v, { seed: 3 }));
    expect(a.estimate).toBeCloseTo(0.78, 12);
    expect(a.low!).toBeGreaterThanOrEqual(0.5);
    expect(a.low!).toBeLessThan(0.78);
    expect(a.high!).toBeGreaterThan(0.78);
    expect(a.high!).toBeLessThanOrEqual(1);
    expect(bootstrapCi([4, 4, 4])).toMatchObject({ estimate: 4, low: 4, high: 4, n: 3 });
    expect(bootstrapCi([0.3, Number.NaN])).toEqual({ estimate: 0.3, low: null, high: null, n: 1, level: 0.95 });
  });
});

describe('summarise', () => {
  const run = (caseId: string, runId: string, metrics: Record<string, number | null>): ValidationRun => ({
    caseId,
    task: 'segmentTumor',
    runId,
    group: 'segmentTumor (slice-box)',
    status: 'ok',
    metrics,
    limitations: [],
    notes: {},
    seconds: 1,
  });
  it('averages each case first, reports the box-to-box volume spread and audits subgroups', () => {
    const cases: ValidationCaseReport[] = [
      {
        id: 'a',
        attributes: { sliceBand: '3-5 mm' },
        runs: [
          run('a', 'b#0', { meanBoxIoU: 0.4, volumeMl: 80 }),
          run('a', 'b#1', { meanBoxIoU: 0.6, volumeMl: 100 }),
          run('a', 'b#2', { meanBoxIoU: 0.8, volumeMl: 130 }),
        ],
      },
      { id: 'b', attributes: { sliceBand: '>5 mm' }, runs: [run('b', 'b#0', { meanBoxIoU: 0.2, volumeMl: 50 })] },
    ];
    const [s] = summarise(cases, { resamples: 200, seed: 1, level: 0.95 });
    expect(s!.cases).toBe(2);
    expect(s!.runs).toBe(4);
    expect(s!.metrics.meanBoxIoU!.estimate).toBeCloseTo((0.6 + 0.2) / 2, 12);
    expect(s!.metrics.volumeMaxDevFromMedianPct).toMatchObject({ estimate: 30, n: 1 }); // |130 - 100| / 100
    const audit = s!.subgroups.find((g) => g.metric === 'meanBoxIoU')!.audits.find((a) => a.attribute === 'sliceBand')!;
    expect(audit.groups.map((g) => [g.group, g.n, Number(g.value.toFixed(12))])).toEqual([
      ['3-5 mm', 1, 0.6],
      ['>5 mm', 1, 0.2],
    ]);
    expect(audit.largestGap!.gap).toBeCloseTo(0.4, 12);
  });
});
