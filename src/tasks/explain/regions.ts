// Which regions drove a model's output: the connected parts of a sensitivity map above a fraction
// of its peak, ranked by how much of the positive sensitivity they hold, with a place name a
// reader can check on the picture.
import { assertArg } from '../../core/errors.js';
import { connectedComponents } from '../../core/ops/labels.js';
import { type Vec3, type Volume, validateVolume } from '../../core/volume.js';

/** Options of {@link describeSensitivityRegions}. */
export interface DescribeSensitivityRegionsOptions {
  /** Voxels at or above this fraction of the peak form the regions. Default 0.5. */
  fraction?: number;
  /** Most regions returned. Default 3. */
  maxRegions?: number;
}

/** One region that drove the output. */
export interface SensitivityRegion {
  /** 1-based rank (1 = most sensitivity). */
  rank: number;
  /** Share of all positive sensitivity in the map that lies in this region (0..1). */
  share: number;
  /** Peak value (score drop) in the region. */
  peak: number;
  /** Peak voxel index [i, j, k] and its LPS position (mm). */
  peakIndex: Vec3;
  peakMm: Vec3;
  /** Inclusive voxel-index bounding box. */
  bboxMin: Vec3;
  bboxMax: Vec3;
  voxelCount: number;
  /**
   * Where it is in the image as stored (row 0 at the top, column 0 at the left, slice 0 first),
   * e.g. 'upper left' or 'middle centre, slices 10-14 of 40'. Not a patient side: see the
   * image's orientation for that.
   */
  location: string;
}

/** Result of {@link describeSensitivityRegions}. */
export interface DescribeSensitivityRegionsResult {
  regions: SensitivityRegion[];
  /** Largest value of the map (0 when nothing lowered the score). */
  peak: number;
  /** One sentence for reports, e.g. 'Output driven mostly by the upper left (62 % of the sensitivity).' */
  summary: string;
}

const THIRDS = [
  ['upper', 'middle', 'lower'],
  ['left', 'centre', 'right'],
] as const;

function third(v: number, n: number): 0 | 1 | 2 {
  if (n <= 1) return 1;
  const t = v / (n - 1);
  return t < 1 / 3 ? 0 : t > 2 / 3 ? 2 : 1;
}

/**
 * Ranks the regions of a sensitivity map (e.g. from occlusionSensitivity) that drove the output.
 *
 * @example
 * ```ts
 * import { describeSensitivityRegions, occlusionSensitivity, type ScoreBatchFn } from 'medimg';
 * declare const score: ScoreBatchFn; // your model's score of each occluded image
 * const explanation = await occlusionSensitivity(radiograph, score, { patch: 16 });
 * const { summary } = describeSensitivityRegions(explanation.map);
 * ```
 */
export function describeSensitivityRegions(
  map: Volume,
  options: DescribeSensitivityRegionsOptions = {},
): DescribeSensitivityRegionsResult {
  validateVolume(map, 'map');
  const fraction = options.fraction ?? 0.5;
  const maxRegions = options.maxRegions ?? 3;
  assertArg(fraction > 0 && fraction <= 1, 'fraction must be in (0, 1].');
  assertArg(Number.isInteger(maxRegions) && maxRegions >= 1, 'maxRegions must be a positive integer.');
  const d = map.data;
  let peak = 0;
  let total = 0;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (v > 0) total += v;
    if (v > peak) peak = v;
  }
  if (!(peak > 0)) {
    return { regions: [], peak: 0, summary: 'No region lowered the output when hidden: no explanation to show.' };
  }
  const mask = new Uint8Array(d.length);
  const cut = fraction * peak;
  for (let i = 0; i < d.length; i++) mask[i] = d[i]! >= cut ? 1 : 0;
  const cc = connectedComponents({ ...map, data: mask }, { connectivity: 26 });
  const [nx, ny, nz] = map.dims;
  const sums = new Float64Array(cc.count + 1);
  const peaks = new Float64Array(cc.count + 1);
  const peakAt = new Int32Array(cc.count + 1);
  const lab = cc.labels.data;
  for (let i = 0; i < d.length; i++) {
    const l = lab[i]!;
    if (!l) continue;
    sums[l]! += d[i]!;
    if (d[i]! > peaks[l]!) {
      peaks[l] = d[i]!;
      peakAt[l] = i;
    }
  }
  const order = cc.components.map((c) => c.label).sort((a, b) => sums[b]! - sums[a]!);
  const regions: SensitivityRegion[] = order.slice(0, maxRegions).map((l, r) => {
    const c = cc.components[l - 1]!;
    const i = peakAt[l]!;
    const peakIndex: Vec3 = [i % nx, Math.floor(i / nx) % ny, Math.floor(i / (nx * ny))];
    const cx = (c.bboxMin[0] + c.bboxMax[0]) / 2;
    const cy = (c.bboxMin[1] + c.bboxMax[1]) / 2;
    let location = `${THIRDS[0][third(cy, ny)]} ${THIRDS[1][third(cx, nx)]}`;
    if (nz > 1) location += `, slices ${c.bboxMin[2]}-${c.bboxMax[2]} of ${nz}`;
    const m = map.direction;
    const o = map.origin;
    const s = map.spacing;
    const w = [peakIndex[0] * s[0], peakIndex[1] * s[1], peakIndex[2] * s[2]];
    const peakMm: Vec3 = [0, 1, 2].map(
      (a) => o[a]! + m[a * 3]! * w[0]! + m[a * 3 + 1]! * w[1]! + m[a * 3 + 2]! * w[2]!,
    ) as Vec3;
    return {
      rank: r + 1,
      share: sums[l]! / total,
      peak: peaks[l]!,
      peakIndex,
      peakMm,
      bboxMin: [...c.bboxMin],
      bboxMax: [...c.bboxMax],
      voxelCount: c.voxelCount,
      location,
    };
  });
  const top = regions[0]!;
  const summary =
    `Output driven mostly by the ${top.location} of the image (${Math.round(100 * top.share)} % of the sensitivity)` +
    (regions.length > 1
      ? `; next: ${regions
          .slice(1)
          .map((x) => `${x.location} (${Math.round(100 * x.share)} %)`)
          .join(', ')}.`
      : '.');
  return { regions, peak, summary };
}
