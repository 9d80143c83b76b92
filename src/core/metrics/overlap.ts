import { assertArg } from '../errors.js';
import { assertSameGrid, type Mask } from '../volume.js';

/** Voxel counts of a binary comparison (non-zero = positive). */
export interface ConfusionCounts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/** Counts true/false positives/negatives of `pred` against `truth` (same grid; non-zero = positive). */
export function confusionCounts(pred: Mask, truth: Mask): ConfusionCounts {
  assertSameGrid(pred, truth);
  const a = pred.data;
  const b = truth.data;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < a.length; i++) {
    const p = a[i] !== 0;
    const t = b[i] !== 0;
    if (p && t) tp++;
    else if (p) fp++;
    else if (t) fn++;
  }
  return { tp, fp, fn, tn: a.length - tp - fp - fn };
}

/** Dice coefficient 2|A∩B| / (|A|+|B|). Both empty: 1 (perfect agreement on "nothing"). */
export function dice(pred: Mask, truth: Mask): number {
  const c = confusionCounts(pred, truth);
  const denom = 2 * c.tp + c.fp + c.fn;
  return denom === 0 ? 1 : (2 * c.tp) / denom;
}

/** Jaccard index |A∩B| / |A∪B|. Both empty: 1. */
export function jaccard(pred: Mask, truth: Mask): number {
  const c = confusionCounts(pred, truth);
  const denom = c.tp + c.fp + c.fn;
  return denom === 0 ? 1 : c.tp / denom;
}

/** Sensitivity (recall, TPR) tp / (tp + fn); NaN when there are no positives. */
export function sensitivity(c: ConfusionCounts): number {
  const d = c.tp + c.fn;
  return d === 0 ? Number.NaN : c.tp / d;
}

/** Specificity (TNR) tn / (tn + fp); NaN when there are no negatives. */
export function specificity(c: ConfusionCounts): number {
  const d = c.tn + c.fp;
  return d === 0 ? Number.NaN : c.tn / d;
}

/** Precision (PPV) tp / (tp + fp); NaN when nothing was predicted positive. */
export function precision(c: ConfusionCounts): number {
  const d = c.tp + c.fp;
  return d === 0 ? Number.NaN : c.tp / d;
}

/** Confusion counts of binary predictions against binary labels (per case, not per voxel). */
export function confusionFromLabels(
  predicted: ArrayLike<boolean | number>,
  actual: ArrayLike<boolean | number>,
): ConfusionCounts {
  assertArg(predicted.length === actual.length, 'predicted and actual must have the same length.');
  const c = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (let i = 0; i < predicted.length; i++) {
    const p = Boolean(predicted[i]);
    const t = Boolean(actual[i]);
    if (p && t) c.tp++;
    else if (p) c.fp++;
    else if (t) c.fn++;
    else c.tn++;
  }
  return c;
}
