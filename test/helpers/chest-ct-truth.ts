import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The box (LPS mm) holding every radiologist's tumour box of a real chest CT folder of
 * ../shared/data/dicom (its reference.json), widened by `margin` mm in plane and by at least one
 * slice in z: a finding centred inside it is the primary tumour.
 */
export function annotatedTumourBox(
  dir: string,
  ct: { spacing: readonly number[] },
  margin = 5,
): { lo: number[]; hi: number[] } {
  const anns = (
    JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as {
      tumor_annotations: { bbox_corner_min_LPS_mm: number[]; bbox_corner_max_LPS_mm: number[] }[];
    }
  ).tumor_annotations;
  const m = [margin, margin, Math.max(margin, ct.spacing[2]!)];
  return {
    lo: [0, 1, 2].map((a) => Math.min(...anns.map((b) => b.bbox_corner_min_LPS_mm[a]!)) - m[a]!),
    hi: [0, 1, 2].map((a) => Math.max(...anns.map((b) => b.bbox_corner_max_LPS_mm[a]!)) + m[a]!),
  };
}

/** The first finding whose centre lies in `box` (undefined: the tumour was missed). */
export function findInBox<T extends { centerMm: readonly number[] }>(
  findings: readonly T[],
  box: { lo: number[]; hi: number[] },
): T | undefined {
  return findings.find((n) => n.centerMm.every((v, a) => v >= box.lo[a]! && v <= box.hi[a]!));
}
