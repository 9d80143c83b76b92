// Glue between task outputs and the metrics of src/core/metrics: the hit rule for annotated
// lesions, per-slice box IoU, mask metrics and expected-value matching. No metric is re-derived here.
import { worldToIndex } from '../core/geometry.js';
import { averageSurfaceDistance, dice, type FrocScan, hausdorff95 } from '../core/metrics/index.js';
import type { Mask, Vec3, Volume } from '../core/volume.js';
import { lesionStats } from '../tasks/segment-tumor/index.js';
import type { ManifestBox, ManifestExpectedValue } from './manifest.js';

/** A lesion of the truth, resolved against the image. */
export interface TruthLesion {
  id: string;
  centerMm: Vec3;
  /** Hit radius, mm (half the diameter). */
  radiusMm: number;
  /** Expert boxes (per slice), LPS mm. */
  boxes?: ManifestBox[];
  /** The lesion's voxels on the image grid. */
  mask?: Mask;
}

/** A point finding of a task (a detection). */
export interface Finding {
  centerMm: Vec3;
  probability: number;
}

function dist(a: Vec3, b: Vec3): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

/**
 * Whether a finding hits a lesion: its centre lies inside the lesion's mask, inside the hull of its
 * expert boxes (z widened by half a slice spacing on each side, the thickness of an annotated slice),
 * or within the lesion's radius of its centre.
 */
export function hitsLesion(p: Vec3, lesion: TruthLesion, sliceSpacingMm = 0): boolean {
  if (dist(p, lesion.centerMm) <= lesion.radiusMm) return true;
  if (lesion.boxes?.length) {
    const lo = [Infinity, Infinity, Infinity];
    const hi = [-Infinity, -Infinity, -Infinity];
    for (const b of lesion.boxes)
      for (let a = 0; a < 3; a++) {
        lo[a] = Math.min(lo[a]!, b.min[a]!);
        hi[a] = Math.max(hi[a]!, b.max[a]!);
      }
    const h = sliceSpacingMm / 2;
    if (
      p[0] >= lo[0]! &&
      p[0] <= hi[0]! &&
      p[1] >= lo[1]! &&
      p[1] <= hi[1]! &&
      p[2] >= lo[2]! - h &&
      p[2] <= hi[2]! + h
    )
      return true;
  }
  const m = lesion.mask;
  if (m) {
    const q = worldToIndex(m, p).map(Math.round);
    if (q.every((v, a) => v >= 0 && v < m.dims[a]!) && m.data[q[0]! + m.dims[0] * (q[1]! + m.dims[1] * q[2]!)])
      return true;
  }
  return false;
}

/** Detection outcome of one scan at one threshold. */
export interface DetectionScore {
  threshold: number;
  /** Per lesion: hit or not, and the best probability among the findings hitting it (any threshold). */
  lesions: { id: string; hit: boolean; bestProbability: number | null }[];
  /** Findings at or above the threshold that hit no lesion. */
  falseFindings: number;
  /** Hit lesions / lesions (NaN without lesions). */
  sensitivity: number;
}

/** Scores findings against lesions at `threshold`: each lesion counts once, a finding hitting none is false. */
export function scoreDetection(
  findings: Finding[],
  lesions: TruthLesion[],
  threshold: number,
  sliceSpacingMm = 0,
): DetectionScore {
  const best: (number | null)[] = lesions.map(() => null);
  let falseFindings = 0;
  for (const f of findings) {
    let any = false;
    lesions.forEach((l, i) => {
      if (hitsLesion(f.centerMm, l, sliceSpacingMm)) {
        any = true;
        if (best[i] === null || f.probability > best[i]!) best[i] = f.probability;
      }
    });
    if (!any && f.probability >= threshold) falseFindings++;
  }
  const out = lesions.map((l, i) => ({
    id: l.id,
    hit: best[i] !== null && best[i]! >= threshold,
    bestProbability: best[i]!,
  }));
  return {
    threshold,
    lesions: out,
    falseFindings,
    sensitivity: lesions.length ? out.filter((l) => l.hit).length / lesions.length : Number.NaN,
  };
}

/**
 * The scan as {@link froc} sees it: findings that hit a lesion by {@link hitsLesion} are placed on
 * its centre (froc's own rule is the radius alone), so box- and mask-annotated lesions count the same.
 */
export function frocScanOf(findings: Finding[], lesions: TruthLesion[], sliceSpacingMm = 0): FrocScan {
  return {
    candidates: findings.map((f) => {
      const l = lesions.find((x) => hitsLesion(f.centerMm, x, sliceSpacingMm));
      return { centerMm: l ? l.centerMm : f.centerMm, probability: f.probability };
    }),
    lesions: lesions.map((l) => ({ centerMm: l.centerMm, diameterMm: 2 * l.radiusMm })),
  };
}

/** Bounding box [x0, y0, x1, y1] (inclusive voxel indices) of a mask on slice k, or null when empty. */
export function sliceBoundingBox(mask: Mask, k: number): [number, number, number, number] | null {
  const [nx, ny, nz] = mask.dims;
  if (k < 0 || k >= nz) return null;
  let x0 = nx;
  let y0 = ny;
  let x1 = -1;
  let y1 = -1;
  const base = nx * ny * k;
  for (let y = 0; y < ny; y++) {
    const row = base + nx * y;
    for (let x = 0; x < nx; x++)
      if (mask.data[row + x]) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
  }
  return x1 < 0 ? null : [x0, y0, x1, y1];
}

/** IoU of two inclusive pixel boxes [x0, y0, x1, y1]. */
export function boxIoU(a: readonly number[], b: readonly number[]): number {
  const ix = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!) + 1);
  const iy = Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!) + 1);
  const inter = ix * iy;
  const area = (r: readonly number[]): number => (r[2]! - r[0]! + 1) * (r[3]! - r[1]! + 1);
  const union = area(a) + area(b) - inter;
  return union > 0 ? inter / union : 0;
}

/** Per-slice IoU of a result mask's bounding box with one expert box. */
export interface SliceBoxIoU {
  /** Slice index the box lies on. */
  slice: number;
  iou: number;
}

/**
 * The box of a result mask on each annotated slice against the expert box (both in voxel indices
 * of the image grid, inclusive): the box-annotation metric of detection/segmentation challenges.
 * A slice where the mask is empty scores 0.
 */
export function sliceBoxIoUs(mask: Mask, boxes: ManifestBox[]): SliceBoxIoU[] {
  return boxes.map((b) => {
    const p = worldToIndex(mask, b.min);
    const q = worldToIndex(mask, b.max);
    const k = Math.round((p[2] + q[2]) / 2);
    const expert = [
      Math.round(Math.min(p[0], q[0])),
      Math.round(Math.min(p[1], q[1])),
      Math.round(Math.max(p[0], q[0])),
      Math.round(Math.max(p[1], q[1])),
    ];
    const got = sliceBoundingBox(mask, k);
    return { slice: k, iou: got ? boxIoU(got, expert) : 0 };
  });
}

/** Mask metrics of a segmentation against its truth. */
export interface MaskMetrics {
  dice: number;
  /** 95th percentile Hausdorff distance, mm (null when the result is empty). */
  hd95Mm: number | null;
  /** Average symmetric surface distance, mm (null when the result is empty). */
  assdMm: number | null;
  volumeMl: number;
  truthVolumeMl: number;
  /** (volume - truth) / truth, percent. */
  volumeErrorPct: number;
  /** RECIST 1.1 longest axial diameter of the result's largest component and of the truth's, mm. */
  longAxisMm: number | null;
  truthLongAxisMm: number | null;
  /** Result minus truth, mm. */
  longAxisErrorMm: number | null;
}

function count(m: Mask): number {
  let n = 0;
  for (let i = 0; i < m.data.length; i++) if (m.data[i]) n++;
  return n;
}

/** Dice, HD95, ASSD (src/core/metrics), volume and RECIST long-axis error of `pred` against `truth`. */
export function maskMetrics(image: Volume, pred: Mask, truth: Mask): MaskMetrics {
  const vv = (image.spacing[0] * image.spacing[1] * image.spacing[2]) / 1000;
  const np = count(pred);
  const nt = count(truth);
  const empty = np === 0;
  const la = empty ? null : (lesionStats(image, pred.data)[0]?.longAxisMm ?? null);
  const lt = nt === 0 ? null : (lesionStats(image, truth.data)[0]?.longAxisMm ?? null);
  return {
    dice: dice(pred, truth),
    hd95Mm: empty ? null : hausdorff95(pred, truth),
    assdMm: empty ? null : averageSurfaceDistance(pred, truth),
    volumeMl: np * vv,
    truthVolumeMl: nt * vv,
    volumeErrorPct: nt ? (100 * (np - nt)) / nt : Number.NaN,
    longAxisMm: la,
    truthLongAxisMm: lt,
    longAxisErrorMm: la !== null && lt !== null ? la - lt : null,
  };
}

/** A measured value at a place (e.g. a vertebra's mean HU). */
export interface PlacedValue {
  centerMm: Vec3;
  value: number;
}

/** Expected value against the nearest measurement within its match distance. */
export interface ExpectedValueScore {
  id: string;
  expected: number;
  measured: number | null;
  /** measured - expected (null when nothing was measured near it). */
  error: number | null;
  distanceMm: number | null;
}

/** Matches each expected value to the nearest measurement within `matchMm` (default 15 mm). */
export function scoreExpectedValues(measured: PlacedValue[], expected: ManifestExpectedValue[]): ExpectedValueScore[] {
  return expected.map((e) => {
    let best: PlacedValue | null = null;
    let bd = Infinity;
    for (const m of measured) {
      const d = dist(m.centerMm, e.centerMm);
      if (d < bd) {
        bd = d;
        best = m;
      }
    }
    const ok = best !== null && bd <= (e.matchMm ?? 15);
    return {
      id: e.id,
      expected: e.value,
      measured: ok ? best!.value : null,
      error: ok ? best!.value - e.value : null,
      distanceMm: ok ? bd : null,
    };
  });
}
