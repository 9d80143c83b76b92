import { indexToWorld, worldToIndex } from '../../src/core/geometry.js';
import { Rng } from '../../src/core/random.js';
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
  const [nx, ny] = ct.dims;
  const r = diameterMm / 2;
  const reach = r + 1.5;
  // index box of the sphere's world box (its 8 corners), so only voxels near it are visited
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let c = 0; c < 8; c++) {
    const q = worldToIndex(
      ct,
      [0, 1, 2].map((a) => centreMm[a]! + ((c >> a) & 1 ? reach : -reach)),
    );
    for (let a = 0; a < 3; a++) {
      lo[a] = Math.min(lo[a]!, q[a]!);
      hi[a] = Math.max(hi[a]!, q[a]!);
    }
  }
  const from = lo.map((v) => Math.max(0, Math.floor(v)));
  const to = hi.map((v, a) => Math.min(ct.dims[a]! - 1, Math.ceil(v)));
  const rng = new Rng(seed);
  for (let k = from[2]!; k <= to[2]!; k++)
    for (let j = from[1]!; j <= to[1]!; j++)
      for (let i = from[0]!; i <= to[0]!; i++) {
        const w = indexToWorld(ct, [i, j, k]);
        const d = Math.hypot(w[0] - centreMm[0]!, w[1] - centreMm[1]!, w[2] - centreMm[2]!);
        if (d > reach) continue;
        const a = Math.min(1, Math.max(0, 0.5 - (d - r) / 1.5));
        const p = i + nx * (j + ny * k);
        out.data[p] = a * (35 + 15 * rng.normal()) + (1 - a) * out.data[p]!;
      }
  return out;
}
