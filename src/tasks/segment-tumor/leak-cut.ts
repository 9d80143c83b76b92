// Size-adaptive leak cut: an opening whose radius scales with the lesion's own inscribed radius,
// so that tissue of the lesion's HU touching it (chest wall, pleura, mediastinum, vessels) is
// cut off wherever the contact is narrower than the lesion itself is thick.
import type { Vec3 } from '../../core/volume.js';
import { maskBoundingBox } from '../../core/ops/crop.js';
import { distanceTransform } from '../../core/ops/distance.js';
import { connectedComponents, fillHoles } from '../../core/ops/labels.js';
import { close } from '../../core/ops/morphology.js';

/** What {@link cutLeaks} did. */
export interface LeakCutInfo {
  /** Radius of the largest ball inside the region at the lesion's core (found from the seed), mm. */
  coreRadiusMm: number;
  /** Radius of the opening ball actually used, mm (0 = no cut: lesion too small). */
  cutRadiusMm: number;
  /** Core centre, voxel index of the full grid. */
  coreIndex: number;
  /** Erosion depth (mm) at which a touching structure was split off by the watershed; 0 = none. */
  splitLevelMm?: number;
}

/**
 * Cuts leaks from a grown region: finds the lesion's core (the local maximum of the interior
 * distance reached by climbing from the seed), erodes the region by `fraction` × core radius,
 * keeps the eroded component holding the core, and dilates it back by the same radius plus
 * `regrowMm` inside the region (lobulations and the lesion's rim come back; bridges narrower than
 * the cut do not). Works on the region's bounding box only. Returns the cleaned region (same
 * grid) — the input when the lesion is too small for the cut to be meaningful.
 */
export function cutLeaks(
  region: Uint8Array,
  dims: Vec3,
  spacing: Vec3,
  seedVox: Vec3,
  fraction: number,
  minCutMm: number,
  regrowMm: number,
  prominenceFraction = 0.15,
  minRivalFraction = 0.6,
  inUserBox?: (voxel: Vec3) => boolean,
  closeDepthMm = 0,
): { mask: Uint8Array; info: LeakCutInfo } {
  let splitLevel = 0;
  const [nx, ny, nz] = dims;
  const box = maskBoundingBox({ data: region, dims, spacing });
  const none = { mask: region, info: { coreRadiusMm: 0, cutRadiusMm: 0, coreIndex: -1 } };
  if (!box) return none;
  let [x0, y0, z0] = box.min;
  const [x1, y1, z1] = box.max;
  // crop with a 1-voxel empty border (outside the image counts as outside the region)
  x0--;
  y0--;
  z0--;
  const cx = x1 - x0 + 2;
  const cy = y1 - y0 + 2;
  const cz = z1 - z0 + 2;
  const cd: Vec3 = [cx, cy, cz];
  const cxy = cx * cy;
  const cn = cxy * cz;
  const crop = new Uint8Array(cn);
  const outside = new Uint8Array(cn);
  for (let z = 0; z < cz; z++)
    for (let y = 0; y < cy; y++)
      for (let x = 0; x < cx; x++) {
        const X = x + x0;
        const Y = y + y0;
        const Z = z + z0;
        const c = x + cx * (y + cy * z);
        const v = X >= 0 && Y >= 0 && Z >= 0 && X < nx && Y < ny && Z < nz ? region[X + nx * (Y + ny * Z)]! : 0;
        crop[c] = v;
        outside[c] = v ? 0 : 1;
      }
  // depth inside the region closed (by `closeDepthMm`) and with enclosed holes filled, so that speckle
  // (noise voxels outside the HU window, gaps the per-slice opening leaves) does not break the
  // distance map into false local maxima
  const closedCrop = close({ data: crop, dims: cd, spacing }, { radiusMm: closeDepthMm });
  const filled = fillHoles(closedCrop, { mode: 'slice' }).data;
  const own = fillHoles({ data: crop, dims: cd, spacing }, { mode: 'slice' }).data;
  for (let c = 0; c < cn; c++) outside[c] = filled[c] ? 0 : 1;
  const depth = distanceTransform({ data: outside, dims: cd, spacing }).data;

  // Climb the interior distance from the seed to the core: move to the deepest voxel within the
  // current inscribed ball until no deeper one is found.
  const clamp = (v: number, n: number): number => Math.min(n - 1, Math.max(0, v));
  let p = [
    clamp(Math.round(seedVox[0]) - x0, cx),
    clamp(Math.round(seedVox[1]) - y0, cy),
    clamp(Math.round(seedVox[2]) - z0, cz),
  ];
  let best = depth[p[0]! + cx * (p[1]! + cy * p[2]!)]!;
  if (inUserBox) {
    // box mode: the lesion the user boxed is the deepest inscribed ball centred inside the box's
    // columns that contains the box centre (a deeper neighbour, such as a vessel running through
    // the box, does not contain it)
    const s0 = p;
    for (let z = 0; z < cz; z++)
      for (let y = 0; y < cy; y++)
        for (let x = 0; x < cx; x++) {
          const d = depth[x + cx * (y + cy * z)]!;
          if (d <= best) continue;
          const e =
            ((x - s0[0]!) * spacing[0]) ** 2 + ((y - s0[1]!) * spacing[1]) ** 2 + ((z - s0[2]!) * spacing[2]) ** 2;
          if (e <= d * d && inUserBox([x + x0, y + y0, z + z0])) {
            best = d;
            p = [x, y, z];
          }
        }
  }
  if (!(best > 0)) {
    // seed just outside the region: start from the nearest region voxel within 10 mm
    let bd = Infinity;
    const h = [0, 1, 2].map((a) => Math.ceil(10 / spacing[a]!));
    for (let z = Math.max(0, p[2]! - h[2]!); z <= Math.min(cz - 1, p[2]! + h[2]!); z++)
      for (let y = Math.max(0, p[1]! - h[1]!); y <= Math.min(cy - 1, p[1]! + h[1]!); y++)
        for (let x = Math.max(0, p[0]! - h[0]!); x <= Math.min(cx - 1, p[0]! + h[0]!); x++) {
          if (!crop[x + cx * (y + cy * z)]) continue;
          const d = ((x - p[0]!) * spacing[0]) ** 2 + ((y - p[1]!) * spacing[1]) ** 2 + ((z - p[2]!) * spacing[2]) ** 2;
          if (d < bd) {
            bd = d;
            p = [x, y, z];
          }
        }
    if (bd === Infinity) return none;
    best = depth[p[0]! + cx * (p[1]! + cy * p[2]!)]!;
  }
  for (let step = 0; step < (inUserBox ? 0 : 50); step++) {
    const r = best;
    const h = [0, 1, 2].map((a) => Math.floor(r / spacing[a]!));
    let q = p;
    let qb = best;
    for (let z = Math.max(0, p[2]! - h[2]!); z <= Math.min(cz - 1, p[2]! + h[2]!); z++)
      for (let y = Math.max(0, p[1]! - h[1]!); y <= Math.min(cy - 1, p[1]! + h[1]!); y++)
        for (let x = Math.max(0, p[0]! - h[0]!); x <= Math.min(cx - 1, p[0]! + h[0]!); x++) {
          const d = depth[x + cx * (y + cy * z)]!;
          if (d <= qb) continue;
          const e = ((x - p[0]!) * spacing[0]) ** 2 + ((y - p[1]!) * spacing[1]) ** 2 + ((z - p[2]!) * spacing[2]) ** 2;
          if (e <= r * r) {
            qb = d;
            q = [x, y, z];
          }
        }
    if (q === p) break;
    p = q;
    best = qb;
  }
  const coreC = p[0]! + cx * (p[1]! + cy * p[2]!);
  const coreIndex = p[0]! + x0 + nx * (p[1]! + y0 + ny * (p[2]! + z0));
  const cut = fraction * best;
  if (cut < minCutMm) return { mask: region, info: { coreRadiusMm: best, cutRadiusMm: 0, coreIndex } };

  // erode (depth > cut), keep the core's component, dilate back by cut + regrow inside the region
  // box mode: every eroded part whose deepest point lies in the drawn box's columns is the boxed
  // lesion (lobes joined by a waist on other slices), not a leak
  const keepAlso = inUserBox
    ? (labels: Int32Array, label: number): boolean =>
        inUserBox(maxPoint(labels, depth, label, cn, x0, y0, z0, cd, dims))
    : undefined;
  const thin = openFromCore(filled, depth, cd, spacing, coreC, cut, cut + regrowMm, keepAlso);

  // Touching blobs of the lesion's HU (a vessel, the mediastinum) joined by a contact too wide for
  // the cut: split along the distance map's watershed. Scanning erosion levels above the cut, the
  // first level at which a prominent separate maximum appears (deep enough to be a structure of
  // its own, not a lobulation) gives the markers; each voxel goes to the nearer marker.
  const h = Math.max(prominenceFraction * best, 2 * Math.max(spacing[0], spacing[1]));
  const step = Math.min(spacing[0], spacing[1], spacing[2]);
  let rivals: Uint8Array | null = null;
  let coreMarker: Uint8Array | null = null;
  const compMax: number[] = [];
  for (let t = cut + step; t < best - h; t += step) {
    const lev = new Uint8Array(cn);
    for (let c = 0; c < cn; c++) lev[c] = thin[c] && depth[c]! > t ? 1 : 0;
    const cc = connectedComponents({ data: lev, dims: cd, spacing }, { connectivity: 6, stats: false });
    if (cc.count < 2) continue;
    compMax.length = 0;
    for (let l = 0; l <= cc.count; l++) compMax.push(0);
    for (let c = 0; c < cn; c++) {
      const l = cc.labels.data[c]!;
      if (l && depth[c]! > compMax[l]!) compMax[l] = depth[c]!;
    }
    const ck = cc.labels.data[coreC]!;
    const rivalLabels = new Set<number>();
    for (let l = 1; l <= cc.count; l++)
      if (l !== ck && compMax[l]! >= t + h && compMax[l]! >= minRivalFraction * best) rivalLabels.add(l);
    if (inUserBox) {
      for (const l of [...rivalLabels])
        if (inUserBox(maxPoint(cc.labels.data, depth, l, cn, x0, y0, z0, cd, dims))) rivalLabels.delete(l);
    }
    if (rivalLabels.size === 0) continue;
    rivals = new Uint8Array(cn);
    coreMarker = new Uint8Array(cn);
    for (let c = 0; c < cn; c++) {
      const l = cc.labels.data[c]!;
      if (l === ck) coreMarker[c] = 1;
      else if (rivalLabels.has(l)) rivals[c] = 1;
    }
    splitLevel = t;
    break;
  }
  let final = thin;
  if (rivals && coreMarker) {
    const dC = distanceTransform({ data: coreMarker, dims: cd, spacing }).data;
    const dR = distanceTransform({ data: rivals, dims: cd, spacing }).data;
    const part = new Uint8Array(cn);
    for (let c = 0; c < cn; c++) part[c] = thin[c] && dC[c]! <= dR[c]! ? 1 : 0;
    const cc = connectedComponents({ data: part, dims: cd, spacing }, { connectivity: 6, stats: false });
    const ck = cc.labels.data[coreC]!;
    final = new Uint8Array(cn);
    for (let c = 0; c < cn; c++) final[c] = ck && cc.labels.data[c] === ck ? 1 : 0;
  }
  const out = new Uint8Array(region.length);
  for (let z = 0; z < cz; z++)
    for (let y = 0; y < cy; y++)
      for (let x = 0; x < cx; x++) {
        const c = x + cx * (y + cy * z);
        if (final[c] && own[c]) out[x + x0 + nx * (y + y0 + ny * (z + z0))] = 1;
      }
  return { mask: out, info: { coreRadiusMm: best, cutRadiusMm: cut, coreIndex, splitLevelMm: splitLevel } };
}

/** Opening by reconstruction-lite: depth > cut, the core's component, dilated back by `reach` inside the mask. */
function openFromCore(
  mask: Uint8Array,
  depth: Float32Array,
  dims: Vec3,
  spacing: Vec3,
  core: number,
  cut: number,
  reach: number,
  keepAlso?: (labels: Int32Array, label: number) => boolean,
): Uint8Array {
  const n = mask.length;
  const eroded = new Uint8Array(n);
  for (let c = 0; c < n; c++) eroded[c] = depth[c]! > cut ? 1 : 0;
  const comps = connectedComponents({ data: eroded, dims, spacing }, { connectivity: 6, stats: false });
  const keep = new Uint8Array(comps.count + 1);
  keep[comps.labels.data[core]!] = 1;
  if (keepAlso) for (let l = 1; l <= comps.count; l++) if (!keep[l] && keepAlso(comps.labels.data, l)) keep[l] = 1;
  keep[0] = 0;
  const kept = new Uint8Array(n);
  for (let c = 0; c < n; c++) kept[c] = keep[comps.labels.data[c]!]!;
  const back = distanceTransform({ data: kept, dims, spacing }).data;
  const out = new Uint8Array(n);
  for (let c = 0; c < n; c++) out[c] = mask[c] && back[c]! <= reach ? 1 : 0;
  return out;
}

/** Full-grid voxel index of the deepest voxel of component `label` (crop at x0, y0, z0). */
function maxPoint(
  labels: Int32Array,
  depth: Float32Array,
  label: number,
  n: number,
  x0: number,
  y0: number,
  z0: number,
  cd: Vec3,
  dims: Vec3,
): Vec3 {
  let bi = -1;
  let bd = -1;
  for (let c = 0; c < n; c++)
    if (labels[c] === label && depth[c]! > bd) {
      bd = depth[c]!;
      bi = c;
    }
  const x = bi % cd[0];
  const y = Math.floor(bi / cd[0]) % cd[1];
  const z = Math.floor(bi / (cd[0] * cd[1]));
  void dims;
  return [x + x0, y + y0, z + z0];
}
