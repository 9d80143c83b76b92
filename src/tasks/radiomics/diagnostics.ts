/** PyRadiomics-like `diagnostics_*` entries: settings, hashes, grid, ROI statistics. */
import { sha256Hex } from '../../core/typed.js';
import type { Vec3 } from '../../core/volume.js';
import { VERSION } from '../../version.js';
import type { BBox } from './roi.js';

export type Diagnostics = Record<string, unknown>;

/** Image diagnostics under `diagnostics_Image-<stage>_*`. */
export async function imageDiagnostics(
  stage: string,
  data: ArrayLike<number> & ArrayBufferView,
  dims: Vec3,
  spacing: Vec3,
  withHash: boolean,
): Promise<Diagnostics> {
  let s = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    s += v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const p = `diagnostics_Image-${stage}_`;
  const out: Diagnostics = {
    [`${p}Dimensionality`]: dims.filter((d) => d > 1).length === 2 ? '2D' : '3D',
    [`${p}Spacing`]: [...spacing],
    [`${p}Size`]: [...dims],
    [`${p}Mean`]: s / data.length,
    [`${p}Minimum`]: lo,
    [`${p}Maximum`]: hi,
  };
  if (withHash) out[`${p}Hash`] = await sha256Hex(data);
  return out;
}

/** Mask diagnostics under `diagnostics_Mask-<stage>_*` (bounding box as PyRadiomics: x, y, z, sizes). */
export async function maskDiagnostics(
  stage: string,
  mask: Uint8Array,
  dims: Vec3,
  spacing: Vec3,
  bb: BBox,
  image: ArrayLike<number> | null,
  withHash: boolean,
): Promise<Diagnostics> {
  let n = 0;
  let cx = 0;
  let cy = 0;
  let cz = 0;
  let s = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  let i = 0;
  for (let z = 0; z < dims[2]; z++)
    for (let y = 0; y < dims[1]; y++)
      for (let x = 0; x < dims[0]; x++, i++) {
        if (!mask[i]) continue;
        n++;
        cx += x;
        cy += y;
        cz += z;
        if (image) {
          const v = image[i]!;
          s += v;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
  const p = `diagnostics_Mask-${stage}_`;
  const out: Diagnostics = {
    [`${p}Spacing`]: [...spacing],
    [`${p}Size`]: [...dims],
    [`${p}BoundingBox`]: [bb[0], bb[2], bb[4], bb[1] - bb[0] + 1, bb[3] - bb[2] + 1, bb[5] - bb[4] + 1],
    [`${p}VoxelNum`]: n,
    [`${p}CenterOfMassIndex`]: [cx / n, cy / n, cz / n],
  };
  if (image) {
    out[`${p}Mean`] = s / n;
    out[`${p}Minimum`] = lo;
    out[`${p}Maximum`] = hi;
  }
  if (withHash) out[`${p}Hash`] = await sha256Hex(mask);
  return out;
}

export function versionDiagnostics(settings: unknown, enabled: unknown): Diagnostics {
  return {
    diagnostics_Versions_medimg: VERSION,
    diagnostics_Configuration_Settings: settings,
    diagnostics_Configuration_EnabledImageTypes: enabled,
  };
}
