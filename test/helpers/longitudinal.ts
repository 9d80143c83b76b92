// Synthetic follow-up scans for the longitudinal tests and the test-retest bench: the same scan as if
// the patient moved (a known rigid transform), resampled onto the same grid and re-noised.
import { indexToWorld } from '../../src/core/geometry.js';
import {
  type AffineTransform,
  eulerMatrix,
  invertTransform,
  moveGeometry,
  transformPoint,
} from '../../src/core/ops/registration.js';
import { resample, resampleLabels } from '../../src/core/ops/resample.js';
import { Rng } from '../../src/core/random.js';
import type { Vec3, Volume } from '../../src/core/volume.js';

/** Rigid transform about the volume centre (baseline -> follow-up points): rotation degrees then shift mm. */
export function rigidAbout(vol: Volume, deg: Vec3, shift: Vec3): AffineTransform {
  const r = eulerMatrix(...(deg.map((d) => (d * Math.PI) / 180) as Vec3));
  const c = indexToWorld(
    vol,
    vol.dims.map((d) => (d - 1) / 2),
  );
  const rc = transformPoint({ matrix: r, translation: [0, 0, 0] }, c);
  return { matrix: r, translation: [c[0] - rc[0] + shift[0], c[1] - rc[1] + shift[1], c[2] - rc[2] + shift[2]] };
}

/** A random rigid motion: up to `deg` degrees per axis and `mm` per axis. */
export function randomRigid(vol: Volume, seed: number, deg = 4, mm = 8): AffineTransform {
  const rng = new Rng(seed);
  const a = [0, 1, 2].map(() => rng.uniform(-deg, deg)) as Vec3;
  const t = [0, 1, 2].map(() => rng.uniform(-mm, mm)) as Vec3;
  return rigidAbout(vol, a, t);
}

/** The scan of a patient who moved by `t`, on the same grid (linear), with Gaussian noise of `noiseSd`. */
export function movedScan(vol: Volume, t: AffineTransform, fill: number, noiseSd = 0, seed = 1): Volume {
  const out = resample(moveGeometry(vol, invertTransform(t)), {
    reference: vol,
    interpolation: 'linear',
    fillValue: fill,
  });
  if (noiseSd > 0) {
    const rng = new Rng(seed);
    for (let i = 0; i < out.data.length; i++) out.data[i] = (out.data[i] as number) + noiseSd * rng.normal();
  }
  return { ...out, meta: { ...vol.meta } };
}

/** The label map moved with the scan (nearest label). */
export function movedLabels(labels: Volume, t: AffineTransform): Volume {
  return resampleLabels(moveGeometry(labels, invertTransform(t)), { reference: labels });
}

/**
 * Synthetic atrophy of one label: removes its surface voxels whose neighbour at index y-1 is another
 * label (one voxel layer on one side), giving them `csf` intensity and label 0. Returns the new image and labels and the exact loss.
 */
export function erodeOneSide(
  t1: Volume,
  labels: Volume,
  label: number,
  csf: number,
): { t1: Volume; labels: Volume; lossPct: number } {
  const [nx, ny] = labels.dims;
  const img = t1.data.slice();
  const lab = labels.data.slice();
  let total = 0;
  let removed = 0;
  for (let i = 0; i < lab.length; i++) {
    if (labels.data[i] !== label) continue;
    total++;
    const y = Math.floor(i / nx) % ny;
    if (y > 0 && labels.data[i - nx] !== label) {
      lab[i] = 0;
      img[i] = csf;
      removed++;
    }
  }
  return { t1: { ...t1, data: img }, labels: { ...labels, data: lab }, lossPct: (100 * removed) / total };
}
