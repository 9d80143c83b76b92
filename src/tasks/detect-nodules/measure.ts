import { equivalentDiameterMm, lesionAxes } from '../../core/lesion.js';
import type { Vec3 } from '../../core/volume.js';
import { connectedComponents } from '../../core/ops/labels.js';
import { open } from '../../core/ops/morphology.js';
import { kthSmallest } from '../../core/select.js';
import type { LungCrop } from './candidates.js';
import type { NoduleKind } from './lung-rads.js';

/** HU of ground glass used to set the segmentation threshold (halfway from parenchyma). */
const GG_REF_HU = -600;
/** Solid-component threshold, halfway between lung (-850) and soft tissue (+30). */
export const SOLID_THRESHOLD_HU = -400;

/** Size and attenuation of one segmented candidate. */
export interface CandidateMeasure {
  /** Voxel index (crop) of the region's centroid. */
  centroid: Vec3;
  volumeMm3: number;
  longAxisMm: number;
  shortAxisMm: number;
  solidLongAxisMm: number;
  solidShortAxisMm: number;
  solidVolumeMm3: number;
  meanHU: number;
  backgroundHU: number;
  peakHU: number;
  type: NoduleKind;
  /** Volume / volume of the sphere with the long axis as diameter (1 for a ball). */
  compactness: number;
  /** Fraction of the region's surface on the search-sphere boundary (leak into vessels or wall). */
  leak: number;
  /**
   * Fraction of the voxels just outside the region that are aerated lung (inside the lung mask and
   * below the region threshold): high for a nodule or a mass in the lung even when it touches the
   * pleura or mediastinum, low for heart, great vessels or chest wall pulled into a closed lung mask.
   */
  lungContact: number;
  /**
   * Fraction of the voxels just outside the region that lie outside the lung mask: high for heart,
   * aorta or chest wall that a closed lung mask only partly takes in.
   */
  wallContact: number;
  /** Region voxel indices in the crop. */
  voxels: Int32Array;
}

/**
 * Segments a candidate locally and measures it. Region: voxels connected to the centre above a
 * threshold halfway between the local parenchyma (median of a shell) and min(peak, -600 HU), inside
 * a sphere of 1.5 radii, opened by 0.3 radii to cut attached vessels. The solid part is the region
 * above -400 HU. Solid nodules are measured on their solid part (a 50 % boundary), subsolid ones on
 * the whole region.
 */
export function measureCandidate(
  crop: LungCrop,
  cx: number,
  cy: number,
  cz: number,
  radiusMm: number,
): CandidateMeasure | null {
  const [nx, ny, nz] = crop.dims;
  const sp = crop.spacing;
  const R = 1.5 * radiusMm + 2 * Math.max(sp[0], sp[1]);
  const shellOut = R + 6;
  const h = [Math.ceil(shellOut / sp[0]), Math.ceil(shellOut / sp[1]), Math.ceil(shellOut / sp[2])];
  const bx0 = Math.max(0, cx - h[0]!);
  const by0 = Math.max(0, cy - h[1]!);
  const bz0 = Math.max(0, cz - h[2]!);
  const bx1 = Math.min(nx - 1, cx + h[0]!);
  const by1 = Math.min(ny - 1, cy + h[1]!);
  const bz1 = Math.min(nz - 1, cz + h[2]!);
  // squared mm offsets per axis, summed in the same order as |d|² (identical float results)
  const sqOffsets = (c: number, a: number, b: number, s: number) =>
    Float64Array.from({ length: b - a + 1 }, (_, k) => ((a + k - c) * s) ** 2);
  const dx2 = sqOffsets(cx, bx0, bx1, sp[0]);
  const dy2 = sqOffsets(cy, by0, by1, sp[1]);
  const dz2 = sqOffsets(cz, bz0, bz1, sp[2]);
  const data = crop.data;
  const hull = crop.hull;
  const RR = R * R;
  // Background (median of the lung in the shell R..R+6 mm) and peak (mean within rPeak).
  const shell = new Float64Array((bx1 - bx0 + 1) * (by1 - by0 + 1) * (bz1 - bz0 + 1));
  let shellCount = 0;
  let peakSum = 0;
  let peakN = 0;
  const rPeak = Math.max(0.5 * radiusMm, 0.6 * Math.min(sp[0], sp[1], sp[2]));
  const SS = shellOut * shellOut;
  const PP = rPeak * rPeak;
  for (let z = bz0; z <= bz1; z++)
    for (let y = by0; y <= by1; y++) {
      const yz = dz2[z - bz0]!;
      const yy = dy2[y - by0]!;
      const row = nx * (y + ny * z);
      for (let x = bx0; x <= bx1; x++) {
        const d2 = dx2[x - bx0]! + yy + yz;
        if (d2 > SS || (d2 > PP && d2 <= RR)) continue;
        const v = data[x + row]!;
        if (d2 > RR) {
          if (hull[x + row]) shell[shellCount++] = v;
        } else {
          peakSum += v;
          peakN++;
        }
      }
    }
  // The region lives in the search sphere: everything below works on the sphere's box plus one
  // voxel (empty) so that the opening, components and contact counts see exactly what the whole
  // box would.
  const x0 = Math.max(bx0, cx - Math.ceil(R / sp[0]) - 1);
  const y0 = Math.max(by0, cy - Math.ceil(R / sp[1]) - 1);
  const z0 = Math.max(bz0, cz - Math.ceil(R / sp[2]) - 1);
  const x1 = Math.min(bx1, cx + Math.ceil(R / sp[0]) + 1);
  const y1 = Math.min(by1, cy + Math.ceil(R / sp[1]) + 1);
  const z1 = Math.min(bz1, cz + Math.ceil(R / sp[2]) + 1);
  if (peakN === 0) return null;
  const bg = shellCount > 10 ? median(shell.subarray(0, shellCount)) : crop.parenchymaHU;
  const peak = peakSum / peakN;
  if (peak - bg < 60) return null;
  const tLow = bg + 0.5 * (Math.min(peak, GG_REF_HU) - bg);
  if (!(tLow > bg + 20)) return null;
  const ld: Vec3 = [x1 - x0 + 1, y1 - y0 + 1, z1 - z0 + 1];
  const ln = ld[0] * ld[1] * ld[2];
  const vals = new Float32Array(ln);
  const r2 = new Float32Array(ln);
  // above threshold inside the search sphere (compared as stored, float32), then opened against
  // attached vessels
  let m: Uint8Array = new Uint8Array(ln);
  for (let z = z0, li = 0; z <= z1; z++)
    for (let y = y0; y <= y1; y++) {
      const yz = dz2[z - bz0]!;
      const yy = dy2[y - by0]!;
      const row = nx * (y + ny * z);
      for (let x = x0; x <= x1; x++, li++) {
        vals[li] = data[x + row]!;
        r2[li] = dx2[x - bx0]! + yy + yz;
        m[li] = vals[li]! > tLow && r2[li]! <= RR ? 1 : 0;
      }
    }
  const openR = 0.3 * radiusMm;
  // (an opening lies within its mask: erosion and dilation by the same ball)
  if (openR >= Math.min(sp[0], sp[1], sp[2])) m = open({ data: m, dims: ld, spacing: sp }, { radiusMm: openR }).data;
  const comps = connectedComponents({ data: m, dims: ld, spacing: sp }, { connectivity: 6, stats: false });
  // component at (or nearest to) the centre
  const lc = cx - x0 + ld[0] * (cy - y0 + ld[1] * (cz - z0));
  let label = comps.labels.data[lc]!;
  if (!label) {
    let best = Number.POSITIVE_INFINITY;
    for (let li = 0; li < ln; li++) {
      if (comps.labels.data[li] && r2[li]! < best && r2[li]! <= (0.7 * radiusMm + sp[0]) ** 2) {
        best = r2[li]!;
        label = comps.labels.data[li]!;
      }
    }
  }
  if (!label) return null;
  const vox: number[] = [];
  let sum = 0;
  let onBoundary = 0;
  let surface = 0;
  const rIn = (R - Math.max(sp[0], sp[1], sp[2])) ** 2;
  for (let li = 0; li < ln; li++) {
    if (comps.labels.data[li] !== label) continue;
    vox.push(li);
    sum += vals[li]!;
    const lx = li % ld[0];
    const ly = Math.floor(li / ld[0]) % ld[1];
    const lz = Math.floor(li / (ld[0] * ld[1]));
    const edge =
      lx === 0 ||
      ly === 0 ||
      lz === 0 ||
      lx === ld[0] - 1 ||
      ly === ld[1] - 1 ||
      lz === ld[2] - 1 ||
      comps.labels.data[li - 1] !== label ||
      comps.labels.data[li + 1] !== label ||
      comps.labels.data[li - ld[0]] !== label ||
      comps.labels.data[li + ld[0]] !== label ||
      comps.labels.data[li - ld[0] * ld[1]] !== label ||
      comps.labels.data[li + ld[0] * ld[1]] !== label;
    if (edge) {
      surface++;
      if (r2[li]! > rIn) onBoundary++;
    }
  }
  // outer shell: 6-neighbours of the region that are not in it (inside the local box)
  let shellN = 0;
  let shellLung = 0;
  let shellWall = 0;
  const sxyL = ld[0] * ld[1];
  const nb = [-1, 1, -ld[0], ld[0], -sxyL, sxyL];
  const seen = new Uint8Array(ln);
  for (const li of vox) {
    const lx = li % ld[0];
    const ly = Math.floor(li / ld[0]) % ld[1];
    const lz = Math.floor(li / sxyL);
    for (let k = 0; k < 6; k++) {
      if ((k === 0 && lx === 0) || (k === 1 && lx === ld[0] - 1)) continue;
      if ((k === 2 && ly === 0) || (k === 3 && ly === ld[1] - 1)) continue;
      if ((k === 4 && lz === 0) || (k === 5 && lz === ld[2] - 1)) continue;
      const lj = li + nb[k]!;
      if (comps.labels.data[lj] === label || seen[lj]) continue;
      seen[lj] = 1;
      shellN++;
      const gx = lj % ld[0];
      const gy = Math.floor(lj / ld[0]) % ld[1];
      const gz = Math.floor(lj / sxyL);
      if (!crop.hull[gx + x0 + nx * (gy + y0 + ny * (gz + z0))]) shellWall++;
      else if (vals[lj]! <= tLow) shellLung++;
    }
  }
  const solid = vox.filter((li) => vals[li]! > SOLID_THRESHOLD_HU);
  const vv = sp[0] * sp[1] * sp[2];
  const all = lesionAxes(vox, ld, sp);
  const sol = solid.length ? lesionAxes(solid, ld, sp) : { longMm: 0, shortMm: 0 };
  const dAll = equivalentDiameterMm(vox.length * vv);
  const dSolid = equivalentDiameterMm(solid.length * vv);
  let type: NoduleKind;
  if (dSolid >= 0.7 * dAll) type = 'solid';
  else if (dSolid >= Math.max(1.5, 0.2 * dAll)) type = 'part-solid';
  else type = 'ground-glass';
  const use = type === 'solid' ? solid : vox;
  const ax = type === 'solid' ? sol : all;
  let gx = 0;
  let gy = 0;
  let gz = 0;
  for (const li of use) {
    gx += li % ld[0];
    gy += Math.floor(li / ld[0]) % ld[1];
    gz += Math.floor(li / (ld[0] * ld[1]));
  }
  const volume = use.length * vv;
  const voxels = new Int32Array(use.length);
  use.forEach((li, k) => {
    const lx = li % ld[0];
    const ly = Math.floor(li / ld[0]) % ld[1];
    const lz = Math.floor(li / (ld[0] * ld[1]));
    voxels[k] = lx + x0 + nx * (ly + y0 + ny * (lz + z0));
  });
  return {
    centroid: [x0 + gx / use.length, y0 + gy / use.length, z0 + gz / use.length],
    volumeMm3: volume,
    longAxisMm: ax.longMm,
    shortAxisMm: ax.shortMm,
    solidLongAxisMm: sol.longMm,
    solidShortAxisMm: sol.shortMm,
    solidVolumeMm3: solid.length * vv,
    meanHU: sum / vox.length,
    backgroundHU: bg,
    peakHU: peak,
    type,
    compactness: ax.longMm > 0 ? volume / ((Math.PI / 6) * ax.longMm ** 3) : 0,
    leak: surface ? onBoundary / surface : 0,
    lungContact: shellN ? shellLung / shellN : 0,
    wallContact: shellN ? shellWall / shellN : 0,
    voxels,
  };
}

/** Median of `a` (reordered in place): the middle order statistic(s) by selection, O(n). */
function median(a: Float64Array): number {
  const m = a.length >> 1;
  const hi = kthSmallest(a, m);
  if (a.length % 2) return hi;
  // the lower middle is the largest value left of m after the selection
  let lo = a[0]!;
  for (let i = 1; i < m; i++) if (a[i]! > lo) lo = a[i]!;
  return 0.5 * (lo + hi);
}
