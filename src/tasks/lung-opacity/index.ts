import { assertArg } from '../../core/errors.js';
import type { Volume } from '../../core/volume.js';
import type { TaskOptions, TaskResult } from '../contract.js';
import { assertCtHu, makeProvenance, round, StageTimer } from '../internal/common.js';
import { checkContrast, checkLungCoverage, checkSliceThickness, mediastinalBloodHU } from '../internal/ct-scope.js';
import type { Limitation } from '../internal/limitations.js';
import { type SegmentLungsResult, segmentLungs } from '../lung-segmentation/index.js';

/** A HU band: voxels with `minHU <= HU < maxHU`. */
export interface HuBand {
  name: string;
  minHU: number;
  maxHU: number;
}

/**
 * Default bands, as used for COPD and COVID-19 quantification:
 * emphysema (LAA-950, Gevenois 1996; Fleischner), normal parenchyma, ground-glass
 * (-700 to -300, e.g. Lessmann 2021 CO-RADS/CORADS-AI, Colombi 2020 well-aerated lung), consolidation
 * (-300 to +100), and dense (> +100: calcification, bone, contrast).
 */
export const DEFAULT_OPACITY_BANDS: readonly HuBand[] = Object.freeze([
  { name: 'emphysema', minHU: -Infinity, maxHU: -950 },
  { name: 'normal', minHU: -950, maxHU: -700 },
  { name: 'groundGlass', minHU: -700, maxHU: -300 },
  { name: 'consolidation', minHU: -300, maxHU: 100 },
  { name: 'dense', minHU: 100, maxHU: Infinity },
]);

/** Options of {@link quantifyLungOpacity}. */
export interface QuantifyLungOpacityOptions extends TaskOptions {
  /** Bands to report. Default {@link DEFAULT_OPACITY_BANDS}. */
  bands?: HuBand[];
  /** A lung segmentation to reuse; computed when absent. */
  lungs?: SegmentLungsResult;
}

/** Volume and percentage of one band. */
export interface BandFigure {
  volumeMl: number;
  percent: number;
}

/** Figures of one lung (or both). */
export interface LungOpacityFigures {
  volumeMl: number;
  meanHU: number;
  bands: Record<string, BandFigure>;
}

/** Result of {@link quantifyLungOpacity}. */
export interface QuantifyLungOpacityResult extends TaskResult {
  lungs: { left: LungOpacityFigures; right: LungOpacityFigures; total: LungOpacityFigures };
  /** Scan facts behind the limitations. */
  scan: {
    sliceThicknessMm: number;
    /** Mediastinal blood-pool HU (mode between the lungs); null when not measurable. */
    bloodHU: number | null;
    contrast: 'unenhanced' | 'enhanced' | 'unknown';
  };
  /**
   * Why the band percentages may not be comparable to published thresholds (LAA-950 and the
   * ground-glass bands assume thin-slice non-contrast CT of the whole lungs). Empty when inside it.
   */
  limitations: Limitation[];
}

/** @deprecated Use {@link QuantifyLungOpacityOptions}; this alias goes in the next minor version. */
export type LungOpacityOptions = QuantifyLungOpacityOptions;

/** @deprecated Use {@link QuantifyLungOpacityResult}; this alias goes in the next minor version. */
export type LungOpacityResult = QuantifyLungOpacityResult;

/** LAA-950 (Gevenois 1996) and the COVID-19 bands were validated on slices this thin or thinner (mm). */
export const OPACITY_MAX_SLICE_MM = 1.5;

/**
 * Lung volume by HU band, per lung and in total: low-attenuation areas (emphysema, < -950 HU),
 * ground-glass (-700 to -300 HU) and consolidation (-300 to +100 HU). The lung mask is filled and
 * closed, so dense lesions count inside the lung; vessels also fall in the consolidation band.
 *
 * Guide: [method and validation](../../../docs/tasks/quantify-lung-opacity.md).
 *
 * @example
 * ```ts
 * import { quantifyLungOpacity, segmentLungs } from 'medimg';
 * const lungs = await segmentLungs(ct); // optional: reuse a segmentation
 * const r = await quantifyLungOpacity(ct, {
 *   lungs,
 *   bands: [
 *     { name: 'emphysema', minHU: -1024, maxHU: -950 },
 *     { name: 'ground-glass', minHU: -700, maxHU: -300 },
 *   ],
 * });
 * console.log(r.lungs.total.volumeMl, r.lungs.total.bands.emphysema);
 * ```
 */
export async function quantifyLungOpacity(
  ct: Volume,
  options: QuantifyLungOpacityOptions = {},
): Promise<QuantifyLungOpacityResult> {
  assertCtHu(ct, 'quantifyLungOpacity');
  const bands = options.bands ?? [...DEFAULT_OPACITY_BANDS];
  assertArg(
    bands.length > 0 && bands.every((b) => b.minHU < b.maxHU && b.name),
    'Each band needs a name and minHU < maxHU.',
  );
  const timer = new StageTimer();
  const lungs =
    options.lungs ??
    (await segmentLungs(ct, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    }));
  timer.mark('lungSegmentation');
  const counts = [0, 1, 2].map(() => new Float64Array(bands.length));
  const totals = [0, 0, 0];
  const sums = [0, 0, 0];
  const lab = lungs.lungLabels.data;
  const d = ct.data;
  for (let i = 0; i < lab.length; i++) {
    const side = lab[i]!;
    if (!side) continue;
    const v = d[i]!;
    totals[side]!++;
    sums[side]! += v;
    for (let b = 0; b < bands.length; b++) {
      if (v >= bands[b]!.minHU && v < bands[b]!.maxHU) counts[side]![b]!++;
    }
  }
  for (let b = 0; b < bands.length; b++) counts[0]![b] = counts[1]![b]! + counts[2]![b]!;
  totals[0] = totals[1]! + totals[2]!;
  sums[0] = sums[1]! + sums[2]!;
  const vox = (ct.spacing[0] * ct.spacing[1] * ct.spacing[2]) / 1000;
  const fig = (s: number): LungOpacityFigures => {
    const out: Record<string, BandFigure> = {};
    bands.forEach((b, k) => {
      out[b.name] = {
        volumeMl: round(counts[s]![k]! * vox, 2),
        percent: totals[s] ? round((100 * counts[s]![k]!) / totals[s]!, 3) : 0,
      };
    });
    return {
      volumeMl: round(totals[s]! * vox, 1),
      meanHU: totals[s] ? round(sums[s]! / totals[s]!, 1) : Number.NaN,
      bands: out,
    };
  };
  timer.mark('bands');
  const limitations: Limitation[] = [];
  const thickness = checkSliceThickness(
    limitations,
    ct,
    OPACITY_MAX_SLICE_MM,
    'the emphysema (LAA-950) and opacity bands',
  );
  const bloodHU = mediastinalBloodHU(ct, lab);
  const contrast = checkContrast(
    limitations,
    bloodHU,
    'mediastinal blood pool',
    'enhanced parenchyma and vessels shift voxels out of the emphysema band and into the dense bands.',
  );
  checkLungCoverage(limitations, lungs.lungMask);
  return {
    lungs: { right: fig(1), left: fig(2), total: fig(0) },
    scan: { sliceThicknessMm: round(thickness, 2), bloodHU, contrast },
    limitations,
    provenance: makeProvenance('quantifyLungOpacity', { bands }, timer, [...lungs.provenance.warnings]),
  };
}
