import { assertArg } from '../errors.js';

/** One point of a ROC curve. */
export interface RocPoint {
  threshold: number;
  /** False positive rate (1 - specificity). */
  fpr: number;
  /** True positive rate (sensitivity). */
  tpr: number;
}

function checkInputs(scores: ArrayLike<number>, labels: ArrayLike<boolean | number>): void {
  assertArg(scores.length === labels.length, 'scores and labels must have the same length.');
  for (let i = 0; i < scores.length; i++) assertArg(Number.isFinite(scores[i]), 'scores must be finite.');
}

/**
 * Area under the ROC curve (probability that a random positive scores above a random negative,
 * ties counting one half): the Mann-Whitney U statistic with average ranks. NaN when either class
 * is empty.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<boolean | number>): number {
  checkInputs(scores, labels);
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSumPos = 0;
  let nPos = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const avgRank = (i + j) / 2 + 1; // 1-based average rank of the tie group
    for (let k = i; k <= j; k++) {
      if (labels[order[k]!]) {
        rankSumPos += avgRank;
        nPos++;
      }
    }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** ROC curve: one point per distinct score (descending thresholds), starting at (0, 0). */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<boolean | number>): RocPoint[] {
  checkInputs(scores, labels);
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let nPos = 0;
  for (let i = 0; i < n; i++) if (labels[i]) nPos++;
  const nNeg = n - nPos;
  const pts: RocPoint[] = [{ threshold: Number.POSITIVE_INFINITY, fpr: 0, tpr: 0 }];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < n; ) {
    const t = scores[order[i]!]!;
    while (i < n && scores[order[i]!] === t) {
      if (labels[order[i]!]) tp++;
      else fp++;
      i++;
    }
    pts.push({ threshold: t, fpr: nNeg ? fp / nNeg : Number.NaN, tpr: nPos ? tp / nPos : Number.NaN });
  }
  return pts;
}
