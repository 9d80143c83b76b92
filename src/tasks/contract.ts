// The shape every task shares: options extend the long-run options, results are plain data with
// a provenance record and a list of limitations. Task folders extend these; nothing here runs.
import type { LongRunOptions } from '../core/progress.js';
import type { Limitation } from './internal/limitations.js';

export type { Limitation } from './internal/limitations.js';

/**
 * Options every task accepts: `signal` aborts it (the call rejects with `ABORTED` within one stage
 * step, i.e. well under a second), `onProgress` receives its stages. `<Fn>Options` extends this.
 */
export type TaskOptions = LongRunOptions;

/**
 * Where a task result came from: enough to reproduce and audit it. Task-specific provenance types
 * extend it (e.g. the backend attempts of a model task).
 */
export interface TaskProvenance {
  /** medimg package version. */
  version: string;
  /** Task name, e.g. 'detectNodules' (the function's name). */
  task: string;
  /** Where the computation ran: 'cpu-js' for the classical pipelines, or the inference backend. */
  backend: string;
  /** Model id and sha256 when a model was used, else null. */
  model: { id: string; sha256: string } | null;
  /** The effective settings (defaults filled in). */
  settings: Record<string, unknown>;
  /** Wall-clock milliseconds per stage, plus `total`. */
  timingsMs: Record<string, number>;
  /** Non-fatal problems met on the way. */
  warnings: string[];
}

/**
 * Fields every `<Fn>Result` has. `limitations` lists coded reasons a figure may not be comparable
 * to the figures the method was validated on (thick slices, contrast, partial coverage); it is
 * empty when the scan is inside the validated scope.
 */
export interface TaskResult<P extends TaskProvenance = TaskProvenance> {
  provenance: P;
  limitations: Limitation[];
}
