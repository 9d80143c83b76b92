import { MedImgError } from './errors.js';

/** Progress report of long work: `fraction` in [0, 1], `stage` names the step. */
export interface ProgressEvent {
  stage: string;
  fraction: number;
  /** Optional counters, e.g. files read so far. */
  done?: number;
  total?: number;
}

/** Options every long-running call accepts. */
export interface LongRunOptions {
  /** Aborts the work; the call rejects with a MedImgError of code `ABORTED`. */
  signal?: AbortSignal;
  /** Called with monotonically increasing fractions; must be cheap. */
  onProgress?: (event: ProgressEvent) => void;
}

/** Throws `ABORTED` if the signal fired. Call it between chunks of work. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new MedImgError('ABORTED', 'The operation was aborted.', { cause: signal.reason });
  }
}

/**
 * Reports progress of a stage made of `total` steps, throttled to whole percents so a per-slice
 * callback does not dominate a fast loop. Also checks the abort signal on every step.
 */
export class ProgressTracker {
  private lastPercent = -1;
  constructor(
    private readonly opts: LongRunOptions | undefined,
    private readonly stage: string,
    private readonly total: number,
    /** Sub-range of the overall fraction this stage covers. */
    private readonly range: [number, number] = [0, 1],
  ) {}

  step(done: number): void {
    throwIfAborted(this.opts?.signal);
    const cb = this.opts?.onProgress;
    if (!cb) return;
    const local = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const fraction = this.range[0] + (this.range[1] - this.range[0]) * local;
    const percent = Math.floor(fraction * 100);
    if (percent === this.lastPercent && done !== this.total) return;
    this.lastPercent = percent;
    cb({ stage: this.stage, fraction, done, total: this.total });
  }
}

/** Yields to the event loop so long synchronous work can be aborted and the UI stays alive. */
export function yieldToEventLoop(): Promise<void> {
  // setTimeout(0) waits at least a millisecond (4 ms when nested in browsers); setImmediate does not
  const g = globalThis as { setImmediate?: (cb: () => void) => unknown };
  if (typeof g.setImmediate === 'function') return new Promise((resolve) => g.setImmediate!(resolve));
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** The stages of a task, in order, each with its share of the overall progress (any positive scale). */
export type StagePlan = readonly (readonly [name: string, weight: number])[];

/** How long synchronous work may run before {@link Stages} yields to the event loop. */
export const YIELD_INTERVAL_MS = 50;

/**
 * The one helper a long task uses for its stages: reports progress (overall fraction from the
 * plan's weights, whole percents inside a stage), checks the abort signal at every call, and
 * yields to the event loop when the last yield is {@link YIELD_INTERVAL_MS} or more ago, so an
 * abort (or a UI) gets through mid-run without yielding thousands of times.
 *
 * @example
 * ```ts
 * const stages = new Stages(options, [['smooth', 1], ['label', 3]]);
 * await stages.start('smooth');
 * for (let z = 0; z < nz; z++) { smoothSlice(z); await stages.step(z + 1, nz); }
 * await stages.start('label');
 * const lungs = await segmentLungs(ct, stages.nested());
 * stages.finish();
 * ```
 */
export class Stages {
  private readonly starts = new Map<string, [number, number]>();
  private current: string;
  private range: [number, number] = [0, 0];
  private lastPercent = -1;
  private lastYield = now();

  constructor(
    private readonly opts: LongRunOptions | undefined,
    plan: StagePlan,
  ) {
    let sum = 0;
    for (const [, w] of plan) sum += Math.max(0, w);
    let acc = 0;
    for (const [name, w] of plan) {
      const a = sum > 0 ? acc / sum : 0;
      acc += Math.max(0, w);
      this.starts.set(name, [a, sum > 0 ? acc / sum : 1]);
    }
    this.current = plan[0]?.[0] ?? '';
  }

  /** The signal, for nested calls that take one. */
  get signal(): AbortSignal | undefined {
    return this.opts?.signal;
  }

  /** Enters stage `name` (one of the plan's): reports its start, checks the signal, yields if due. */
  async start(name: string): Promise<void> {
    this.current = name;
    this.range = this.starts.get(name) ?? [this.range[1], this.range[1]];
    this.lastPercent = -1;
    this.report(0, 1);
    await this.yieldIfDue();
  }

  /** `done` of `total` steps of the current stage: reports, checks the signal, yields if due. */
  async step(done: number, total: number): Promise<void> {
    this.report(done, total);
    await this.yieldIfDue();
  }

  /** Reports and checks the signal without yielding, for synchronous code between awaits. */
  check(done = 0, total = 1): void {
    this.report(done, total);
  }

  /** Options for a nested long call whose progress fills the current stage's share. */
  nested(): LongRunOptions {
    const [a, b] = this.range;
    const cb = this.opts?.onProgress;
    const stage = this.current;
    return {
      ...(this.opts?.signal ? { signal: this.opts.signal } : {}),
      ...(cb
        ? {
            onProgress: (e: ProgressEvent) =>
              cb({ stage: `${stage}: ${e.stage}`, fraction: a + (b - a) * Math.min(1, Math.max(0, e.fraction)) }),
          }
        : {}),
    };
  }

  /** Reports the end of the work (fraction 1, stage 'done'). */
  finish(): void {
    throwIfAborted(this.opts?.signal);
    this.opts?.onProgress?.({ stage: 'done', fraction: 1 });
  }

  private report(done: number, total: number): void {
    throwIfAborted(this.opts?.signal);
    const cb = this.opts?.onProgress;
    if (!cb) return;
    const local = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
    const fraction = this.range[0] + (this.range[1] - this.range[0]) * local;
    const percent = Math.floor(fraction * 100);
    if (percent === this.lastPercent) return;
    this.lastPercent = percent;
    cb({ stage: this.current, fraction, done, total });
  }

  private async yieldIfDue(): Promise<void> {
    if (now() - this.lastYield < YIELD_INTERVAL_MS) return;
    await yieldToEventLoop();
    this.lastYield = now();
    throwIfAborted(this.opts?.signal);
  }
}

function now(): number {
  return globalThis.performance?.now() ?? Date.now();
}
