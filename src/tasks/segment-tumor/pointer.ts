// Where the user pointed at the lesion, turned into the LPS seed or box segmentTumor takes once
// the image's geometry is known; without a pointer, the largest detected nodule.
import { MedImgError } from '../../core/errors.js';
import { type Geometry, indexToWorld, worldBoundingBox } from '../../core/geometry.js';
import type { Vec3 } from '../../core/volume.js';
import type { DetectedNodule } from '../detect-nodules/index.js';
import type { BoxMm } from './index.js';

/**
 * Where the user pointed at the lesion, in any of the forms the command line takes. Voxel forms
 * are 0-based indices of the volume medimg reads (i = column, j = row, k = slice in position
 * order); they become LPS mm only once the image's geometry is known.
 */
export interface LesionPointer {
  /** LPS mm. */
  seed?: Vec3;
  /** LPS mm. */
  box?: BoxMm;
  /** Voxel index [i, j, k]. */
  seedVoxel?: Vec3;
  /** Voxel index box, corners included. */
  boxVoxel?: { min: Vec3; max: Vec3 };
}

/** The tumour prompt for one image: LPS seed or box, with a line saying where it came from. */
export type ResolvedPointer =
  | { seed?: Vec3; box?: BoxMm; note?: string; skip?: undefined }
  | { skip: string; seed?: undefined; box?: undefined; note?: undefined };

function inside(g: Geometry, v: Vec3): boolean {
  return v.every((x, a) => x >= 0 && x <= g.dims[a]! - 1);
}

const fmt = (v: readonly number[]): string => v.map((x) => x.toFixed(1)).join(',');

/**
 * Turns the pointer into the LPS seed or box segmentTumor takes, on this image's grid. Without
 * one, the largest detected nodule (by volume) becomes the seed when nodules ran; otherwise the
 * result says why the tumour task is skipped. Voxel indices outside the image are a usage error.
 */
export function resolvePointer(g: Geometry, p: LesionPointer, nodules?: readonly DetectedNodule[]): ResolvedPointer {
  const where = `the image (${g.dims.join(' x ')} voxels)`;
  if (p.seedVoxel) {
    if (!inside(g, p.seedVoxel))
      throw new MedImgError('INVALID_ARGUMENT', `The seed voxel ${p.seedVoxel.join(',')} lies outside ${where}.`);
    const seed = indexToWorld(g, p.seedVoxel);
    return { seed, note: `seed voxel ${p.seedVoxel.join(',')} = LPS ${fmt(seed)} mm` };
  }
  if (p.boxVoxel) {
    const { min, max } = p.boxVoxel;
    if (!inside(g, min) || !inside(g, max)) {
      throw new MedImgError(
        'INVALID_ARGUMENT',
        `The voxel box ${[...min, ...max].join(',')} reaches outside ${where}.`,
      );
    }
    // the LPS bounding box of the voxel box (exact for axis-aligned grids, enclosing for oblique ones)
    const sub: Geometry = {
      ...g,
      origin: indexToWorld(g, min),
      dims: [max[0] - min[0] + 1, max[1] - min[1] + 1, max[2] - min[2] + 1],
    };
    const box = worldBoundingBox(sub);
    return { box, note: `box voxels ${[...min, ...max].join(',')} = LPS ${fmt(box.min)} .. ${fmt(box.max)} mm` };
  }
  if (p.seed || p.box) return { ...(p.seed ? { seed: p.seed } : {}), ...(p.box ? { box: p.box } : {}) };
  if (!nodules)
    return { skip: "no --seed or --box given, and 'nodules' did not run or failed, so no lesion to seed at" };
  if (nodules.length === 0) return { skip: 'no --seed or --box given, and no nodule or mass was detected' };
  let largest = nodules[0]!;
  for (const n of nodules) if (n.volumeMm3 > largest.volumeMm3) largest = n;
  return {
    seed: largest.centerMm,
    note: `no seed given: seeded at the largest detected lesion (${largest.diameterMm.toFixed(1)} mm ${largest.type}, LPS ${fmt(largest.centerMm)} mm)`,
  };
}
