// compareStudies: a baseline and a follow-up study of one patient, registered, with what changed:
// lung nodules (matched, growth, doubling time, Lung-RADS growth rule) on CT, brain structure
// volumes (absolute, percent, annualised change against a smallest detectable change) on T1 MR.
import { MedImgError } from '../../core/errors.js';
import { Stages } from '../../core/progress.js';
import {
  type AffineTransform,
  invertTransform,
  type RegisterVolumesOptions,
  registerVolumes,
  resampleMoving,
} from '../../core/ops/registration.js';
import { sameGrid, type Vec3, type Volume, validateVolume } from '../../core/volume.js';
import type { ModelCard } from '../../backends/model-card.js';
import { labelledCentroidX } from '../brain-structures/hemispheres.js';
import { type BrainModelId, segmentBrainStructures } from '../brain-structures/index.js';
import type { TaskOptions, TaskResult } from '../contract.js';
import { type DetectNodulesOptions, type DetectNodulesResult, detectNodules } from '../detect-nodules/index.js';
import { StageTimer, makeProvenance, round } from '../internal/common.js';
import { addLimitation, type Limitation } from '../internal/limitations.js';
import type { TaskModel, TaskModelOptions } from '../internal/model-task.js';
import {
  type BrainStructure,
  DEFAULT_SMALLEST_DETECTABLE_CHANGE_PCT,
  FREESURFER_STRUCTURES,
  type StructureChange,
  structureChanges,
} from './brain.js';
import { brainModelStructures, SUBCORTICAL18_SMALLEST_DETECTABLE_CHANGE_PCT } from './brain-model.js';
import { intervalDays, parseStudyDate } from './dates.js';
import { type SegmentLungsResult, segmentLungs } from '../lung-segmentation/index.js';
import { type NoduleChange, matchNodules, reportedChanges, TWELVE_MONTHS_DAYS } from './nodules.js';

export {
  type BrainStructure,
  DEFAULT_SMALLEST_DETECTABLE_CHANGE_PCT,
  FREESURFER_STRUCTURES,
  type StructureChange,
  structureVolumesMl,
} from './brain.js';
export { brainModelStructures, SUBCORTICAL18_SMALLEST_DETECTABLE_CHANGE_PCT } from './brain-model.js';
export { parseStudyDate } from './dates.js';
export {
  LUNG_RADS_GROWTH_MM,
  type NoduleAtTimePoint,
  type NoduleChange,
  type MatchNodulesOptions,
  matchNodules,
  reportedChanges,
  volumeDoublingTimeDays,
} from './nodules.js';

/** A structure segmenter: a T1 in, a label map on the same grid out (e.g. `segmentBrainStructures`). */
export type StructureSegmenter = (t1: Volume, options: TaskOptions) => Promise<Volume>;

/** Lung-nodule settings of {@link compareStudies}. */
export interface CompareNodulesOptions {
  /** Detections of the baseline already made (else detectNodules runs). */
  baseline?: DetectNodulesResult;
  /** Detections of the follow-up already made (else detectNodules runs). */
  followUp?: DetectNodulesResult;
  /** Options of the detectNodules runs. Default detectNodules' defaults. */
  detect?: Omit<DetectNodulesOptions, 'signal' | 'onProgress'>;
  /** Match radius, mm (at least half the larger nodule's diameter). Default 10. */
  maxDistanceMm?: number;
  /**
   * Lung mask the detections are searched and bounded in: 'baseline' segments the baseline's lungs
   * once and carries them into the follow-up through the registration, so a nodule touching the
   * mediastinum or chest wall is cut at the same anatomical boundary at both time points; 'each'
   * segments each study's own lungs. Default 'baseline'. On the real A0001 CT against a moved,
   * resampled copy of itself, 'each' measured its juxtamediastinal mass +30 % in volume.
   */
  lungMask?: 'baseline' | 'each';
  /**
   * Probability down to which each study is searched for the other's findings (hysteresis): a
   * finding of either study at or above `detect.minProbability` is matched to one down to this
   * probability at the other time point, not reported as new or resolved. Default 0.6 x
   * `detect.minProbability` (0.3).
   */
  matchProbability?: number;
}

/** Brain settings of {@link compareStudies}: a structure model, a segmenter, or the two label maps. */
export interface CompareBrainOptions extends Pick<TaskModelOptions, 'backend' | 'cache'> {
  /**
   * A brain structure model (as `segmentBrainStructures`' `model`: ONNX path, URL or bytes, or
   * `{ onnx, card }`): segmentBrainStructures runs on the baseline and on the follow-up in its own
   * space, the follow-up's labels are carried into baseline space, and the key structures of its labels are followed left and right
   * ({@link brainModelStructures}). Default none.
   */
  model?: TaskModel;
  /** Card of a bare ONNX `model`: a shipped card id or a card. Default 'brainchop-subcortical18'. */
  card?: BrainModelId | ModelCard;
  /** Segments a T1 (run on the baseline and on the follow-up in its own space; labels carried into baseline space). */
  segment?: StructureSegmenter;
  /** Baseline label map on the baseline grid (instead of `segment`). */
  baselineLabels?: Volume;
  /** Follow-up label map on the follow-up grid (instead of `segment`); carried into baseline space. */
  followUpLabels?: Volume;
  /**
   * Structures and their labels. Default with `model` the model's key structures
   * ({@link brainModelStructures}), else {@link FREESURFER_STRUCTURES} (FreeSurfer aseg numbering).
   */
  structures?: readonly BrainStructure[];
  /**
   * Smallest detectable change (%) per structure name. Default with `model` and the subcortical18
   * card {@link SUBCORTICAL18_SMALLEST_DETECTABLE_CHANGE_PCT}, with another model none, else
   * {@link DEFAULT_SMALLEST_DETECTABLE_CHANGE_PCT}.
   */
  smallestDetectableChangePct?: Readonly<Record<string, number>>;
}

/** Options of {@link compareStudies}. */
export interface CompareStudiesOptions extends TaskOptions {
  /** What to compare. Default from the modality: CT -> 'lung-nodules', MR -> 'brain-structures'. */
  kind?: 'lung-nodules' | 'brain-structures';
  /** Baseline study date (DICOM 'YYYYMMDD' or 'YYYY-MM-DD'). Default the baseline's StudyDate. */
  baselineDate?: string;
  /** Follow-up study date. Default the follow-up's StudyDate. */
  followUpDate?: string;
  /** Registration settings. Default rigid, levels [8, 4, 2] mm. */
  registration?: Pick<RegisterVolumesOptions, 'transform' | 'levelsMm' | 'samples' | 'initial' | 'seed'>;
  nodules?: CompareNodulesOptions;
  brain?: CompareBrainOptions;
}

/** The registration as reported. */
export interface CompareRegistration {
  /** Baseline -> follow-up point map, LPS mm. */
  transform: AffineTransform;
  rotationDeg: number;
  /** How far the baseline's centre moved, mm. */
  centreShiftMm: Vec3;
  /** Normalised cross-correlation after registration (finest level). */
  ncc: number;
  ms: number;
}

/** Result of {@link compareStudies}. */
export interface CompareStudiesResult extends TaskResult {
  kind: 'lung-nodules' | 'brain-structures';
  /** ISO dates ('YYYY-MM-DD') of the studies, null when unknown. */
  baselineDate: string | null;
  followUpDate: string | null;
  /** Days between the studies, null when a date is unknown. */
  intervalDays: number | null;
  registration: CompareRegistration;
  /** Lung nodules followed (kind 'lung-nodules'), else null. */
  nodules: NoduleChange[] | null;
  /** Structures followed (kind 'brain-structures'), else null. */
  structures: StructureChange[] | null;
  /** The follow-up image resampled onto the baseline grid (for side-by-side pictures). */
  followUpInBaseline: Volume;
  /** Brain label maps on the baseline grid at both time points (kind 'brain-structures'). */
  labels: { baseline: Volume; followUp: Volume } | null;
  /**
   * The mid-sagittal plane x (LPS mm) that splits structures with a `side` (from the baseline's
   * labelled voxels, used at both time points); null when no structure needs it.
   */
  midlineXMm: number | null;
}

/** Registration below this correlation is flagged: the two studies may not show the same anatomy. */
export const MIN_REGISTRATION_NCC = 0.8;

/**
 * The baseline's lung segmentation carried onto the follow-up grid (nearest label) through the
 * registration (baseline -> follow-up points; the follow-up grid is resampled from the baseline).
 */
function carryLungs(lungs: SegmentLungsResult, followUp: Volume, transform: AffineTransform): SegmentLungsResult {
  const back = invertTransform(transform);
  const carry = <T extends Volume>(v: T): T => resampleMoving(v, followUp, back, { labels: 'nearest' }) as T;
  return {
    ...lungs,
    lungLabels: carry(lungs.lungLabels),
    lungMask: carry(lungs.lungMask),
    bodyMask: carry(lungs.bodyMask),
    airwayMask: carry(lungs.airwayMask),
  };
}

/**
 * A follow-up label map (on the follow-up grid) carried onto the baseline grid by per-label linear
 * voting through the registration (no invented labels, smoother boundaries than nearest).
 */
function carryLabels(labels: Volume, followUp: Volume, baseline: Volume, transform: AffineTransform): Volume {
  validateVolume(labels, 'follow-up label map');
  if (!sameGrid(labels, followUp)) {
    throw new MedImgError(
      'GRID_MISMATCH',
      'The segmenter must return a label map on the grid of the image it was given.',
    );
  }
  return resampleMoving(labels, baseline, transform, { labels: 'vote' });
}

function isoDate(t: number | undefined): string | null {
  return t === undefined ? null : new Date(t).toISOString().slice(0, 10);
}

function kindOf(v: Volume): 'lung-nodules' | 'brain-structures' | undefined {
  const m = String(v.meta?.modality ?? '').toUpperCase();
  if (m === 'CT') return 'lung-nodules';
  if (m === 'MR') return 'brain-structures';
  return undefined;
}

/**
 * Compares a follow-up study with its baseline: registers the follow-up to the baseline (rigid by
 * default), then for CT matches the lung nodules of both (new, resolved, diameter and volume change,
 * volume doubling time, Lung-RADS v2022 growth rule) and for a brain T1 measures each structure at
 * both time points in baseline space (absolute, percent and annualised change; detectable or not
 * against the test-retest smallest detectable change). Study dates come from the DICOM StudyDate
 * unless given.
 *
 * Guide: [method and validation](../../../docs/tasks/compare-studies.md).
 *
 * @example
 * ```ts
 * import { compareStudies, readDicomSeries } from 'medimg';
 * const before = await readDicomSeries('ct-2024');
 * const after = await readDicomSeries('ct-2025');
 * const cmp = await compareStudies(before, after);
 * for (const n of cmp.nodules ?? []) console.log(n.status, n.diameterChangeMm, n.lungRadsGrowth);
 * ```
 */
export async function compareStudies(
  baseline: Volume,
  followUp: Volume,
  options: CompareStudiesOptions = {},
): Promise<CompareStudiesResult> {
  validateVolume(baseline, 'baseline');
  validateVolume(followUp, 'followUp');
  const kind = options.kind ?? kindOf(baseline) ?? kindOf(followUp);
  if (kind !== 'lung-nodules' && kind !== 'brain-structures') {
    throw new MedImgError(
      'INVALID_ARGUMENT',
      "compareStudies needs kind 'lung-nodules' or 'brain-structures' when the modality is not CT or MR.",
    );
  }
  const ma = kindOf(baseline);
  const mb = kindOf(followUp);
  if (ma && mb && ma !== mb) {
    throw new MedImgError('WRONG_MODALITY', 'The baseline and the follow-up are of different modalities.', {
      details: { baseline: baseline.meta?.modality, followUp: followUp.meta?.modality },
    });
  }
  const tBase = parseStudyDate(options.baselineDate ?? baseline.meta?.studyDate);
  const tFollow = parseStudyDate(options.followUpDate ?? followUp.meta?.studyDate);
  if (options.baselineDate !== undefined && tBase === undefined) {
    throw new MedImgError('INVALID_ARGUMENT', "baselineDate must be 'YYYYMMDD' or 'YYYY-MM-DD'.");
  }
  if (options.followUpDate !== undefined && tFollow === undefined) {
    throw new MedImgError('INVALID_ARGUMENT', "followUpDate must be 'YYYYMMDD' or 'YYYY-MM-DD'.");
  }
  const days = intervalDays(tBase, tFollow);
  const brain = options.brain ?? {};
  if (kind === 'brain-structures') {
    const hasMaps = brain.baselineLabels !== undefined && brain.followUpLabels !== undefined;
    if (!brain.model && !brain.segment && !hasMaps) {
      throw new MedImgError(
        'INVALID_ARGUMENT',
        'Brain comparison needs brain.model (a brain structure model), brain.segment or both brain.baselineLabels and brain.followUpLabels.',
      );
    }
    if (brain.model && brain.segment) {
      throw new MedImgError('INVALID_ARGUMENT', 'Give brain.model or brain.segment, not both.');
    }
    if (brain.baselineLabels) validateVolume(brain.baselineLabels, 'brain.baselineLabels');
    if (brain.followUpLabels) validateVolume(brain.followUpLabels, 'brain.followUpLabels');
    if (brain.baselineLabels && !sameGrid(brain.baselineLabels, baseline)) {
      throw new MedImgError('GRID_MISMATCH', 'brain.baselineLabels must be on the baseline grid.');
    }
    if (brain.followUpLabels && !sameGrid(brain.followUpLabels, followUp)) {
      throw new MedImgError('GRID_MISMATCH', 'brain.followUpLabels must be on the follow-up grid.');
    }
  }

  const timer = new StageTimer();
  const plan =
    kind === 'lung-nodules'
      ? ([
          ['registration', 20],
          ['baseline nodules', 40],
          ['follow-up nodules', 40],
        ] as const)
      : ([
          ['registration', 30],
          ['baseline structures', 35],
          ['follow-up structures', 35],
        ] as const);
  const stages = new Stages(options, plan);
  const limitations: Limitation[] = [];
  const warnings: string[] = [];

  await stages.start('registration');
  // A 1 mm level was tried for brain: same test-retest SDC (label transport dominates), 1.5x slower.
  const levelsMm = options.registration?.levelsMm ?? [8, 4, 2];
  const reg = await registerVolumes(baseline, followUp, { ...options.registration, levelsMm, ...stages.nested() });
  timer.mark('registration');
  const ncc = reg.ncc.at(-1) ?? 0;
  if (ncc < MIN_REGISTRATION_NCC) {
    addLimitation(limitations, {
      code: 'POOR_REGISTRATION',
      message:
        'The follow-up could not be aligned closely with the baseline; matched findings and changes may be wrong.',
      details: { ncc: round(ncc, 3) },
    });
  }
  if (days === null) {
    addLimitation(limitations, {
      code: 'STUDY_DATES_UNKNOWN',
      message: 'A study date is missing: no annualised change, doubling time or Lung-RADS growth rule.',
    });
  }
  const followUpInBaseline = resampleMoving(followUp, baseline, reg.transform, {
    fillValue: kind === 'lung-nodules' ? -1024 : 0,
  });

  let nodules: NoduleChange[] | null = null;
  let structures: StructureChange[] | null = null;
  let labels: CompareStudiesResult['labels'] = null;
  let midlineXMm: number | null = null;
  let segmenter: string | null =
    kind === 'brain-structures' ? (brain.segment ? 'function' : brain.model ? 'model' : 'label maps') : null;
  if (kind === 'lung-nodules') {
    const no = options.nodules ?? {};
    const minP = no.detect?.minProbability ?? 0.5;
    const matchP = no.matchProbability ?? 0.6 * minP;
    if (!(matchP >= 0 && matchP <= minP)) {
      throw new MedImgError('INVALID_ARGUMENT', 'nodules.matchProbability must be in [0, detect.minProbability].');
    }
    const detect = { ...no.detect, minProbability: matchP };
    await stages.start('baseline nodules');
    let lungsA: SegmentLungsResult | undefined;
    if ((no.lungMask ?? 'baseline') === 'baseline' && (!no.baseline || !no.followUp)) {
      lungsA = await segmentLungs(baseline, { closingRadiusMm: no.detect?.lungClosingRadiusMm ?? 30 });
    }
    const a =
      no.baseline ??
      (await detectNodules(baseline, { ...detect, ...(lungsA ? { lungs: lungsA } : {}), ...stages.nested() }));
    timer.mark('baselineNodules');
    await stages.start('follow-up nodules');
    const lungsB = lungsA && carryLungs(lungsA, followUp, reg.transform);
    const b =
      no.followUp ??
      (await detectNodules(followUp, { ...detect, ...(lungsB ? { lungs: lungsB } : {}), ...stages.nested() }));
    timer.mark('followUpNodules');
    for (const l of [...a.limitations, ...b.limitations]) addLimitation(limitations, l);
    if (days !== null && days > TWELVE_MONTHS_DAYS) {
      addLimitation(limitations, {
        code: 'INTERVAL_OVER_12_MONTHS',
        message:
          'The studies are more than 12 months apart: the Lung-RADS growth rule (within 12 months) is not applied.',
        details: { intervalDays: days },
      });
    }
    const matched = matchNodules(a.nodules, b.nodules, reg.transform, {
      intervalDays: days,
      // Lung-RADS is for screening CTs: no growth verdict when detectNodules said a scan is outside it
      lungRadsApplies: a.lungRads !== null && b.lungRads !== null,
      ...(no.maxDistanceMm !== undefined ? { maxDistanceMm: no.maxDistanceMm } : {}),
    });
    nodules = reportedChanges(matched, minP);
  } else {
    await stages.start('baseline structures');
    let baseLabels: Volume;
    let fuLabels: Volume;
    let list = brain.structures ?? FREESURFER_STRUCTURES;
    let sdc = brain.smallestDetectableChangePct ?? DEFAULT_SMALLEST_DETECTABLE_CHANGE_PCT;
    if (brain.model) {
      const seg = (t1: Volume, o: TaskOptions) =>
        segmentBrainStructures(t1, {
          model: brain.model!,
          ...(brain.card ? { card: brain.card } : {}),
          ...(brain.backend ? { backend: brain.backend } : {}),
          ...(brain.cache !== undefined ? { cache: brain.cache } : {}),
          ...o,
        });
      const a = await seg(baseline, stages.nested());
      timer.mark('baselineStructures');
      await stages.start('follow-up structures');
      // The follow-up is segmented in its own space (segmenting the interpolated copy gave a
      // consistent +2-5 % hippocampal offset) and its labels carried into baseline space.
      const b = await seg(followUp, stages.nested());
      baseLabels = a.labels;
      fuLabels = carryLabels(b.labels, followUp, baseline, reg.transform);
      list = brain.structures ?? brainModelStructures(a.model.labelNames);
      sdc =
        brain.smallestDetectableChangePct ??
        (a.model.id === 'brainchop-subcortical18' ? SUBCORTICAL18_SMALLEST_DETECTABLE_CHANGE_PCT : {});
      if (list.some((s) => s.side)) midlineXMm = a.midlineXMm ?? labelledCentroidX(a.labels);
      for (const l of [...a.limitations, ...b.limitations]) {
        if (l.code !== 'ICV_FROM_LABELS') addLimitation(limitations, l);
      }
      segmenter = `model ${a.model.id}`;
      // bench/compare-test-retest-model.ts: a 14.5 % synthetic hippocampal loss came out -2.7 %
      addLimitation(limitations, {
        code: 'MODEL_CHANGE_NOT_VALIDATED',
        message:
          'Volume changes measured by the structure model were not validated against a known loss (a synthetic 14.5 % hippocampal loss came out as 2.7 %): read them as indicative.',
      });
    } else {
      baseLabels = brain.segment ? await brain.segment(baseline, stages.nested()) : brain.baselineLabels!;
      validateVolume(baseLabels, 'baseline label map');
      timer.mark('baselineStructures');
      await stages.start('follow-up structures');
      if (!sameGrid(baseLabels, baseline)) {
        throw new MedImgError(
          'GRID_MISMATCH',
          'The segmenter must return a label map on the grid of the image it was given.',
        );
      }
      // Measured in baseline space: the follow-up is segmented in its own space and its label map
      // carried into baseline space by the registration.
      const fuOwn = brain.segment ? await brain.segment(followUp, stages.nested()) : brain.followUpLabels!;
      fuLabels = carryLabels(fuOwn, followUp, baseline, reg.transform);
      if (list.some((s) => s.side)) midlineXMm = labelledCentroidX(baseLabels);
    }
    timer.mark('followUpStructures');
    structures = structureChanges(baseLabels, fuLabels, list, days, sdc, midlineXMm);
    if (structures.some((s) => s.smallestDetectableChangePct === null)) {
      addLimitation(limitations, {
        code: 'NO_DETECTABLE_CHANGE_LIMIT',
        message:
          'Some structures have no smallest detectable change from a test-retest experiment: whether their change is real is not said.',
      });
    }
    labels = { baseline: baseLabels, followUp: fuLabels };
  }
  stages.finish();
  return {
    kind,
    baselineDate: isoDate(tBase),
    followUpDate: isoDate(tFollow),
    intervalDays: days,
    registration: {
      transform: reg.transform,
      rotationDeg: round(reg.rotationDeg, 3),
      centreShiftMm: reg.centreShiftMm.map((v) => round(v, 2)) as Vec3,
      ncc: round(ncc, 4),
      ms: reg.ms,
    },
    nodules,
    structures,
    followUpInBaseline,
    labels,
    midlineXMm,
    limitations,
    provenance: makeProvenance(
      'compareStudies',
      {
        kind,
        registration: { transform: 'rigid', ...options.registration, levelsMm },
        maxDistanceMm: options.nodules?.maxDistanceMm ?? 10,
        ...(kind === 'lung-nodules'
          ? {
              lungMask: options.nodules?.lungMask ?? 'baseline',
              matchProbability:
                options.nodules?.matchProbability ?? 0.6 * (options.nodules?.detect?.minProbability ?? 0.5),
            }
          : {}),
        segmenter,
      },
      timer,
      warnings,
    ),
  };
}
export { presentComparison } from './present.js';
