import { describe, expect, it } from 'vitest';
import {
  ageBand,
  auditSubgroups,
  averageSurfaceDistance,
  confusionCounts,
  createVolume,
  dice,
  froc,
  hausdorff,
  hausdorff95,
  jaccard,
  rocAuc,
  rocCurve,
  sensitivity,
  specificity,
  type Vec3,
} from '../../src/core/index.js';

const line = (on: number[], spacing: Vec3 = [2, 1, 1]) => {
  const v = createVolume([10, 1, 1], Uint8Array, { spacing });
  for (const i of on) v.data[i] = 1;
  return v;
};

describe('overlap metrics', () => {
  it('dice, jaccard, sensitivity, specificity by hand', () => {
    const a = line([1, 2, 3, 4]);
    const b = line([2, 3, 4, 5, 6, 7]);
    expect(dice(a, b)).toBeCloseTo(0.6, 12);
    expect(jaccard(a, b)).toBeCloseTo(3 / 7, 12);
    const c = confusionCounts(a, b);
    expect(c).toEqual({ tp: 3, fp: 1, fn: 3, tn: 3 });
    expect(sensitivity(c)).toBeCloseTo(0.5, 12);
    expect(specificity(c)).toBeCloseTo(0.75, 12);
    expect(dice(line([]), line([]))).toBe(1);
    expect(dice(line([1]), line([]))).toBe(0);
  });
  it('rejects masks on different grids', () => {
    expect(() => dice(line([1]), line([1], [1, 1, 1]))).toThrow(/grid/i);
  });
});

describe('surface distances (mm, anisotropic)', () => {
  it('1D masks with 2 mm spacing: HD, HD95 and ASSD by hand', () => {
    // every voxel of a 1-voxel-thick grid is a surface voxel
    const a = line([2, 3, 4, 5]);
    const b = line([4, 5, 6, 7]);
    // A->B: 4, 2, 0, 0 mm; B->A: 0, 0, 2, 4 mm
    expect(hausdorff(a, b)).toBeCloseTo(4, 6);
    expect(hausdorff95(a, b)).toBeCloseTo(3.7, 6); // numpy percentile of [0,0,2,4] at 95
    expect(averageSurfaceDistance(a, b)).toBeCloseTo(12 / 8, 6);
  });
  it('single voxels along the coarse axis', () => {
    const a = createVolume([3, 3, 4], Uint8Array, { spacing: [0.5, 0.7, 3] });
    const b = createVolume([3, 3, 4], Uint8Array, { spacing: [0.5, 0.7, 3] });
    a.data[1 + 3 * 1 + 9 * 0] = 1;
    b.data[2 + 3 * 0 + 9 * 2] = 1;
    const d = Math.hypot(0.5, 0.7, 6);
    expect(hausdorff95(a, b)).toBeCloseTo(d, 5);
    expect(averageSurfaceDistance(a, b)).toBeCloseTo(d, 5);
    expect(hausdorff95(a, createVolume([3, 3, 4], Uint8Array, { spacing: [0.5, 0.7, 3] }))).toBe(
      Number.POSITIVE_INFINITY,
    );
  });
  it('cube shifted by one voxel: HD is one voxel step', () => {
    const mk = (x0: number) => {
      const v = createVolume([12, 12, 12], Uint8Array, { spacing: [0.8, 0.8, 2.5] });
      for (let z = 3; z < 9; z++)
        for (let y = 3; y < 9; y++) for (let x = x0; x < x0 + 6; x++) v.data[x + 12 * (y + 12 * z)] = 1;
      return v;
    };
    expect(hausdorff(mk(3), mk(4))).toBeCloseTo(0.8, 5);
    expect(dice(mk(3), mk(4))).toBeCloseTo(10 / 12, 12);
  });
});

describe('ROC', () => {
  it('AUC by hand (sklearn example) and with ties', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
    expect(rocAuc([0.5, 0.5], [1, 0])).toBeCloseTo(0.5, 12);
    expect(rocAuc([1, 2], [1, 1])).toBeNaN();
    const c = rocCurve([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);
    expect(c.map((p) => [p.fpr, p.tpr])).toEqual([
      [0, 0],
      [0, 0.5],
      [0.5, 0.5],
      [0.5, 1],
      [1, 1],
    ]);
  });
});

describe('FROC / CPM (LUNA16 rules)', () => {
  it('hand-computed two-scan case', () => {
    const r = froc([
      {
        lesions: [
          { centerMm: [0, 0, 0], diameterMm: 10 },
          { centerMm: [50, 0, 0], diameterMm: 6 },
        ],
        candidates: [
          { centerMm: [53.5, 0, 0], probability: 0.95 }, // 3.5 mm > radius 3: FP
          { centerMm: [1, 1, 1], probability: 0.9 }, // hit lesion 1
          { centerMm: [2, 0, 0], probability: 0.8 }, // second hit on lesion 1: ignored
          { centerMm: [100, 0, 0], probability: 0.7 }, // FP
          { centerMm: [52, 0, 0], probability: 0.6 }, // hit lesion 2
        ],
      },
      {
        lesions: [{ centerMm: [0, 0, 0], diameterMm: 20 }],
        candidates: [
          { centerMm: [0, 0, 9], probability: 0.5 },
          { centerMm: [30, 0, 0], probability: 0.3 },
          { centerMm: [0, 0, 40], probability: 0.2 },
        ],
      },
    ]);
    expect(r.totalLesions).toBe(3);
    expect(r.sensitivities).toEqual([0, 0, 1 / 3, 1, 1, 1, 1]);
    expect(r.cpm).toBeCloseTo(13 / 21, 12);
    expect(r.lesionHits).toEqual([[0.9, 0.6], [0.5]]);
    expect(r.curve.at(-1)).toEqual({ threshold: 0.2, fpPerScan: 2, sensitivity: 1 });
  });
  it('ignored findings are neither TP nor FP', () => {
    const r = froc([
      {
        lesions: [{ centerMm: [0, 0, 0], diameterMm: 10 }],
        ignore: [{ centerMm: [40, 0, 0], diameterMm: 4 }],
        candidates: [
          { centerMm: [40, 1, 0], probability: 0.9 },
          { centerMm: [0, 0, 0], probability: 0.5 },
        ],
      },
    ]);
    expect(r.sensitivities[0]).toBe(1);
    expect(r.cpm).toBe(1);
  });
});

describe('auditSubgroups', () => {
  it('per-group means and the largest gap', () => {
    const recs = [
      { sex: 'F', age: 64, dice: 0.9 },
      { sex: 'F', age: 71, dice: 0.8 },
      { sex: 'M', age: 55, dice: 0.7 },
      { sex: undefined, age: undefined, dice: 0.6 },
    ];
    const a = auditSubgroups(recs, 'sex', 'dice');
    expect(a.groups.map((g) => [g.group, g.n])).toEqual([
      ['F', 2],
      ['M', 1],
      ['unknown', 1],
    ]);
    expect(a.groups[0]!.value).toBeCloseTo(0.85, 12);
    expect(a.overall).toBeCloseTo(0.75, 12);
    expect(a.largestGap!.high).toBe('F');
    expect(a.largestGap!.low).toBe('M');
    expect(a.largestGap!.gap).toBeCloseTo(0.15, 12);
    const byAge = auditSubgroups(
      recs,
      (r) => ageBand(r.age),
      (rs) => Math.min(...rs.map((r) => r.dice)),
    );
    expect(byAge.groups.map((g) => g.group)).toEqual(['50-59', '60-69', '70-79', 'unknown']);
    expect(byAge.largestGap!.gap).toBeCloseTo(0.2, 12);
    expect(ageBand(64)).toBe('60-69');
    expect(ageBand(undefined)).toBeUndefined();
  });
});
