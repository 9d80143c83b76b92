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

/** IoU of the mask's in-plane bounding box on slice k with a pixel box [x0, y0, x1, y1] (inclusive). */
export function sliceBoxIoU(
  mask: { dims: readonly number[]; data: ArrayLike<number> },
  k: number,
  b: number[],
): number {
  const [nx, ny] = mask.dims as [number, number];
  let x0 = nx;
  let y0 = ny;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < ny; y++)
    for (let x = 0; x < nx; x++)
      if (mask.data[x + nx * (y + ny * k)]) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
  if (x1 < 0) return 0;
  const [bx0, by0, bx1, by1] = b as [number, number, number, number];
  const inter =
    Math.max(0, Math.min(x1, bx1) - Math.max(x0, bx0) + 1) * Math.max(0, Math.min(y1, by1) - Math.max(y0, by0) + 1);
  return inter / ((x1 - x0 + 1) * (y1 - y0 + 1) + (bx1 - bx0 + 1) * (by1 - by0 + 1) - inter);
}
