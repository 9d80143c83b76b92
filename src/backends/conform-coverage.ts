// How much of an image a conforming model does not see. The conformed grid (e.g. 256 mm cube) is
// centred on the image, as FreeSurfer and brainchop centre it; an image with a larger field of view
// (a T1 down to the neck or shoulders, a tilted head near the edge) loses what lies outside, and the
// model labels nothing there. Counted over the image's signal, so empty background does not count.
import { indexToWorldMatrix, mat3Inv, mat3Mul } from '../core/geometry.js';
import type { Volume } from '../core/volume.js';
import { ucharScale } from './conform-intensity.js';
import type { ModelCard } from './model-card.js';
import { cardConformGrid } from './pipeline.js';

/** Signal: voxels above this fraction of the robust intensity range (FreeSurfer's conform limits). */
const SIGNAL_FRACTION = 0.1;

/**
 * Fraction of the image's signal voxels (above 10 % of its robust range) whose centres fall outside
 * the card's conformed grid; null when the card does not conform.
 *
 * @example
 * ```ts
 * const lost = conformCoverage(t1, BRAINCHOP_SUBCORTICAL18_CARD); // 0 for a head inside 256 mm
 * ```
 */
export function conformCoverage(image: Volume, card: ModelCard): { outsideFraction: number } | null {
  const grid = cardConformGrid(image, card);
  if (!grid) return null;
  const shape = grid.dims;
  // image index -> grid index: A i + b
  const inv = mat3Inv(indexToWorldMatrix(grid));
  const a = mat3Mul(inv, indexToWorldMatrix(image));
  const d = [0, 1, 2].map((k) => image.origin[k]! - grid.origin[k]!);
  const b = [0, 1, 2].map((r) => inv[3 * r]! * d[0]! + inv[3 * r + 1]! * d[1]! + inv[3 * r + 2]! * d[2]!);
  const [nx, ny, nz] = image.dims;
  const [gx, gy, gz] = [shape[0] - 0.5, shape[1] - 0.5, shape[2] - 0.5];
  const inside = (x: number, y: number, z: number) =>
    x >= -0.5 && y >= -0.5 && z >= -0.5 && x <= gx && y <= gy && z <= gz;
  // the grid is a box: when the image's eight corner voxels are in it, every voxel is
  let corners = true;
  for (const i of [0, nx - 1])
    for (const j of [0, ny - 1])
      for (const k of [0, nz - 1]) {
        const g = [0, 1, 2].map((r) => a[3 * r]! * i + a[3 * r + 1]! * j + a[3 * r + 2]! * k + b[r]!);
        corners &&= inside(g[0]!, g[1]!, g[2]!);
      }
  if (corners) return { outsideFraction: 0 };
  const { srcMin, scale } = ucharScale(image.data, 0, 0.999);
  const threshold = srcMin + (SIGNAL_FRACTION * 255) / scale;
  const data = image.data;
  let signal = 0;
  let outside = 0;
  for (let k = 0, p = 0; k < nz; k++)
    for (let j = 0; j < ny; j++) {
      let x = a[1]! * j + a[2]! * k + b[0]!;
      let y = a[4]! * j + a[5]! * k + b[1]!;
      let z = a[7]! * j + a[8]! * k + b[2]!;
      for (let i = 0; i < nx; i++, p++, x += a[0]!, y += a[3]!, z += a[6]!) {
        if (!(data[p]! > threshold)) continue;
        signal++;
        if (!inside(x, y, z)) outside++;
      }
    }
  return { outsideFraction: signal ? outside / signal : 0 };
}
