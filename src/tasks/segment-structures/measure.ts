// Per-label voxel counts, volumes and intensity statistics of a label map over its image: one pass.
import type { Volume } from '../../core/volume.js';
import { voxelVolumeMm3 } from '../../core/volume.js';
import type { StructureMeasurement } from './types.js';

/**
 * Counts, volume (mL), mean and population SD of `image` for each label 1..255 named in `names`
 * (label 0 is background). `labels` and `image` share a grid.
 */
export function measureLabels(
  labels: Volume<Uint8Array>,
  image: Volume,
  names: Record<number, string>,
): StructureMeasurement[] {
  const count = new Float64Array(256);
  const sum = new Float64Array(256);
  const sum2 = new Float64Array(256);
  const l = labels.data;
  const v = image.data;
  for (let i = 0; i < l.length; i++) {
    const k = l[i]!;
    const x = v[i]!;
    count[k]!++;
    sum[k]! += x;
    sum2[k]! += x * x;
  }
  const ml = voxelVolumeMm3(labels) / 1000;
  return Object.keys(names)
    .map(Number)
    .filter((k) => k > 0 && k < 256)
    .sort((a, b) => a - b)
    .map((k) => {
      const n = count[k]!;
      const mean = n > 0 ? sum[k]! / n : null;
      const sd = n > 0 && mean !== null ? Math.sqrt(Math.max(0, sum2[k]! / n - mean * mean)) : null;
      return { label: k, name: names[k]!, voxels: n, volumeMl: n * ml, mean, sd };
    });
}
