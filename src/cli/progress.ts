/**
 * Progress of long work, on stderr so stdout (results, --json) stays clean. On a terminal: one
 * bar redrawn in place. Elsewhere (CI logs, pipes, services): plain lines
 * `progress: <title> <pct>% <stage>`, one when the stage changes or every 10 %, at most one per
 * 200 ms (a new stage always gets its line). `--quiet` turns both off. Hand-written: a few lines
 * do what we need and it adds no dependency.
 */
export interface ProgressBar {
  update(fraction: number, label?: string): void;
  done(): void;
}

/** Where progress goes: process.stderr, or a test double. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

const NOOP: ProgressBar = { update() {}, done() {} };

const clamp01 = (f: number): number => Math.max(0, Math.min(1, Number.isFinite(f) ? f : 0));

function terminalBar(title: string, stream: ProgressStream): ProgressBar {
  let last = -1;
  let lastLabel = '';
  const width = 28;
  const draw = (f: number, label: string): void => {
    const filled = Math.round(f * width);
    const text = `${title} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(f * 100)).padStart(3)}% ${label}`;
    const cols = stream.columns || 80;
    stream.write(`\r${text.slice(0, cols - 1).padEnd(Math.min(cols - 1, 100))}`);
  };
  return {
    update(fraction, label = lastLabel) {
      const f = clamp01(fraction);
      const pct = Math.round(f * 100);
      if (pct === last && label === lastLabel) return;
      last = pct;
      lastLabel = label;
      draw(f, label);
    },
    done() {
      if (last >= 0) stream.write('\r\x1b[K');
      last = -1;
    },
  };
}

function plainLines(title: string, stream: ProgressStream, now: () => number): ProgressBar {
  let lastPct = -100;
  let lastLabel: string | undefined;
  let lastAt = Number.NEGATIVE_INFINITY;
  return {
    update(fraction, label = lastLabel ?? '') {
      const pct = Math.floor(clamp01(fraction) * 100);
      const t = now();
      const newStage = label !== lastLabel;
      if (!newStage && (pct < lastPct + 10 || t - lastAt < 200)) return;
      lastPct = pct;
      lastLabel = label;
      lastAt = t;
      stream.write(`progress: ${title} ${pct}%${label ? ` ${label}` : ''}\n`);
    },
    done() {
      lastPct = -100;
      lastLabel = undefined;
    },
  };
}

/**
 * A progress reporter for a long step. `enabled` false (e.g. `--quiet`) gives a no-op. `stream`
 * and `now` exist for tests.
 */
export function createProgressBar(
  title: string,
  enabled = true,
  stream: ProgressStream = process.stderr,
  now: () => number = () => performance.now(),
): ProgressBar {
  if (!enabled) return NOOP;
  return stream.isTTY ? terminalBar(title, stream) : plainLines(title, stream, now);
}
