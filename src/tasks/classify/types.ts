import type { ModelCache } from '../../backends/model-cache.js';
import type { BackendAttempt, ModelSource, Session } from '../../backends/session.js';
import type { BackendChoice, BackendName } from '../../backends/types.js';
import type { Volume } from '../../core/volume.js';
import type { ReadRadiographResult } from '../../io/dicom/radiograph.js';
import type { TaskOptions, TaskProvenance, TaskResult } from '../contract.js';
import type { DescribeSensitivityRegionsResult } from '../explain/regions.js';

/** What a classifier can be given: a volume (2D as one slice, or 3D), or a radiograph as read by readRadiograph (its display image is classified). */
export type ClassifyInput = Volume | ReadRadiographResult;

/** Options of {@link classifyImage}. */
export interface ClassifyImageOptions extends TaskOptions {
  /**
   * The classifier: `{ onnx, card }` (paths, URLs or bytes), or an open {@link Session} created with
   * its card (reused and left open). The card's first output names the classes in `channel_def`.
   */
  model: ModelSource | Session;
  /** Backend. Default 'auto'. Ignored when `model` is a Session. */
  backend?: BackendChoice;
  /** Cache for URL models. Default none. */
  cache?: ModelCache | string;
  /** How many classes `top` lists. Default 5 (or the number of classes when fewer). */
  topK?: number;
  /** Multi-label models: a class is positive at probability >= this. Default the card's postprocessing.threshold, else 0.5. */
  threshold?: number;
  /**
   * Explain the output by occlusion: `true` (integrated occlusion of the top class at patches of
   * 1/16, 1/8 and 1/4 of the model input), or settings. Default false.
   */
  explain?: boolean | ClassifyExplainOptions;
}

/** How {@link classifyImage} explains its output. */
export interface ClassifyExplainOptions {
  /** Class index or label to explain. Default the top class. */
  target?: number | string;
  /** Patch sizes as fractions of the model input's side. Default [1/16, 1/8, 1/4]. */
  patchFractions?: number[];
  /** Occluded images per model run (models with a fixed batch of 1 use 1). Default 8. */
  batchSize?: number;
}

/** One class's output. */
export interface ClassScore {
  /** Channel index in the model output. */
  index: number;
  /** Name from the card's `channel_def` (else 'class <index>'). */
  label: string;
  /** Probability after the card's activation (and temperature when calibrated). */
  probability: number;
  /** The raw network output. */
  logit: number;
  /** Multi-label models: probability >= threshold. */
  positive?: boolean;
}

/** The occlusion explanation of one class. */
export interface ClassifyExplanation {
  /** Explained class. */
  target: { index: number; label: string };
  /** Score drop when each region is hidden, on the input's grid (probability units). */
  map: Volume<Float32Array>;
  /** Probability of the target on the unoccluded input. */
  baseScore: number;
  /** Patch sizes used, in model-input voxels. */
  patches: number[][];
  evaluations: number;
  regions: DescribeSensitivityRegionsResult;
}

/** Provenance of a classification. */
export interface ClassifyProvenance extends TaskProvenance {
  task: 'classifyImage';
  backend: BackendName;
  runtime: string;
  backendAttempts: BackendAttempt[];
  model: { id: string; version: string; license: string; sha256: string };
}

/** Result of {@link classifyImage}. */
export interface ClassifyImageResult extends TaskResult<ClassifyProvenance> {
  /** Every class, in the model's output order. */
  classes: ClassScore[];
  /** The `topK` most probable classes, most probable first. */
  top: ClassScore[];
  /** Sigmoid output: classes are independent (several may be positive). */
  multiLabel: boolean;
  /** Labels with `positive` (multi-label), or the single most probable label. */
  positives: string[];
  /** True when the card gives a temperature (probabilities calibrated on the vendor's held-out set). */
  calibrated: boolean;
  /** How the image was fed: its size, the model input size (tensor order) and the axis order. */
  input: { dims: number[]; spatial: '2d' | '3d'; modelShape: number[]; axisOrder: 'xyz' | 'zyx'; channels: number };
  explanation?: ClassifyExplanation;
}

/** Options of {@link classifyStudy}. */
export interface ClassifyStudyOptions extends Omit<ClassifyImageOptions, 'explain'> {
  /**
   * How series probabilities become study probabilities: 'mean', 'max', or 'noisy-or' (1 - Π(1 - p),
   * for independent views). Default 'max' for multi-label models (a finding seen on any view), 'mean' for softmax.
   */
  aggregate?: 'mean' | 'max' | 'noisy-or';
}

/** Result of {@link classifyStudy}. */
export interface ClassifyStudyResult extends TaskResult<ClassifyProvenance> {
  /** Each input's result, in input order. */
  series: ClassifyImageResult[];
  /** Aggregated classes (probability aggregated, logit the mean), model order. */
  classes: ClassScore[];
  top: ClassScore[];
  positives: string[];
  aggregate: 'mean' | 'max' | 'noisy-or';
  multiLabel: boolean;
  calibrated: boolean;
}
