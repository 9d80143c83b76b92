// Caveats by rule: figures that look wrong when read against the image or against another task's
// figures for the same lesion. Tasks layer: the rules read task results and the image voxels; the
// CLI, the HTML summary and `toReport` show them wherever those figures appear.
import { assertArg, MedImgError } from '../core/errors.js';
import { worldToIndex } from '../core/geometry.js';
import type { Mask, Volume } from '../core/volume.js';
import { assertSameGrid, validateVolume } from '../core/volume.js';
import type { DetectNodulesResult } from './detect-nodules/index.js';
import type { SegmentTumorResult } from './segment-tumor/index.js';

/**
 * A figure that looks wrong by rule, where a reader sees it. Unlike a `Limitation` (the scan is
 * outside what the method was validated on), a caveat says this particular result contradicts the
 * image or another task's result.
 */
export interface Caveat {
  /**
   * Stable machine code: `MASK_INCLUDES_BONE`, `MASK_INCLUDES_AIR` (a soft-tissue lesion mask
   * holds voxels outside the plausible HU range of its tissue), `TASKS_DISAGREE_ON_LESION` (two
   * tasks measured the same mass differently).
   */
  code: string;
  /** One sentence a clinician can read; never contains patient data. */
  message: string;
  /** Task ids whose figures it concerns (e.g. ['segmentTumor', 'extractRadiomics']). */
  tasks: string[];
  /** The figures behind it. */
  details?: Record<string, number | string | boolean>;
}

/** Options of {@link findCaveats}; every threshold in HU or a fraction of the mask's voxels. */
export interface FindCaveatsOptions {
  /** Voxels at or above this are bone (cortex) in a soft-tissue lesion mask. Default 700 HU. */
  boneHU?: number;
  /**
   * Voxels at or above `boneHU` that raise `MASK_INCLUDES_BONE`. Default 10: a handful already
   * sets the maximum, range and texture figures (expert soft-tissue masks in the test data have none).
   */
  boneVoxels?: number;
  /** Voxels at or below this are air or aerated lung. Default -500 HU. */
  airHU?: number;
  /** Fraction of a lesion mask's voxels at or below `airHU` that raises `MASK_INCLUDES_AIR`. Default 0.1. */
  airFraction?: number;
  /**
   * Mean-HU difference between a nodule and the tumour outline holding its centre above which
   * `TASKS_DISAGREE_ON_LESION` is raised. Default 150 HU.
   */
  meanHUDisagreement?: number;
  /** Ratio of the larger to the smaller long axis of the same lesion that raises it too. Default 2. */
  sizeRatioDisagreement?: number;
}

/** Result of {@link findCaveats}. */
export interface FindCaveatsResult {
  caveats: Caveat[];
  /** The thresholds used (defaults filled in). */
  settings: Required<FindCaveatsOptions>;
}

/** The task results the rules read, by task id (any may be missing). */
export interface CaveatInputs {
  segmentTumor?: SegmentTumorResult;
  detectNodules?: DetectNodulesResult;
  /** Present when radiomics ran on the tumour mask: its figures share that mask's caveats. */
  extractRadiomics?: unknown;
}

const DEFAULTS: Required<FindCaveatsOptions> = {
  boneHU: 700,
  boneVoxels: 10,
  airHU: -500,
  airFraction: 0.1,
  meanHUDisagreement: 150,
  sizeRatioDisagreement: 2,
};

/**
 * Checks results of one image against rules and returns the caveats a reader must see next to
 * the figures. Rules (CT in HU only; other images get none):
 * - a tumour mask with `boneVoxels` voxels at or above `boneHU` (`MASK_INCLUDES_BONE`: its
 *   maximum, range and texture include bone) or `airFraction` of them at or below `airHU`
 *   (`MASK_INCLUDES_AIR`: lung or air inside the outline);
 * - a detected nodule whose centre lies inside the tumour mask while its mean HU differs from the
 *   tumour's by more than `meanHUDisagreement`, or its long axis by a factor over
 *   `sizeRatioDisagreement` (`TASKS_DISAGREE_ON_LESION`).
 *
 * @example
 * ```ts
 * import { detectNodules, findCaveats, segmentTumor } from 'medimg';
 * const tumour = await segmentTumor(ct, { seed: [40, 205, -209] });
 * const nodules = await detectNodules(ct);
 * const { caveats } = findCaveats(ct, { segmentTumor: tumour, detectNodules: nodules });
 * for (const c of caveats) console.log(`${c.code}: ${c.message}`);
 * ```
 *
 * @throws MedImgError INVALID_ARGUMENT for bad thresholds, INVALID_VOLUME for a malformed image,
 *   GRID_MISMATCH when the tumour mask is not on the image grid.
 */
export function findCaveats(image: Volume, results: CaveatInputs, options: FindCaveatsOptions = {}): FindCaveatsResult {
  validateVolume(image);
  assertArg(results !== null && typeof results === 'object', 'results must be an object of task results by id.');
  const s: Required<FindCaveatsOptions> = { ...DEFAULTS };
  for (const [k, v] of Object.entries(options ?? {})) {
    if (v === undefined) continue;
    if (!(k in DEFAULTS)) throw new MedImgError('INVALID_ARGUMENT', `Unknown caveat option '${k}'.`);
    assertArg(typeof v === 'number' && Number.isFinite(v), `${k} must be a finite number.`);
    (s as Record<string, number>)[k] = v;
  }
  assertArg(Number.isInteger(s.boneVoxels) && s.boneVoxels >= 1, 'boneVoxels must be a positive integer.');
  assertArg(s.airFraction > 0 && s.airFraction <= 1, 'airFraction must be in (0, 1].');
  assertArg(
    s.meanHUDisagreement > 0 && s.sizeRatioDisagreement > 1,
    'meanHUDisagreement must be > 0 and sizeRatioDisagreement > 1.',
  );
  const caveats: Caveat[] = [];
  const isCtHu = image.meta?.units === 'HU' || (image.meta?.units === undefined && image.meta?.modality === 'CT');
  if (!isCtHu) return { caveats, settings: s };
  const tumour = results.segmentTumor;
  if (tumour?.mask && tumour.lesions.length > 0) {
    assertSameGrid(image, tumour.mask, 'tumour mask');
    const tasks = results.extractRadiomics ? ['segmentTumor', 'extractRadiomics'] : ['segmentTumor'];
    const h = maskHU(image, tumour.mask, s.boneHU, s.airHU);
    if (h.bone >= s.boneVoxels) {
      const pct = round1((100 * h.bone) / h.count);
      caveats.push({
        code: 'MASK_INCLUDES_BONE',
        message: `The tumour outline includes bone or dense calcification: ${h.bone} voxels (${pct}%) are ${s.boneHU} HU or more, maximum ${Math.round(h.max)} HU, so its maximum, range and texture figures reflect them; check the outline.`,
        tasks,
        details: {
          voxelsAtOrAboveHU: h.bone,
          fraction: round4(h.bone / h.count),
          maxHU: Math.round(h.max),
          thresholdHU: s.boneHU,
        },
      });
    }
    if (h.count > 0 && h.air / h.count >= s.airFraction) {
      const pct = round1((100 * h.air) / h.count);
      caveats.push({
        code: 'MASK_INCLUDES_AIR',
        message: `The tumour outline includes air or aerated lung: ${pct}% of its voxels are ${s.airHU} HU or less, so its volume and density figures are not those of solid tissue; check the outline.`,
        tasks,
        details: {
          voxelsAtOrBelowHU: h.air,
          fraction: round4(h.air / h.count),
          minHU: Math.round(h.min),
          thresholdHU: s.airHU,
        },
      });
    }
  }
  const nodules = results.detectNodules?.nodules ?? [];
  if (tumour?.mask && tumour.lesions.length > 0 && nodules.length > 0) {
    const lesion = tumour.lesions[0]!;
    nodules.forEach((n, i) => {
      if (!insideMask(image, tumour.mask, n.centerMm)) return;
      const dHU = n.meanHU - lesion.meanHU;
      const big = Math.max(n.longAxisMm, lesion.longAxisMm);
      const small = Math.min(n.longAxisMm, lesion.longAxisMm);
      const ratio = small > 0 ? big / small : Number.POSITIVE_INFINITY;
      if (!(Math.abs(dHU) > s.meanHUDisagreement || ratio > s.sizeRatioDisagreement)) return;
      const parts: string[] = [];
      if (Math.abs(dHU) > s.meanHUDisagreement)
        parts.push(`mean ${Math.round(n.meanHU)} HU against ${Math.round(lesion.meanHU)} HU`);
      if (ratio > s.sizeRatioDisagreement)
        parts.push(`long axis ${round1(n.longAxisMm)} mm against ${round1(lesion.longAxisMm)} mm`);
      caveats.push({
        code: 'TASKS_DISAGREE_ON_LESION',
        message: `Nodule ${i + 1} lies inside the tumour outline but the two measure it differently (${parts.join('; ')}): one outline includes surrounding lung or misses part of the mass; compare both before using either figure.`,
        tasks: ['detectNodules', 'segmentTumor'],
        details: {
          nodule: i + 1,
          noduleMeanHU: Math.round(n.meanHU),
          tumourMeanHU: Math.round(lesion.meanHU),
          noduleLongAxisMm: round1(n.longAxisMm),
          tumourLongAxisMm: round1(lesion.longAxisMm),
        },
      });
    });
  }
  return { caveats, settings: s };
}

/**
 * Caveats that concern one task (for its part of a report, its HTML section or its CLI line).
 *
 * @example
 * ```ts
 * import { caveatsOf, detectNodules, findCaveats, segmentTumor } from 'medimg';
 * const tumour = await segmentTumor(ct, { seed: [40, 205, -209] });
 * const nodules = await detectNodules(ct);
 * const { caveats } = findCaveats(ct, { segmentTumor: tumour, detectNodules: nodules });
 * const forTumour = caveatsOf(caveats, 'segmentTumor'); // the caveats to show beside the tumour figures
 * ```
 */
export function caveatsOf(caveats: readonly Caveat[], task: string): Caveat[] {
  return caveats.filter((c) => c.tasks.includes(task));
}

/** Voxel counts of a mask at or above `boneHU` and at or below `airHU`, and its min and max. */
function maskHU(image: Volume, mask: Mask, boneHU: number, airHU: number) {
  const img = image.data;
  const m = mask.data;
  let count = 0;
  let bone = 0;
  let air = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < m.length; i++) {
    if (!m[i]) continue;
    const v = img[i]!;
    count++;
    if (v >= boneHU) bone++;
    if (v <= airHU) air++;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { count, bone, air, min, max };
}

function insideMask(image: Volume, mask: Mask, pointMm: readonly number[]): boolean {
  const [i, j, k] = worldToIndex(image, pointMm).map(Math.round) as [number, number, number];
  const [nx, ny, nz] = image.dims;
  if (i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz) return false;
  return mask.data[(k * ny + j) * nx + i] !== 0;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;
