/**
 * A tiny progress bar for long work: drawn on stderr only when stdout is a terminal (and never
 * with --json), so pipes and logs stay clean. Hand-written: a dozen lines do what we need and it
 * adds no dependency.
 */
export interface ProgressBar {
  update(fraction: number, label?: string): void;
  done(): void;
}

const NOOP: ProgressBar = { update() {}, done() {} };

export function createProgressBar(title: string, enabled = process.stdout.isTTY === true): ProgressBar {
  if (!enabled || !process.stderr.isTTY) return NOOP;
  let last = -1;
  let lastLabel = '';
  const width = 28;
  const draw = (f: number, label: string): void => {
    const filled = Math.round(f * width);
    const text = `${title} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(f * 100)).padStart(3)}% ${label}`;
    const cols = process.stderr.columns || 80;
    process.stderr.write(`\r${text.slice(0, cols - 1).padEnd(Math.min(cols - 1, 100))}`);
  };
  return {
    update(fraction, label = lastLabel) {
      const f = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
      const pct = Math.round(f * 100);
      if (pct === last && label === lastLabel) return;
      last = pct;
      lastLabel = label;
      draw(f, label);
    },
    done() {
      if (last >= 0) process.stderr.write('\r\x1b[K');
      last = -1;
    },
  };
}
