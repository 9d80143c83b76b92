import { assertArg } from '../errors.js';
import { type Mask, type Vec3, type Volume, validateVolume, withData } from '../volume.js';
import { squaredDistanceField } from './distance.js';

/** Options of {@link dilate}. */
export interface DilateOptions {
  /**
   * Radius of the ball structuring element in mm (voxel q is within the ball of p when
   * `|p - q| <= radius` in mm, spacing respected), or three semi-axes in mm (an ellipsoid along the
   * index axes).
   */
  radiusMm: number | Vec3;
}

/** Options of {@link erode}, {@link open} and {@link close}. */
export interface ErodeOptions extends DilateOptions {
  /**
   * Whether voxels outside the grid count as background for erosion, so objects touching the border
   * erode from it (scipy's default `border_value=0`). Default false (ITK's default): the border does
   * not erode, which keeps masks that are cut by the field of view intact.
   */
  erodeAtBorder?: boolean;
}

/**
 * Binary dilation by a ball in mm: the result is 1 where the distance (mm) to the nearest nonzero
 * voxel of `mask` is at most the radius. Computed with the exact distance transform, so the cost
 * does not grow with the radius and the ball is exact on anisotropic grids.
 */
export function dilate(mask: Volume, options: DilateOptions): Mask {
  validateVolume(mask, 'mask');
  const { spacing, r2 } = ballMetric(mask, options);
  const d2 = squaredDistanceField(mask.data, mask.dims, spacing, true, false);
  return withData(mask, threshold(d2, r2, true));
}

/**
 * Binary erosion by a ball in mm: a voxel stays 1 when every voxel within the radius is nonzero,
 * i.e. when the distance to the nearest zero voxel exceeds the radius.
 */
export function erode(mask: Volume, options: ErodeOptions): Mask {
  validateVolume(mask, 'mask');
  const { spacing, r2 } = ballMetric(mask, options);
  const d2 = squaredDistanceField(mask.data, mask.dims, spacing, false, !!options.erodeAtBorder);
  return withData(mask, threshold(d2, r2, false));
}

/** Morphological opening (erode, then dilate) by a ball in mm: removes parts thinner than the ball. */
export function open(mask: Volume, options: ErodeOptions): Mask {
  return dilate(erode(mask, options), options);
}

/** Morphological closing (dilate, then erode) by a ball in mm: closes gaps narrower than the ball. */
export function close(mask: Volume, options: ErodeOptions): Mask {
  return erode(dilate(mask, options), options);
}

/**
 * The metric of the structuring element: a ball of radius r is `|p - q|² <= r²` with the real
 * spacing; an ellipsoid with semi-axes (a, b, c) is a unit ball with spacing divided by the axes.
 */
function ballMetric(mask: Volume, options: DilateOptions): { spacing: Vec3; r2: number } {
  assertArg(options && typeof options === 'object', 'Morphology needs options { radiusMm }.');
  const r = options.radiusMm;
  if (typeof r === 'number') {
    assertArg(Number.isFinite(r) && r >= 0, 'radiusMm must be a finite number >= 0.');
    return { spacing: [...mask.spacing], r2: r * r };
  }
  assertArg(
    Array.isArray(r) && r.length === 3 && r.every((v) => Number.isFinite(v) && v > 0),
    'radiusMm must be a number or three positive numbers.',
  );
  return { spacing: [mask.spacing[0] / r[0], mask.spacing[1] / r[1], mask.spacing[2] / r[2]], r2: 1 };
}

/** 0/1 mask of `d2 <= r2` (inside true) or `d2 > r2`, with a relative tolerance for float32 rounding. */
function threshold(d2: Float32Array, r2: number, inside: boolean): Uint8Array {
  const t = r2 * (1 + 1e-6) + 1e-9;
  const out = new Uint8Array(d2.length);
  if (inside) for (let i = 0; i < d2.length; i++) out[i] = d2[i]! <= t ? 1 : 0;
  else for (let i = 0; i < d2.length; i++) out[i] = d2[i]! > t ? 1 : 0;
  return out;
}
