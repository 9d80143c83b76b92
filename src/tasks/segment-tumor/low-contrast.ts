import { crop } from '../../core/ops/crop.js';
import { gradientMagnitude } from '../../core/ops/derivatives.js';
import { gaussian } from '../../core/ops/gaussian.js';
import type { Vec3, Volume } from '../../core/volume.js';

/** What the low-contrast growing found (provenance). */
export interface LowContrastInfo {
  /** Median of the denoised image near the seed and at the end, intensity units. */
  median: number;
  /** Robust SD of the denoised lesion, intensity units. */
  sd: number;
  /** Gradient gate, intensity units per mm. */
  gradientLimit: number;
}

/**
 * Seed-mode growing for a lesion of about the intensity of the tissue around it (a sarcoma in
 * muscle): where growing on the raw image runs to the search limit, intensity alone does not bound
 * the lesion. On the image denoised by a Gaussian of `sigmaMm` in-plane (half of it across
 * slices), the lesion's own interior is flat and narrow in intensity, while the tissue planes
 * around it (fat between muscles, fascia) show as gradient ridges, and the partial-volume band
 * between fat and muscle passes through the lesion's intensity only where the gradient is high.
 * So the region grows through voxels within `k` robust SDs of the lesion's denoised median AND with
 * a gradient below `gradientFactor` times the median gradient near the seed; median and SD are
 * re-estimated from the region (`iterations` rounds). The bound comes from the image's edges,
 * not from the search sphere. Works on a crop around the allowed region only.
 */
export function growLowContrast(
  image: Volume,
  allowed: Uint8Array,
  seedVox: Vec3,
  k: number,
  iterations: number,
  sigmaMm: number,
  gradientFactor: number,
): { region: Uint8Array; info: LowContrastInfo } {
  const [nx, ny, nz] = image.dims;
  const lo: Vec3 = [nx, ny, nz];
  const hi: Vec3 = [-1, -1, -1];
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++)
        if (allowed[x + nx * (y + ny * z)]) {
          if (x < lo[0]) lo[0] = x;
          if (x > hi[0]) hi[0] = x;
          if (y < lo[1]) lo[1] = y;
          if (y > hi[1]) hi[1] = y;
          if (z < lo[2]) lo[2] = z;
          if (z > hi[2]) hi[2] = z;
        }
  const region = new Uint8Array(allowed.length);
  const empty = { region, info: { median: 0, sd: 0, gradientLimit: 0 } };
  if (hi[0] < 0) return empty;
  // a margin of two sigmas so that the smoothing near the crop's edge sees real neighbours
  const m = [0, 1, 2].map((a) => Math.ceil((2 * sigmaMm) / image.spacing[a]!));
  const box = {
    min: lo.map((v, a) => Math.max(0, v - m[a]!)) as Vec3,
    max: hi.map((v, a) => Math.min(image.dims[a]! - 1, v + m[a]!)) as Vec3,
  };
  const sub = crop(image, box);
  const sigma: [number, number, number] = [sigmaMm, sigmaMm, sigmaMm / 2];
  const smooth = gaussian(sub, { sigmaMm: sigma }).data;
  const grad = gradientMagnitude(sub, { sigmaMm: sigma }).data;
  const [cx, cy, cz] = sub.dims;
  const cxy = cx * cy;
  const cn = cxy * cz;
  const toFull = (j: number): number => {
    const x = j % cx;
    const y = ((j - x) / cx) % cy;
    const z = (j - x - y * cx) / cxy;
    return x + box.min[0] + nx * (y + box.min[1] + ny * (z + box.min[2]));
  };
  const ok = new Uint8Array(cn);
  for (let j = 0; j < cn; j++) ok[j] = allowed[toFull(j)]!;
  // intensity model and gradient scale from the denoised voxels within 10 mm of the seed
  const near: number[] = [];
  const nearGrad: number[] = [];
  const s = seedVox.map((v, a) => v - box.min[a]!);
  const sp = image.spacing;
  for (let z = 0; z < cz; z++)
    for (let y = 0; y < cy; y++)
      for (let x = 0; x < cx; x++) {
        const d2 = ((x - s[0]!) * sp[0]) ** 2 + ((y - s[1]!) * sp[1]) ** 2 + ((z - s[2]!) * sp[2]) ** 2;
        if (d2 > 100) continue;
        const j = x + cx * (y + cy * z);
        near.push(smooth[j]!);
        nearGrad.push(grad[j]!);
      }
  if (near.length === 0) return empty;
  let [mu, sd] = robust(near);
  // SD floor: the change over 2 mm at the median gradient near the seed (or 2 % of the median), so
  // that a perfectly flat neighbourhood does not give a zero-width window
  const sdFloor = Math.max(1e-6, 0.02 * Math.abs(mu), robust(nearGrad)[0] * 2);
  sd = Math.max(sd, sdFloor);
  const gLimit = gradientFactor * robust(nearGrad)[0];
  const si = Math.round(s[0]!) + cx * (Math.round(s[1]!) + cy * Math.round(s[2]!));
  let cur = new Uint8Array(cn);
  const queue = new Int32Array(cn);
  for (let it = 0; it <= iterations; it++) {
    const wlo = mu - k * sd;
    const whi = mu + k * sd;
    const inside = (j: number): boolean => ok[j] === 1 && smooth[j]! >= wlo && smooth[j]! <= whi && grad[j]! <= gLimit;
    const next = new Uint8Array(cn);
    let tail = 0;
    // seeds: the denoised seed neighbourhood (1 voxel around the click) that passes the gates
    for (let dz = -1; dz <= 1; dz++)
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const j = si + dx + cx * (dy + cy * dz);
          if (j >= 0 && j < cn && !next[j] && inside(j)) {
            next[j] = 1;
            queue[tail++] = j;
          }
        }
    const visit = (q: number): void => {
      if (!next[q] && inside(q)) {
        next[q] = 1;
        queue[tail++] = q;
      }
    };
    for (let head = 0; head < tail; head++) {
      const j = queue[head]!;
      const x = j % cx;
      const y = ((j - x) / cx) % cy;
      const z = (j - x - y * cx) / cxy;
      if (x > 0) visit(j - 1);
      if (x < cx - 1) visit(j + 1);
      if (y > 0) visit(j - cx);
      if (y < cy - 1) visit(j + cx);
      if (z > 0) visit(j - cxy);
      if (z < cz - 1) visit(j + cxy);
    }
    if (tail === 0) break;
    cur = next;
    if (it < iterations) {
      const vals: number[] = [];
      for (let j = 0; j < cn; j++) if (cur[j]) vals.push(smooth[j]!);
      [mu, sd] = robust(vals);
      sd = Math.max(sd, sdFloor);
    }
  }
  for (let j = 0; j < cn; j++) if (cur[j]) region[toFull(j)] = 1;
  return { region, info: { median: mu, sd, gradientLimit: gLimit } };
}

/** Median and 1.4826·MAD. */
function robust(v: number[]): [number, number] {
  if (v.length === 0) return [0, 0];
  const s = Float64Array.from(v).sort();
  const med = s[s.length >> 1]!;
  const dev = s.map((x) => Math.abs(x - med)).sort();
  return [med, 1.4826 * dev[dev.length >> 1]!];
}
