import { MedImgError } from '../../core/errors.js';
import type { LongRunOptions, ProgressEvent } from '../../core/progress.js';
import type { Volume } from '../../core/volume.js';
import type { TaskResult } from '../../tasks/contract.js';
import { TASKS, type TaskDefinition, type TaskInputs } from '../../tasks/registry.js';
import { UsageError } from '../args.js';
import { pointerCount } from './locate.js';
import { shareLungIntermediates } from '../../tasks/lung-segmentation/shared.js';

/** Task names accepted by `--tasks` (the registry's CLI names, helper tasks left out). */
export const TASK_NAMES: readonly string[] = TASKS.filter((t) => !t.hidden).map((t) => t.cliName);
export type TaskName = string;

/** Tasks `medimg demo` and `--tasks all` run on CT. */
export const CT_TASKS: TaskName[] = TASKS.filter((t) => t.inAll).map((t) => t.cliName);

/** Settings of one analysis: the tasks by CLI name and the inputs they read. */
export interface AnalysisSettings extends TaskInputs {
  tasks: TaskName[];
  /** Read a DICOM series with unreadable files or missing slices (else SERIES_INCOMPLETE); the exit code is then 3. */
  allowGaps?: boolean;
}

/** One task's status in an analysis. */
export interface TaskStatus {
  ok: boolean;
  ms: number;
  error?: { code: string; message: string };
  /** Why the task did not run, without failing the study. */
  skipped?: string;
  /** How it was set up on the user's behalf (e.g. where the tumour seed came from). */
  note?: string;
}

/** What the tasks produced; masks stay here, plain figures go to the report. */
export interface TaskOutputs {
  /** Results by task id (only tasks that succeeded). */
  results: Record<string, TaskResult | undefined>;
  /** Extra fields of a task's report part, by task id (e.g. radiomics' mask source). */
  reportExtra: Record<string, Record<string, unknown>>;
  /** The definitions that ran or were tried, in order. */
  ran: TaskDefinition[];
  /** Per task, by CLI name: ms taken, or the error that stopped it, or why it was skipped. */
  status: Record<string, TaskStatus>;
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
    else if (TASK_NAMES.includes(n)) out.push(n);
    else throw new UsageError(`Unknown task '${n}'. Known tasks: ${TASK_NAMES.join(', ')} (or 'all').`);
  }
  return [...new Set(out)];
}

/** Checks the options each task needs before any work starts. */
export function checkSettings(s: AnalysisSettings): void {
  if (pointerCount(s) > 1)
    throw new UsageError('Give one of --seed, --box, --seed-voxel, --box-voxel, --seed-slice, --box-slice.');
  for (const t of TASKS) {
    if (!s.tasks.includes(t.cliName)) continue;
    const problem = t.check?.(s, s.tasks);
    if (problem) throw new UsageError(problem);
  }
}

/** The definitions to run for the requested CLI names, with what they need, in registry order. */
export function plannedTasks(requested: readonly string[]): TaskDefinition[] {
  const want = new Set(TASKS.filter((t) => requested.includes(t.cliName)).map((t) => t.id));
  for (let grew = true; grew; ) {
    grew = false;
    for (const t of TASKS)
      for (const n of want.has(t.id) ? (t.needs ?? []) : [])
        if (!want.has(n)) {
          want.add(n);
          grew = true;
        }
  }
  return TASKS.filter((t) => want.has(t.id));
}

/**
 * Runs the requested tasks on one image in registry order (a task after those it needs or uses).
 * A failing task is recorded in `status` and the others still run; only an abort, or an input
 * that does not fit the image (a usage error), stops everything.
 */
export async function runTasks(
  image: Volume,
  settings: AnalysisSettings,
  opts: LongRunOptions & {
    onTask?: (task: string, index: number, total: number) => void;
    /** Let the tasks share intermediate results (the lung segmentation's); default true. For benches. */
    shareIntermediates?: boolean;
  } = {},
): Promise<TaskOutputs> {
  const out: TaskOutputs = { results: {}, reportExtra: {}, ran: [], status: {} };
  const plan = plannedTasks(settings.tasks);
  const skipped: string[] = [];
  // The lung segmentations of this run (the shared one, detectNodules' own) share their work.
  const release = opts.shareIntermediates === false ? () => {} : shareLungIntermediates(image);
  try {
    await runPlanned(image, settings, opts, plan, out, skipped);
  } finally {
    release();
  }
  return out;
}

async function runPlanned(
  image: Volume,
  settings: AnalysisSettings,
  opts: LongRunOptions & { onTask?: (task: string, index: number, total: number) => void },
  plan: ReturnType<typeof plannedTasks>,
  out: TaskOutputs,
  skipped: string[],
): Promise<void> {
  for (const [i, def] of plan.entries()) {
    const name = def.cliName;
    opts.onTask?.(name, i, plan.length);
    // every task announces its start, also those that report no progress of their own
    opts.onProgress?.({ stage: name, fraction: i / plan.length });
    const options: LongRunOptions = {
      ...(opts.signal ? { signal: opts.signal } : {}),
      onProgress: (e: ProgressEvent) =>
        opts.onProgress?.({
          stage: `${name}: ${e.stage}`,
          fraction: (i + Math.min(1, Math.max(0, e.fraction))) / plan.length,
        }),
    };
    out.ran.push(def);
    const t0 = performance.now();
    try {
      const r = await def.run({
        image,
        inputs: settings,
        results: out.results,
        requested: settings.tasks,
        skipped,
        options,
      });
      const ms = Math.round(performance.now() - t0);
      if ('skipped' in r) {
        skipped.push(def.id);
        out.status[name] = { ok: true, ms: 0, skipped: r.skipped };
        continue;
      }
      out.results[def.id] = r.result;
      if (r.reportExtra) out.reportExtra[def.id] = r.reportExtra;
      out.status[name] = { ok: true, ms, ...(r.note ? { note: r.note } : {}) };
    } catch (e) {
      if (e instanceof MedImgError && e.code === 'ABORTED') throw e;
      if (e instanceof UsageError) throw e;
      const code = e instanceof MedImgError ? e.code : 'INTERNAL';
      const message = e instanceof Error ? e.message : String(e);
      out.status[name] = { ok: false, ms: Math.round(performance.now() - t0), error: { code, message } };
    }
  }
}
