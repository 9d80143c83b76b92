// A sensitivity map drawn over its image: the map quantised to eight levels from half its peak
// (yellow to red) and drawn as a label overlay by the existing slice renderer.
import type { Volume } from '../../core/volume.js';
import { type Rgb, renderSlicePng, type WindowLevel } from '../../io/png/index.js';

/** Options of {@link renderSensitivityPng}. */
export interface RenderSensitivityPngOptions {
  /** Slice to show (3D). Default the slice holding the map's peak. */
  index?: number;
  /** Window of the image. Default 'auto' (1st-99th percentile). */
  window?: WindowLevel | 'auto';
  /** Values below this fraction of the peak are not drawn. Default 0.5. */
  fraction?: number;
  /** Largest side in pixels. Default 512. */
  maxSize?: number;
  /** Overlay opacity. Default 0.45. */
  alpha?: number;
}

const LEVELS = 8;
const RAMP: Rgb[] = Array.from({ length: LEVELS }, (_, i) => [255, Math.round(230 * (1 - i / (LEVELS - 1))), 0]);

/**
 * PNG of `image` with the positive part of a sensitivity `map` (same grid) drawn over it.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { occlusionSensitivity, readRadiograph, renderSensitivityPng, type ScoreBatchFn } from 'medimg';
 * declare const score: ScoreBatchFn; // your model's score of each occluded image
 * const cxr = await readRadiograph('chest.dcm');
 * const explanation = await occlusionSensitivity(cxr.display, score, { patch: 16 });
 * writeFileSync('why.png', renderSensitivityPng(cxr.display, explanation.map));
 * ```
 */
export function renderSensitivityPng(
  image: Volume,
  map: Volume,
  options: RenderSensitivityPngOptions = {},
): Uint8Array {
  const d = map.data;
  let peak = 0;
  let at = 0;
  for (let i = 0; i < d.length; i++) {
    if (d[i]! > peak) {
      peak = d[i]!;
      at = i;
    }
  }
  const fraction = options.fraction ?? 0.5;
  const labels = new Uint8Array(d.length);
  if (peak > 0) {
    const lo = fraction * peak;
    const step = (peak - lo) / LEVELS || 1;
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      if (v >= lo) labels[i] = Math.min(LEVELS, 1 + Math.floor((v - lo) / step));
    }
  }
  const colors: Record<number, Rgb> = {};
  RAMP.forEach((c, i) => {
    colors[i + 1] = c;
  });
  const index = options.index ?? Math.floor(at / (map.dims[0] * map.dims[1]));
  return renderSlicePng(image, {
    index,
    window: options.window ?? 'auto',
    maxSize: options.maxSize ?? 512,
    overlay: { mask: { ...map, data: labels }, colors, alpha: options.alpha ?? 0.45 },
  });
}
