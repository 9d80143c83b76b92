// Intensity-based rigid (then optionally affine) registration of two volumes of the same modality:
// normalised cross-correlation over random fixed-image samples, analytic gradient through trilinear
// interpolation, regular-step gradient descent, coarse-to-fine levels (elastix/ITK's classic recipe).
// Own code rather than @itk-wasm/elastix: elastix runs offline in Node (43 s on a 256^3 T1 at load
// 8, 0.003 mm error on a 4/-2/3 mm shift) but adds ~160 packages / 72 MB (an IPFS client, axios), its
// browser build fetches its wasm from a CDN unless reconfigured, and itk-wasm is a 1.0 beta; this is
// ~300 lines of typed-array code that runs the same in Node and the browser in a few seconds.
import { assertArg, MedImgError } from '../errors.js';
import { type Geometry, indexToWorld, indexToWorldMatrix, mat3Inv, mat3Mul } from '../geometry.js';
import { type LongRunOptions, Stages } from '../progress.js';
import { Rng } from '../random.js';
import { type Vec3, type Volume, type VoxelArray, validateVolume } from '../volume.js';
import { gaussian } from './gaussian.js';
import { type Interpolation, resample, resampleLabels } from './resample.js';

/**
 * A spatial transform in LPS mm, ITK's convention: it maps a point of the fixed (baseline) image to
 * the corresponding point of the moving (follow-up) image, `y = matrix * x + translation`.
 */
export interface AffineTransform {
  /** 3x3 row-major matrix (a rotation for a rigid transform). */
  matrix: number[];
  translation: Vec3;
}

/** Options of {@link registerVolumes}. */
export interface RegisterVolumesOptions extends LongRunOptions {
  /** 'rigid' (6 parameters, default) or 'affine' (rigid first, then 12 parameters). */
  transform?: 'rigid' | 'affine';
  /** Isotropic grid spacing of each level in mm, coarse to fine. Default [8, 4, 2]. */
  levelsMm?: number[];
  /** Fixed-image samples drawn per level (seeded, reproducible). Default 40000. */
  samples?: number;
  /** Maximum iterations per level. Default 200. */
  maxIterations?: number;
  /**
   * Starting point: 'moments' (default) aligns the intensity centres of mass (weights = value above
   * the image mean), 'identity' trusts the scanner coordinates, or an explicit transform.
   */
  initial?: 'moments' | 'identity' | AffineTransform;
  /** Seed of the sampler. Default 1. */
  seed?: number;
}

/** Result of {@link registerVolumes}. */
export interface RegisterVolumesResult {
  /** Fixed -> moving point map (apply to baseline points to find them in the follow-up). */
  transform: AffineTransform;
  /** Rotation angle of the rigid part in degrees (axis-angle magnitude). */
  rotationDeg: number;
  /** Displacement of the fixed image's centre in mm. */
  centreShiftMm: Vec3;
  /** Normalised cross-correlation at the end of each level (1 = identical up to gain/offset). */
  ncc: number[];
  /** Iterations used per level (rigid levels, then affine levels). */
  iterations: number[];
  /** Wall-clock milliseconds. */
  ms: number;
}

/** Applies a transform to a point. */
export function transformPoint(t: AffineTransform, p: readonly number[]): Vec3 {
  const m = t.matrix;
  return [
    m[0]! * p[0]! + m[1]! * p[1]! + m[2]! * p[2]! + t.translation[0],
    m[3]! * p[0]! + m[4]! * p[1]! + m[5]! * p[2]! + t.translation[1],
    m[6]! * p[0]! + m[7]! * p[1]! + m[8]! * p[2]! + t.translation[2],
  ];
}

/** The inverse transform (moving -> fixed). */
export function invertTransform(t: AffineTransform): AffineTransform {
  const inv = mat3Inv(t.matrix);
  const b = transformPoint({ matrix: inv, translation: [0, 0, 0] }, t.translation);
  return { matrix: inv, translation: [-b[0], -b[1], -b[2]] };
}

/** Euler rotation Rz(c) * Ry(b) * Rx(a), row-major. */
export function eulerMatrix(a: number, b: number, c: number): number[] {
  const [ca, sa, cb, sb, cc, sc] = [Math.cos(a), Math.sin(a), Math.cos(b), Math.sin(b), Math.cos(c), Math.sin(c)];
  const rx = [1, 0, 0, 0, ca, -sa, 0, sa, ca];
  const ry = [cb, 0, sb, 0, 1, 0, -sb, 0, cb];
  const rz = [cc, -sc, 0, sc, cc, 0, 0, 0, 1];
  return mat3Mul(rz, mat3Mul(ry, rx));
}

/** Rotation angle (degrees) of the orthogonal part of a 3x3 matrix. */
export function rotationAngleDeg(m: readonly number[]): number {
  const c = (m[0]! + m[4]! + m[8]! - 1) / 2;
  return (Math.acos(Math.min(1, Math.max(-1, c))) * 180) / Math.PI;
}

/**
 * The moving volume seen in the fixed image's world: same voxels, geometry mapped through the
 * inverse transform, so that {@link resample} onto any fixed-space grid applies the transform.
 */
export function moveGeometry<T extends VoxelArray>(moving: Volume<T>, t: AffineTransform): Volume<T> {
  const inv = invertTransform(t);
  return {
    ...moving,
    origin: transformPoint(inv, moving.origin),
    // Column-normalised direction and scaled spacing keep an affine map expressible as a grid.
    ...splitDirection(mat3Mul(inv.matrix, mat3Mul(moving.direction, diag(moving.spacing)))),
  };
}

function diag(s: readonly number[]): number[] {
  return [s[0]!, 0, 0, 0, s[1]!, 0, 0, 0, s[2]!];
}

function splitDirection(m: number[]): { direction: number[]; spacing: Vec3 } {
  const spacing = [0, 1, 2].map((j) => Math.hypot(m[j]!, m[3 + j]!, m[6 + j]!)) as Vec3;
  const direction = m.map((v, i) => v / spacing[i % 3]!);
  return { direction, spacing };
}

/** Options of {@link resampleMoving}. */
export interface ResampleMovingOptions {
  /** Default 'linear'. */
  interpolation?: Interpolation;
  /** Treat the moving volume as a label map: 'nearest' or 'vote' (see {@link resampleLabels}). Default: an image. */
  labels?: 'nearest' | 'vote';
  /** Value outside the moving image. Default 0. */
  fillValue?: number;
}

/** Resamples the moving volume onto the fixed grid through a fixed -> moving transform. */
export function resampleMoving(
  moving: Volume,
  fixed: Geometry,
  t: AffineTransform,
  options: ResampleMovingOptions = {},
): Volume {
  const moved = moveGeometry(moving, t);
  const reference: Geometry = {
    dims: fixed.dims,
    spacing: fixed.spacing,
    origin: fixed.origin,
    direction: fixed.direction,
  };
  if (options.labels)
    return resampleLabels(moved, { reference, method: options.labels, fillValue: options.fillValue ?? 0 });
  return resample(moved, {
    reference,
    interpolation: options.interpolation ?? 'linear',
    fillValue: options.fillValue ?? 0,
  });
}

/** One pyramid level of one image: smoothed, resampled to isotropic `mm` in its own orientation. */
interface Level {
  data: Float32Array;
  dims: Vec3;
  /** world -> continuous index: idx = inv * (p - origin). */
  inv: number[];
  origin: Vec3;
}

function makeLevel(vol: Volume, mm: number): { level: Level; vol: Volume } {
  const sigma = vol.spacing.map((s) => (mm > s ? 0.5 * Math.sqrt(mm * mm - s * s) : 0)) as Vec3;
  const smooth = sigma.some((s) => s > 0) ? gaussian(vol, { sigmaMm: sigma }) : vol;
  const spacing = vol.spacing.map((s) => Math.max(s, mm)) as Vec3;
  const r = resample(smooth, { spacing, interpolation: 'linear' });
  const data = r.data instanceof Float32Array ? r.data : Float32Array.from(r.data as ArrayLike<number>);
  return { level: { data, dims: r.dims, inv: mat3Inv(indexToWorldMatrix(r)), origin: r.origin }, vol: r };
}

/** Levels by mm, each built from the next finer one (the full-resolution volume is smoothed once). */
function pyramid(vol: Volume, levels: readonly number[]): Map<number, Level> {
  const out = new Map<number, Level>();
  let src = vol;
  for (const mm of [...new Set(levels)].sort((a, b) => a - b)) {
    const { level, vol: r } = makeLevel(src, mm);
    out.set(mm, level);
    src = r;
  }
  return out;
}

function centre(g: Geometry): Vec3 {
  return indexToWorld(
    g,
    g.dims.map((d) => (d - 1) / 2),
  );
}

function centreOfMass(vol: Volume): Vec3 {
  const d = vol.data;
  let mean = 0;
  for (let i = 0; i < d.length; i++) mean += Number(d[i]);
  mean /= d.length;
  const [nx, ny] = vol.dims;
  let w = 0;
  let sx = 0;
  let sy = 0;
  let sz = 0;
  for (let i = 0; i < d.length; i++) {
    const v = Number(d[i]) - mean;
    if (v <= 0) continue;
    const x = i % nx;
    const y = Math.floor(i / nx) % ny;
    const z = Math.floor(i / (nx * ny));
    w += v;
    sx += v * x;
    sy += v * y;
    sz += v * z;
  }
  if (!(w > 0)) return centre(vol);
  return indexToWorld(vol, [sx / w, sy / w, sz / w]);
}

/**
 * Registers `moving` (follow-up) to `fixed` (baseline): finds the transform mapping fixed points to
 * moving points that maximises normalised cross-correlation (same modality; robust to a global
 * change of gain and offset). Rigid by default; 'affine' continues from the rigid result.
 *
 * @example
 * ```ts
 * import { readDicomSeries } from 'medimg';
 * import { registerVolumes, resampleMoving } from 'medimg/ops';
 * const baselineCt = await readDicomSeries('ct-2024/');
 * const followUpCt = await readDicomSeries('ct-2025/');
 * const reg = await registerVolumes(baselineCt, followUpCt);
 * const followUpInBaseline = resampleMoving(followUpCt, baselineCt, reg.transform);
 * ```
 */
export async function registerVolumes(
  fixed: Volume,
  moving: Volume,
  options: RegisterVolumesOptions = {},
): Promise<RegisterVolumesResult> {
  const t0 = Date.now();
  validateVolume(fixed, 'fixed');
  validateVolume(moving, 'moving');
  const kind = options.transform ?? 'rigid';
  assertArg(kind === 'rigid' || kind === 'affine', "transform must be 'rigid' or 'affine'.");
  const levels = options.levelsMm ?? [8, 4, 2];
  assertArg(
    Array.isArray(levels) &&
      levels.length > 0 &&
      levels.length <= 8 &&
      levels.every((v) => Number.isFinite(v) && v > 0),
    'levelsMm must be 1-8 positive numbers.',
  );
  const nSamples = options.samples ?? 40000;
  assertArg(
    Number.isInteger(nSamples) && nSamples >= 1000 && nSamples <= 2_000_000,
    'samples must be an integer in [1000, 2e6].',
  );
  const maxIt = options.maxIterations ?? 200;
  assertArg(Number.isInteger(maxIt) && maxIt > 0 && maxIt <= 10000, 'maxIterations must be a positive integer.');

  const plan: [string, number][] = [];
  for (const mm of levels) plan.push([`rigid ${mm} mm`, 1]);
  if (kind === 'affine') for (const mm of levels) plan.push([`affine ${mm} mm`, 1]);
  const stages = new Stages(options, plan);

  const c = centre(fixed);
  // State: y = A (x - c) + c + t, A = R(euler) for rigid.
  const euler: Vec3 = [0, 0, 0];
  let tr: Vec3 = [0, 0, 0];
  const init = options.initial ?? 'moments';
  let initMatrix: number[] | null = null;
  if (init === 'moments') {
    const a = centreOfMass(fixed);
    const b = centreOfMass(moving);
    tr = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  } else if (typeof init === 'object') {
    assertArg(init.matrix?.length === 9 && init.translation?.length === 3, 'initial must be an AffineTransform.');
    // Express y = M x + u as y = M (x - c) + c + t.
    const mc = transformPoint({ matrix: init.matrix, translation: [0, 0, 0] }, c);
    tr = [mc[0] + init.translation[0] - c[0], mc[1] + init.translation[1] - c[1], mc[2] + init.translation[2] - c[2]];
    initMatrix = [...init.matrix];
  } else assertArg(init === 'identity', "initial must be 'moments', 'identity' or a transform.");

  // Parameter scale: a rotation of 1 rad moves points at the image's radius by `radius` mm.
  const ext = fixed.dims.map((d, i) => d * fixed.spacing[i]!);
  const radius = Math.max(20, 0.25 * Math.hypot(ext[0]!, ext[1]!, ext[2]!));
  const ncc: number[] = [];
  const iterations: number[] = [];
  const rng = new Rng(options.seed ?? 1);
  let affine: number[] | null = initMatrix;

  const runLevel = async (mm: number, stage: string, affinePass: boolean): Promise<void> => {
    await stages.start(stage);
    const fl = fixedLevels.get(mm)!;
    const ml = movingLevels.get(mm)!;
    const samples = drawSamples(fl, c, nSamples, rng);
    const nParams = affinePass ? 12 : 6;
    let step = 2 * mm;
    const minStep = 0.005 * mm;
    let prev: Float64Array | null = null;
    let it = 0;
    let last = 0;
    const grad = new Float64Array(nParams);
    for (; it < maxIt && step > minStep; it++) {
      const a = affinePass ? affine! : rigidMatrix(euler, initMatrix);
      const jac = affinePass ? null : rigidJacobians(euler, initMatrix);
      last = evaluate(samples, ml, a, c, tr, jac, grad);
      if (!Number.isFinite(last)) {
        throw new MedImgError('REGISTRATION_FAILED', 'The images do not overlap enough to register them.');
      }
      // Scaled gradient: rotation / matrix parameters in mm at the radius.
      for (let k = 0; k < nParams; k++) if (!isTranslation(k, affinePass)) grad[k]! /= radius;
      let gn = 0;
      for (let k = 0; k < nParams; k++) gn += grad[k]! * grad[k]!;
      gn = Math.sqrt(gn);
      if (!(gn > 0)) break;
      if (prev) {
        let d = 0;
        for (let k = 0; k < nParams; k++) d += grad[k]! * prev[k]!;
        if (d < 0) step *= 0.5;
      }
      prev = Float64Array.from(grad);
      for (let k = 0; k < nParams; k++) {
        const delta = (step * grad[k]!) / gn; // ascent: maximise NCC
        if (isTranslation(k, affinePass)) tr[translationIndex(k, affinePass)] += delta;
        else if (affinePass) affine![k]! += delta / radius;
        else euler[k as 0 | 1 | 2] += delta / radius;
      }
      if (it % 10 === 0) await stages.step(it, maxIt);
    }
    ncc.push(last);
    iterations.push(it);
  };

  await stages.start(plan[0]![0]);
  const fixedLevels = pyramid(fixed, levels);
  const movingLevels = pyramid(moving, levels);
  for (const mm of levels) await runLevel(mm, `rigid ${mm} mm`, false);
  if (kind === 'affine') {
    affine = rigidMatrix(euler, initMatrix);
    for (const mm of levels) await runLevel(mm, `affine ${mm} mm`, true);
  }
  stages.finish();

  const a = affine ?? rigidMatrix(euler, initMatrix);
  const ac = transformPoint({ matrix: a, translation: [0, 0, 0] }, c);
  const transform: AffineTransform = {
    matrix: a,
    translation: [c[0] + tr[0] - ac[0], c[1] + tr[1] - ac[1], c[2] + tr[2] - ac[2]],
  };
  return { transform, rotationDeg: rotationAngleDeg(a), centreShiftMm: [...tr], ncc, iterations, ms: Date.now() - t0 };
}

function isTranslation(k: number, affinePass: boolean): boolean {
  return affinePass ? k >= 9 : k >= 3;
}

function translationIndex(k: number, affinePass: boolean): 0 | 1 | 2 {
  return (affinePass ? k - 9 : k - 3) as 0 | 1 | 2;
}

function rigidMatrix(e: Vec3, pre: number[] | null): number[] {
  const r = eulerMatrix(e[0], e[1], e[2]);
  return pre ? mat3Mul(r, pre) : r;
}

/** d(R * pre)/d(euler_k), k = 0..2. */
function rigidJacobians(e: Vec3, pre: number[] | null): number[][] {
  const [ca, sa, cb, sb, cc, sc] = [
    Math.cos(e[0]),
    Math.sin(e[0]),
    Math.cos(e[1]),
    Math.sin(e[1]),
    Math.cos(e[2]),
    Math.sin(e[2]),
  ];
  const rx = [1, 0, 0, 0, ca, -sa, 0, sa, ca];
  const ry = [cb, 0, sb, 0, 1, 0, -sb, 0, cb];
  const rz = [cc, -sc, 0, sc, cc, 0, 0, 0, 1];
  const drx = [0, 0, 0, 0, -sa, -ca, 0, ca, -sa];
  const dry = [-sb, 0, cb, 0, 0, 0, -cb, 0, -sb];
  const drz = [-sc, -cc, 0, cc, -sc, 0, 0, 0, 0];
  const out = [mat3Mul(rz, mat3Mul(ry, drx)), mat3Mul(rz, mat3Mul(dry, rx)), mat3Mul(drz, mat3Mul(ry, rx))];
  return pre ? out.map((m) => mat3Mul(m, pre)) : out;
}

interface Samples {
  /** Fixed points minus the centre, xyz interleaved. */
  p: Float32Array;
  /** Fixed values. */
  f: Float32Array;
  n: number;
}

/** Random fixed voxels (without the outermost voxel layer). */
function drawSamples(fl: Level, c: Vec3, n: number, rng: Rng): Samples {
  const [nx, ny, nz] = fl.dims;
  const total = nx * ny * nz;
  const count = Math.min(n, total);
  const p = new Float32Array(count * 3);
  const f = new Float32Array(count);
  const fwd = mat3Inv(fl.inv);
  for (let s = 0; s < count; s++) {
    const idx = count === total ? s : rng.int(0, total - 1);
    const x = idx % nx;
    const y = Math.floor(idx / nx) % ny;
    const z = Math.floor(idx / (nx * ny));
    f[s] = fl.data[idx]!;
    p[3 * s] = fl.origin[0] + fwd[0]! * x + fwd[1]! * y + fwd[2]! * z - c[0];
    p[3 * s + 1] = fl.origin[1] + fwd[3]! * x + fwd[4]! * y + fwd[5]! * z - c[1];
    p[3 * s + 2] = fl.origin[2] + fwd[6]! * x + fwd[7]! * y + fwd[8]! * z - c[2];
  }
  return { p, f, n: count };
}

/**
 * NCC of the samples against the moving level under y = A p + c + t, and its gradient with respect
 * to the parameters (3 Euler angles through `jac`, or 9 matrix entries when `jac` is null, then the
 * translation). Samples mapping outside the moving image are left out.
 */
function evaluate(
  s: Samples,
  ml: Level,
  a: number[],
  c: Vec3,
  t: Vec3,
  jac: number[][] | null,
  grad: Float64Array,
): number {
  const nP = grad.length;
  const sumFd = new Float64Array(nP);
  const sumMd = new Float64Array(nP);
  const sumD = new Float64Array(nP);
  const [nx, ny, nz] = ml.dims;
  const nxy = nx * ny;
  const inv = ml.inv;
  const data = ml.data;
  // Fold the level's world->index map into the transform: idx = B p + e.
  const b = mat3Mul(inv, a);
  const off = [c[0] + t[0] - ml.origin[0], c[1] + t[1] - ml.origin[1], c[2] + t[2] - ml.origin[2]];
  const e = [
    inv[0]! * off[0]! + inv[1]! * off[1]! + inv[2]! * off[2]!,
    inv[3]! * off[0]! + inv[4]! * off[1]! + inv[5]! * off[2]!,
    inv[6]! * off[0]! + inv[7]! * off[1]! + inv[8]! * off[2]!,
  ];
  let n = 0;
  let sf = 0;
  let sm = 0;
  let sff = 0;
  let smm = 0;
  let sfm = 0;
  const dm = new Float64Array(nP);
  for (let i = 0; i < s.n; i++) {
    const px = s.p[3 * i]!;
    const py = s.p[3 * i + 1]!;
    const pz = s.p[3 * i + 2]!;
    const ix = b[0]! * px + b[1]! * py + b[2]! * pz + e[0]!;
    const iy = b[3]! * px + b[4]! * py + b[5]! * pz + e[1]!;
    const iz = b[6]! * px + b[7]! * py + b[8]! * pz + e[2]!;
    if (ix < 0 || iy < 0 || iz < 0 || ix > nx - 1 || iy > ny - 1 || iz > nz - 1) continue;
    const x0 = Math.min(Math.floor(ix), Math.max(nx - 2, 0));
    const y0 = Math.min(Math.floor(iy), Math.max(ny - 2, 0));
    const z0 = Math.min(Math.floor(iz), Math.max(nz - 2, 0));
    const fx = ix - x0;
    const fy = iy - y0;
    const fz = iz - z0;
    const dx1 = nx > 1 ? 1 : 0;
    const dy1 = ny > 1 ? nx : 0;
    const dz1 = nz > 1 ? nxy : 0;
    const o = x0 + nx * y0 + nxy * z0;
    const v000 = data[o]!;
    const v100 = data[o + dx1]!;
    const v010 = data[o + dy1]!;
    const v110 = data[o + dx1 + dy1]!;
    const v001 = data[o + dz1]!;
    const v101 = data[o + dx1 + dz1]!;
    const v011 = data[o + dy1 + dz1]!;
    const v111 = data[o + dx1 + dy1 + dz1]!;
    const c00 = v000 + fx * (v100 - v000);
    const c10 = v010 + fx * (v110 - v010);
    const c01 = v001 + fx * (v101 - v001);
    const c11 = v011 + fx * (v111 - v011);
    const c0 = c00 + fy * (c10 - c00);
    const c1 = c01 + fy * (c11 - c01);
    const m = c0 + fz * (c1 - c0);
    // Index-space gradient of the trilinear interpolant, then world gradient g = inv^T * gi.
    const gx =
      (1 - fz) * ((1 - fy) * (v100 - v000) + fy * (v110 - v010)) + fz * ((1 - fy) * (v101 - v001) + fy * (v111 - v011));
    const gy = (1 - fz) * (c10 - c00) + fz * (c11 - c01);
    const gz = c1 - c0;
    const wx = inv[0]! * gx + inv[3]! * gy + inv[6]! * gz;
    const wy = inv[1]! * gx + inv[4]! * gy + inv[7]! * gz;
    const wz = inv[2]! * gx + inv[5]! * gy + inv[8]! * gz;
    if (jac) {
      for (let k = 0; k < 3; k++) {
        const j = jac[k]!;
        dm[k] =
          wx * (j[0]! * px + j[1]! * py + j[2]! * pz) +
          wy * (j[3]! * px + j[4]! * py + j[5]! * pz) +
          wz * (j[6]! * px + j[7]! * py + j[8]! * pz);
      }
      dm[3] = wx;
      dm[4] = wy;
      dm[5] = wz;
    } else {
      dm[0] = wx * px;
      dm[1] = wx * py;
      dm[2] = wx * pz;
      dm[3] = wy * px;
      dm[4] = wy * py;
      dm[5] = wy * pz;
      dm[6] = wz * px;
      dm[7] = wz * py;
      dm[8] = wz * pz;
      dm[9] = wx;
      dm[10] = wy;
      dm[11] = wz;
    }
    const f = s.f[i]!;
    n++;
    sf += f;
    sm += m;
    sff += f * f;
    smm += m * m;
    sfm += f * m;
    for (let k = 0; k < nP; k++) {
      const d = dm[k]!;
      sumFd[k]! += f * d;
      sumMd[k]! += m * d;
      sumD[k]! += d;
    }
  }
  if (n < 100) return Number.NaN;
  const vf = sff - (sf * sf) / n;
  const vm = smm - (sm * sm) / n;
  const cov = sfm - (sf * sm) / n;
  if (!(vf > 0) || !(vm > 0)) return Number.NaN;
  const den = Math.sqrt(vf * vm);
  const value = cov / den;
  for (let k = 0; k < nP; k++) {
    const dcov = sumFd[k]! - (sf * sumD[k]!) / n;
    const dvm = 2 * (sumMd[k]! - (sm * sumD[k]!) / n);
    grad[k] = dcov / den - (0.5 * value * dvm) / vm;
  }
  return value;
}
