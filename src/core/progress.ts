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
