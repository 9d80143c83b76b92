import { MedImgError } from '../../core/errors.js';
import type { Volume } from '../../core/volume.js';

/** A display window: values in [center - width/2, center + width/2] map linearly to black..white. */
export interface WindowLevel {
  center: number;
  width: number;
}

/** Named CT windows (HU). */
export type WindowPreset = 'lung' | 'mediastinum' | 'soft-tissue' | 'bone' | 'brain';

/**
 * Standard CT display windows in HU:
 * - lung: C -600, W 1500
 * - mediastinum and soft-tissue: C 40, W 400
 * - bone: C 400, W 1800
 * - brain: C 40, W 80
 */
export const WINDOW_PRESETS: Readonly<Record<WindowPreset, Readonly<WindowLevel>>> = Object.freeze({
  lung: { center: -600, width: 1500 },
  mediastinum: { center: 40, width: 400 },
  'soft-tissue': { center: 40, width: 400 },
  bone: { center: 400, width: 1800 },
  brain: { center: 40, width: 80 },
});

/** Percentiles of the default ('auto') window. */
export const AUTO_WINDOW_PERCENTILES: readonly [number, number] = [1, 99];

const AUTO_SAMPLES = 1 << 20;

/**
 * The window to use: an explicit one, a preset name, or 'auto' (default): the 1st to 99th
 * percentile of the whole volume (NaN ignored; up to 2^20 evenly strided samples), so the same
 * window serves every slice of a volume.
 *
 * @example
 * ```ts
 * import { resolveWindow } from 'medimg';
 * resolveWindow(ct, 'lung'); // { center: -600, width: 1500 }
 * const auto = resolveWindow(t1); // 'auto': from the volume's 0.5-99.5 percentiles
 * ```
 */
export function resolveWindow(vol: Volume, window: WindowLevel | WindowPreset | 'auto' = 'auto'): WindowLevel {
  if (typeof window === 'string') {
    if (window === 'auto') return percentileWindow(vol.data, AUTO_WINDOW_PERCENTILES[0], AUTO_WINDOW_PERCENTILES[1]);
    const p = WINDOW_PRESETS[window as WindowPreset];
    if (!p) {
      throw new MedImgError(
        'INVALID_ARGUMENT',
        `Unknown window preset '${window}'; use one of ${Object.keys(WINDOW_PRESETS).join(', ')}, 'auto' or { center, width }.`,
      );
    }
    return { ...p };
  }
  if (!window || !Number.isFinite(window.center) || !Number.isFinite(window.width) || !(window.width > 0)) {
    throw new MedImgError('INVALID_ARGUMENT', 'window must have a finite center and a positive width.');
  }
  return { center: window.center, width: window.width };
}

/** Window spanning the `lo`..`hi` percentiles of `data`. */
export function percentileWindow(data: ArrayLike<number>, lo: number, hi: number): WindowLevel {
  const n = data.length;
  const step = Math.max(1, Math.floor(n / AUTO_SAMPLES));
  const [a, b] =
    data instanceof Int16Array || data instanceof Uint16Array || data instanceof Int8Array || data instanceof Uint8Array
      ? histogramPercentiles(data, step, lo, hi)
      : sortedPercentiles(data, step, lo, hi);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return { center: 0, width: 1 };
  return b > a ? { center: (a + b) / 2, width: b - a } : { center: a, width: 1 };
}

/** Rank of percentile `p` among `m` sorted samples. */
function rank(p: number, m: number): number {
  return Math.min(m - 1, Math.max(0, Math.round((p / 100) * (m - 1))));
}

function sortedPercentiles(data: ArrayLike<number>, step: number, lo: number, hi: number): [number, number] {
  const sample = new Float64Array(Math.ceil(data.length / step));
  let m = 0;
  for (let i = 0; i < data.length; i += step) {
    const v = data[i]!;
    if (!Number.isNaN(v)) sample[m++] = v;
  }
  if (m === 0) return [Number.NaN, Number.NaN];
  const s = sample.subarray(0, m).sort();
  return [s[rank(lo, m)]!, s[rank(hi, m)]!];
}

/** Same ranks as sorting, from a histogram: 16- and 8-bit data need no sort. */
function histogramPercentiles(
  data: Int16Array | Uint16Array | Int8Array | Uint8Array,
  step: number,
  lo: number,
  hi: number,
): [number, number] {
  const offset = data instanceof Int16Array ? 32768 : data instanceof Int8Array ? 128 : 0;
  const hist = new Uint32Array(data instanceof Int16Array || data instanceof Uint16Array ? 65536 : 256);
  let m = 0;
  for (let i = 0; i < data.length; i += step) {
    hist[data[i]! + offset]!++;
    m++;
  }
  const targets = [rank(lo, m), rank(hi, m)];
  const out: [number, number] = [Number.NaN, Number.NaN];
  let seen = 0;
  let t = 0;
  for (let bin = 0; bin < hist.length && t < 2; bin++) {
    seen += hist[bin]!;
    while (t < 2 && seen > targets[t]!) out[t++] = bin - offset;
  }
  return out;
}
