// Command-line forms of pointing at a lesion (voxel, slice and pixel); resolving them against an
// image lives with the tumour task (tasks/segment-tumor/pointer.ts).
import { MedImgError } from '../../core/errors.js';
import type { Geometry } from '../../core/geometry.js';
import type { Vec3 } from '../../core/volume.js';
import type { DetectedNodule } from '../../tasks/detect-nodules/index.js';
import {
  type LesionPointer,
  type ResolvedPointer,
  resolvePointer as resolveLesionPointer,
} from '../../tasks/segment-tumor/pointer.js';
import { UsageError } from '../args.js';

export type { LesionPointer, ResolvedPointer } from '../../tasks/segment-tumor/pointer.js';

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

/** {@link resolveLesionPointer} with a pointer outside the image as a usage error (exit 2). */
export function resolvePointer(g: Geometry, p: LesionPointer, nodules?: readonly DetectedNodule[]): ResolvedPointer {
  try {
    return resolveLesionPointer(g, p, nodules);
  } catch (e) {
    if (e instanceof MedImgError && e.code === 'INVALID_ARGUMENT') throw new UsageError(e.message);
    throw e;
  }
}
