import { MedImgError } from '../../core/errors.js';
import { int32Words } from '../../core/typed.js';
import { gaussian } from '../../core/ops/gaussian.js';
import { Stages } from '../../core/progress.js';
import { createVolumeLike, type Grid, type Mask, type Vec3, type Volume, withData } from '../../core/volume.js';
import type { TaskOptions, TaskResult } from '../contract.js';
import { assertCtHu, makeProvenance, StageTimer } from '../internal/common.js';
import { distanceTransform } from '../../core/ops/distance.js';
import { connectedComponents, fillHoles, keepLargestComponent } from '../../core/ops/labels.js';
import { close, dilate, erode } from '../../core/ops/morphology.js';
import { type Box, boxDims, cropBytes, nonzeroBox } from '../../core/ops/work-box.js';
import { bodyWithEdgePockets, keepCutLungs } from './fov-cut.js';
import { type LungPrefix, lungPrefixStore } from './shared.js';

/** Options of {@link segmentLungs}. */
export interface SegmentLungsOptions extends TaskOptions {
  /** HU below which a voxel inside the body counts as air or lung. Default -400. */
  airThresholdHU?: number;
  /** Radius (mm) of the 3D closing of each lung that pulls juxtapleural nodules and dense lesions inside. Default 15. */
  closingRadiusMm?: number;
  /** Smallest lung component kept, in mL. Default 30. */
  minLungMl?: number;
  /** Gaussian pre-smoothing (mm) of the thresholds, against noise. Default 1. */
  smoothingMm?: number;
}

/** Result of {@link segmentLungs}. */
export interface SegmentLungsResult extends TaskResult {
  /** 1 = right lung, 2 = left lung, on the CT grid (airways removed, holes filled, closed). */
  lungLabels: Volume<Uint8Array>;
  /** Union of both lungs. */
  lungMask: Mask;
  /** Body (patient) mask, holes filled per slice. */
  bodyMask: Mask;
  /** Trachea and main bronchi that were removed (empty when no trachea was found). */
  airwayMask: Mask;
  lungVolumeMl: number;
  rightVolumeMl: number;
  leftVolumeMl: number;
  /** How the lungs were told apart: 'components', 'erosion' or 'midline'. */
  splitMethod: 'components' | 'erosion' | 'midline';
}

/** @deprecated Use {@link SegmentLungsOptions}; this alias goes in the next minor version. */
export type LungSegmentationOptions = SegmentLungsOptions;

/** @deprecated Use {@link SegmentLungsResult}; this alias goes in the next minor version. */
export type LungSegmentationResult = SegmentLungsResult;

const LUNG_STAGES = [
  ['smoothing', 15],
  ['body', 15],
  ['air', 15],
  ['lungs', 10],
  ['split', 15],
  ['closing', 30],
] as const;

/**
 * Segments the lungs of a chest CT: body outline (threshold, largest component, holes filled;
 * a lung that a reduced field of view cuts at the side is kept, with a warning), air inside the body, trachea and main bronchi found on the top slices and grown with an adaptive
 * threshold (removed), left/right split (3D components, else erosion until they part, else the
 * body midline), then holes filled per slice and a 3D closing per lung so that juxtapleural
 * nodules and dense lesions stay inside the mask.
 *
 * Guide: [method and validation](../../../docs/tasks/detect-nodules.md) (lung segmentation is step 1).
 *
 * @example
 * ```ts
 * import { readNifti, segmentLungs } from 'medimg';
 * const ct = await readNifti('chest-ct.nii.gz');
 * const lungs = await segmentLungs(ct, { airThresholdHU: -400, signal });
 * console.log(lungs.rightVolumeMl, lungs.leftVolumeMl, lungs.splitMethod); // lungLabels: 1 right, 2 left
 * ```
 */
export async function segmentLungs(ct: Volume, options: SegmentLungsOptions = {}): Promise<SegmentLungsResult> {
  assertCtHu(ct, 'segmentLungs');
  const timer = new StageTimer();
  const warnings: string[] = [];
  const airT = options.airThresholdHU ?? -400;
  const closeR = options.closingRadiusMm ?? 15;
  const minMl = options.minLungMl ?? 30;
  const smoothMm = options.smoothingMm ?? 1;
  const stages = new Stages(options, LUNG_STAGES);
  const { dims, spacing } = ct;
  const [nx, ny, nz] = dims;
  const n = nx * ny * nz;
  const vox = spacing[0] * spacing[1] * spacing[2];

  // The steps before the closing do not depend on its radius: within a sharing scope (one analyze
  // run) a second call with other closing reuses them (shared.ts).
  const store = lungPrefixStore(ct);
  const key = JSON.stringify([airT, minMl, smoothMm]);
  let prefix = store?.get(key);
  if (prefix) {
    timer.mark('shared');
  } else {
    prefix = await lungPrefix(ct, airT, minMl, smoothMm, stages, timer);
    store?.set(key, prefix);
  }
  warnings.push(...prefix.warnings);
  const { body, airways, nearAirway } = prefix;

  // Close each lung (holes already filled); the closing may not add voxels within 10 mm of the
  // trachea and main bronchi (it would bridge lung and mediastinum there).
  await stages.start('closing');
  const out = new Uint8Array(n);
  for (const side of [1, 2] as const) {
    const { m, holesFilled } = prefix.sides[side - 1]!;
    await stages.step(side - 0.8, 2);
    const cropped = closeCropped(holesFilled, dims, spacing, closeR);
    await stages.step(side - 0.2, 2);
    if (!cropped) continue; // an empty side stays empty
    // the closed lung lies in the closing's box and everything outside it is empty, so its holes
    // are filled on the box alone: the same holes as on the whole grid
    const { box } = cropped;
    const bd = boxDims(box);
    const filled = fillHoles({ data: cropped.closed, dims: bd, spacing }, { mode: 'slice' }).data;
    for (let z = box[2], j = 0; z <= box[5]; z++)
      for (let y = box[1]; y <= box[4]; y++)
        for (let i = box[0] + nx * (y + ny * z), e = i + box[3] - box[0]; i <= e; i++, j++)
          if (filled[j] && !out[i] && body[i] && !airways[i] && (m[i] || !nearAirway[i])) out[i] = side;
    await stages.step(side, 2);
  }
  timer.mark('closing');

  // The arrays are returned as they are (no copies: a fresh whole volume is costly to fill in a
  // browser worker), except the body and airways when a sharing scope keeps them for a later call.
  const lungLabels = withData(ct, out);
  const lungMask = createVolumeLike(ct, Uint8Array);
  const [nr, nl] = maskOfSides(out, lungMask.data);
  const bodyMask = withData(ct, store ? body.slice() : body);
  const airwayMask = withData(ct, store ? airways.slice() : airways);
  stages.finish();
  return {
    lungLabels,
    lungMask,
    bodyMask,
    airwayMask,
    lungVolumeMl: ((nr + nl) * vox) / 1000,
    rightVolumeMl: (nr * vox) / 1000,
    leftVolumeMl: (nl * vox) / 1000,
    splitMethod: prefix.method,
    limitations: [],
    provenance: makeProvenance(
      'segmentLungs',
      { airThresholdHU: airT, closingRadiusMm: closeR, minLungMl: minMl, smoothingMm: smoothMm },
      timer,
      warnings,
    ),
  };
}

// Side labels are bytes 0 (none), 1 (right) and 2 (left): four at a time through Int32 views,
// where byte k of a word w has its side bits at bit 8k (right) and 8k + 1 (left). Shifting a word
// right moves the next byte's bit 0 into this byte's bit 7, which the 0x01 masks drop.
const ONES = 0x01010101;
/** Bytes set per word of 0/1 bytes (at most 4). */
const ones = (w: number) => Math.imul(w, ONES) >>> 24;

/** One 0/1 mask per side (right, left) of a side-label volume. */
function sideMasks(labels: Uint8Array): [Uint8Array, Uint8Array] {
  const n = labels.length;
  const right = new Uint8Array(n);
  const left = new Uint8Array(n);
  const full = n & ~3;
  if (labels.byteOffset % 4 === 0) {
    const w = int32Words(labels);
    const r = int32Words(right);
    const l = int32Words(left);
    for (let i = 0; i < w.length; i++) {
      const v = w[i]!;
      r[i] = v & ~(v >>> 1) & ONES;
      l[i] = (v >>> 1) & ONES;
    }
  }
  for (let i = labels.byteOffset % 4 === 0 ? full : 0; i < n; i++) {
    right[i] = labels[i] === 1 ? 1 : 0;
    left[i] = labels[i] === 2 ? 1 : 0;
  }
  return [right, left];
}

/** Writes the 0/1 lung mask of a side-label volume into `mask`; returns the voxel count per side. */
function maskOfSides(labels: Uint8Array, mask: Uint8Array): [number, number] {
  const n = labels.length;
  let nr = 0;
  let nl = 0;
  const full = n & ~3;
  const aligned = labels.byteOffset % 4 === 0 && mask.byteOffset % 4 === 0;
  if (aligned) {
    const w = int32Words(labels);
    const m = int32Words(mask);
    for (let i = 0; i < w.length; i++) {
      const v = w[i]!;
      const r = v & ~(v >>> 1) & ONES;
      const l = (v >>> 1) & ONES;
      m[i] = r | l;
      nr += ones(r);
      nl += ones(l);
    }
  }
  for (let i = aligned ? full : 0; i < n; i++) {
    const v = labels[i]!;
    mask[i] = v ? 1 : 0;
    if (v === 1) nr++;
    else if (v === 2) nl++;
  }
  return [nr, nl];
}

/** Smoothing, body, air, airways, lung components, left/right split, holes filled per lung. */
async function lungPrefix(
  ct: Volume,
  airT: number,
  minMl: number,
  smoothMm: number,
  stages: Stages,
  timer: StageTimer,
): Promise<LungPrefix> {
  const warnings: string[] = [];
  const { dims, spacing } = ct;
  const [nx, ny, nz] = dims;
  const n = nx * ny * nz;
  const vox = spacing[0] * spacing[1] * spacing[2];

  await stages.start('smoothing');
  const sm = smoothMm > 0 ? gaussian(ct, { sigmaMm: smoothMm }).data : Float32Array.from(ct.data as ArrayLike<number>);
  timer.mark('smoothing');

  // Body: not air (> -500 HU), largest 3D component, holes filled per slice.
  await stages.start('body');
  const dense = new Uint8Array(n);
  for (let i = 0; i < n; i++) dense[i] = sm[i]! > -500 ? 1 : 0;
  const outline = keepLargestComponent({ data: dense, dims, spacing }, { connectivity: 6 }).data;
  const { body, pockets } = bodyWithEdgePockets(outline, dims, spacing);
  timer.mark('body');

  // Air inside the body.
  await stages.start('air');
  const airways = await findAirways(airT, sm, body, dims, spacing, (ct.direction[8] ?? 1) >= 0, warnings, stages);
  const air = new Uint8Array(n);
  for (let i = 0; i < n; i++) air[i] = body[i] && !airways[i] && sm[i]! < airT ? 1 : 0;
  timer.mark('airways');

  // Lung components.
  await stages.start('lungs');
  const comps = connectedComponents({ data: air, dims, spacing }, { connectivity: 6, stats: false });
  let largest = 0;
  for (let l = 1; l <= comps.count; l++) largest = Math.max(largest, comps.sizes[l]!);
  const minVox = Math.max((minMl * 1000) / vox, 0.05 * largest);
  const bigLabels: number[] = [];
  for (let l = 1; l <= comps.count; l++) if (comps.sizes[l]! >= minVox) bigLabels.push(l);
  if (bigLabels.length === 0 || largest * vox < minMl * 1000) {
    throw new MedImgError(
      'NO_LUNGS_FOUND',
      'No lungs found: no air-filled region inside the body of at least the minimum lung volume.',
      {
        details: { minLungMl: minMl },
      },
    );
  }
  const keepLabel = new Uint8Array(comps.count + 1);
  for (const l of bigLabels) keepLabel[l] = 1;
  const lungs = new Uint8Array(air.length);
  const compLabels = comps.labels.data;
  for (let i = 0; i < lungs.length; i++) lungs[i] = keepLabel[compLabels[i]!]!;
  // lungs that a reduced field of view cuts at the side (20 voxels of contact: a few mm², not noise)
  const cutMl = (keepCutLungs(pockets, body, lungs, airways, sm, airT, dims, 20) * vox) / 1000;
  if (cutMl > 0)
    warnings.push(
      `The field of view cuts the chest at the side: ${cutMl.toFixed(0)} mL of lung reaching the image's edge were kept.`,
    );
  timer.mark('components');

  // Left/right split (LPS: +x is the patient's left; use the world x of each voxel column).
  await stages.start('split');
  const xw = worldXOfColumn(ct);
  const { labels, method } = splitLungs(lungs, dims, spacing, xw, body);
  if (method === 'midline') warnings.push('Lungs could not be separated by erosion; split at the body midline.');
  timer.mark('split');

  // Holes (vessels, nodules) filled per slice in each lung, and the airway neighbourhood.
  const nearAirway = dilate({ data: airways, dims, spacing }, { radiusMm: 10 }).data;
  const sides = sideMasks(labels).map((m) => ({
    m,
    holesFilled: fillHoles({ data: m, dims, spacing }, { mode: 'slice' }).data,
  }));
  timer.mark('holes');
  return { body, airways, labels, method, nearAirway, sides, warnings };
}

/** World x (LPS mm) of each (i, j) column, for axis-aligned or oblique grids (z ignored). */
function worldXOfColumn(ct: Volume): Float32Array {
  const [nx, ny] = ct.dims;
  const d = ct.direction;
  const out = new Float32Array(nx * ny);
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++) out[i + nx * j] = ct.origin[0] + d[0]! * i * ct.spacing[0] + d[1]! * j * ct.spacing[1];
  return out;
}

/**
 * Trachea and main bronchi: on the top slices, a round air region near the body midline, grown in
 * 3D below an air threshold that is lowered until the grown volume stays below 250 mL (no leak
 * into the lungs).
 */
async function findAirways(
  airT: number,
  sm: Float32Array,
  body: Uint8Array,
  dims: Vec3,
  spacing: Vec3,
  superiorIsHighK: boolean,
  warnings: string[],
  stages: Stages,
): Promise<Uint8Array> {
  const [nx, ny, nz] = dims;
  const sxy = nx * ny;
  const pxArea = spacing[0] * spacing[1];
  const empty = new Uint8Array(sxy * nz);
  // Search the top 40 mm (superior end of the grid).
  let seed = -1;
  for (let t = 0; t < Math.min(nz, Math.max(3, Math.round(40 / spacing[2]))) && seed < 0; t++) {
    const k = superiorIsHighK ? nz - 1 - t : t;
    const slice = new Uint8Array(sxy);
    let bx = 0;
    let bn = 0;
    for (let p = 0; p < sxy; p++) {
      if (body[k * sxy + p]) {
        bx += p % nx;
        bn++;
      }
      slice[p] = body[k * sxy + p] && sm[k * sxy + p]! < -900 ? 1 : 0;
    }
    if (bn === 0) continue;
    const midX = bx / bn;
    const c = connectedComponents({ data: slice, dims: [nx, ny, 1], spacing }, { connectivity: 6, stats: false });
    let best = -1;
    let bestScore = Number.POSITIVE_INFINITY;
    for (let l = 1; l <= c.count; l++) {
      const area = c.sizes[l]! * pxArea;
      if (area < 50 || area > 1200) continue;
      let sx = 0;
      let sy = 0;
      let x0 = nx;
      let x1 = 0;
      let y0 = ny;
      let y1 = 0;
      for (let p = 0; p < sxy; p++) {
        if (c.labels.data[p] !== l) continue;
        const x = p % nx;
        const y = (p - x) / nx;
        sx += x;
        sy += y;
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
      const w = (x1 - x0 + 1) * spacing[0];
      const h = (y1 - y0 + 1) * spacing[1];
      const fill = area / (w * h);
      if (fill < 0.5 || Math.max(w, h) / Math.min(w, h) > 2.2) continue; // round-ish
      const off = Math.abs(sx / c.sizes[l]! - midX) * spacing[0];
      if (off > 30) continue;
      if (off < bestScore) {
        bestScore = off;
        best = l;
        seed = k * sxy + Math.round(sy / c.sizes[l]!) * nx + Math.round(sx / c.sizes[l]!);
        if (c.labels.data[seed - k * sxy] !== l) {
          // centroid outside the region: take any voxel of it
          for (let p = 0; p < sxy; p++)
            if (c.labels.data[p] === l) {
              seed = k * sxy + p;
              break;
            }
        }
      }
    }
    if (best < 0) seed = -1;
  }
  if (seed < 0) {
    warnings.push('No trachea found on the top slices; airways were not removed.');
    return empty;
  }
  const vox = spacing[0] * spacing[1] * spacing[2];
  const maxVox = 250000 / vox;
  for (let t = -930; t >= -1000; t -= 15) {
    await stages.step(-930 - t, 75);
    const grown = growBelow(sm, body, dims, seed, t, maxVox);
    if (grown) {
      // add the partial-volume rim of the airway wall (still below the air threshold)
      const rim = dilate({ data: grown, dims, spacing }, { radiusMm: 1.5 * Math.max(spacing[0], spacing[1]) }).data;
      for (let i = 0; i < rim.length; i++) if (rim[i] && !grown[i] && body[i] && sm[i]! < airT) grown[i] = 1;
      return grown;
    }
  }
  warnings.push('Airway growing leaked into the lungs at every threshold; airways were not removed.');
  return empty;
}

/** 6-connected growing of voxels below `t` from `seed`; null when it exceeds `maxVox`. */
function growBelow(
  sm: Float32Array,
  body: Uint8Array,
  dims: Vec3,
  seed: number,
  t: number,
  maxVox: number,
): Uint8Array | null {
  const [nx, ny, nz] = dims;
  const sxy = nx * ny;
  const out = new Uint8Array(sxy * nz);
  if (!(sm[seed]! < t)) return null;
  const queue = new Int32Array(Math.ceil(maxVox) + 8);
  let head = 0;
  let tail = 0;
  out[seed] = 1;
  queue[tail++] = seed;
  // false once the region outgrows maxVox (one function for every voxel, no neighbour array per voxel)
  const visit = (j: number): boolean => {
    if (out[j] || !body[j] || !(sm[j]! < t)) return true;
    if (tail >= maxVox) return false;
    out[j] = 1;
    queue[tail++] = j;
    return true;
  };
  while (head < tail) {
    const i = queue[head++]!;
    const x = i % nx;
    const y = ((i - x) / nx) % ny;
    const z = (i - x - y * nx) / sxy;
    if (x > 0 && !visit(i - 1)) return null;
    if (x < nx - 1 && !visit(i + 1)) return null;
    if (y > 0 && !visit(i - nx)) return null;
    if (y < ny - 1 && !visit(i + nx)) return null;
    if (z > 0 && !visit(i - sxy)) return null;
    if (z < nz - 1 && !visit(i + sxy)) return null;
  }
  return out;
}

/** Splits the lung mask into right (1) and left (2). */
function splitLungs(
  lungs: Uint8Array,
  dims: Vec3,
  spacing: Vec3,
  xw: Float32Array,
  body: Uint8Array,
): { labels: Uint8Array; method: 'components' | 'erosion' | 'midline' } {
  const sxy = dims[0] * dims[1];
  const n = lungs.length;
  const twoLargest = (m: Uint8Array) => twoLargestOf({ data: m, dims, spacing }, xw);
  const labels = new Uint8Array(n);
  const direct = twoLargest(lungs);
  if (direct) {
    // everything else (small pieces) goes to the nearer lung by x
    const mid = (direct.xa + direct.xb) / 2;
    const aIsRight = direct.xa < direct.xb;
    for (let i = 0; i < n; i++) {
      if (!lungs[i]) continue;
      if (direct.a[i]) labels[i] = aIsRight ? 1 : 2;
      else if (direct.b[i]) labels[i] = aIsRight ? 2 : 1;
      else labels[i] = xw[i % sxy]! < mid ? 1 : 2;
    }
    return { labels, method: 'components' };
  }
  // Erosion until the lungs part, on an in-plane pooled grid (about 2 mm) to keep it cheap.
  const [nx, ny, nz] = dims;
  const f = Math.max(1, Math.round(2 / Math.max(spacing[0], spacing[1])));
  const cd: Vec3 = [Math.ceil(nx / f), Math.ceil(ny / f), nz];
  const cs: Vec3 = [spacing[0] * f, spacing[1] * f, spacing[2]];
  const cn = cd[0] * cd[1] * cd[2];
  const coarse = new Uint8Array(cn);
  // coarse column and row of each fine one (no per-voxel index volume: the grid is walked in order)
  const xc = new Int32Array(nx);
  for (let x = 0; x < nx; x++) xc[x] = Math.floor(x / f);
  const yc = new Int32Array(ny);
  for (let y = 0; y < ny; y++) yc[y] = Math.floor(y / f);
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) {
      const row = cd[0] * (yc[y]! + cd[1] * z);
      for (let x = 0; x < nx; x++, i++) if (lungs[i]) coarse[row + xc[x]!] = 1;
    }
  const cxw = new Float32Array(cd[0] * cd[1]);
  for (let y = 0; y < cd[1]; y++)
    for (let x = 0; x < cd[0]; x++) cxw[x + cd[0] * y] = xw[Math.min(nx - 1, x * f) + nx * Math.min(ny - 1, y * f)]!;
  for (const r of [2, 4, 6, 8, 12]) {
    const er = erode({ data: coarse, dims: cd, spacing: cs }, { radiusMm: r }).data;
    const two = twoLargestOf({ data: er, dims: cd, spacing: cs }, cxw);
    if (!two) continue;
    // Distances are only read at lung voxels and measured to parts of the lungs: the transform on
    // the lungs' bounding box is exact there.
    const box = nonzeroBox(coarse, cd, [0, 0, 0])!;
    const bd = boxDims(box);
    const da = distanceTransform({ data: cropBytes(two.a, cd, box), dims: bd, spacing: cs }).data;
    const db = distanceTransform({ data: cropBytes(two.b, cd, box), dims: bd, spacing: cs }).data;
    const aIsRight = two.xa < two.xb;
    for (let z = 0, i = 0; z < nz; z++)
      for (let y = 0; y < ny; y++) {
        const row = bd[0] * (yc[y]! - box[1] + bd[1] * (z - box[2])) - box[0];
        for (let x = 0; x < nx; x++, i++) {
          if (!lungs[i]) continue;
          const b = row + xc[x]!;
          const nearA = da[b]! <= db[b]!;
          labels[i] = nearA === aIsRight ? 1 : 2;
        }
      }
    return { labels, method: 'erosion' };
  }
  // Midline of the body.
  let sx = 0;
  let cnt = 0;
  for (let i = 0; i < n; i++) {
    if (body[i]) {
      sx += xw[i % sxy]!;
      cnt++;
    }
  }
  const mid = cnt ? sx / cnt : 0;
  for (let i = 0; i < n; i++) if (lungs[i]) labels[i] = xw[i % sxy]! < mid ? 1 : 2;
  return { labels, method: 'midline' };
}

/**
 * Closing restricted to the mask's bounding box padded by the radius (keeps it cheap), on an
 * in-plane pooled grid (about 2 mm pixels, r/15 above r = 30 mm) when the image is finer: a large closing only adds
 * voxels, so the coarser boundary of the additions is acceptable and the cost drops 4x. Pooling
 * blocks start at the padded box's corner. Slices at the top or bottom of the grid are replicated
 * into the padding so the closing does not erode the lung where it leaves the field of view.
 * Returns the box (inclusive, clipped to the grid; it holds every voxel of `m`) and the closed mask on
 * it, row by row (outside the box the closed mask is empty); null when `m` is empty.
 */
function closeCropped(m: Uint8Array, dims: Vec3, spacing: Vec3, r: number): { closed: Uint8Array; box: Box } | null {
  const [nx, ny, nz] = dims;
  const bb = nonzeroBox(m, dims, [0, 0, 0]);
  if (!bb) return null;
  if (r <= 0) return { closed: cropBytes(m, dims, bb), box: bb };
  const [x0, y0, z0, x1, y1, z1] = bb;
  const pad = [Math.ceil(r / spacing[0]) + 1, Math.ceil(r / spacing[1]) + 1, Math.ceil(r / spacing[2]) + 1];
  // crop with padding (outside the grid is background; closing must not touch the grid edge)
  const cx0 = x0 - pad[0]!;
  const cy0 = y0 - pad[1]!;
  const cz0 = z0 - pad[2]!;
  const cd: Vec3 = [x1 - x0 + 1 + 2 * pad[0]!, y1 - y0 + 1 + 2 * pad[1]!, z1 - z0 + 1 + 2 * pad[2]!];
  // pixels of about 2 mm, or r/15 for wider closings (the 60 mm large-mass one: 4 mm, a quarter of the work)
  const f = Math.max(1, Math.round(Math.max(2, r / 15) / Math.max(spacing[0], spacing[1])));
  const gd: Vec3 = [Math.ceil(cd[0] / f), Math.ceil(cd[1] / f), cd[2]];
  const gs: Vec3 = [spacing[0] * f, spacing[1] * f, spacing[2]];
  const gxy = gd[0] * gd[1];
  // pooled column and row of every grid x and y inside the padded box
  const gx = new Int32Array(nx).fill(-1);
  const gy = new Int32Array(ny).fill(-1);
  for (let x = Math.max(0, cx0); x < Math.min(nx, cx0 + cd[0]); x++) gx[x] = Math.floor((x - cx0) / f);
  for (let y = Math.max(0, cy0); y < Math.min(ny, cy0 + cd[1]); y++) gy[y] = Math.floor((y - cy0) / f);
  const pooled = new Uint8Array(gxy * gd[2]);
  for (let z = z0; z <= z1; z++)
    for (let y = y0; y <= y1; y++) {
      const row = gd[0] * gy[y]! + gxy * (z - cz0);
      const src = nx * (y + ny * z);
      for (let x = x0; x <= x1; x++) if (m[src + x]) pooled[row + gx[x]!] = 1;
    }
  // A lung that a reduced field of view cuts at the side: its edge columns and rows are replicated
  // into the padding too, or the dilated lung outside the grid would close every concavity along
  // the edge (the mediastinum between two cut lungs) as a wall would.
  const inX0 = gx[Math.max(0, cx0)]!;
  const inX1 = gx[Math.min(nx, cx0 + cd[0]) - 1]!;
  const inY0 = gy[Math.max(0, cy0)]!;
  const inY1 = gy[Math.min(ny, cy0 + cd[1]) - 1]!;
  for (let z = Math.max(0, -cz0); z < Math.min(cd[2], nz - cz0); z++) {
    const o = z * gxy;
    if (x0 === 0 || x1 === nx - 1)
      for (let y = inY0; y <= inY1; y++) {
        const row = o + gd[0] * y;
        if (x0 === 0) pooled.fill(pooled[row + inX0]!, row, row + inX0);
        if (x1 === nx - 1) pooled.fill(pooled[row + inX1]!, row + inX1 + 1, row + gd[0]);
      }
    if (y0 === 0)
      for (let y = 0; y < inY0; y++) pooled.copyWithin(o + gd[0] * y, o + gd[0] * inY0, o + gd[0] * (inY0 + 1));
    if (y1 === ny - 1)
      for (let y = inY1 + 1; y < gd[1]; y++) pooled.copyWithin(o + gd[0] * y, o + gd[0] * inY1, o + gd[0] * (inY1 + 1));
  }
  for (let z = 0; z < cd[2]; z++) {
    const zz = z + cz0;
    if (zz >= 0 && zz < nz) continue;
    const from = Math.min(nz - 1, Math.max(0, zz)) - cz0;
    pooled.copyWithin(z * gxy, from * gxy, (from + 1) * gxy);
  }
  const c = close({ data: pooled, dims: gd, spacing: gs }, { radiusMm: r }).data;
  const box: Box = [
    Math.max(0, cx0),
    Math.max(0, cy0),
    Math.max(0, cz0),
    Math.min(nx, cx0 + cd[0]) - 1,
    Math.min(ny, cy0 + cd[1]) - 1,
    Math.min(nz, cz0 + cd[2]) - 1,
  ];
  const bw = box[3] - box[0] + 1;
  const closed = new Uint8Array(bw * (box[4] - box[1] + 1) * (box[5] - box[2] + 1));
  for (let z = box[2], j = 0; z <= box[5]; z++)
    for (let y = box[1]; y <= box[4]; y++, j += bw) {
      const row = gd[0] * gy[y]! + gxy * (z - cz0);
      const src = nx * (y + ny * z);
      for (let x = box[0]; x <= box[3]; x++) closed[j + x - box[0]] = m[src + x] || c[row + gx[x]!] ? 1 : 0;
    }
  return { closed, box };
}

/** The two largest 3D components of `m` (the second at least 15 % of the first), with mean world x. */
function twoLargestOf(
  m: Grid<Uint8Array>,
  xw: Float32Array,
): { a: Uint8Array; b: Uint8Array; xa: number; xb: number } | null {
  const n = m.data.length;
  const sxy = m.dims[0] * m.dims[1];
  const c = connectedComponents(m, { connectivity: 6, stats: false });
  const order = Array.from({ length: c.count }, (_, i) => i + 1).sort((p, q) => c.sizes[q]! - c.sizes[p]!);
  if (order.length < 2 || c.sizes[order[1]!]! < 0.15 * c.sizes[order[0]!]!) return null;
  const la = order[0]!;
  const lb = order[1]!;
  const a = new Uint8Array(n);
  const b = new Uint8Array(n);
  let xa = 0;
  let xb = 0;
  for (let i = 0; i < n; i++) {
    if (c.labels.data[i] === la) {
      a[i] = 1;
      xa += xw[i % sxy]!;
    } else if (c.labels.data[i] === lb) {
      b[i] = 1;
      xb += xw[i % sxy]!;
    }
  }
  return { a, b, xa: xa / c.sizes[la]!, xb: xb / c.sizes[lb]! };
}
