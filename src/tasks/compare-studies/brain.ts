// Brain structures across two T1s: volumes of each structure at both time points (follow-up
// measured in baseline space), absolute, percent and annualised change, and whether the change
// exceeds the smallest detectable change of the test-retest experiment (docs/tasks/compare-studies.md).
import { assertArg } from '../../core/errors.js';
import type { Volume } from '../../core/volume.js';
import { voxelVolumeMm3 } from '../../core/volume.js';
import { round } from '../internal/common.js';

/** A structure measured: a name and the label values that make it up. */
export interface BrainStructure {
  name: string;
  labels: number[];
  /**
   * Only the voxels on this side of the mid-sagittal plane (for models that do not split left and
   * right); needs the plane's x (LPS mm). Default both sides.
   */
  side?: 'left' | 'right';
}

/** FreeSurfer aseg labels of the structures followed in neurodegenerative disease. */
export const FREESURFER_STRUCTURES: readonly BrainStructure[] = Object.freeze([
  { name: 'Left hippocampus', labels: [17] },
  { name: 'Right hippocampus', labels: [53] },
  { name: 'Left amygdala', labels: [18] },
  { name: 'Right amygdala', labels: [54] },
  { name: 'Left thalamus', labels: [10] },
  { name: 'Right thalamus', labels: [49] },
  { name: 'Left caudate', labels: [11] },
  { name: 'Right caudate', labels: [50] },
  { name: 'Left putamen', labels: [12] },
  { name: 'Right putamen', labels: [51] },
  { name: 'Left pallidum', labels: [13] },
  { name: 'Right pallidum', labels: [52] },
  { name: 'Left lateral ventricle', labels: [4] },
  { name: 'Right lateral ventricle', labels: [43] },
  { name: 'Left cerebral white matter', labels: [2] },
  { name: 'Right cerebral white matter', labels: [41] },
]);

/**
 * Smallest detectable change (percent of the baseline volume, 95 %) per structure, from the
 * test-retest experiment in bench/compare-test-retest.ts on the real FreeSurfer T1 (seeds 1-6: the
 * scan moved by a random rigid transform, resampled, re-noised, registered back; SDC = 1.96 x RMS of
 * the reported change). Measured with label maps carried by the registration (segmenter-free): a
 * segmenter's own scan-rescan variability comes on top, so with `segment` pass its own SDC table.
 */
export const DEFAULT_SMALLEST_DETECTABLE_CHANGE_PCT: Readonly<Record<string, number>> = Object.freeze({
  'Left hippocampus': 0.98,
  'Right hippocampus': 0.69,
  'Left amygdala': 1.35,
  'Right amygdala': 1.09,
  'Left thalamus': 0.78,
  'Right thalamus': 0.48,
  'Left caudate': 1.12,
  'Right caudate': 1.45,
  'Left putamen': 0.91,
  'Right putamen': 0.69,
  'Left pallidum': 1.61,
  'Right pallidum': 1.02,
  'Left lateral ventricle': 0.41,
  'Right lateral ventricle': 0.98,
  'Left cerebral white matter': 0.47,
  'Right cerebral white matter': 0.49,
});

/** Change of one structure. */
export interface StructureChange {
  name: string;
  labels: number[];
  /** Set when the structure is one side of labels that the model does not split (see {@link BrainStructure}). */
  side?: 'left' | 'right';
  baselineMl: number;
  /** Follow-up volume measured in baseline space, mL. */
  followUpMl: number;
  changeMl: number;
  /** 100 x change / baseline; null when the structure is absent at baseline. */
  changePct: number | null;
  /** Percent change per year; null when the study dates are unknown or the same day. */
  annualisedPctPerYear: number | null;
  /** 95 % smallest detectable change in percent, null when none is known for this structure. */
  smallestDetectableChangePct: number | null;
  /** |changePct| above the smallest detectable change; null when that is unknown. */
  detectable: boolean | null;
}

/**
 * Volumes (mL) of each structure in a label map. Structures with a `side` count only the voxels on
 * that side of the plane x = `midlineXMm` (LPS: +x is the patient's left).
 *
 * @example
 * ```ts
 * import { structureVolumesMl } from 'medimg';
 * const [hippoL, hippoR] = structureVolumesMl(labels, [
 *   { name: 'Left-Hippocampus', labels: [17] },
 *   { name: 'Right-Hippocampus', labels: [53] },
 * ]);
 * ```
 */
export function structureVolumesMl(
  labels: Volume,
  structures: readonly BrainStructure[],
  midlineXMm: number | null = null,
): number[] {
  let maxLabel = 0;
  for (const s of structures) for (const l of s.labels) maxLabel = Math.max(maxLabel, l);
  assertArg(maxLabel < 65536, 'Structure labels must be below 65536.');
  const sided = structures.some((s) => s.side !== undefined);
  assertArg(!sided || midlineXMm !== null, 'Structures with a side need the mid-sagittal plane (midlineXMm).');
  // counts[l] all voxels, left[l] those with x > midline
  const counts = new Float64Array(maxLabel + 1);
  const left = new Float64Array(maxLabel + 1);
  const d = labels.data;
  if (!sided) {
    for (let i = 0; i < d.length; i++) {
      const v = d[i] as number;
      if (v > 0 && v <= maxLabel) counts[v]! += 1;
    }
  } else {
    const [nx, ny, nz] = labels.dims;
    const [ax, ay, az] = worldXSteps(labels);
    for (let k = 0, p = 0; k < nz; k++)
      for (let j = 0; j < ny; j++) {
        const row = labels.origin[0] + ay * j + az * k - midlineXMm!;
        for (let i = 0; i < nx; i++, p++) {
          const v = d[p] as number;
          if (v <= 0 || v > maxLabel) continue;
          counts[v]! += 1;
          if (row + ax * i > 0) left[v]! += 1;
        }
      }
  }
  const ml = voxelVolumeMm3(labels) / 1000;
  const count = (l: number, side: BrainStructure['side']): number => {
    if (!Number.isInteger(l) || l < 0 || l > maxLabel) return 0;
    return side === undefined ? counts[l]! : side === 'left' ? left[l]! : counts[l]! - left[l]!;
  };
  return structures.map((s) => s.labels.reduce((acc, l) => acc + count(l, s.side), 0) * ml);
}

/** World x (LPS mm) per unit step of i, j and k: x = origin.x + ax i + ay j + az k. */
export function worldXSteps(v: Volume): [number, number, number] {
  const d = v.direction;
  return [d[0]! * v.spacing[0], d[1]! * v.spacing[1], d[2]! * v.spacing[2]];
}

/** Per-structure change between two label maps on the same (baseline) grid. */
export function structureChanges(
  baselineLabels: Volume,
  followUpLabels: Volume,
  structures: readonly BrainStructure[],
  days: number | null,
  sdc: Readonly<Record<string, number>>,
  midlineXMm: number | null = null,
): StructureChange[] {
  const a = structureVolumesMl(baselineLabels, structures, midlineXMm);
  const b = structureVolumesMl(followUpLabels, structures, midlineXMm);
  return structures.map((s, i) => {
    const base = a[i]!;
    const fu = b[i]!;
    const pct = base > 0 ? (100 * (fu - base)) / base : null;
    const limit = sdc[s.name];
    return {
      name: s.name,
      labels: [...s.labels],
      ...(s.side ? { side: s.side } : {}),
      baselineMl: round(base, 3),
      followUpMl: round(fu, 3),
      changeMl: round(fu - base, 3),
      changePct: pct === null ? null : round(pct, 2),
      annualisedPctPerYear: pct === null || days === null || days <= 0 ? null : round((pct * 365.25) / days, 2),
      smallestDetectableChangePct: limit ?? null,
      detectable: limit === undefined || pct === null ? null : Math.abs(pct) > limit,
    };
  });
}
