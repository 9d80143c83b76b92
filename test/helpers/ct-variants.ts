import { gaussian } from '../../src/core/ops/gaussian.js';
import { resample } from '../../src/core/ops/resample.js';
import { Rng } from '../../src/core/random.js';
import type { Volume } from '../../src/core/volume.js';

/**
 * A real CT as another scanner would have made it, for robustness tests: slices `thicknessMm`
 * thick (the mean over each slab of a 1 mm linear re-slicing, like a thick-slice reconstruction),
 * spaced `thicknessMm` apart. Thinner than the source only interpolates.
 */
export function resliceThick(ct: Volume, thicknessMm: number): Volume<Float32Array> {
  const fine = resample(ct, { spacing: [ct.spacing[0], ct.spacing[1], 1] }) as Volume<Float32Array>;
  const [nx, ny, nzf] = fine.dims;
  const sxy = nx * ny;
  const step = thicknessMm; // fine slices are 1 mm apart
  const nz = Math.max(1, Math.floor((nzf - 1) / step));
  const data = new Float32Array(sxy * nz);
  for (let k = 0; k < nz; k++) {
    const c = k * step + step / 2; // slab centre, fine index
    const lo = Math.max(0, Math.round(c - step / 2));
    const hi = Math.min(nzf - 1, Math.max(lo, Math.round(c + step / 2) - 1));
    const w = 1 / (hi - lo + 1);
    const out = data.subarray(k * sxy, (k + 1) * sxy);
    for (let z = lo; z <= hi; z++) {
      const src = fine.data.subarray(z * sxy, (z + 1) * sxy);
      for (let i = 0; i < sxy; i++) out[i]! += w * src[i]!;
    }
  }
  const origin = [...fine.origin] as [number, number, number];
  // slab k is centred at fine index k*step + step/2 - 0.5 (mean of the fine slices it spans)
  const shift = (step - 1) / 2;
  for (let a = 0; a < 3; a++) origin[a] = origin[a]! + fine.direction[3 * a + 2]! * shift;
  return { ...fine, data, dims: [nx, ny, nz], spacing: [ct.spacing[0], ct.spacing[1], thicknessMm], origin };
}

/** A smoother reconstruction kernel: in-plane Gaussian of `sigmaMm` (no smoothing across slices). */
export function smoothKernel(ct: Volume, sigmaMm: number): Volume<Float32Array> {
  return gaussian(ct, { sigmaMm: [sigmaMm, sigmaMm, 0] });
}

/** Seeded Gaussian noise of `sd` HU on every voxel (a lower-dose acquisition of the same anatomy). */
export function noisyCt(ct: Volume, sd: number, seed = 7): Volume<Float32Array> {
  const rng = new Rng(seed);
  return { ...ct, data: Float32Array.from(ct.data, (v) => v + sd * rng.normal()) };
}

/** A sharper kernel: unsharp mask in plane, x + k (x - G(x, 1 mm)). */
export function sharpKernel(ct: Volume, k = 1): Volume<Float32Array> {
  const g = gaussian(ct, { sigmaMm: [1, 1, 0] });
  const out = { ...ct, data: Float32Array.from(ct.data) };
  for (let i = 0; i < out.data.length; i++) out.data[i] = out.data[i]! + k * (out.data[i]! - g.data[i]!);
  return out;
}

/** Slices [from, to) only: a scan that covers part of the lungs (origin moved to slice `from`). */
export function cropSlices(ct: Volume, from: number, to: number): Volume<Float32Array> {
  const sxy = ct.dims[0] * ct.dims[1];
  const origin = [0, 1, 2].map((r) => ct.origin[r]! + ct.direction[3 * r + 2]! * ct.spacing[2] * from) as [
    number,
    number,
    number,
  ];
  return {
    ...ct,
    data: Float32Array.from(ct.data.subarray(from * sxy, to * sxy)),
    dims: [ct.dims[0], ct.dims[1], to - from],
    origin,
  };
}

/**
 * Columns [x0, x1) and rows [y0, y1) only: a reconstruction with a smaller field of view, which cuts
 * the body and, when narrow, the lungs at the side (origin moved to the first kept pixel).
 */
export function cropInPlane(ct: Volume, x0: number, x1: number, y0: number, y1: number): Volume<Float32Array> {
  const [nx, ny, nz] = ct.dims;
  const w = x1 - x0;
  const h = y1 - y0;
  const data = new Float32Array(w * h * nz);
  for (let z = 0, p = 0; z < nz; z++)
    for (let y = y0; y < y1; y++, p += w) data.set(ct.data.subarray(x0 + nx * (y + ny * z), x1 + nx * (y + ny * z)), p);
  const d = ct.direction;
  const origin = [0, 1, 2].map(
    (r) => ct.origin[r]! + d[3 * r]! * ct.spacing[0] * x0 + d[3 * r + 1]! * ct.spacing[1] * y0,
  ) as [number, number, number];
  return { ...ct, data, dims: [w, h, nz], origin };
}
