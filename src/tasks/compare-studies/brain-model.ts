// The structures compareStudies follows when it runs a brain structure model itself: the key
// structures of neurodegenerative follow-up found by the model's label names, left and right from
// the labels (DK-104) or as the two sides of the mid-sagittal plane (subcortical18, aparc50).
import { sideOfName } from '../brain-structures/hemispheres.js';
import type { BrainStructure } from './brain.js';

/** Key structures: the name reported (after 'Left '/'Right ') and the label names (side removed) that make it up. */
const KEY: readonly [string, RegExp][] = [
  ['hippocampus', /^hippocampus$/i],
  ['amygdala', /^amygdala$/i],
  ['thalamus', /^thalamus(-proper\*?)?$/i],
  ['caudate', /^caudate$/i],
  ['putamen', /^putamen$/i],
  ['pallidum', /^pallidum$/i],
  ['lateral ventricle', /^lateral-ventricle$/i],
  ['cerebral white matter', /^cerebral-white-matter$/i],
  ['cerebral cortex', /^(cerebral-cortex|ctx-.+)$/i],
];

/**
 * Left and right key structures of a label model from its label names (card `channel_def`):
 * 'Left hippocampus' etc. A label without a side in its name is split at the mid-sagittal plane
 * (`side` set). Structures the model does not label are left out.
 *
 * @example
 * ```ts
 * import { BRAINCHOP_SUBCORTICAL18_CARD, brainModelStructures } from 'medimg';
 * const names = Object.values(BRAINCHOP_SUBCORTICAL18_CARD.network_data_format.outputs)[0]!.channel_def;
 * brainModelStructures(names)[0]; // { name: 'Left hippocampus', labels: [14], side: 'left' }
 * ```
 */
export function brainModelStructures(labelNames: Readonly<Record<string, string>>): BrainStructure[] {
  const out: BrainStructure[] = [];
  for (const [name, re] of KEY) {
    for (const side of ['left', 'right'] as const) {
      const labels: number[] = [];
      let split = false;
      for (const [k, n] of Object.entries(labelNames)) {
        const s = sideOfName(n);
        if (!re.test(s.base)) continue;
        if (s.side === null) split = true;
        else if (s.side !== side) continue;
        labels.push(Number(k));
      }
      if (!labels.length) continue;
      const label = `${side === 'left' ? 'Left' : 'Right'} ${name}`;
      out.push(split ? { name: label, labels, side } : { name: label, labels });
    }
  }
  return out;
}

/**
 * Smallest detectable change (percent, 95 %) of the brainchop subcortical18 model run at both
 * time points, from bench/compare-test-retest-model.ts on the real FreeSurfer T1: the scan moved
 * (random rigid, up to 6 degrees and 5 mm per axis), resampled, re-noised, segmented in its own
 * space and its labels carried back by the registration; SDC = 1.96 x RMS of the reported change
 * over the pairs. Includes the model's own scan-rescan variability, unlike
 * DEFAULT_SMALLEST_DETECTABLE_CHANGE_PCT: seeds 1-4 (3.5-8.3 degrees, up to 5 mm), 0.83 % (left
 * cerebral white matter) to 9.18 % (right hippocampus). Four pairs of one subject, not a
 * population figure.
 */
export const SUBCORTICAL18_SMALLEST_DETECTABLE_CHANGE_PCT: Readonly<Record<string, number>> = Object.freeze({
  'Left hippocampus': 4.45,
  'Right hippocampus': 9.18,
  'Left amygdala': 6.08,
  'Right amygdala': 7.97,
  'Left thalamus': 3.19,
  'Right thalamus': 3.81,
  'Left caudate': 2.97,
  'Right caudate': 7.04,
  'Left putamen': 3.18,
  'Right putamen': 5.27,
  'Left pallidum': 4.56,
  'Right pallidum': 5.03,
  'Left lateral ventricle': 3.42,
  'Right lateral ventricle': 1.94,
  'Left cerebral white matter': 0.83,
  'Right cerebral white matter': 1.21,
  'Left cerebral cortex': 1.98,
  'Right cerebral cortex': 2,
});
