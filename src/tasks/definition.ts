// What a task folder exports for the registry (src/tasks/registry.ts): its id and CLI name, the
// inputs it reads, how to run it inside an analysis, its headline line, and a presenter that turns
// its result into SEG segments, SR findings, pictures and an HTML section. Types only.
import type { BackendChoice } from '../backends/types.js';
import type { LongRunOptions } from '../core/progress.js';
import type { Mask, Vec3, Volume } from '../core/volume.js';
import type { SegmentDescription } from '../io/dicom/seg-write.js';
import type { SrFindingInput } from '../io/dicom/sr-write.js';
import type { TaskResult } from './contract.js';
import type { BoxMm } from './segment-tumor/index.js';

/**
 * What an analysis was given besides the image (the command line's options, as plain data). A
 * task reads the fields its `optionsSchema` lists.
 */
export interface TaskInputs {
  /** Lesion seed, LPS mm. */
  seed?: Vec3;
  /** Lesion box, LPS mm. */
  box?: BoxMm;
  /** Lesion seed as a voxel index [i, j, k] of the image read (0-based). */
  seedVoxel?: Vec3;
  /** Lesion box as voxel indices of the image read (0-based, corners included). */
  boxVoxel?: { min: Vec3; max: Vec3 };
  /** ROI for radiomics when no task produced one (on the image grid). */
  radiomicsMask?: Volume;
  /** PyRadiomics parameter file text (YAML/JSON). */
  radiomicsParams?: string;
  /** Model file (path) for model tasks. */
  brainModel?: string;
  /** Tumour segmentation model: ONNX path and its card's path (see docs/models.md). */
  tumorModel?: TaskModelFiles;
  /** Nodule detector (heatmap or boxes): ONNX path and its card's path. */
  noduleModel?: TaskModelFiles;
  /** Vertebra label model for bone density: ONNX path and its card's path. */
  vertebraModel?: TaskModelFiles;
  /** Image classifier (card output_kind 'classification'): ONNX path and its card's path. */
  classifyModel?: TaskModelFiles;
  /** Model card of `brainModel`: a shipped card id (e.g. 'brainchop-dk104') or a card file path. */
  modelCard?: string;
  /** Brain-extraction model file (MindGrab ONNX) whose mask gives the intracranial volume. */
  brainMaskModel?: string;
  /** Inference backend for model tasks. Default 'cpu'. */
  backend?: BackendChoice;
}

/** A model given to the CLI: the ONNX file and its card (paths; plain data, so it travels to batch workers). */
export interface TaskModelFiles {
  onnx: string;
  card: string;
}

/** Everything a task's `run` sees: the image, the inputs, and the results of tasks that ran before it. */
export interface TaskRunContext {
  image: Volume;
  inputs: TaskInputs;
  /** Results so far, by task id (only tasks that succeeded). */
  results: Readonly<Record<string, TaskResult | undefined>>;
  /** Cli names of the tasks requested in this analysis. */
  requested: readonly string[];
  /** Ids of tasks that were skipped (not failed) so far. */
  skipped: readonly string[];
  /**
   * Signal and progress for this task; in a validation run also the manifest's options of the task
   * function (`run` spreads them first, so what it derives from `inputs` wins).
   */
  options: LongRunOptions;
}

/** What `run` returns: the result, or why the task did not run (not a failure). */
export type TaskOutcome<R extends TaskResult> =
  | {
      result: R;
      /** One line saying how the task was set up on the user's behalf (e.g. where a seed came from). */
      note?: string;
      /** Extra plain fields for this task's part of the study report (e.g. which mask was used). */
      reportExtra?: Record<string, unknown>;
    }
  | { skipped: string };

/** A table of the HTML summary. */
export interface PresentedTable {
  title: string;
  columns: string[];
  rows: (string | number)[][];
  note?: string;
}

/** A picture for the HTML summary and the output folder. */
export interface PresentedPicture {
  /** File name in the output folder, e.g. 'tumor.png'. */
  file: string;
  title: string;
  png: Uint8Array;
}

/** An SR finding; `segment` (an index into the same presentation's `segments`) links it to its SEG segment. */
export type PresentedFinding = Omit<SrFindingInput, 'segment'> & { segment?: number };

/** What a task contributes to the study outputs: SEG segments, SR findings, pictures, its HTML section, other files. */
export interface Presentation {
  segments: { mask: Mask; description: SegmentDescription }[];
  findings: PresentedFinding[];
  pictures: PresentedPicture[];
  tables: PresentedTable[];
  /** Other files for the output folder (e.g. radiomics.csv). */
  files: { name: string; data: Uint8Array | string }[];
}

/** What a presenter sees besides its own result. */
export interface PresentContext {
  image: Volume;
  /** Results of the other tasks of this analysis, by id. */
  results: Readonly<Record<string, TaskResult | undefined>>;
  /** Cli names of the tasks requested in this analysis. */
  requested: readonly string[];
  /** True when the image is CT in HU (pictures use CT windows). */
  isCt: boolean;
  /** The report extras `run` returned. */
  reportExtra?: Record<string, unknown>;
  /** A UID for a role ('track-tumor', ...): random by default, deterministic for queue jobs (a retry overwrites). */
  uidFor: (role: string) => string;
}

/** One task, as the CLI, the reports and the schemas see it. */
export interface TaskDefinition<R extends TaskResult = TaskResult, Id extends string = string> {
  /** The task function's name; also the report `task` and the schema file name. */
  id: Id;
  /** Name on the command line (`--tasks nodules`), also the key of its report part and status. */
  cliName: string;
  /** Title of its HTML section. */
  title: string;
  /** One line for `medimg analyze --help`. */
  summary: string;
  /** Part of `--tasks all` and the demo (the CT tasks). */
  inAll: boolean;
  /** Runs on its own only when another requested task needs it (not a `--tasks` name of its own). */
  hidden?: boolean;
  /** Ids of tasks that must run before it when it runs. */
  needs?: string[];
  /** Ids of tasks whose results it reads when they ran (so they run first). */
  uses?: string[];
  /** JSON schema of the inputs it reads (a subset of {@link TaskInputs}). */
  optionsSchema: { type: 'object'; properties: Record<string, { description: string }>; required?: string[] };
  /** Where its result type is declared, for the report schema: [source file, type name]. */
  resultType?: [string, string];
  /** A usage problem with the inputs, found before any work (one line), else undefined. */
  check?(inputs: TaskInputs, requested: readonly string[]): string | undefined;
  /**
   * Runs it inside an analysis. A MedImgError with code `INVALID_ARGUMENT` thrown before any work
   * (e.g. a voxel seed outside the image) is a usage error of the whole analysis.
   */
  run(ctx: TaskRunContext): Promise<TaskOutcome<R>>;
  /** One line of headline figures for the terminal (none for helper tasks). */
  headline?(result: R, reportExtra?: Record<string, unknown>): string;
  /** Its SEG segments, SR findings, pictures and HTML tables. */
  present(result: R, ctx: PresentContext): Presentation;
  /**
   * How `validate` (and `medimg validate` manifests) scores its result against a case's truth;
   * a task without it cannot be named in a manifest.
   */
  validation?: TaskValidation<R>;
}

/** A finding scored against the truth lesions' centres. */
export interface ValidationFinding {
  centerMm: Vec3;
  probability: number;
  diameterMm: number;
  /** What the finding is, for the run's per-lesion notes (e.g. 'solid 7.2 mm'). */
  label: string;
}

/**
 * What the validation harness scores, by the shape of the result: findings (detection: sensitivity,
 * false findings, FROC), a mask (segmentation: Dice, HD95, ASSD, volume and long-axis error, slice
 * box IoU) or values at points (expected values: absolute error). A task gives one of the three.
 */
export interface TaskValidation<R extends TaskResult> {
  /** Metrics the bias audit reports for it. */
  auditMetrics: string[];
  /** Findings with a probability, scored against lesion centres. */
  findings?(result: R): ValidationFinding[];
  /** Option of the task function holding the probability threshold (a swept run sets it to 0). */
  thresholdOption?: string;
  /**
   * The result's limitations as at probability `threshold`, for a swept run (which keeps the
   * findings under it, and with them caveats that only they raise). Default: the result's own.
   */
  limitationsAt?(result: R, threshold: number): { code: string; message: string }[];
  /** Exam-level notes of a run at the manifest's options (not of a swept run). */
  notes?(result: R): Record<string, unknown>;
  /** Window of the detection picture. Default 'auto'. */
  window?: 'lung' | 'mediastinum' | 'soft-tissue' | 'bone' | 'brain' | 'auto';
  /** The result's mask and its first lesion's figures, scored against the lesion's mask or boxes. */
  mask?(result: R): { mask: Mask; volumeMl: number; longAxisMm: number | null };
  /** The task needs a prompt (a lesion to point at) or a seed/box in its manifest options. */
  needsPrompt?: boolean;
  /** Values at points, scored against the case's expected values. */
  values?(result: R): { centerMm: Vec3; value: number }[];
  /** Metric name of the count of values (e.g. 'vertebrae') and the unit of their errors (e.g. 'HU'). */
  valueCount?: string;
  valueUnit?: string;
}
