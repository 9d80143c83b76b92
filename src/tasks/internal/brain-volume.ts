// A whole adult human brain (grey and white matter, deep nuclei, cerebellum, brainstem; no CSF around
// it) is about 900-1700 mL; atrophy or a small head takes it lower, never to a few hundred mL. A
// labelled total far outside that range means the image is no brain T1 (a limb, a body MR), covers
// part of the brain only, or the model failed on it: the per-structure figures are then meaningless,
// however confident they look, and the result says so.
import { addLimitation, type Limitation } from './limitations.js';

/** Labelled brain volumes (mL) outside this range get IMPLAUSIBLE_BRAIN_VOLUME. */
export const PLAUSIBLE_BRAIN_ML: readonly [number, number] = [700, 2000];

/** Adds IMPLAUSIBLE_BRAIN_VOLUME when `labelledMl` lies outside {@link PLAUSIBLE_BRAIN_ML}. */
export function brainVolumeLimitation(list: Limitation[], labelledMl: number): void {
  const [lo, hi] = PLAUSIBLE_BRAIN_ML;
  if (labelledMl >= lo && labelledMl <= hi) return;
  addLimitation(list, {
    code: 'IMPLAUSIBLE_BRAIN_VOLUME',
    message: `The model labelled ${labelledMl.toFixed(0)} mL of brain, outside the ${lo}-${hi} mL of a whole human brain: the image may not be a brain T1, may cover part of the brain only, or the model failed on it. Do not read these volumes.`,
    details: { labelledMl: Math.round(labelledMl * 10) / 10, minMl: lo, maxMl: hi },
  });
}

/**
 * Adds IMPLAUSIBLE_BRAIN_ANATOMY when what the model labelled does not look like a brain whatever
 * its size: white matter outside 25-65 % of the grey and white matter (about 40-50 % in adults;
 * a thigh MR gives 8 %), or, for a model with thalamus labels, under 5 mL of thalamus (about 15 mL).
 */
export function brainAnatomyLimitation(
  list: Limitation[],
  figures: { whiteMatterMl: number; greyMatterMl: number } | { thalamusMl: number },
): void {
  let why: string | null = null;
  let details: Record<string, number>;
  if ('thalamusMl' in figures) {
    details = { thalamusMl: Math.round(figures.thalamusMl * 10) / 10 };
    if (figures.thalamusMl < 5) why = `${figures.thalamusMl.toFixed(1)} mL of thalamus (about 15 mL in a brain)`;
  } else {
    const f = figures.whiteMatterMl / (figures.whiteMatterMl + figures.greyMatterMl || 1);
    details = { whiteMatterFraction: Math.round(f * 1000) / 1000 };
    if (f < 0.25 || f > 0.65) why = `white matter ${(f * 100).toFixed(0)} % of the tissue (40-50 % in an adult brain)`;
  }
  if (!why) return;
  addLimitation(list, {
    code: 'IMPLAUSIBLE_BRAIN_ANATOMY',
    message: `The labels do not look like a brain: ${why}. The image may not be a brain T1 or the model failed on it; do not read these volumes.`,
    details,
  });
}
