import { assertArg } from '../errors.js';
import type { Vec3 } from '../volume.js';

/** A detection: a point (LPS mm) and its score. */
export interface FrocCandidate {
  centerMm: Vec3;
  probability: number;
}

/** A reference lesion: centre (LPS mm) and diameter (mm). */
export interface FrocLesion {
  centerMm: Vec3;
  diameterMm: number;
}

/** Detections and reference lesions of one scan. */
export interface FrocScan {
  candidates: FrocCandidate[];
  lesions: FrocLesion[];
  /**
   * Findings to ignore (LUNA16 "irrelevant findings", e.g. nodules < 3 mm): candidates that hit
   * one of these and no lesion are neither true nor false positives.
   */
  ignore?: FrocLesion[];
}

/** One operating point of a FROC curve. */
export interface FrocPoint {
  threshold: number;
  /** Mean false positives per scan at this threshold. */
  fpPerScan: number;
  sensitivity: number;
}

/** FROC analysis result. */
export interface FrocResult {
  /** Operating points for descending thresholds. */
  curve: FrocPoint[];
  /** The FP rates evaluated (default LUNA16: 1/8, 1/4, 1/2, 1, 2, 4, 8). */
  fpRates: number[];
  /** Sensitivity at each rate of `fpRates`: the best sensitivity with mean FP/scan <= the rate. */
  sensitivities: number[];
  /** Competition performance metric: mean of `sensitivities`. */
  cpm: number;
  totalLesions: number;
  scans: number;
  /** Per scan, per lesion: highest probability of a candidate hitting it (null: never hit). */
  lesionHits: (number | null)[][];
}

/** The seven LUNA16 false-positive rates. */
export const LUNA16_FP_RATES: readonly number[] = Object.freeze([0.125, 0.25, 0.5, 1, 2, 4, 8]);

function within(c: Vec3, l: FrocLesion): boolean {
  const r = l.diameterMm / 2;
  return (c[0] - l.centerMm[0]) ** 2 + (c[1] - l.centerMm[1]) ** 2 + (c[2] - l.centerMm[2]) ** 2 <= r * r;
}

/**
 * Free-response ROC with the LUNA16 rules (Setio et al., Med Image Anal 2017): a candidate is a hit
 * when its centre lies within the lesion's radius of the lesion centre; each lesion counts once (its
 * best-scoring hit), further hits on a detected lesion are neither true nor false positives, and every
 * candidate that hits no lesion (nor an ignored finding) is a false positive. Sensitivity is read at
 * each FP rate as the best operating point whose mean FP/scan does not exceed it (a step reading of
 * the curve, which never overstates sensitivity); CPM is their mean.
 */
export function froc(scans: FrocScan[], fpRates: readonly number[] = LUNA16_FP_RATES): FrocResult {
  assertArg(scans.length > 0, 'froc needs at least one scan.');
  type Ev = { p: number; kind: 'fp' | 'hit'; scan: number; lesions: number[] };
  const events: Ev[] = [];
  let totalLesions = 0;
  const lesionHits: (number | null)[][] = [];
  scans.forEach((s, si) => {
    totalLesions += s.lesions.length;
    const hits: (number | null)[] = s.lesions.map(() => null);
    for (const c of s.candidates) {
      assertArg(Number.isFinite(c.probability), 'Candidate probabilities must be finite.');
      const hit: number[] = [];
      s.lesions.forEach((l, li) => {
        if (within(c.centerMm, l)) hit.push(li);
      });
      if (hit.length > 0) {
        for (const li of hit) if (hits[li] === null || c.probability > hits[li]!) hits[li] = c.probability;
        events.push({ p: c.probability, kind: 'hit', scan: si, lesions: hit });
      } else if (!(s.ignore ?? []).some((l) => within(c.centerMm, l))) {
        events.push({ p: c.probability, kind: 'fp', scan: si, lesions: [] });
      }
    }
    lesionHits.push(hits);
  });
  events.sort((a, b) => b.p - a.p);
  const detected = scans.map((s) => new Uint8Array(s.lesions.length));
  const curve: FrocPoint[] = [];
  let fp = 0;
  let tp = 0;
  for (let i = 0; i < events.length; ) {
    const t = events[i]!.p;
    while (i < events.length && events[i]!.p === t) {
      const e = events[i]!;
      if (e.kind === 'fp') fp++;
      else {
        for (const li of e.lesions) {
          if (!detected[e.scan]![li]) {
            detected[e.scan]![li] = 1;
            tp++;
          }
        }
      }
      i++;
    }
    curve.push({
      threshold: t,
      fpPerScan: fp / scans.length,
      sensitivity: totalLesions ? tp / totalLesions : Number.NaN,
    });
  }
  const sensitivities = fpRates.map((rate) => {
    let best = 0;
    for (const pt of curve) if (pt.fpPerScan <= rate && pt.sensitivity > best) best = pt.sensitivity;
    return totalLesions ? best : Number.NaN;
  });
  const cpm = sensitivities.reduce((a, b) => a + b, 0) / sensitivities.length;
  return { curve, fpRates: [...fpRates], sensitivities, cpm, totalLesions, scans: scans.length, lesionHits };
}
