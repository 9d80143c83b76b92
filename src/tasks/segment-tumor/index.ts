import { MedImgError } from '../../core/errors.js';
import { indexToWorld, worldToIndex } from '../../core/geometry.js';
import { Stages } from '../../core/progress.js';
import { createVolumeLike, type Mask, type Vec3, type Volume, validateVolume } from '../../core/volume.js';
import { axes } from '../detect-nodules/measure.js';
import type { TaskOptions, TaskResult } from '../contract.js';
import { makeProvenance, round, StageTimer } from '../internal/common.js';
import { closeMm, dilateMm, fillHoles2d, labelComponents, openMm } from '../internal/mask-ops.js';
import { cutLeaks, type LeakCutInfo } from './leak-cut.js';

/** A box in LPS mm; a box drawn on one slice has equal z. */
export interface BoxMm {
  min: Vec3;
  max: Vec3;
}

/** Options of {@link segmentTumor}: give a `seed` point or a `box`. */
export interface SegmentTumorOptions extends TaskOptions {
  /** A click inside the lesion, LPS mm. */
  seed?: Vec3;
  /** A box around the lesion, LPS mm (on one slice or 3D). */
  box?: BoxMm;
  /** Model-based automatic segmentation (model card + sliding window): not available in this version. */
  model?: unknown;
  /** Width of the intensity window in robust SDs around the lesion's median HU. Default 2.5. */
  k?: number;
  /** Intensity-model refinement rounds (re-estimating median and SD from the region). Default 2. */
  iterations?: number;
  /** Radius (mm) of the opening that cuts thin bridges to vessels and walls. Default 3. */
  openingMm?: number;
  /** Seed mode: largest distance (mm) from the seed the lesion may reach. Default 50. */
  maxRadiusMm?: number;
  /**
   * Size-adaptive leak cut: the grown region is opened by a ball of this fraction of the lesion's
   * core radius (largest inscribed ball found by climbing from the seed), keeping the part holding
   * the core, so that touching tissue of the same HU joined by a contact narrower than the lesion
   * is cut off. 0 disables it. Default 0.6.
   */
  leakCut?: number;
  /** Box mode: in-plane margin added around the box, as a fraction of its size. Default 0.1. */
  boxMargin?: number;
  /**
   * Box mode: the lesion is grown slice by slice away from the box's slice, each slice limited to
   * the previous one's outline dilated by this many mm (leakage control). Default max(3, 0.6 × slice spacing).
   */
  sliceStepMm?: number;
}

/** Statistics of one segmented lesion. */
export interface LesionStats {
  volumeMl: number;
  /** Longest axial diameter (RECIST 1.1), mm. */
  longAxisMm: number;
  /** Longest diameter perpendicular to it on the same slice, mm. */
  shortAxisMm: number;
  centroidMm: Vec3;
  /** Mean HU of the interior voxels (the partial-volume boundary layer left out; all voxels for tiny lesions). */
  meanHU: number;
  /** SD of HU over the same voxels. */
  sdHU: number;
  /** Bounding box of the lesion's voxel centres, LPS mm. */
  boxMm: BoxMm;
  voxelCount: number;
}

/** Result of {@link segmentTumor}. */
export interface SegmentTumorResult extends TaskResult {
  mask: Mask;
  /** Connected lesions of the mask, largest first. */
  lesions: LesionStats[];
  /** The intensity window finally used, HU. */
  intensityRange: [number, number];
}

/** @deprecated Use {@link SegmentTumorResult}; this alias goes in the next minor version. */
export type SegmentationResult = SegmentTumorResult;

const TUMOR_STAGES = [
  ['init', 5],
  ['growing', 35],
  ['leakage', 40],
  ['refine', 20],
] as const;

/**
 * Semi-automatic lesion segmentation from a click or a box: robust intensity model (median and
 * MAD) from the seed neighbourhood or the box centre, 3D region growing inside a spatial limit
 * (sphere around the seed, or the box with a margin and a z range proportional to its size), the
 * model re-estimated from the region (confidence-connected), leakage control by a size-adaptive
 * cut (an opening scaled to the lesion's own inscribed radius, then a distance-map watershed
 * against touching structures of the same HU; see `leakCut`) and a 3 mm opening keeping the
 * lesion's component, a 50 % boundary (halfway to the surrounding tissue),
 * and smoothing (closing, holes filled).
 */
export async function segmentTumor(image: Volume, options: SegmentTumorOptions): Promise<SegmentTumorResult> {
  validateVolume(image);
  if (options?.model !== undefined && options.seed === undefined && options.box === undefined) {
    throw new MedImgError(
      'NOT_IMPLEMENTED',
      'Model-based tumour segmentation is not available yet; give a seed or a box.',
    );
  }
  if (!options || (options.seed === undefined && options.box === undefined)) {
    throw new MedImgError('INVALID_ARGUMENT', 'segmentTumor needs a seed point or a box (LPS mm).');
  }
  const timer = new StageTimer();
  const stages = new Stages(options, TUMOR_STAGES);
  await stages.start('init');
  const k = options.k ?? 2.5;
  const iterations = options.iterations ?? 2;
  const openR = options.openingMm ?? 3;
  const maxR = options.maxRadiusMm ?? 50;
  const margin = options.boxMargin ?? 0.1;
  const leakCut = options.leakCut ?? 0.6;
  const stepMm = options.sliceStepMm ?? Math.max(3, 0.6 * image.spacing[2]);
  const { dims, spacing } = image;
  const [nx, ny, nz] = dims;
  const sxy = nx * ny;
  const n = sxy * nz;
  const data = image.data;

  // Spatial limit and initial region.
  const allowed = new Uint8Array(n);
  const init: number[] = [];
  let seedVox: Vec3;
  let inBox: ((v: Vec3) => boolean) | undefined;
  let boxSlices: { k0: number; k1: number; x0: number; x1: number; y0: number; y1: number } | undefined;
  if (options.box) {
    const a = worldToIndex(image, options.box.min);
    const b = worldToIndex(image, options.box.max);
    const lo = [0, 1, 2].map((i) => Math.min(a[i]!, b[i]!));
    const hi = [0, 1, 2].map((i) => Math.max(a[i]!, b[i]!));
    const size = [0, 1].map((i) => (hi[i]! - lo[i]!) * spacing[i]!);
    const zHalf = Math.max((hi[2]! - lo[2]!) / 2 + (0.75 * Math.max(size[0]!, size[1]!)) / spacing[2], 1);
    const zc = (lo[2]! + hi[2]!) / 2;
    const m = [0, 1].map((i) => (margin * size[i]! + 3) / spacing[i]!);
    const bx0 = Math.max(0, Math.floor(lo[0]! - m[0]!));
    const bx1 = Math.min(nx - 1, Math.ceil(hi[0]! + m[0]!));
    const by0 = Math.max(0, Math.floor(lo[1]! - m[1]!));
    const by1 = Math.min(ny - 1, Math.ceil(hi[1]! + m[1]!));
    const bz0 = Math.max(0, Math.floor(zc - zHalf));
    const bz1 = Math.min(nz - 1, Math.ceil(zc + zHalf));
    for (let z = bz0; z <= bz1; z++)
      for (let y = by0; y <= by1; y++) for (let x = bx0; x <= bx1; x++) allowed[x + nx * (y + ny * z)] = 1;
    // initial region: the central half of the box on its slice(s)
    const c = [0, 1, 2].map((i) => (lo[i]! + hi[i]!) / 2);
    for (let z = Math.round(lo[2]!); z <= Math.round(hi[2]!); z++)
      for (let y = Math.round(c[1]! - (hi[1]! - lo[1]!) / 4); y <= Math.round(c[1]! + (hi[1]! - lo[1]!) / 4); y++)
        for (let x = Math.round(c[0]! - (hi[0]! - lo[0]!) / 4); x <= Math.round(c[0]! + (hi[0]! - lo[0]!) / 4); x++)
          if (x >= 0 && y >= 0 && z >= 0 && x < nx && y < ny && z < nz) init.push(x + nx * (y + ny * z));
    seedVox = c as Vec3;
    // a separate maximum inside the drawn box is part of the lesion the user boxed, not a rival
    inBox = (v) => v[0] >= lo[0]! && v[0] <= hi[0]! && v[1] >= lo[1]! && v[1] <= hi[1]!;
    boxSlices = { k0: bz0, k1: bz1, x0: bx0, x1: bx1, y0: by0, y1: by1 };
  } else {
    const s = worldToIndex(image, options.seed!);
    seedVox = s;
    const r = Math.max(3, 1.01 * Math.max(spacing[0], spacing[1], spacing[2]));
    const h = [0, 1, 2].map((i) => Math.ceil(maxR / spacing[i]!));
    for (let z = Math.max(0, Math.round(s[2]) - h[2]!); z <= Math.min(nz - 1, Math.round(s[2]) + h[2]!); z++)
      for (let y = Math.max(0, Math.round(s[1]) - h[1]!); y <= Math.min(ny - 1, Math.round(s[1]) + h[1]!); y++)
        for (let x = Math.max(0, Math.round(s[0]) - h[0]!); x <= Math.min(nx - 1, Math.round(s[0]) + h[0]!); x++) {
          const d2 = ((x - s[0]) * spacing[0]) ** 2 + ((y - s[1]) * spacing[1]) ** 2 + ((z - s[2]) * spacing[2]) ** 2;
          const i = x + nx * (y + ny * z);
          if (d2 <= maxR * maxR) allowed[i] = 1;
          if (d2 <= r * r) init.push(i);
        }
  }
  if (init.length === 0) {
    throw new MedImgError('EMPTY_SEED_REGION', 'The seed or box lies outside the image: no voxel to start from.');
  }
  const iv = init.map((i) => data[i]!);
  let [mu, sd] = robustStats(iv);
  sd = Math.max(sd, 10);
  timer.mark('init');

  // Confidence-connected growing.
  await stages.start('growing');
  let region: Uint8Array = new Uint8Array(n);
  for (let it = 0; it <= iterations; it++) {
    await stages.step(it, iterations + 1);
    region = boxSlices
      ? growBySlices(data, allowed, init, mu - k * sd, mu + k * sd, dims, spacing, boxSlices, stepMm, openR)
      : grow(data, allowed, init, mu - k * sd, mu + k * sd, dims);
    const vals: number[] = [];
    for (let i = 0; i < n; i++) if (region[i]) vals.push(data[i]!);
    if (vals.length === 0) break;
    if (it < iterations) {
      [mu, sd] = robustStats(vals);
      sd = Math.max(sd, 10);
    }
  }
  let count = 0;
  for (let i = 0; i < n; i++) count += region[i]!;
  if (count === 0) {
    throw new MedImgError('EMPTY_SEED_REGION', 'No voxel near the seed matches the lesion intensity model.');
  }
  timer.mark('growing');

  // Size-adaptive leak cut (thin and medium bridges relative to the lesion's own thickness).
  await stages.start('leakage');
  let cutInfo: LeakCutInfo = { coreRadiusMm: 0, cutRadiusMm: 0, coreIndex: -1 };
  if (leakCut > 0) {
    const regrow = 1.5 * Math.max(spacing[0], spacing[1]);
    // box mode's per-slice openings leave gaps that break the depth map: close them first (1.5
    // pixels); seed mode's 3D region only has speckle, which a 1-pixel closing removes
    const closeDepth = (boxSlices ? 1.5 : 1) * Math.max(spacing[0], spacing[1]);
    const c = cutLeaks(region, dims, spacing, seedVox, leakCut, openR, regrow, 0.15, 0.6, inBox, closeDepth);
    region = c.mask;
    cutInfo = c.info;
  }

  // Leakage control: opening, then the component holding the seed (or the largest).
  await stages.step(1, 2);
  const opened = openR > 0 ? openMm(region, dims, spacing, openR) : region;
  const comps = labelComponents(opened, dims, 6);
  const si =
    cutInfo.coreIndex >= 0
      ? cutInfo.coreIndex
      : Math.round(seedVox[0]) + nx * (Math.round(seedVox[1]) + ny * Math.round(seedVox[2]));
  let keep = comps.labels[si] ?? 0;
  if (!keep) {
    const votes = new Map<number, number>();
    for (const i of init) if (comps.labels[i]) votes.set(comps.labels[i]!, (votes.get(comps.labels[i]!) ?? 0) + 1);
    let best = 0;
    for (const [l, v] of votes) if (v > best) [best, keep] = [v, l];
    if (!keep) for (let l = 1; l <= comps.count; l++) if (comps.sizes[l]! > (comps.sizes[keep] ?? 0)) keep = l;
  }
  let mask: Uint8Array = new Uint8Array(n);
  for (let i = 0; i < n; i++) mask[i] = keep && comps.labels[i] === keep ? 1 : 0;
  if (!keep) mask = region;
  else if (openR > 0) {
    // give back what the opening shaved off the kept lesion (lobulations, corners), not the bridges
    const near = dilateMm(mask, dims, spacing, openR + Math.max(spacing[0], spacing[1], spacing[2]));
    for (let i = 0; i < n; i++) if (near[i] && region[i]) mask[i] = 1;
  }
  timer.mark('leakage');
  await stages.start('refine');

  // 50 % boundary: surrounding tissue = median of a ring 1.5–3.5 voxels outside the region (past
  // the partial-volume rim); then up to two rims of neighbours beyond halfway to it are added.
  const vs = Math.max(spacing[0], spacing[1], spacing[2]);
  const inner = dilateMm(mask, dims, spacing, 1.5 * vs);
  const outer = dilateMm(mask, dims, spacing, 3.5 * vs);
  await stages.step(0.5, 2);
  const ringVals: number[] = [];
  for (let i = 0; i < n; i++) if (outer[i] && !inner[i]) ringVals.push(data[i]!);
  const bg = ringVals.length ? robustStats(ringVals)[0] : mu;
  const half = (mu + bg) / 2;
  const bright = mu > bg;
  for (let rim = 0; rim < 2; rim++) {
    const add: number[] = [];
    for (let i = 0; i < n; i++) {
      if (mask[i] || !allowed[i]) continue;
      const x = i % nx;
      const y = ((i - x) / nx) % ny;
      const z = (i - x - y * nx) / sxy;
      const touches =
        (x > 0 && mask[i - 1]) ||
        (x < nx - 1 && mask[i + 1]) ||
        (y > 0 && mask[i - nx]) ||
        (y < ny - 1 && mask[i + nx]) ||
        (z > 0 && mask[i - sxy]) ||
        (z < nz - 1 && mask[i + sxy]);
      if (!touches) continue;
      const v = data[i]!;
      if (bright ? v >= half && v <= mu + k * sd : v <= half && v >= mu - k * sd) add.push(i);
    }
    for (const i of add) mask[i] = 1;
  }
  // Smoothing.
  await stages.step(1, 2);
  const smooth = fillHoles2d(closeMm(mask, dims, spacing, 1.5 * Math.max(spacing[0], spacing[1])), dims);
  for (let i = 0; i < n; i++) mask[i] = smooth[i]! & (allowed[i]! | mask[i]!);
  timer.mark('refine');

  const out = createVolumeLike(image, Uint8Array);
  out.data.set(mask);
  const lesions = lesionStats(image, mask);
  stages.finish();
  return {
    mask: out,
    lesions,
    intensityRange: [round(mu - k * sd, 1), round(mu + k * sd, 1)],
    limitations: [],
    provenance: makeProvenance(
      'segmentTumor',
      {
        mode: options.box ? 'box' : 'seed',
        k,
        iterations,
        openingMm: openR,
        maxRadiusMm: maxR,
        boxMargin: margin,
        sliceStepMm: options.box ? stepMm : null,
        boundaryHU: round(half, 1),
        leakCut,
        coreRadiusMm: round(cutInfo.coreRadiusMm, 1),
        leakCutRadiusMm: round(cutInfo.cutRadiusMm, 1),
        splitLevelMm: round(cutInfo.splitLevelMm ?? 0, 1),
      },
      timer,
    ),
  };
}

/** Median and 1.4826·MAD. */
function robustStats(v: number[]): [number, number] {
  if (v.length === 0) return [0, 0];
  const s = Float64Array.from(v).sort();
  const med = s[s.length >> 1]!;
  const dev = s.map((x) => Math.abs(x - med)).sort();
  return [med, 1.4826 * dev[dev.length >> 1]!];
}

/** 6-connected growing from `seeds` through allowed voxels with value in [lo, hi]. */
function grow(
  data: ArrayLike<number>,
  allowed: Uint8Array,
  seeds: number[],
  lo: number,
  hi: number,
  dims: Vec3,
): Uint8Array {
  const [nx, ny, nz] = dims;
  const sxy = nx * ny;
  const out = new Uint8Array(allowed.length);
  const queue = new Int32Array(allowed.length);
  let tail = 0;
  for (const s of seeds) {
    const v = data[s]!;
    if (!out[s] && allowed[s] && v >= lo && v <= hi) {
      out[s] = 1;
      queue[tail++] = s;
    }
  }
  for (let head = 0; head < tail; head++) {
    const i = queue[head]!;
    const x = i % nx;
    const y = ((i - x) / nx) % ny;
    const z = (i - x - y * nx) / sxy;
    const visit = (j: number): void => {
      if (out[j] || !allowed[j]) return;
      const v = data[j]!;
      if (v < lo || v > hi) return;
      out[j] = 1;
      queue[tail++] = j;
    };
    if (x > 0) visit(i - 1);
    if (x < nx - 1) visit(i + 1);
    if (y > 0) visit(i - nx);
    if (y < ny - 1) visit(i + nx);
    if (z > 0) visit(i - sxy);
    if (z < nz - 1) visit(i + sxy);
  }
  return out;
}

/** Statistics of each 6-connected lesion of a mask on `image`'s grid, largest first. */
export function lesionStats(image: Volume, mask: Uint8Array): LesionStats[] {
  const { dims, spacing } = image;
  const comps = labelComponents(mask, dims, 6);
  const [nx, ny] = dims;
  const vv = spacing[0] * spacing[1] * spacing[2];
  const out: LesionStats[] = [];
  const lists: number[][] = Array.from({ length: comps.count + 1 }, () => []);
  for (let i = 0; i < mask.length; i++) if (comps.labels[i]) lists[comps.labels[i]!]!.push(i);
  for (let l = 1; l <= comps.count; l++) {
    const vox = lists[l]!;
    if (vox.length === 0) continue;
    let s = 0;
    let s2 = 0;
    let gx = 0;
    let gy = 0;
    let gz = 0;
    const lo = [Infinity, Infinity, Infinity];
    const hi = [-Infinity, -Infinity, -Infinity];
    // mean/SD over interior voxels (all 6 neighbours in the lesion): the boundary layer is partial volume
    let nIn = 0;
    const sxy = nx * ny;
    for (const i of vox) {
      const inside =
        comps.labels[i - 1] === l &&
        comps.labels[i + 1] === l &&
        comps.labels[i - nx] === l &&
        comps.labels[i + nx] === l &&
        comps.labels[i - sxy] === l &&
        comps.labels[i + sxy] === l;
      if (inside) {
        const v = image.data[i]!;
        s += v;
        s2 += v * v;
        nIn++;
      }
    }
    const useAll = nIn < 20;
    if (useAll) {
      s = 0;
      s2 = 0;
      nIn = vox.length;
      for (const i of vox) {
        const v = image.data[i]!;
        s += v;
        s2 += v * v;
      }
    }
    for (const i of vox) {
      const x = i % nx;
      const y = Math.floor(i / nx) % ny;
      const z = Math.floor(i / (nx * ny));
      gx += x;
      gy += y;
      gz += z;
      const p = [x, y, z];
      for (let a = 0; a < 3; a++) {
        if (p[a]! < lo[a]!) lo[a] = p[a]!;
        if (p[a]! > hi[a]!) hi[a] = p[a]!;
      }
    }
    const mean = s / nIn;
    const ax = axes(vox, dims, spacing);
    const c1 = indexToWorld(image, lo);
    const c2 = indexToWorld(image, hi);
    out.push({
      volumeMl: round((vox.length * vv) / 1000, 3),
      longAxisMm: round(ax.long, 1),
      shortAxisMm: round(ax.short, 1),
      centroidMm: indexToWorld(image, [gx / vox.length, gy / vox.length, gz / vox.length]).map((v) =>
        round(v, 2),
      ) as Vec3,
      meanHU: round(mean, 1),
      sdHU: round(Math.sqrt(Math.max(0, s2 / nIn - mean * mean)), 1),
      boxMm: {
        min: [0, 1, 2].map((a) => round(Math.min(c1[a]!, c2[a]!), 2)) as Vec3,
        max: [0, 1, 2].map((a) => round(Math.max(c1[a]!, c2[a]!), 2)) as Vec3,
      },
      voxelCount: vox.length,
    });
  }
  return out.sort((a, b) => b.voxelCount - a.voxelCount);
}

/**
 * Box mode growing: 2D growing on the box's slice(s) inside the box, then slice by slice outward,
 * each slice seeded by the previous slice's region and limited to it dilated by `stepMm` and
 * opened by `openMm` (thin bridges to neighbouring tissue cut, the part overlapping the previous
 * slice kept). Stops where a slice has no region left.
 */
function growBySlices(
  data: ArrayLike<number>,
  allowed: Uint8Array,
  seeds: number[],
  lo: number,
  hi: number,
  dims: Vec3,
  spacing: Vec3,
  box: { k0: number; k1: number; x0: number; x1: number; y0: number; y1: number },
  stepMm: number,
  openMmR: number,
): Uint8Array {
  const [nx, ny] = dims;
  const sxy = nx * ny;
  const out = new Uint8Array(allowed.length);
  const wx = box.x1 - box.x0 + 1;
  const wy = box.y1 - box.y0 + 1;
  const wn = wx * wy;
  const sp2: Vec3 = [spacing[0], spacing[1], 1];
  const wd: Vec3 = [wx, wy, 1];
  const seedSlices = new Map<number, number[]>();
  for (const s of seeds) {
    const k = Math.floor(s / sxy);
    const list = seedSlices.get(k);
    if (list) list.push(s);
    else seedSlices.set(k, [s]);
  }
  const ks = [...seedSlices.keys()].sort((a, b) => a - b);
  // window-local helpers
  const toWin = (i: number): number => {
    const p = i % sxy;
    const x = p % nx;
    const y = (p - x) / nx;
    return x - box.x0 + wx * (y - box.y0);
  };
  const grow2d = (k: number, seedIdx: number[], limit: Uint8Array | null): Uint8Array => {
    const m = new Uint8Array(wn);
    const queue = new Int32Array(wn);
    let tail = 0;
    const ok = (w: number): boolean => {
      if (m[w] || (limit && !limit[w])) return false;
      const x = (w % wx) + box.x0;
      const y = Math.floor(w / wx) + box.y0;
      const i = k * sxy + y * nx + x;
      if (!allowed[i]) return false;
      const v = data[i]!;
      return v >= lo && v <= hi;
    };
    for (const s of seedIdx) {
      const w = toWin(s);
      if (w >= 0 && w < wn && ok(w)) {
        m[w] = 1;
        queue[tail++] = w;
      }
    }
    for (let head = 0; head < tail; head++) {
      const w = queue[head]!;
      const x = w % wx;
      const y = (w - x) / wx;
      const nb = [x > 0 ? w - 1 : -1, x < wx - 1 ? w + 1 : -1, y > 0 ? w - wx : -1, y < wy - 1 ? w + wx : -1];
      for (const j of nb) {
        if (j >= 0 && ok(j)) {
          m[j] = 1;
          queue[tail++] = j;
        }
      }
    }
    if (openMmR > 0) {
      const op = openMm(m, wd, sp2, openMmR);
      // keep the opened components touching the seeds (or the previous slice)
      const comps = labelComponents(op, wd, 6);
      const keep = new Set<number>();
      for (const s of seedIdx) {
        const w = toWin(s);
        if (w >= 0 && w < wn && comps.labels[w]) keep.add(comps.labels[w]!);
      }
      if (limit && keep.size === 0)
        for (let w = 0; w < wn; w++) if (limit[w] && comps.labels[w]) keep.add(comps.labels[w]!);
      for (let w = 0; w < wn; w++) m[w] = comps.labels[w] && keep.has(comps.labels[w]!) ? 1 : 0;
    }
    return m;
  };
  const write = (k: number, m: Uint8Array): number => {
    let c = 0;
    for (let w = 0; w < wn; w++) {
      if (!m[w]) continue;
      out[k * sxy + (Math.floor(w / wx) + box.y0) * nx + (w % wx) + box.x0] = 1;
      c++;
    }
    return c;
  };
  const first = new Map<number, Uint8Array>();
  for (const k of ks) {
    const m = grow2d(k, seedSlices.get(k)!, null);
    write(k, m);
    first.set(k, m);
  }
  for (const dir of [-1, 1]) {
    let prev = first.get(dir < 0 ? ks[0]! : ks.at(-1)!)!;
    for (let k = (dir < 0 ? ks[0]! : ks.at(-1)!) + dir; k >= box.k0 && k <= box.k1; k += dir) {
      let any = 0;
      for (let w = 0; w < wn; w++) any += prev[w]!;
      if (!any) break;
      const limit = dilateMm(prev, wd, sp2, stepMm);
      const seedIdx: number[] = [];
      for (let w = 0; w < wn; w++)
        if (prev[w]) seedIdx.push(k * sxy + (Math.floor(w / wx) + box.y0) * nx + (w % wx) + box.x0);
      const m = grow2d(k, seedIdx, limit);
      if (write(k, m) === 0) break;
      prev = m;
    }
  }
  return out;
}
