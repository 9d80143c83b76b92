// Lung nodules across two CTs: match the follow-up's nodules to the baseline's through the
// registration, then diameter and volume change, volume doubling time and the Lung-RADS v2022
// growth rule (mean diameter up by more than 1.5 mm within 12 months).
import { invertTransform, transformPoint, type AffineTransform } from '../../core/ops/registration.js';
import type { Vec3 } from '../../core/volume.js';
import type { DetectedNodule } from '../detect-nodules/index.js';
import { round } from '../internal/common.js';

/** Lung-RADS v2022: growth is a mean-diameter increase over 1.5 mm within a 12-month interval. */
export const LUNG_RADS_GROWTH_MM = 1.5;
/** Twelve months, in days (a 365-day year plus a leap day). */
export const TWELVE_MONTHS_DAYS = 366;

/** One nodule at one time point. */
export interface NoduleAtTimePoint {
  /** Index in that study's `detectNodules` list. */
  index: number;
  /** Centre in that study's own LPS space, mm. */
  centerMm: Vec3;
  /** Centre in the baseline's LPS space, mm (the follow-up's mapped through the registration). */
  centerInBaselineMm: Vec3;
  diameterMm: number;
  longAxisMm: number;
  shortAxisMm: number;
  solidDiameterMm: number;
  volumeMm3: number;
  type: DetectedNodule['type'];
  lungRads: DetectedNodule['lungRads'];
  /** The detector's probability at this time point. */
  probability: number;
}

/** A nodule followed from baseline to follow-up. */
export interface NoduleChange {
  /** 1-based, in the order of the table (matched first, then new, then resolved). */
  id: number;
  /** matched: seen at both; new: only at follow-up; resolved: only at baseline. */
  status: 'matched' | 'new' | 'resolved';
  baseline: NoduleAtTimePoint | null;
  followUp: NoduleAtTimePoint | null;
  /** Distance between the two centres in baseline space, mm (matched only). */
  distanceMm: number | null;
  /** Follow-up minus baseline mean diameter, mm (matched only). */
  diameterChangeMm: number | null;
  volumeChangeMm3: number | null;
  volumeChangePct: number | null;
  /**
   * Volume doubling time in days, `interval * ln 2 / ln(V2 / V1)`; null when the volume did not grow
   * or the interval is unknown.
   */
  volumeDoublingTimeDays: number | null;
  /**
   * Lung-RADS v2022 growth (> 1.5 mm mean diameter within 12 months): true/false for a matched
   * nodule, true for a new one; null when the study dates are unknown or more than 12 months apart.
   */
  lungRadsGrowth: boolean | null;
}

/** Options of {@link matchNodules}. */
export interface MatchNodulesOptions {
  /** Pairs further apart than max(this, half the larger diameter) are not matched. Default 10 mm. */
  maxDistanceMm?: number;
  /** Days between the studies, or null when unknown. */
  intervalDays: number | null;
  /**
   * Whether Lung-RADS applies to both scans (screening CT: thin slices, unenhanced). Default true;
   * when false every `lungRadsGrowth` is null.
   */
  lungRadsApplies?: boolean;
}

function atTimePoint(d: DetectedNodule, index: number, inBaseline: Vec3): NoduleAtTimePoint {
  return {
    index,
    centerMm: d.centerMm.map((v) => round(v, 2)) as Vec3,
    centerInBaselineMm: inBaseline.map((v) => round(v, 2)) as Vec3,
    diameterMm: d.diameterMm,
    longAxisMm: d.longAxisMm,
    shortAxisMm: d.shortAxisMm,
    solidDiameterMm: d.solidDiameterMm,
    volumeMm3: d.volumeMm3,
    type: d.type,
    lungRads: d.lungRads,
    probability: d.probability,
  };
}

/**
 * Volume doubling time (days), or null when it did not grow or the interval is unknown.
 *
 * @example
 * ```ts
 * import { volumeDoublingTimeDays } from 'medimg';
 * volumeDoublingTimeDays(113.1, 381.7, 274); // 156 days: 6 -> 9 mm sphere in 274 days
 * ```
 */
export function volumeDoublingTimeDays(v1: number, v2: number, days: number | null): number | null {
  if (days === null || !(days > 0) || !(v1 > 0) || !(v2 > v1)) return null;
  return (days * Math.LN2) / Math.log(v2 / v1);
}

/**
 * Matches follow-up nodules to baseline nodules (greedy, closest pair first, in baseline space
 * through `transform`, which maps baseline points to follow-up points) and measures their change.
 *
 * @example
 * ```ts
 * import { detectNodules, matchNodules } from 'medimg';
 * import { registerVolumes } from 'medimg/ops';
 * declare const baselineCt: typeof ct, followUpCt: typeof ct;
 * const reg = await registerVolumes(baselineCt, followUpCt);
 * const a = await detectNodules(baselineCt);
 * const b = await detectNodules(followUpCt);
 * const changes = matchNodules(a.nodules, b.nodules, reg.transform, { intervalDays: 365 });
 * for (const c of changes) console.log(c.status, c.diameterChangeMm);
 * ```
 */
export function matchNodules(
  baseline: readonly DetectedNodule[],
  followUp: readonly DetectedNodule[],
  transform: AffineTransform,
  options: MatchNodulesOptions,
): NoduleChange[] {
  const maxD = options.maxDistanceMm ?? 10;
  const days = options.intervalDays;
  const back = invertTransform(transform);
  const fuInBase = followUp.map((d) => transformPoint(back, d.centerMm));
  const pairs: [number, number, number][] = [];
  baseline.forEach((b, i) => {
    fuInBase.forEach((p, j) => {
      const dist = Math.hypot(p[0] - b.centerMm[0], p[1] - b.centerMm[1], p[2] - b.centerMm[2]);
      const limit = Math.max(maxD, Math.max(b.diameterMm, followUp[j]!.diameterMm) / 2);
      if (dist <= limit) pairs.push([dist, i, j]);
    });
  });
  pairs.sort((a, b) => a[0] - b[0]);
  const usedB = new Set<number>();
  const usedF = new Set<number>();
  const out: NoduleChange[] = [];
  const growthKnown = days !== null && days <= TWELVE_MONTHS_DAYS && options.lungRadsApplies !== false;
  for (const [dist, i, j] of pairs) {
    if (usedB.has(i) || usedF.has(j)) continue;
    usedB.add(i);
    usedF.add(j);
    const b = baseline[i]!;
    const f = followUp[j]!;
    const dd = f.diameterMm - b.diameterMm;
    out.push({
      id: 0,
      status: 'matched',
      baseline: atTimePoint(b, i, b.centerMm),
      followUp: atTimePoint(f, j, fuInBase[j]!),
      distanceMm: round(dist, 2),
      diameterChangeMm: round(dd, 2),
      volumeChangeMm3: round(f.volumeMm3 - b.volumeMm3, 1),
      volumeChangePct: b.volumeMm3 > 0 ? round((100 * (f.volumeMm3 - b.volumeMm3)) / b.volumeMm3, 1) : null,
      volumeDoublingTimeDays: roundOrNull(volumeDoublingTimeDays(b.volumeMm3, f.volumeMm3, days), 0),
      lungRadsGrowth: growthKnown ? dd > LUNG_RADS_GROWTH_MM : null,
    });
  }
  out.sort((x, y) => x.baseline!.index - y.baseline!.index);
  const empty = {
    distanceMm: null,
    diameterChangeMm: null,
    volumeChangeMm3: null,
    volumeChangePct: null,
    volumeDoublingTimeDays: null,
  };
  followUp.forEach((f, j) => {
    if (usedF.has(j)) return;
    out.push({
      id: 0,
      status: 'new',
      baseline: null,
      followUp: atTimePoint(f, j, fuInBase[j]!),
      ...empty,
      lungRadsGrowth: growthKnown ? true : null,
    });
  });
  baseline.forEach((b, i) => {
    if (usedB.has(i)) return;
    out.push({
      id: 0,
      status: 'resolved',
      baseline: atTimePoint(b, i, b.centerMm),
      followUp: null,
      ...empty,
      lungRadsGrowth: null,
    });
  });
  out.forEach((c, k) => (c.id = k + 1));
  return out;
}

/**
 * The changes worth reporting when both studies were searched down to a lower probability than
 * `minProbability` (hysteresis): a pair is kept when either side reaches `minProbability`, a new
 * or resolved finding when it does. A borderline finding that crosses the threshold between two
 * scans of an unchanged lesion is then matched, not reported as new or resolved. Returns copies
 * with ids renumbered from 1; the input is left as it is.
 *
 * @example
 * ```ts
 * import { detectNodules, matchNodules, reportedChanges } from 'medimg';
 * import { registerVolumes } from 'medimg/ops';
 * declare const baselineCt: typeof ct, followUpCt: typeof ct;
 * const reg = await registerVolumes(baselineCt, followUpCt);
 * // Search both studies down to 0.3, report what reaches 0.5 on either side.
 * const a = await detectNodules(baselineCt, { minProbability: 0.3 });
 * const b = await detectNodules(followUpCt, { minProbability: 0.3 });
 * const all = matchNodules(a.nodules, b.nodules, reg.transform, { intervalDays: 365 });
 * const changes = reportedChanges(all, 0.5);
 * ```
 */
export function reportedChanges(changes: readonly NoduleChange[], minProbability: number): NoduleChange[] {
  const p = (a: NoduleAtTimePoint | null): number => a?.probability ?? -1;
  return changes
    .filter((c) => Math.max(p(c.baseline), p(c.followUp)) >= minProbability)
    .map((c, k) => ({ ...c, id: k + 1 }));
}

function roundOrNull(v: number | null, d: number): number | null {
  return v === null ? null : round(v, d);
}
