import { type Geometry, indexToWorld, worldBoundingBox } from '../../core/geometry.js';
import type { Vec3 } from '../../core/volume.js';
import type { DetectedNodule } from '../../tasks/detect-nodules/index.js';
import type { BoxMm } from '../../tasks/segment-tumor/index.js';
import { UsageError } from '../args.js';

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

function numbers(text: string, count: number, name: string, what: string): number[] {
  const v = text.split(',').map((s) => Number(s.trim()));
  if (v.length !== count || !v.every(Number.isFinite)) {
    throw new UsageError(`${name} needs ${what}, got '${text}'.`);
  }
  return v;
}

function indices(v: number[], name: string): void {
  if (!v.every((x) => Number.isInteger(x) && x >= 0)) {
    throw new UsageError(`${name} needs whole voxel indices >= 0 (0-based), got '${v.join(',')}'.`);
  }
}

function minMax(a: Vec3, b: Vec3): { min: Vec3; max: Vec3 } {
  return {
    min: [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.min(a[2], b[2])],
    max: [Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.max(a[2], b[2])],
  };
}

/** `--seed-voxel i,j,k`: 0-based voxel indices. */
export function parseSeedVoxel(text: string): Vec3 {
  const v = numbers(text, 3, '--seed-voxel', 'three comma-separated voxel indices i,j,k (0-based)');
  indices(v, '--seed-voxel');
  return [v[0]!, v[1]!, v[2]!];
}

/** `--box-voxel i0,j0,k0,i1,j1,k1`: 0-based voxel indices of two opposite corners (included). */
export function parseBoxVoxel(text: string): { min: Vec3; max: Vec3 } {
  const v = numbers(text, 6, '--box-voxel', 'six comma-separated voxel indices i0,j0,k0,i1,j1,k1 (0-based)');
  indices(v, '--box-voxel');
  return minMax([v[0]!, v[1]!, v[2]!], [v[3]!, v[4]!, v[5]!]);
}

/**
 * `--seed-slice n:x,y`: slice number n (1-based, in the position order 'medimg info' counts) and
 * the in-plane pixel column x and row y (0-based, as viewers show them).
 */
export function parseSeedSlice(text: string): Vec3 {
  const m = /^\s*(\d+)\s*:(.*)$/.exec(text);
  if (!m) throw new UsageError(`--seed-slice needs n:x,y (slice number, pixel column and row), got '${text}'.`);
  const n = Number(m[1]);
  if (n < 1) throw new UsageError(`--seed-slice: slice numbers start at 1, got ${n}.`);
  const xy = numbers(m[2]!, 2, '--seed-slice', 'n:x,y (slice number, pixel column and row)');
  indices(xy, '--seed-slice');
  return [xy[0]!, xy[1]!, n - 1];
}

/**
 * `--box-slice n0-n1:x0,y0,x1,y1`: slices n0..n1 (1-based, included) and the in-plane pixel
 * rectangle between columns x0..x1 and rows y0..y1 (0-based, included).
 */
export function parseBoxSlice(text: string): { min: Vec3; max: Vec3 } {
  const m = /^\s*(\d+)\s*-\s*(\d+)\s*:(.*)$/.exec(text);
  if (!m) throw new UsageError(`--box-slice needs n0-n1:x0,y0,x1,y1 (slice range, pixel rectangle), got '${text}'.`);
  const n0 = Number(m[1]);
  const n1 = Number(m[2]);
  if (n0 < 1 || n1 < 1) throw new UsageError(`--box-slice: slice numbers start at 1, got ${n0}-${n1}.`);
  const r = numbers(m[3]!, 4, '--box-slice', 'n0-n1:x0,y0,x1,y1 (slice range, pixel rectangle)');
  indices(r, '--box-slice');
  return minMax([r[0]!, r[1]!, n0 - 1], [r[2]!, r[3]!, n1 - 1]);
}

/** Number of ways the pointer names a lesion (the command accepts one). */
export function pointerCount(p: LesionPointer): number {
  return [p.seed, p.box, p.seedVoxel, p.boxVoxel].filter((x) => x !== undefined).length;
}

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
    if (!inside(g, p.seedVoxel)) throw new UsageError(`--seed-voxel ${p.seedVoxel.join(',')} lies outside ${where}.`);
    const seed = indexToWorld(g, p.seedVoxel);
    return { seed, note: `seed voxel ${p.seedVoxel.join(',')} = LPS ${fmt(seed)} mm` };
  }
  if (p.boxVoxel) {
    const { min, max } = p.boxVoxel;
    if (!inside(g, min) || !inside(g, max)) {
      throw new UsageError(`--box-voxel ${[...min, ...max].join(',')} reaches outside ${where}.`);
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
