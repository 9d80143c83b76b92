import { indexToWorld } from '../../src/core/geometry.js';
import type { Volume } from '../../src/core/volume.js';

/**
 * A copy of `ct` with a solid lesion implanted: a sphere of `diameterMm` at `centreMm` (LPS), 35 HU
 * with a seeded 15 HU Gaussian texture and a 1.5 mm linear edge, as a solid tumour on CT. Nothing
 * in it is tuned to a detector; tests and bench/nodule-implants.ts use it to ask whether a lesion of
 * known size and place is found on a real scan.
 */
export function implantSphere(
  ct: Volume,
  centreMm: readonly number[],
  diameterMm: number,
  seed = 11,
): Volume<Float32Array> {
  const out: Volume<Float32Array> = { ...ct, data: Float32Array.from(ct.data) };
  const [nx, ny, nz] = ct.dims;
  const r = diameterMm / 2;
  let s = seed >>> 0;
  const u = () => ((s = (s * 1664525 + 1013904223) >>> 0) + 0.5) / 4294967296;
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const w = indexToWorld(ct, [i, j, k]);
        const d = Math.hypot(w[0] - centreMm[0]!, w[1] - centreMm[1]!, w[2] - centreMm[2]!);
        if (d > r + 1.5) continue;
        const a = Math.min(1, Math.max(0, 0.5 - (d - r) / 1.5));
        const tex = 15 * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
        const p = i + nx * (j + ny * k);
        out.data[p] = a * (35 + tex) + (1 - a) * out.data[p]!;
      }
  return out;
}
