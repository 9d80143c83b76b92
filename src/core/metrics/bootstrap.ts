import { assertArg } from '../errors.js';
import { Rng } from '../random.js';

/** Options of {@link bootstrapCi}. */
export interface BootstrapCiOptions {
  /** Number of resamples. Default 2000. */
  resamples?: number;
  /** Two-sided confidence level. Default 0.95. */
  level?: number;
  /** Seed of the resampling, so that the interval is reproducible. Default 1. */
  seed?: number;
}

/** Result of {@link bootstrapCi}. */
export interface BootstrapCi {
  /** The mean of the values. */
  estimate: number;
  /** Percentile interval of the resampled means; null with fewer than 2 values. */
  low: number | null;
  high: number | null;
  n: number;
  level: number;
}

/**
 * Percentile-bootstrap confidence interval of the mean (Efron & Tibshirani 1993, ch. 13): resample
 * the values with replacement, take the mean of each resample, read the (1-level)/2 and (1+level)/2
 * quantiles. Seeded, so that a report is reproducible. Non-finite values are left out.
 *
 * @example
 * ```ts
 * import { bootstrapCi } from 'medimg/metrics';
 * bootstrapCi([0.8, 0.85, 0.9, 0.7], { seed: 7 }); // { estimate: 0.8125, low: ~0.74, high: ~0.875, n: 4 }
 * ```
 */
export function bootstrapCi(values: ArrayLike<number>, options: BootstrapCiOptions = {}): BootstrapCi {
  const resamples = options.resamples ?? 2000;
  const level = options.level ?? 0.95;
  assertArg(
    Number.isInteger(resamples) && resamples >= 1 && resamples <= 1e6,
    'resamples must be an integer in 1..1e6.',
  );
  assertArg(level > 0 && level < 1, 'level must be in (0, 1).');
  const v: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) v.push(values[i]!);
  const n = v.length;
  if (n === 0) return { estimate: Number.NaN, low: null, high: null, n, level };
  let s = 0;
  for (const x of v) s += x;
  const estimate = s / n;
  if (n < 2) return { estimate, low: null, high: null, n, level };
  const rng = new Rng(options.seed ?? 1);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let t = 0;
    for (let i = 0; i < n; i++) t += v[rng.int(0, n - 1)]!;
    means[r] = t / n;
  }
  means.sort();
  const q = (p: number): number => {
    const pos = p * (resamples - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(resamples - 1, lo + 1);
    return means[lo]! + (means[hi]! - means[lo]!) * (pos - lo);
  };
  return { estimate, low: q((1 - level) / 2), high: q((1 + level) / 2), n, level };
}
