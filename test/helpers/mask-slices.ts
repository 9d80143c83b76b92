/** Per-slice geometry of a binary mask, for comparing results with per-slice annotations. */

type Mask = { dims: readonly number[]; data: ArrayLike<number> };

/** The mask's in-plane bounding box on slice k, [x0, y0, x1, y1] inclusive, with its voxel count; null when empty. */
export function sliceBoundingBox(
  mask: Mask,
  k: number,
): { box: [number, number, number, number]; voxels: number } | null {
  const [nx, ny] = mask.dims as [number, number];
  let x0 = nx;
  let y0 = ny;
  let x1 = -1;
  let y1 = -1;
  let voxels = 0;
  for (let y = 0; y < ny; y++)
    for (let x = 0; x < nx; x++)
      if (mask.data[x + nx * (y + ny * k)]) {
        voxels++;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
  return x1 < 0 ? null : { box: [x0, y0, x1, y1], voxels };
}

/** IoU of two pixel boxes [x0, y0, x1, y1] (inclusive). */
export function pixelBoxIoU(a: readonly number[], b: readonly number[]): number {
  const [ax0, ay0, ax1, ay1] = a as [number, number, number, number];
  const [bx0, by0, bx1, by1] = b as [number, number, number, number];
  const inter =
    Math.max(0, Math.min(ax1, bx1) - Math.max(ax0, bx0) + 1) * Math.max(0, Math.min(ay1, by1) - Math.max(ay0, by0) + 1);
  return inter / ((ax1 - ax0 + 1) * (ay1 - ay0 + 1) + (bx1 - bx0 + 1) * (by1 - by0 + 1) - inter);
}

/**
 * IoU of the mask's in-plane bounding box on slice k with a pixel box [x0, y0, x1, y1] (inclusive);
 * 0 when the slice is empty.
 */
export function sliceBoxIoU(mask: Mask, k: number, b: readonly number[]): number {
  const s = sliceBoundingBox(mask, k);
  return s ? pixelBoxIoU(s.box, b) : 0;
}

/**
 * A click where a user would put it on a lesion mask: on the slice at fraction `f` of the mask's z
 * extent, the mask voxel nearest that slice's in-plane centroid (voxel indices).
 */
export function clickOnMaskSlice(mask: Mask, f: number): [number, number, number] {
  const [nx, ny, nz] = mask.dims as [number, number, number];
  let z0 = nz;
  let z1 = -1;
  for (let z = 0; z < nz; z++)
    if (sliceBoundingBox(mask, z)) {
      z0 = Math.min(z0, z);
      z1 = z;
    }
  if (z1 < 0) throw new Error('empty mask');
  const z = Math.round(z0 + f * (z1 - z0));
  let sx = 0;
  let sy = 0;
  let c = 0;
  for (let y = 0; y < ny; y++)
    for (let x = 0; x < nx; x++)
      if (mask.data[x + nx * (y + ny * z)]) {
        sx += x;
        sy += y;
        c++;
      }
  let best: [number, number, number] = [0, 0, z];
  let bd = Infinity;
  for (let y = 0; y < ny; y++)
    for (let x = 0; x < nx; x++) {
      const d = (x - sx / c) ** 2 + (y - sy / c) ** 2;
      if (mask.data[x + nx * (y + ny * z)] && d < bd) [bd, best] = [d, [x, y, z]];
    }
  return best;
}
