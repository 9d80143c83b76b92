import { MedImgError } from '../../core/errors.js';
import { indexToWorld, worldToIndex } from '../../core/geometry.js';
import { validateVolume, type Vec3, type Volume } from '../../core/volume.js';
import { VERSION } from '../../version.js';
import type { TaskProvenance } from '../contract.js';

export type { TaskProvenance } from '../contract.js';

/** Collects stage timings for a provenance record. */
export class StageTimer {
  private readonly t0 = performance.now();
  private last = this.t0;
  readonly timings: Record<string, number> = {};
  mark(stage: string): void {
    const now = performance.now();
    this.timings[stage] = Math.round((now - this.last) * 10) / 10;
    this.last = now;
  }
  total(): Record<string, number> {
    return { ...this.timings, total: Math.round((performance.now() - this.t0) * 10) / 10 };
  }
}

/** Builds a provenance record. */
export function makeProvenance(
  task: string,
  settings: Record<string, unknown>,
  timer: StageTimer,
  warnings: string[] = [],
  backend = 'cpu-js',
  model: TaskProvenance['model'] = null,
): TaskProvenance {
  return { version: VERSION, task, backend, model, settings, timingsMs: timer.total(), warnings };
}

/**
 * Checks that `vol` is a CT in Hounsfield units: a valid volume, modality CT when the meta says,
 * and values that look like HU (some voxels below -500, i.e. air or lung). Throws WRONG_MODALITY.
 */
export function assertCtHu(vol: Volume, task: string): void {
  validateVolume(vol);
  const mod = vol.meta?.modality;
  if (mod !== undefined && String(mod).toUpperCase() !== 'CT') {
    throw new MedImgError('WRONG_MODALITY', `${task} needs a CT in Hounsfield units; got modality ${String(mod)}.`, {
      details: { modality: mod },
    });
  }
  const d = vol.data;
  let low = 0;
  const step = Math.max(1, Math.floor(d.length / 200000));
  for (let i = 0; i < d.length; i += step) if (d[i]! < -500) low++;
  if (low === 0) {
    throw new MedImgError(
      'WRONG_MODALITY',
      `${task} needs a CT in Hounsfield units, but no voxel is below -500 HU (no air): this does not look like CT.`,
    );
  }
}

/** LPS mm of a (continuous) voxel index. */
export function voxelToMm(vol: Volume, ijk: readonly number[]): Vec3 {
  return indexToWorld(vol, ijk);
}

/** Continuous voxel index of an LPS point. */
export function mmToVoxel(vol: Volume, p: readonly number[]): Vec3 {
  return worldToIndex(vol, p);
}

/** Rounds to `d` decimals (keeps results readable and stable). */
export function round(v: number, d = 2): number {
  const f = 10 ** d;
  return Math.round(v * f) / f;
}

/** Axis-aligned box of LPS points. */
export function boxOfPoints(points: Vec3[]): { min: Vec3; max: Vec3 } {
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (const p of points) {
    for (let a = 0; a < 3; a++) {
      if (p[a]! < min[a]!) min[a] = p[a]!;
      if (p[a]! > max[a]!) max[a] = p[a]!;
    }
  }
  return { min, max };
}
