// measureBoneDensity with a vertebra label model: each labelled vertebra gives a trabecular ROI
// (the core of its thickest part, the body) and its level name from the card.
import { runSegmentationModel } from '../../backends/pipeline.js';
import type { LongRunOptions } from '../../core/progress.js';
import { indexToWorld } from '../../core/geometry.js';
import { distanceTransform } from '../../core/ops/distance.js';
import { keepLargestComponent } from '../../core/ops/labels.js';
import { createVolumeLike, type Vec3, type Volume } from '../../core/volume.js';
import { round } from '../internal/common.js';
import { type OpenTaskModel, openTaskModel, type TaskModel, type TaskModelOptions } from '../internal/model-task.js';
import { attenuationCategory } from './categories.js';
import type { VertebraMeasurement } from './index.js';

/** A level name in a channel name: 'L1', 'T12', 'vertebrae_C7', 'L 3'. */
const LEVEL = /(?:^|[^A-Za-z])([CTL])\s?-?(\d{1,2})(?![0-9])/i;

/** ROI: voxels at least this fraction of the vertebra's largest inner distance from its surface. */
export const MODEL_ROI_CORE_FRACTION = 0.5;

/** Least ROI depth below the vertebra's surface, mm (keeps the cortex out of small vertebrae). */
export const MODEL_ROI_MIN_DEPTH_MM = 2;

/** What the vertebra model gave: the measurements plus the model record for provenance. */
export interface ModelVertebrae {
  vertebrae: VertebraMeasurement[];
  model: OpenTaskModel;
  settings: Record<string, unknown>;
  /** Labels the card names as vertebrae that the model did not find in this scan. */
  missing: string[];
}

/** Level ('L1') of a channel name, or undefined. */
export function levelOfName(name: string): string | undefined {
  const m = LEVEL.exec(name);
  if (!m) return undefined;
  const n = Number(m[2]);
  const letter = m[1]!.toUpperCase();
  const max = letter === 'C' ? 7 : letter === 'T' ? 12 : 5;
  return n >= 1 && n <= max ? `${letter}${n}` : undefined;
}

/**
 * Runs a vertebra label model (card output kind 'probabilities' or 'labels') and measures each
 * vertebra it labels: the ROI is the largest connected part of the label, eroded to the voxels at
 * least max(2 mm, half its largest inner distance) deep (the middle of the vertebral body, the
 * thickest part, away from cortex, endplates and posterior elements). Vertebra labels are the
 * channels named with a level ('L1', 'vertebrae_T12') or 'vertebra'; all labels when none is.
 * The session is left open: the caller releases `model`.
 */
export async function vertebraeFromModel(
  ct: Volume,
  vertebraModel: TaskModel,
  options: TaskModelOptions & LongRunOptions & { returnRoiMasks?: boolean },
): Promise<ModelVertebrae> {
  const model = await openTaskModel(vertebraModel, 'measureBoneDensity', ['probabilities', 'labels'], options);
  try {
    const out = Object.values(model.card.network_data_format.outputs)[0]!;
    const names = new Map<number, string>();
    for (const [k, v] of Object.entries(out.channel_def)) names.set(Number(k), v);
    let labels = [...names.keys()].filter(
      (l) => l > 0 && (levelOfName(names.get(l)!) || /vertebra/i.test(names.get(l)!)),
    );
    if (labels.length === 0) labels = [...names.keys()].filter((l) => l > 0);
    const run = await runSegmentationModel(ct, model.session, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    const vertebrae: VertebraMeasurement[] = [];
    const missing: string[] = [];
    for (const l of labels) {
      const m = measureLabel(ct, run.labels.data, l, !!options.returnRoiMasks);
      const name = names.get(l) ?? String(l);
      if (!m) {
        missing.push(name);
        continue;
      }
      const level = levelOfName(name);
      if (level) m.level = level;
      vertebrae.push(m);
    }
    // top (superior, larger LPS z) to bottom
    vertebrae.sort((a, b) => b.centerMm[2] - a.centerMm[2]);
    return {
      vertebrae,
      model,
      missing,
      settings: {
        vertebraLabels: labels,
        roiCoreFraction: MODEL_ROI_CORE_FRACTION,
        roiMinDepthMm: MODEL_ROI_MIN_DEPTH_MM,
        model: run.settings,
      },
    };
  } catch (e) {
    await model.release();
    throw e;
  }
}

/** The trabecular ROI of one label and its statistics, or null when the label is absent or too thin. */
function measureLabel(ct: Volume, labels: Uint8Array, label: number, withMask: boolean): VertebraMeasurement | null {
  const [nx, ny, nz] = ct.dims;
  // bounding box of the label (plus one voxel), so the distance map is computed on a crop
  const lo = [nx, ny, nz];
  const hi = [-1, -1, -1];
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) {
        if (labels[i] !== label) continue;
        if (x < lo[0]!) lo[0] = x;
        if (x > hi[0]!) hi[0] = x;
        if (y < lo[1]!) lo[1] = y;
        if (y > hi[1]!) hi[1] = y;
        if (z < lo[2]!) lo[2] = z;
        if (z > hi[2]!) hi[2] = z;
      }
  if (hi[0]! < 0) return null;
  const o = lo.map((v) => Math.max(0, v - 1));
  const e = hi.map((v, a) => Math.min(ct.dims[a]! - 1, v + 1));
  const cd: Vec3 = [e[0]! - o[0]! + 1, e[1]! - o[1]! + 1, e[2]! - o[2]! + 1];
  const cn = cd[0] * cd[1] * cd[2];
  const mask = new Uint8Array(cn);
  for (let z = 0, j = 0; z < cd[2]; z++)
    for (let y = 0; y < cd[1]; y++) {
      const base = o[0]! + nx * (y + o[1]! + ny * (z + o[2]!));
      for (let x = 0; x < cd[0]; x++, j++) mask[j] = labels[base + x] === label ? 1 : 0;
    }
  const part = keepLargestComponent({ data: mask, dims: cd, spacing: ct.spacing }, { connectivity: 6 }).data;
  const outside = new Uint8Array(cn);
  for (let j = 0; j < cn; j++) outside[j] = part[j] ? 0 : 1;
  const depth = distanceTransform({ data: outside, dims: cd, spacing: ct.spacing }).data;
  let dmax = 0;
  for (let j = 0; j < cn; j++) if (part[j] && depth[j]! > dmax) dmax = depth[j]!;
  const cut = Math.max(MODEL_ROI_MIN_DEPTH_MM, MODEL_ROI_CORE_FRACTION * dmax);
  let s = 0;
  let s2 = 0;
  let cnt = 0;
  let gx = 0;
  let gy = 0;
  let gz = 0;
  const roi = withMask ? createVolumeLike(ct, Uint8Array) : undefined;
  for (let z = 0, j = 0; z < cd[2]; z++)
    for (let y = 0; y < cd[1]; y++)
      for (let x = 0; x < cd[0]; x++, j++) {
        if (!part[j] || depth[j]! < cut) continue;
        const i = x + o[0]! + nx * (y + o[1]! + ny * (z + o[2]!));
        const v = ct.data[i]!;
        s += v;
        s2 += v * v;
        cnt++;
        gx += x + o[0]!;
        gy += y + o[1]!;
        gz += z + o[2]!;
        if (roi) roi.data[i] = 1;
      }
  if (cnt === 0) return null;
  const mean = s / cnt;
  const m: VertebraMeasurement = {
    centerMm: indexToWorld(ct, [gx / cnt, gy / cnt, gz / cnt]).map((v) => round(v, 2)) as Vec3,
    meanHU: round(mean, 1),
    sdHU: round(Math.sqrt(Math.max(0, s2 / cnt - mean * mean)), 1),
    roiVoxels: cnt,
    category: attenuationCategory(mean),
    partial: lo[2] === 0 || hi[2] === nz - 1,
  };
  if (roi) m.roiMask = roi;
  return m;
}
