// Helpers the task presenters share: an empty presentation, rounding for tables, slice choice.
import { worldToIndex } from '../../core/geometry.js';
import { createVolumeLike, type Mask, type Volume } from '../../core/volume.js';
import type { Presentation } from '../definition.js';

/** Longest side of a single-slice picture, pixels. */
export const MAX_PNG = 512;

export const r1 = (x: number): number => Math.round(x * 10) / 10;
export const r2 = (x: number): number => Math.round(x * 100) / 100;

/** An empty presentation, for presenters to fill. */
export function emptyPresentation(): Presentation {
  return { segments: [], findings: [], pictures: [], tables: [], files: [] };
}

/** The axial slice index nearest an LPS point (clamped to the grid). */
export function sliceOf(image: Volume, centerMm: readonly number[]): number {
  const k = Math.round(worldToIndex(image, centerMm)[2]);
  return Math.min(image.dims[2] - 1, Math.max(0, k));
}

/** One label map from masks (later masks win where they overlap). */
export function labelVolume(image: Volume, parts: { mask: Mask; label: number }[]): Volume<Uint8Array> {
  const out = createVolumeLike(image, Uint8Array);
  for (const { mask, label } of parts) {
    const d = mask.data;
    for (let i = 0; i < d.length; i++) if (d[i]) out.data[i] = label;
  }
  return out;
}

/** The 0/1 mask of one label of a label map. */
export function maskOfLabel(labels: Volume, label: number): Mask {
  const out = createVolumeLike(labels, Uint8Array);
  const d = labels.data;
  for (let i = 0; i < d.length; i++) if (d[i] === label) out.data[i] = 1;
  return out;
}

/** `count` evenly spaced axial slice indices among the slices where `labels` is non-zero. */
export function labelledSlices(labels: Volume, count: number): number[] | undefined {
  const [nx, ny, nz] = labels.dims;
  const d = labels.data;
  let lo = -1;
  let hi = -1;
  for (let k = 0; k < nz; k++) {
    const off = k * nx * ny;
    for (let p = 0; p < nx * ny; p++) {
      if (d[off + p]) {
        if (lo < 0) lo = k;
        hi = k;
        break;
      }
    }
  }
  if (lo < 0) return undefined;
  const n = Math.min(count, hi - lo + 1);
  return Array.from({ length: n }, (_, i) => Math.round(lo + ((i + 0.5) * (hi - lo + 1)) / n - 0.5));
}
