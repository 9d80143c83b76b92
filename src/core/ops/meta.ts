import type { VolumeMeta } from '../volume.js';

/**
 * Meta of a volume whose slices changed. Per-slice facts (`sopInstanceUids`, in z order) follow the
 * new slices when `sliceMap[k]` gives the input slice of output slice k, and are dropped when there
 * is no such mapping (resampled or permuted grids), so no output ever points at the wrong slice.
 */
export function metaForSlices(meta: VolumeMeta | undefined, sliceMap: number[] | null): { meta?: VolumeMeta } {
  if (!meta) return {};
  const uids = meta.sopInstanceUids;
  if (!uids) return { meta };
  const { sopInstanceUids: _dropped, ...rest } = meta;
  if (!sliceMap || sliceMap.some((k) => k < 0 || k >= uids.length)) return { meta: rest };
  return { meta: { ...rest, sopInstanceUids: sliceMap.map((k) => uids[k]!) } };
}

/** `[start, start + 1, ..., start + n - 1]`, or reversed. */
export function sliceRange(start: number, n: number, reverse = false): number[] {
  return Array.from({ length: n }, (_, i) => (reverse ? start + n - 1 - i : start + i));
}
