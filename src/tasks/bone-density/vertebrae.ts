// Automatic vertebral-body search: per-slice body candidates (with the spinal canal kept open),
// a smooth spine curve that rejects off-curve candidates, disc levels from the attenuation profile
// along the curve, and a trabecular ROI per vertebra with a plain-data quality record.
import { indexToWorld } from '../../core/geometry.js';
import { gaussian } from '../../core/ops/gaussian.js';
import type { Stages } from '../../core/progress.js';
import { createVolumeLike, type Vec3, type Volume } from '../../core/volume.js';
import { round } from '../internal/common.js';
import { distanceTransform } from '../../core/ops/distance.js';
import { connectedComponents, fillHoles, keepLargestComponent } from '../../core/ops/labels.js';
import { close } from '../../core/ops/morphology.js';
import { boxDims, cropBytes, nonzeroBox } from '../../core/ops/work-box.js';
import { attenuationCategory } from './categories.js';
import type { VertebraMeasurement } from './index.js';

/** A slice's work box (pixels): first column and row, width and height. */
interface SliceBox {
  x0: number;
  y0: number;
  w: number;
  h: number;
}

interface SliceBody {
  k: number;
  /** Body centre (voxel) and inscribed radius (mm). */
  cx: number;
  cy: number;
  rIns: number;
  /** Body centre in mm along x and y (index axes times spacing). */
  xm: number;
  ym: number;
  /** Spinal canal (bone-enclosed, low-HU hole behind the body) found on this slice. */
  canal: boolean;
  /** Mean HU of the body core (distance >= 0.3 rIns): the profile that shows the discs. */
  coreHU: number;
  /** Distance to the bone edge (mm) inside the chosen body component (0 elsewhere), on `box`. */
  dist: Float32Array;
  box: SliceBox;
  /** Every one of 8 rays from the body centre meets cortex (>= 0.8 × boneThresholdHU) inside the body. */
  ringClosed: boolean;
  onCurve: boolean;
  curveDevMm: number;
}

const CANAL_MAX_HU = 100; // CSF, cord, epidural fat (smoothed) stay below this
const CANAL_MIN_AREA_MM2 = 30;
const CANAL_MAX_AREA_MM2 = 700;
// a canal has the whole vertebral body (>= 14 mm deep) directly in front; the dark interior of a
// ring (endplate level, osteoporotic body) has only the thin anterior wall
const BODY_IN_FRONT_MM = 14;
const CURVE_TOL_MM = 6;
const DISC_PITCH_MM: [number, number] = [15, 35];
const PITCH_PRIOR_MM = 25;

export async function findVertebrae(
  ct: Volume,
  boneT: number,
  withMasks: boolean,
  warnings: string[],
  stages: Stages,
): Promise<VertebraMeasurement[]> {
  const { dims, spacing, direction } = ct;
  const [nx, ny, nz] = dims;
  const sxy = nx * ny;
  const sm = gaussian(ct, { sigmaMm: [0.7, 0.7, 0] }).data;
  await stages.step(0.05, 1);
  // a smoother copy finds trabecular bone (> 130 HU) where the cortical shell is not closed
  const sm2 = gaussian(ct, { sigmaMm: [2, 2, 0] }).data;
  await stages.step(0.1, 1);
  const dense = new Uint8Array(sm.length);
  for (let i = 0; i < sm.length; i++) dense[i] = sm[i]! > -500 ? 1 : 0;
  const largest = keepLargestComponent({ data: dense, dims, spacing }, { connectivity: 6 }).data;
  await stages.step(0.125, 1);
  const body = fillHoles({ data: largest, dims, spacing }, { mode: 'slice' }).data;
  const ySign = (direction[4] ?? 1) >= 0 ? 1 : -1; // +1: index y increases toward posterior
  const pxArea = spacing[0] * spacing[1];
  const slices: SliceBody[] = [];
  // Each slice is worked on the box of its body padded by twice the shell closing's reach (plus
  // two pixels): outside it every mask below is 0 and no step reads past it (the closing's
  // erosion looks at most one reach beyond a dilated pixel, hole filling needs one empty pixel
  // round the box), so the results are those of the whole slice; the sums run in the same raster
  // order, so they are bitwise the same too.
  const reach = Math.ceil(3 / Math.min(spacing[0], spacing[1]));
  const pad = 2 * reach + 2;
  for (let k = 0; k < nz; k++) {
    await stages.step(0.15 + (0.8 * k) / nz, 1);
    const off = k * sxy;
    const box = nonzeroBox(body.subarray(off, off + sxy), [nx, ny, 1], [pad, pad, 0]);
    if (!box) continue;
    const x0 = box[0];
    const y0 = box[1];
    const cw = box[3] - x0 + 1;
    const ch = box[4] - y0 + 1;
    const cxy = cw * ch;
    const dims2: Vec3 = [cw, ch, 1];
    const bone = new Uint8Array(cxy);
    const trab = new Uint8Array(cxy);
    let bx = 0;
    let by = 0;
    let bn = 0;
    for (let y = 0, q = 0; y < ch; y++) {
      const row = off + (y + y0) * nx + x0;
      for (let x = 0; x < cw; x++, q++) {
        const i = row + x;
        if (!body[i]) continue;
        bone[q] = sm[i]! > boneT ? 1 : 0;
        trab[q] = sm2[i]! > 130 ? 1 : 0;
        bx += x + x0;
        by += y + y0;
        bn++;
      }
    }
    const midX = bx / bn;
    const midY = by / bn;
    // close small gaps of the cortical shell (thin cortex, vascular foramina), then fill
    // (the ring is cortical or trabecular-range bone: a thin cortex stays < 250 HU on 5 mm slices)
    const closed = close({ data: bone, dims: dims2, spacing: [spacing[0], spacing[1], 1] }, { radiusMm: 3 }).data;
    const ring = new Uint8Array(cxy);
    for (let q = 0; q < cxy; q++) ring[q] = closed[q] || trab[q] ? 1 : 0;
    const filled = fillHoles({ data: ring, dims: dims2, spacing }, { mode: 'slice' }).data;
    // Holes the filling closed that are the spinal canal (or another soft-tissue space enclosed
    // by the neural arch) must stay open, or the body + arch + canal become one blob.
    const holes = new Uint8Array(cxy);
    for (let q = 0; q < cxy; q++) holes[q] = filled[q] && !closed[q] && !trab[q] ? 1 : 0;
    const hc = connectedComponents({ data: holes, dims: dims2, spacing }, { connectivity: 6, stats: false });
    const hl = hc.labels.data;
    let canal = false;
    let canalX = 0;
    let canalY = 0;
    if (hc.count > 0) {
      const sum = new Float64Array(hc.count + 1);
      const sx = new Float64Array(hc.count + 1);
      const sy = new Float64Array(hc.count + 1);
      for (let y = 0, q = 0; y < ch; y++) {
        const row = off + (y + y0) * nx + x0;
        for (let x = 0; x < cw; x++, q++) {
          const l = hl[q]!;
          if (!l) continue;
          sum[l] = sum[l]! + sm2[row + x]!;
          sx[l] = sx[l]! + x + x0;
          sy[l] = sy[l]! + y + y0;
        }
      }
      const open = new Uint8Array(hc.count + 1);
      for (let l = 1; l <= hc.count; l++) {
        const n = hc.sizes[l]!;
        const area = n * pxArea;
        if (area < CANAL_MIN_AREA_MM2 || area > CANAL_MAX_AREA_MM2 || sum[l]! / n >= CANAL_MAX_HU) continue;
        // walk anterior from the hole's centroid: leave the hole, then count filled pixels (bone or
        // other filled holes: a body with a dark interior still counts as body in front); box
        // coordinates: past the box's edge nothing is filled, as past the slice's
        const x = Math.round(sx[l]! / n) - x0;
        let y = Math.round(sy[l]! / n) - y0;
        while (y >= 0 && y < ch && hl[y * cw + x] === l) y -= ySign;
        let run = 0;
        while (y >= 0 && y < ch && filled[y * cw + x] && hl[y * cw + x] !== l) {
          run++;
          y -= ySign;
        }
        if (run * spacing[1] < BODY_IN_FRONT_MM) continue;
        // walk posterior: a thin wall, then a soft-tissue gap of canal size, then bone means the
        // real canal lies behind: this hole is the dark interior of the body (disc, endplate level)
        y = Math.round(sy[l]! / n) - y0;
        while (y >= 0 && y < ch && hl[y * cw + x] === l) y += ySign;
        let wall = 0;
        while (y >= 0 && y < ch && filled[y * cw + x]) {
          wall++;
          y += ySign;
        }
        let gap = 0;
        while (y >= 0 && y < ch && !filled[y * cw + x]) {
          gap++;
          y += ySign;
        }
        const boneBehind = y >= 0 && y < ch && filled[y * cw + x];
        const g = gap * spacing[1];
        if (wall * spacing[1] <= 8 && g >= 5 && g <= 25 && boneBehind) continue;
        open[l] = 1;
      }
      let bestOff = Number.POSITIVE_INFINITY;
      for (let l = 1; l <= hc.count; l++) {
        if (!open[l]) continue;
        const n = hc.sizes[l]!;
        const dx = Math.abs(sx[l]! / n - midX);
        if (dx < bestOff) {
          bestOff = dx;
          canalX = sx[l]! / n;
          canalY = sy[l]! / n;
        }
      }
      for (let q = 0; q < cxy; q++) {
        if (open[hl[q]!]) {
          filled[q] = 0;
          canal = true;
        }
      }
    }
    const dist = depthInFilled(filled, cw, ch, spacing);
    let best = -1;
    let bestD = 0;
    for (let yc = 0, q = 0; yc < ch; yc++) {
      const y = yc + y0;
      for (let xc = 0; xc < cw; xc++, q++) {
        if (!filled[q]) continue;
        const x = xc + x0;
        if (Math.abs(x - midX) * spacing[0] > 30) continue;
        if ((y - midY) * ySign < 0) continue; // posterior half only
        // with a canal found: the body lies in front of it, not in the arch beside or behind it
        if (canal && ((canalY - y) * ySign * spacing[1] < 5 || Math.abs(x - canalX) * spacing[0] > 15)) continue;
        if (dist[q]! > bestD) {
          bestD = dist[q]!;
          best = q;
        }
      }
    }
    if (best < 0 || bestD < 5) continue;
    const comp = connectedComponents({ data: filled, dims: dims2, spacing }, { connectivity: 6, stats: false });
    const lab = comp.labels.data[best]!;
    const dd = new Float32Array(cxy);
    let cs = 0;
    let cn = 0;
    for (let y = 0, q = 0; y < ch; y++) {
      const row = off + (y + y0) * nx + x0;
      for (let x = 0; x < cw; x++, q++) {
        if (comp.labels.data[q] !== lab) continue;
        dd[q] = dist[q]!;
        if (dist[q]! >= 0.5 * bestD) {
          cs += ct.data[row + x]!;
          cn++;
        }
      }
    }
    const bxc = best % cw;
    const byc = (best - bxc) / cw;
    const cx = bxc + x0;
    const cy = byc + y0;
    slices.push({
      k,
      cx,
      cy,
      rIns: bestD,
      xm: cx * spacing[0],
      ym: cy * spacing[1],
      canal,
      coreHU: cn ? cs / cn : 0,
      dist: dd,
      box: { x0, y0, w: cw, h: ch },
      ringClosed: ringClosed(
        sm,
        off,
        nx,
        { x0, y0, w: cw, h: ch },
        comp.labels.data,
        lab,
        bxc,
        byc,
        spacing,
        0.8 * boneT,
      ),
      onCurve: true,
      curveDevMm: 0,
    });
  }
  if (slices.length === 0) return [];

  fitSpineCurve(slices, spacing[2]);
  const kept = slices.filter((s) => s.onCurve);
  const rejected = slices.length - kept.length;
  if (rejected > 0) warnings.push(`${rejected} slice candidate(s) off the spine curve were rejected.`);
  if (kept.length === 0) return [];

  // vertebrae between disc levels
  const groups = splitAtDiscs(kept, slices, spacing[2]);
  const slabMm = nz * spacing[2];
  const out: VertebraMeasurement[] = [];
  for (const g of groups) {
    const touchesEdge = g[0]!.k === 0 || g.at(-1)!.k === nz - 1;
    // drop the FOV's first/last slice (partial volume along z) unless the slab is thinner than a vertebra
    let r = slabMm >= DISC_PITCH_MM[0] * 2 ? g.filter((s) => s.k > 0 && s.k < nz - 1) : g;
    if (r.length === 0) continue;
    // central part of the height: away from the endplates
    const a = Math.max(r.length >= 3 ? 1 : 0, Math.floor(r.length / 4));
    const b = Math.max(a + 1, r.length - a);
    r = r.slice(a, b);
    const rMed = median(r.map((s) => s.rIns));
    // the mask is written in place: one volume per vertebra, no scratch copy
    const mk = withMasks ? createVolumeLike(ct, Uint8Array) : null;
    const roi = mk?.data;
    let s = 0;
    let s2 = 0;
    let cnt = 0;
    let gx = 0;
    let gy = 0;
    let gz = 0;
    const minD = Math.max(0.45 * rMed, 3);
    for (const sl of r) {
      const maxR2 = (0.8 * sl.rIns) ** 2;
      const { x0, y0, w, h } = sl.box;
      for (let yc = 0, q = 0; yc < h; yc++)
        for (let xc = 0; xc < w; xc++, q++) {
          if (sl.dist[q]! < minD) continue;
          const y = yc + y0;
          const x = xc + x0;
          // stay near the body centre: never into the pedicles or the arch of the same component
          if (((x - sl.cx) * spacing[0]) ** 2 + ((y - sl.cy) * spacing[1]) ** 2 > maxR2) continue;
          // anterior part: away from the basivertebral vein that enters posteriorly
          if ((y - sl.cy) * ySign * spacing[1] > 0.1 * sl.rIns) continue;
          const i = sl.k * sxy + y * nx + x;
          const v = ct.data[i]!;
          s += v;
          s2 += v * v;
          cnt++;
          gx += x;
          gy += y;
          gz += sl.k;
          if (roi) roi[i] = 1;
        }
    }
    if (cnt === 0) continue;
    const mean = s / cnt;
    const m: VertebraMeasurement = {
      centerMm: indexToWorld(ct, [gx / cnt, gy / cnt, gz / cnt]).map((v) => round(v, 2)) as Vec3,
      meanHU: round(mean, 1),
      sdHU: round(Math.sqrt(Math.max(0, s2 / cnt - mean * mean)), 1),
      roiVoxels: cnt,
      category: attenuationCategory(mean),
      partial: touchesEdge,
      quality: {
        confidence: 'high',
        shellClosed: 2 * r.filter((q) => q.ringClosed).length >= r.length,
        canalFound: g.some((q) => q.canal),
        curveDeviationMm: round(Math.max(...g.map((q) => q.curveDevMm)), 1),
        slices: r.length,
        reasons: [],
      },
    };
    if (mk) m.roiMask = mk;
    out.push(m);
  }
  // top (superior) first
  out.sort((p, q) => q.centerMm[2] - p.centerMm[2]);
  rateQuality(out);
  return out;
}

const RAYS: [number, number][] = [
  [1, 0],
  [-1, 0],
  [0, 1],
  [0, -1],
  [1, 1],
  [1, -1],
  [-1, 1],
  [-1, -1],
];

/**
 * True when every ray from (x, y) of the slice's work box meets a pixel >= `t` (cortex) before
 * leaving component `lab`. A ray leaves the component before the box's edge (the box holds it
 * with a margin), so bounding it by the box is bounding it by the slice.
 */
function ringClosed(
  sm: Float32Array | ArrayLike<number>,
  off: number,
  nx: number,
  box: SliceBox,
  labels: Int32Array,
  lab: number,
  x: number,
  y: number,
  spacing: Vec3,
  t: number,
): boolean {
  const { x0, y0, w, h } = box;
  const maxSteps = Math.ceil(40 / Math.min(spacing[0], spacing[1]));
  for (const [dx, dy] of RAYS) {
    let hit = false;
    for (let s = 1, xr = x + dx, yr = y + dy; s <= maxSteps; s++, xr += dx, yr += dy) {
      if (xr < 0 || yr < 0 || xr >= w || yr >= h) break;
      if (sm[off + (yr + y0) * nx + xr + x0]! >= t) {
        hit = true;
        break;
      }
      if (labels[yr * w + xr] !== lab) break;
    }
    if (!hit) return false;
  }
  return true;
}

/**
 * Smooth spine curve: running median of the body centres (x and y, mm) over ±15 mm in z; a
 * candidate more than 6 mm off the curve is rejected; repeated once on the survivors.
 */
function fitSpineCurve(slices: SliceBody[], sz: number): void {
  const half = Math.max(1, Math.round(15 / sz));
  let live = slices;
  for (let pass = 0; pass < 2; pass++) {
    const dev = slices.map((s) => {
      const nb = live.filter((q) => Math.abs(q.k - s.k) <= half && q !== s);
      // isolated candidate: no continuity along the column
      if (nb.length < 2) return Number.POSITIVE_INFINITY;
      return Math.hypot(s.xm - median(nb.map((q) => q.xm)), s.ym - median(nb.map((q) => q.ym)));
    });
    slices.forEach((s, j) => {
      s.curveDevMm = dev[j]!;
      s.onCurve = dev[j]! <= CURVE_TOL_MM;
    });
    live = slices.filter((s) => s.onCurve);
  }
}

/**
 * Disc levels: slices where the spinal canal is not enclosed by bone (the foramen level) and the
 * body core is darker than the median (a missing body counts as a disc). Dynamic programming picks
 * disc slices with a pitch of 15–40 mm that minimise the summed score; the slices between two
 * discs are one vertebra. A soft prior keeps the pitch near 25 mm, so that one spurious open
 * canal does not split a vertebra.
 */
function splitAtDiscs(kept: SliceBody[], all: SliceBody[], sz: number): SliceBody[][] {
  const k0 = kept[0]!.k;
  const k1 = kept.at(-1)!.k;
  const n = k1 - k0 + 1;
  const gMin = Math.max(2, Math.ceil(DISC_PITCH_MM[0] / sz));
  const gMax = Math.max(gMin, Math.floor(DISC_PITCH_MM[1] / sz));
  if (n * sz < DISC_PITCH_MM[0] * 1.5) return [kept];
  const byK = new Map(kept.map((s) => [s.k, s]));
  // the profile also reads off-curve candidates (a disc often yields one): only the grouping is
  // restricted to the candidates on the curve
  const anyK = new Map(all.map((s) => [s.k, s]));
  const prof = new Float64Array(n);
  const ref = median(kept.map((s) => s.coreHU));
  for (let j = 0; j < n; j++) {
    const s = anyK.get(k0 + j);
    // At a disc the canal is open laterally (intervertebral foramina, no pedicles): the strongest
    // cue on 5 mm slices, where endplate partial volume hides the disc's low attenuation.
    prof[j] = s ? (s.canal ? 2 : 0) + Math.max(-0.3, Math.min(0.3, (s.coreHU - ref) / 100)) : -0.5;
  }
  // soft prior on the pitch (vertebral body + disc): 25 mm, ± 5 mm costs 0.4
  const gapCost = (g: number): number => 0.4 * ((g * sz - PITCH_PRIOR_MM) / 5) ** 2;
  // cost[j]: best cost with a disc at j; a virtual disc before 0 and after n-1 (gap <= gMax)
  const cost = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const prev = new Int32Array(n).fill(-2);
  for (let j = 0; j < n; j++) {
    if (j + 1 <= gMax) {
      cost[j] = prof[j]!;
      prev[j] = -1;
    }
    for (let i = Math.max(0, j - gMax); i <= j - gMin; i++) {
      const c = cost[i]! + prof[j]! + gapCost(j - i);
      if (c < cost[j]!) {
        cost[j] = c;
        prev[j] = i;
      }
    }
  }
  let end = -1;
  let endCost = Number.POSITIVE_INFINITY;
  for (let j = Math.max(0, n - gMax); j < n; j++) {
    if (cost[j]! < endCost) {
      endCost = cost[j]!;
      end = j;
    }
  }
  const discs: number[] = [];
  for (let j = end; j >= 0; j = prev[j]!) discs.push(j);
  discs.reverse();
  const cuts = [-1, ...discs, n];
  const groups: SliceBody[][] = [];
  for (let c = 0; c + 1 < cuts.length; c++) {
    const g: SliceBody[] = [];
    for (let j = cuts[c]! + 1; j < cuts[c + 1]!; j++) {
      const s = byK.get(k0 + j);
      if (s) g.push(s);
    }
    if (g.length) groups.push(g);
  }
  return groups;
}

/** Confidence from the closed shell, the canal, continuity, neighbour spacing and ROI size. */
function rateQuality(vs: VertebraMeasurement[]): void {
  for (let j = 0; j < vs.length; j++) {
    const v = vs[j]!;
    const q = v.quality!;
    const gaps: number[] = [];
    if (j > 0) gaps.push(Math.abs(vs[j - 1]!.centerMm[2] - v.centerMm[2]));
    if (j + 1 < vs.length) gaps.push(Math.abs(vs[j + 1]!.centerMm[2] - v.centerMm[2]));
    q.neighbourSpacingMm = gaps.map((g) => round(g, 1));
    const problems: string[] = [];
    if (v.partial) problems.push('cut by the edge of the field of view');
    if (!q.shellClosed) problems.push('cortical shell not closed around the body centre');
    if (!q.canalFound) problems.push('no spinal canal found behind the body');
    if (q.curveDeviationMm > 4) problems.push(`body centre ${q.curveDeviationMm} mm off the spine curve`);
    if (gaps.some((g) => g < DISC_PITCH_MM[0] || g > DISC_PITCH_MM[1]))
      problems.push('spacing to a neighbour outside 15–35 mm');
    q.reasons = problems.length
      ? problems
      : ['closed cortical shell, spinal canal behind the body, on the spine curve, regular spacing'];
    q.confidence = v.partial || problems.length >= 2 ? 'low' : problems.length === 1 ? 'medium' : 'high';
  }
}

function median(a: number[]): number {
  const s = Float64Array.from(a).sort();
  const h = s.length >> 1;
  if (s.length === 0) return Number.NaN;
  return s.length % 2 ? s[h]! : 0.5 * (s[h - 1]! + s[h]!);
}

/**
 * Distance (mm) of each filled pixel of a slice to the nearest unfilled one, computed on the filled
 * pixels' box plus one pixel (unfilled all round, or the slice border as on the whole slice): exact
 * there; 0 elsewhere, where it is never read.
 */
function depthInFilled(filled: Uint8Array, nx: number, ny: number, spacing: Vec3): Float32Array {
  const dims: Vec3 = [nx, ny, 1];
  const out = new Float32Array(nx * ny);
  const box = nonzeroBox(filled, dims, [1, 1, 0]);
  if (!box) return out;
  const bd = boxDims(box);
  const inv = cropBytes(filled, dims, box);
  for (let p = 0; p < inv.length; p++) inv[p] = inv[p]! ^ 1;
  const d = distanceTransform({ data: inv, dims: bd, spacing }).data;
  for (let y = 0; y < bd[1]; y++) out.set(d.subarray(y * bd[0], (y + 1) * bd[0]), box[0] + nx * (y + box[1]));
  return out;
}
