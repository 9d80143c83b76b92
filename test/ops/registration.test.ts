import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/index.js';
import { isMedImgError } from '../../src/core/errors.js';
import {
  type AffineTransform,
  eulerMatrix,
  invertTransform,
  moveGeometry,
  registerVolumes,
  resampleMoving,
  rotationAngleDeg,
  transformPoint,
} from '../../src/core/ops/registration.js';
import { resample } from '../../src/core/ops/resample.js';
import { indexToWorld } from '../../src/core/geometry.js';
import { createVolume, type Vec3, type Volume } from '../../src/core/volume.js';
import { readDicomSeries } from '../../src/io/dicom/series.js';
import { readMgh } from '../../src/io/mgh.js';
import { dataPath, describeData } from '../helpers/data.js';

/** A known rigid transform about the image centre: rotation (deg) then shift (mm). */
function knownRigid(vol: Volume, deg: Vec3, shift: Vec3): AffineTransform {
  const r = eulerMatrix(...(deg.map((d) => (d * Math.PI) / 180) as Vec3));
  const c = indexToWorld(
    vol,
    vol.dims.map((d) => (d - 1) / 2),
  );
  const rc = transformPoint({ matrix: r, translation: [0, 0, 0] }, c);
  return { matrix: r, translation: [c[0] - rc[0] + shift[0], c[1] - rc[1] + shift[1], c[2] - rc[2] + shift[2]] };
}

/** The volume as it would look after the patient moved by `t` (fixed->moving): follow(t(x)) = vol(x). */
function moved(vol: Volume, t: AffineTransform): Volume {
  return resample(moveGeometry(vol, invertTransform(t)), { reference: vol, interpolation: 'linear' });
}

/** Worst displacement error over the corners of the fixed image and the rotation error. */
function errors(
  vol: Volume,
  got: AffineTransform,
  truth: AffineTransform,
): { mm: number; centreMm: number; deg: number } {
  let mm = 0;
  for (let k = 0; k < 8; k++) {
    const idx = [0, 1, 2].map((a) => ((k >> a) & 1 ? vol.dims[a]! - 1 : 0) * 0.5 + (vol.dims[a]! - 1) * 0.25);
    const p = indexToWorld(vol, idx);
    const a = transformPoint(got, p);
    const b = transformPoint(truth, p);
    mm = Math.max(mm, Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]));
  }
  const c = indexToWorld(
    vol,
    vol.dims.map((d) => (d - 1) / 2),
  );
  const a = transformPoint(got, c);
  const b = transformPoint(truth, c);
  const rel = invertTransform(truth).matrix;
  const m = got.matrix;
  const prod = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => {
    const r = Math.floor(i / 3);
    const col = i % 3;
    return m[r * 3]! * rel[col]! + m[r * 3 + 1]! * rel[3 + col]! + m[r * 3 + 2]! * rel[6 + col]!;
  });
  return { mm, centreMm: Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]), deg: rotationAngleDeg(prod) };
}

describe('registerVolumes (synthetic)', () => {
  it('rejects bad options and non-overlapping images with coded errors', async () => {
    const v = createVolume([16, 16, 16], Float32Array, { spacing: [2, 2, 2] });
    for (let i = 0; i < v.data.length; i++) v.data[i] = (i * 7919) % 13;
    await expect(registerVolumes(v, v, { transform: 'spline' as never })).rejects.toSatisfy((e) =>
      isMedImgError(e, 'INVALID_ARGUMENT'),
    );
    await expect(registerVolumes(v, v, { levelsMm: [] })).rejects.toSatisfy((e) =>
      isMedImgError(e, 'INVALID_ARGUMENT'),
    );
    const far = { ...v, origin: [1000, 0, 0] as Vec3 };
    await expect(registerVolumes(v, far, { initial: 'identity', levelsMm: [2] })).rejects.toSatisfy((e) =>
      isMedImgError(e, 'REGISTRATION_FAILED'),
    );
  });

  it('stops on abort', async () => {
    const v = createVolume([32, 32, 32], Float32Array, { spacing: [2, 2, 2] });
    for (let i = 0; i < v.data.length; i++) v.data[i] = Math.sin(i / 50);
    const ac = new AbortController();
    ac.abort();
    await expect(registerVolumes(v, v, { signal: ac.signal })).rejects.toSatisfy((e) => isMedImgError(e, 'ABORTED'));
  });
});

describeData('registerVolumes on real volumes moved by a known rigid transform', () => {
  let t1: Volume;
  let ct: Volume;
  beforeAll(async () => {
    t1 = await readMgh(dataPath('validation/brain_mri/niivue_freesurfer_norm_aparc2009s/norm.mgz'));
    ct = await readDicomSeries(dataPath('dicom/ct_chest_LungPETCTDx_A0001_kernelB'));
  }, 120_000);

  it('recovers a 256^3 T1 moved by 6 deg / 9 mm to < 0.5 mm and < 0.5 deg', async () => {
    const truth = knownRigid(t1, [4, -3, 3], [6, -5, 4]);
    const reg = await registerVolumes(t1, moved(t1, truth));
    const e = errors(t1, reg.transform, truth);
    console.log(
      `T1 rigid: centre ${e.centreMm.toFixed(3)} mm, worst of 8 points ${e.mm.toFixed(3)} mm, rotation ${e.deg.toFixed(3)} deg, ${reg.ms} ms, iterations ${reg.iterations.join('/')}`,
    );
    expect(e.centreMm).toBeLessThan(0.5);
    expect(e.mm).toBeLessThan(0.5);
    expect(e.deg).toBeLessThan(0.5);
    expect(reg.ncc.at(-1)).toBeGreaterThan(0.95);
  }, 180_000);

  it('recovers the A0001 chest CT (5 mm slices) moved by 3 deg / 8 mm', async () => {
    const truth = knownRigid(ct, [0, 1, 3], [-8, 5, 3]);
    const reg = await registerVolumes(ct, moved(ct, truth), { levelsMm: [8, 4, 2] });
    const e = errors(ct, reg.transform, truth);
    console.log(
      `CT rigid: centre ${e.centreMm.toFixed(3)} mm, worst ${e.mm.toFixed(3)} mm, rotation ${e.deg.toFixed(3)} deg, ${reg.ms} ms`,
    );
    expect(e.centreMm).toBeLessThan(0.5);
    expect(e.deg).toBeLessThan(0.5);
  }, 180_000);

  it('affine recovers a 4 % scaling of the T1', async () => {
    const base = knownRigid(t1, [2, 0, -2], [3, 2, -2]);
    const s = [1.04, 1, 0.98];
    const truth: AffineTransform = {
      matrix: base.matrix.map((v, i) => v * s[i % 3]!),
      translation: base.translation,
    };
    const reg = await registerVolumes(t1, moved(t1, truth), { transform: 'affine', levelsMm: [8, 4] });
    const e = errors(t1, reg.transform, truth);
    console.log(`T1 affine: centre ${e.centreMm.toFixed(3)} mm, worst ${e.mm.toFixed(3)} mm, ${reg.ms} ms`);
    expect(e.mm).toBeLessThan(1);
    // resampleMoving brings the moving image back onto the fixed grid.
    const back = resampleMoving(moved(t1, truth), t1, reg.transform);
    expect(back.dims).toEqual(t1.dims);
  }, 240_000);
});
