import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/index.js';
import { indexToWorld } from '../../src/core/geometry.js';
import { isMedImgError } from '../../src/core/errors.js';
import {
  type AffineTransform,
  eulerMatrix,
  invertTransform,
  moveGeometry,
  transformPoint,
} from '../../src/core/ops/registration.js';
import { resample } from '../../src/core/ops/resample.js';
import { makeChestCtPhantom, type NoduleSpec } from '../../src/core/phantoms/index.js';
import { Rng } from '../../src/core/random.js';
import type { Vec3, Volume } from '../../src/core/volume.js';
import { readDicomSeries } from '../../src/io/dicom/series.js';
import {
  type CompareStudiesResult,
  compareStudies,
  matchNodules,
  reportedChanges,
  parseStudyDate,
  volumeDoublingTimeDays,
} from '../../src/tasks/compare-studies/index.js';
import type { DetectedNodule } from '../../src/tasks/detect-nodules/index.js';
import { dataPath, describeData } from '../helpers/data.js';

/** Rigid transform about the volume centre (fixed -> moving): rotation degrees then shift mm. */
function rigidAbout(vol: Volume, deg: Vec3, shift: Vec3): AffineTransform {
  const r = eulerMatrix(...(deg.map((d) => (d * Math.PI) / 180) as Vec3));
  const c = indexToWorld(
    vol,
    vol.dims.map((d) => (d - 1) / 2),
  );
  const rc = transformPoint({ matrix: r, translation: [0, 0, 0] }, c);
  return { matrix: r, translation: [c[0] - rc[0] + shift[0], c[1] - rc[1] + shift[1], c[2] - rc[2] + shift[2]] };
}

/** The scan of a patient who moved by `t` (baseline -> follow-up points), on the same grid. */
function movedScan(vol: Volume, t: AffineTransform, fill: number, noiseSd = 0, seed = 1): Volume {
  const out = resample(moveGeometry(vol, invertTransform(t)), {
    reference: vol,
    interpolation: 'linear',
    fillValue: fill,
  });
  if (noiseSd > 0) {
    const rng = new Rng(seed);
    for (let i = 0; i < out.data.length; i++) out.data[i] = (out.data[i] as number) + noiseSd * rng.normal();
  }
  return { ...out, meta: { ...vol.meta } };
}

const nodule = (c: Vec3, d: number, probability = 0.9): DetectedNodule =>
  ({
    probability,
    centerMm: c,
    diameterMm: d,
    longAxisMm: d,
    shortAxisMm: d,
    solidDiameterMm: d,
    volumeMm3: (Math.PI / 6) * d ** 3,
    type: 'solid',
    lungRads: null,
  }) as unknown as DetectedNodule;

describe('compareStudies pieces', () => {
  it('reads DICOM and ISO study dates and rejects impossible ones', () => {
    expect(parseStudyDate('20240131')).toBe(Date.UTC(2024, 0, 31));
    expect(parseStudyDate('2024-01-31')).toBe(Date.UTC(2024, 0, 31));
    expect(parseStudyDate('20240231')).toBeUndefined();
    expect(parseStudyDate(undefined)).toBeUndefined();
  });

  it('volume doubling time and the Lung-RADS growth rule', () => {
    // 6 -> 9 mm sphere in 274 days: V ratio 3.375, VDT = 274 ln2 / ln 3.375
    expect(volumeDoublingTimeDays(113.1, 381.7, 274)).toBeCloseTo((274 * Math.LN2) / Math.log(381.7 / 113.1), 6);
    expect(volumeDoublingTimeDays(100, 90, 274)).toBeNull();
    expect(volumeDoublingTimeDays(100, 200, null)).toBeNull();
    const id: AffineTransform = { matrix: [1, 0, 0, 0, 1, 0, 0, 0, 1], translation: [10, 0, 0] };
    const base = [nodule([0, 0, 0], 6), nodule([50, 0, 0], 8)];
    const follow = [nodule([10.5, 0, 0], 7.6), nodule([60, 0, 0], 9.4), nodule([-50, 20, 0], 5)];
    const within = matchNodules(base, follow, id, { intervalDays: 300 });
    expect(within.map((c) => c.status)).toEqual(['matched', 'matched', 'new']);
    expect(within[0]!.diameterChangeMm).toBeCloseTo(1.6, 6);
    expect(within[0]!.lungRadsGrowth).toBe(true); // > 1.5 mm in 12 months
    expect(within[1]!.lungRadsGrowth).toBe(false); // 1.4 mm
    expect(within[2]!.lungRadsGrowth).toBe(true); // new
    const late = matchNodules(base, follow, id, { intervalDays: 500 });
    expect(late.every((c) => c.lungRadsGrowth === null)).toBe(true);
    const gone = matchNodules(base, [], id, { intervalDays: 300 });
    expect(gone.map((c) => c.status)).toEqual(['resolved', 'resolved']);
  });

  it('hysteresis: a borderline finding seen on one side is matched to the other down to the match probability', () => {
    const id: AffineTransform = { matrix: [1, 0, 0, 0, 1, 0, 0, 0, 1], translation: [0, 0, 0] };
    // Both studies searched down to 0.3; the user's threshold is 0.5.
    const base = [nodule([0, 0, 0], 20, 0.47), nodule([60, 0, 0], 8, 0.35), nodule([-60, 0, 0], 9, 0.8)];
    const follow = [nodule([0.5, 0, 0], 20.4, 0.52), nodule([60, 1, 0], 8, 0.4), nodule([0, 60, 0], 7, 0.55)];
    const all = matchNodules(base, follow, id, { intervalDays: 180 });
    const kept = reportedChanges(all, 0.5);
    // 0.47 / 0.52: matched, not new; 0.35 / 0.40: below 0.5 at both, not reported; 0.8 only at
    // baseline: resolved; 0.55 only at follow-up: new.
    expect(
      kept.map((c) => `${c.id} ${c.status} ${c.baseline?.probability ?? '-'} ${c.followUp?.probability ?? '-'}`),
    ).toEqual(['1 matched 0.47 0.52', '2 new - 0.55', '3 resolved 0.8 -']);
    expect(kept[0]!.lungRadsGrowth).toBe(false);
  });

  it('rejects bad input with coded errors', async () => {
    const p = makeChestCtPhantom({ dims: [40, 40, 20], spacing: [4, 4, 5], nodules: 0 });
    await expect(compareStudies(p.image, p.image, { baselineDate: '2024-13-01' })).rejects.toSatisfy((e) =>
      isMedImgError(e, 'INVALID_ARGUMENT'),
    );
    await expect(
      compareStudies(p.image, p.image, { baselineDate: '20250101', followUpDate: '20240101' }),
    ).rejects.toSatisfy((e) => isMedImgError(e, 'INVALID_ARGUMENT'));
    const mr = { ...p.image, meta: { modality: 'MR' } };
    const ct = { ...p.image, meta: { modality: 'CT' } };
    await expect(compareStudies(ct, mr)).rejects.toSatisfy((e) => isMedImgError(e, 'WRONG_MODALITY'));
    await expect(compareStudies(mr, mr)).rejects.toSatisfy((e) => isMedImgError(e, 'INVALID_ARGUMENT')); // no segmenter
  });
});

describe('compareStudies on a phantom pair with known nodule growth (follow-up moved 3 deg / 9 mm)', () => {
  const geo = { dims: [200, 150, 80] as Vec3, spacing: [1.6, 1.6, 2.5] as Vec3, blurSigmaMm: 0.6, noiseSd: 15 };
  // right lung x < 0, left x > 0 (LPS); centres inside the phantom's lungs
  const grows: NoduleSpec = { centerMm: [-80, 25, -40], diameterMm: 8, lung: 'right' };
  const stable: NoduleSpec = { centerMm: [80, 10, 10], diameterMm: 9, lung: 'left' };
  const resolves: NoduleSpec = { centerMm: [70, -25, -30], diameterMm: 9, lung: 'left' };
  const appears: NoduleSpec = { centerMm: [-85, 0, 20], diameterMm: 12, lung: 'right' };
  let r: CompareStudiesResult;
  let truth: AffineTransform;
  beforeAll(async () => {
    const a = makeChestCtPhantom({ ...geo, seed: 4, nodules: [grows, stable, resolves] });
    const b = makeChestCtPhantom({ ...geo, seed: 4, nodules: [{ ...grows, diameterMm: 12 }, stable, appears] });
    truth = rigidAbout(a.image, [0, 1, 3], [6, -5, 4]);
    const base = { ...a.image, meta: { ...a.image.meta, modality: 'CT', studyDate: '20240110' } };
    const follow = movedScan(
      { ...b.image, meta: { ...b.image.meta, modality: 'CT', studyDate: '20241011' } },
      truth,
      -1000,
    );
    // the detector's false positives by the mediastinum score 0.51-0.57 on this phantom
    r = await compareStudies(base, follow, { nodules: { detect: { minProbability: 0.6 } } });
  }, 240_000);

  it('registers the pair and dates it', () => {
    expect(r.kind).toBe('lung-nodules');
    expect(r.intervalDays).toBe(275);
    expect(r.registration.ncc).toBeGreaterThan(0.9);
    const c = indexToWorld(r.followUpInBaseline, [100, 75, 40]);
    const got = transformPoint(r.registration.transform, c);
    const want = transformPoint(truth, c);
    expect(Math.hypot(got[0] - want[0], got[1] - want[1], got[2] - want[2])).toBeLessThan(1);
  });

  it('matches the growing and the stable nodule, finds the new and the resolved one', () => {
    const near = (p: Vec3 | undefined, q: Vec3 | undefined): boolean =>
      !!p && !!q && Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]) < 6;
    const table = r.nodules!.map(
      (n) =>
        `${n.status} ${n.baseline?.diameterMm.toFixed(1) ?? '-'} -> ${n.followUp?.diameterMm.toFixed(1) ?? '-'} mm, VDT ${n.volumeDoublingTimeDays ?? '-'} d, growth ${n.lungRadsGrowth}`,
    );
    console.log(`phantom pair:\n  ${table.join('\n  ')}`);
    const g = r.nodules!.find((n) => n.status === 'matched' && near(n.baseline?.centerMm, grows.centerMm));
    const s = r.nodules!.find((n) => n.status === 'matched' && near(n.baseline?.centerMm, stable.centerMm));
    const gone = r.nodules!.find((n) => n.status === 'resolved' && near(n.baseline?.centerMm, resolves.centerMm));
    const fresh = r.nodules!.find((n) => n.status === 'new' && near(n.followUp?.centerInBaselineMm, appears.centerMm));
    expect(g && s && gone && fresh).toBeTruthy();
    // 8 -> 12 mm: +4 mm, Lung-RADS growth; VDT 275 ln2 / ln((12/8)^3) = 157 d
    expect(g!.diameterChangeMm!).toBeGreaterThan(3);
    expect(g!.diameterChangeMm!).toBeLessThan(5);
    expect(g!.lungRadsGrowth).toBe(true);
    const vdt = (275 * Math.LN2) / Math.log((12 / 8) ** 3);
    // VDT from the measured volumes (the formula), and on the right side of the 400-day line that
    // separates suspicious from slow growth; its error against the truth (113 vs 157 d) is
    // detectNodules' volume of the 8 mm baseline nodule (measured 7.1 mm: -30 % volume)
    const measured = (275 * Math.LN2) / Math.log(g!.followUp!.volumeMm3 / g!.baseline!.volumeMm3);
    expect(g!.volumeDoublingTimeDays).toBeCloseTo(measured, 0);
    console.log(`VDT measured ${g!.volumeDoublingTimeDays} d, truth ${vdt.toFixed(0)} d`);
    expect(g!.volumeDoublingTimeDays!).toBeLessThan(400);
    expect(Math.abs(s!.diameterChangeMm!)).toBeLessThan(1.5);
    expect(s!.lungRadsGrowth).toBe(false);
    expect(fresh!.lungRadsGrowth).toBe(true);
  });
});

describeData('compareStudies on the real A0001 CT against a moved, resampled copy of itself', () => {
  let r: CompareStudiesResult;
  beforeAll(async () => {
    const ct = await readDicomSeries(dataPath('dicom/ct_chest_LungPETCTDx_A0001_kernelB'));
    const t = rigidAbout(ct, [0, 1, 2], [-7, 4, 3]);
    const copy = movedScan(ct, t, -1024);
    r = await compareStudies(ct, copy, { baselineDate: '20240110', followUpDate: '20240710' });
  }, 300_000);

  it('no change: every finding matched, the mass within the measurement error, no Lung-RADS growth claim', () => {
    const table = r.nodules!.map(
      (n) =>
        `${n.status} ${n.baseline?.diameterMm.toFixed(1) ?? '-'} -> ${n.followUp?.diameterMm.toFixed(1) ?? '-'} mm (${n.volumeChangePct ?? '-'} %)`,
    );
    console.log(`A0001 vs moved copy: ncc ${r.registration.ncc}, ${r.registration.ms} ms\n  ${table.join('\n  ')}`);
    expect(r.registration.ncc).toBeGreaterThan(0.9);
    expect(r.nodules!.length).toBeGreaterThan(0);
    // The baseline's lungs carried into the copy and borderline findings matched down to 0.3:
    // nothing new or resolved (before: +30 % on the mass and a new 22 mm finding).
    expect(r.nodules!.filter((n) => n.status !== 'matched')).toEqual([]);
    // The 63 mm juxtamediastinal mass: +1.7 to +2.4 % in volume over three moves
    // (bench/compare-lung-no-change.ts); 5 % is the bound stated for this 5 mm series.
    const mass = r.nodules!.find((n) => n.baseline!.diameterMm > 50)!;
    expect(Math.abs(mass.volumeChangePct!)).toBeLessThan(5);
    // 5 mm slices are outside Lung-RADS: no growth verdict at all, and the limitation says why
    expect(r.nodules!.every((n) => n.lungRadsGrowth === null)).toBe(true);
    expect(r.limitations.map((l) => l.code)).toContain('THICK_SLICES');
  });
});
