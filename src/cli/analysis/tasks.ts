import { MedImgError } from '../../core/errors.js';
import type { BackendChoice } from '../../backends/index.js';
import type { LongRunOptions, ProgressEvent } from '../../core/progress.js';
import type { Mask, Vec3, Volume } from '../../core/volume.js';
import { type BoneDensityResult, measureBoneDensity } from '../../tasks/bone-density/index.js';
import { type BrainTissueResult, segmentBrainTissue } from '../../tasks/brain-tissue/index.js';
import { detectNodules, type NoduleResult } from '../../tasks/detect-nodules/index.js';
import { type LungOpacityResult, quantifyLungOpacity } from '../../tasks/lung-opacity/index.js';
import { type LungSegmentationResult, segmentLungs } from '../../tasks/lung-segmentation/index.js';
import { extractRadiomics, type RadiomicsResult } from '../../tasks/radiomics/index.js';
import { type BoxMm, type SegmentationResult, segmentTumor } from '../../tasks/segment-tumor/index.js';
import { UsageError } from '../args.js';
import { geometryOf } from '../../core/geometry.js';
import { pointerCount, resolvePointer } from './locate.js';

/** Task names accepted by `--tasks`. */
export const TASK_NAMES = ['nodules', 'bone', 'tumor', 'opacity', 'radiomics', 'brain'] as const;
export type TaskName = (typeof TASK_NAMES)[number];

/** Tasks `medimg demo` and `--tasks all` run on CT. */
export const CT_TASKS: TaskName[] = ['nodules', 'bone', 'tumor', 'opacity', 'radiomics'];

/** Settings of one analysis. */
export interface AnalysisSettings {
  tasks: TaskName[];
  /** Read a DICOM series with unreadable files or missing slices (else SERIES_INCOMPLETE); the exit code is then 3. */
  allowGaps?: boolean;
  /** segmentTumor seed, LPS mm. */
  seed?: Vec3;
  /** segmentTumor box, LPS mm. */
  box?: BoxMm;
  /** segmentTumor seed as a voxel index [i, j, k] of the image read (0-based). */
  seedVoxel?: Vec3;
  /** segmentTumor box as voxel indices of the image read (0-based, corners included). */
  boxVoxel?: { min: Vec3; max: Vec3 };
  /** Radiomics ROI when the tumour task does not run (path already loaded by the caller). */
  radiomicsMask?: Volume;
  /** Radiomics parameter file text (PyRadiomics YAML/JSON). */
  radiomicsParams?: string;
  /** MeshNet ONNX model (path) for 'brain'. */
  brainModel?: string;
  /** Inference backend for 'brain'. Default 'cpu' (probing GPUs prints driver noise on machines without them). */
  backend?: BackendChoice;
}

/** What the tasks produced; masks stay here, plain figures go to the report. */
export interface TaskOutputs {
  lungs?: LungSegmentationResult;
  nodules?: NoduleResult;
  bone?: BoneDensityResult;
  tumor?: SegmentationResult;
  opacity?: LungOpacityResult;
  radiomics?: RadiomicsResult;
  radiomicsMaskSource?: 'tumor' | 'file';
  brain?: BrainTissueResult;
  /**
   * Per task: ms taken, or the error that stopped it. `skipped` says why a task did not run
   * without failing the study; `note` says how it was set up (e.g. where the tumour seed came from).
   */
  status: Record<
    string,
    { ok: boolean; ms: number; error?: { code: string; message: string }; skipped?: string; note?: string }
  >;
}

/** Parses and validates `--tasks a,b,c` ('all' = every CT task). */
export function parseTasks(text: string): TaskName[] {
  const names = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 0) throw new UsageError('--tasks needs at least one task name.');
  const out: TaskName[] = [];
  for (const n of names) {
    if (n === 'all') out.push(...CT_TASKS);
    else if ((TASK_NAMES as readonly string[]).includes(n)) out.push(n as TaskName);
    else throw new UsageError(`Unknown task '${n}'. Known tasks: ${TASK_NAMES.join(', ')} (or 'all').`);
  }
  return [...new Set(out)];
}

/** Checks the options each task needs before any work starts. */
export function checkSettings(s: AnalysisSettings): void {
  const pointers = pointerCount(s);
  if (pointers > 1)
    throw new UsageError('Give one of --seed, --box, --seed-voxel, --box-voxel, --seed-slice, --box-slice.');
  if (s.tasks.includes('tumor') && pointers === 0 && !s.tasks.includes('nodules')) {
    throw new UsageError(
      "Task 'tumor' needs --seed x,y,z or --box (LPS mm), --seed-voxel i,j,k or --seed-slice n:x,y ('medimg info' shows the extent), or 'nodules' with it to seed at the largest detected lesion.",
    );
  }
  if (s.tasks.includes('radiomics') && !s.tasks.includes('tumor') && !s.radiomicsMask) {
    throw new UsageError("Task 'radiomics' needs a mask: run it with 'tumor', or give --mask <nifti|nrrd>.");
  }
  if (s.tasks.includes('brain') && !s.brainModel) {
    throw new UsageError("Task 'brain' needs --model <MeshNet .onnx> (see docs/models.md).");
  }
}

/**
 * Runs the requested tasks on one image, in a fixed order (lungs for opacity and the SEG,
 * tumour before radiomics). A failing task is recorded in `status` and the others still run; only
 * an abort stops everything.
 */
export async function runTasks(
  image: Volume,
  settings: AnalysisSettings,
  opts: LongRunOptions & { onTask?: (task: string, index: number, total: number) => void } = {},
): Promise<TaskOutputs> {
  const out: TaskOutputs = { status: {} };
  const order: TaskName[] = TASK_NAMES.filter((t) => settings.tasks.includes(t));
  // Only opacity shares the default lung segmentation; detectNodules segments its own with a wide
  // closing that pulls juxtapleural masses into the search region (passing ours would lose them).
  const needsLungs = order.includes('opacity');
  const steps = order.length + (needsLungs ? 1 : 0);
  let step = 0;
  const sub = (name: string): LongRunOptions => {
    const i = step++;
    opts.onTask?.(name, i, steps);
    // every task announces its start, also those that report no progress of their own
    opts.onProgress?.({ stage: name, fraction: i / steps });
    return {
      ...(opts.signal ? { signal: opts.signal } : {}),
      onProgress: (e: ProgressEvent) =>
        opts.onProgress?.({
          stage: `${name}: ${e.stage}`,
          fraction: (i + Math.min(1, Math.max(0, e.fraction))) / steps,
        }),
    };
  };
  const run = async <T>(name: string, fn: (o: LongRunOptions) => Promise<T>): Promise<T | undefined> => {
    const o = sub(name);
    const t0 = performance.now();
    try {
      const r = await fn(o);
      out.status[name] = { ok: true, ms: Math.round(performance.now() - t0) };
      return r;
    } catch (e) {
      if (e instanceof MedImgError && e.code === 'ABORTED') throw e;
      const code = e instanceof MedImgError ? e.code : 'INTERNAL';
      const message = e instanceof Error ? e.message : String(e);
      out.status[name] = { ok: false, ms: Math.round(performance.now() - t0), error: { code, message } };
      return undefined;
    }
  };

  if (needsLungs) out.lungs = await run('lungs', (o) => segmentLungs(image, o));
  for (const task of order) {
    switch (task) {
      case 'nodules':
        out.nodules = await run('nodules', (o) => detectNodules(image, o));
        break;
      case 'opacity':
        out.opacity = await run('opacity', (o) =>
          quantifyLungOpacity(image, { ...o, ...(out.lungs ? { lungs: out.lungs } : {}) }),
        );
        break;
      case 'bone':
        out.bone = await run('bone', (o) => measureBoneDensity(image, { ...o, returnRoiMasks: true }));
        break;
      case 'tumor': {
        const p = resolvePointer(geometryOf(image), settings, out.nodules?.nodules);
        if (p.skip !== undefined) {
          sub('tumor');
          out.status.tumor = { ok: true, ms: 0, skipped: p.skip };
          break;
        }
        out.tumor = await run('tumor', (o) =>
          segmentTumor(image, { ...o, ...(p.seed ? { seed: p.seed } : {}), ...(p.box ? { box: p.box } : {}) }),
        );
        if (p.note) out.status.tumor!.note = p.note;
        break;
      }
      case 'radiomics': {
        const mask: Mask | Volume | undefined = out.tumor?.mask ?? settings.radiomicsMask;
        if (!mask && out.status.tumor?.skipped) {
          sub('radiomics');
          out.status.radiomics = { ok: true, ms: 0, skipped: 'no ROI: the tumour task was skipped' };
          break;
        }
        if (!mask) {
          sub('radiomics');
          out.status.radiomics = {
            ok: false,
            ms: 0,
            error: { code: 'EMPTY_MASK', message: 'No ROI for radiomics: the tumour segmentation did not succeed.' },
          };
          break;
        }
        out.radiomicsMaskSource = out.tumor?.mask ? 'tumor' : 'file';
        out.radiomics = await run('radiomics', () => extractRadiomics(image, mask, settings.radiomicsParams ?? {}));
        break;
      }
      case 'brain':
        out.brain = await run('brain', (o) =>
          segmentBrainTissue(image, { ...o, model: settings.brainModel!, backend: settings.backend ?? 'cpu' }),
        );
        break;
    }
  }
  return out;
}
