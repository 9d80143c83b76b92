import { MedImgError, assertArg } from '../core/errors.js';
import { type LongRunOptions, ProgressTracker } from '../core/progress.js';
import { type Vec3, type Volume, validateVolume } from '../core/volume.js';
import type { Session } from './session.js';
import type { TensorData } from './types.js';

/** Options of {@link slidingWindowInference}; defaults are MONAI's `sliding_window_inference`. */
export interface SlidingWindowOptions extends LongRunOptions {
  /** Patch size [x, y, z] in voxels; a value <= 0 takes the whole axis (MONAI `fall_back_tuple`). */
  roiSize: [number, number, number];
  /** Fraction of overlap between neighbouring patches, per axis or one for all. Default 0.25. */
  overlap?: number | [number, number, number];
  /** Blending of overlapping patches. Default 'constant' (MONAI's default). */
  mode?: 'constant' | 'gaussian';
  /** Gaussian sigma as a fraction of the patch size, per axis or one. Default 0.125. */
  sigmaScale?: number | [number, number, number];
  /** Patches per `session.run`. Default 1. */
  swBatchSize?: number;
  /**
   * How a volume smaller than the patch is padded (symmetrically, as MONAI). Default constant 0.
   * The padded margin is cropped from the result.
   */
  padding?: { mode?: 'constant' | 'replicate'; value?: number };
  /**
   * Test-time mirroring: volume axes (0 = x, 1 = y, 2 = z) to flip. Every combination of them
   * (2^k runs per patch, the original included) is run, flipped back and averaged (nnU-Net).
   */
  mirrorAxes?: number[];
  /** Model input name. Default: the session's first input. */
  inputName?: string;
  /** Model output name. Default: the session's first output. */
  outputName?: string;
}

/** Stitched network output on the input grid: `channels` planes of `dims`, x fastest. */
export interface SlidingWindowResult {
  data: Float32Array;
  channels: number;
  dims: Vec3;
  /** Number of patch positions and of `session.run` calls made. */
  patches: number;
  runs: number;
}

/** MONAI `_get_scan_interval`: patch stride per axis over the (padded) image size. */
export function scanInterval(
  imageSize: readonly number[],
  roi: readonly number[],
  overlap: readonly number[],
): number[] {
  return roi.map((r, i) => {
    if (r === imageSize[i]) return r;
    const interval = Math.floor(r * (1 - overlap[i]!));
    return interval > 0 ? interval : 1;
  });
}

/** MONAI `dense_patch_slices`: start offsets along one axis (the last one snapped to the end). */
export function patchStarts(imageSize: number, roi: number, interval: number): number[] {
  const num = Math.ceil(imageSize / interval);
  let scanNum = 1;
  for (let d = 0; d < num; d++) {
    if (d * interval + roi >= imageSize) {
      scanNum = d + 1;
      break;
    }
  }
  const starts: number[] = [];
  for (let i = 0; i < scanNum; i++) {
    let s = i * interval;
    s -= Math.max(s + roi - imageSize, 0);
    starts.push(s);
  }
  return starts;
}

/**
 * MONAI `compute_importance_map` for a patch [rx, ry, rz] (returned x fastest): ones for
 * 'constant'; for 'gaussian' the separable exp(-t²/(2σ²)), t centred on the patch, σ = size ·
 * sigmaScale, clamped below at max(min, 1e-3).
 */
export function importanceMap(
  roi: readonly number[],
  mode: 'constant' | 'gaussian',
  sigmaScale: readonly number[] = [0.125, 0.125, 0.125],
): Float32Array {
  const [rx, ry, rz] = roi as [number, number, number];
  const out = new Float32Array(rx * ry * rz);
  if (mode === 'constant') return out.fill(1);
  const g = roi.map((n, a) => {
    const sigma = n * sigmaScale[a]!;
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const t = i - (n - 1) / 2;
      v[i] = Math.exp((t * t) / (-2 * sigma * sigma));
    }
    return v;
  }) as [Float64Array, Float64Array, Float64Array];
  let min = Infinity;
  let k = 0;
  for (let z = 0; z < rz; z++)
    for (let y = 0; y < ry; y++) {
      const gzy = g[2][z]! * g[1][y]!;
      for (let x = 0; x < rx; x++) {
        const v = Math.fround(gzy * g[0][x]!);
        out[k++] = v;
        if (v < min) min = v;
      }
    }
  const floor = Math.max(min, 1e-3);
  for (let i = 0; i < out.length; i++) if (out[i]! < floor) out[i] = floor;
  return out;
}

const triple = (v: number | Vec3 | undefined, d: number): Vec3 =>
  v === undefined ? [d, d, d] : typeof v === 'number' ? [v, v, v] : [v[0], v[1], v[2]];

/** Copies patch `src` (C planes of rz·ry·rx) into `dst` flipping the axes set in `flip` [x, y, z]. */
function flipPatch(
  src: Float32Array,
  dst: Float32Array,
  so: number,
  channels: number,
  r: Vec3,
  flip: [boolean, boolean, boolean],
): void {
  const [rx, ry, rz] = r;
  const plane = rx * ry * rz;
  for (let c = 0; c < channels; c++) {
    const base = so + c * plane;
    for (let z = 0; z < rz; z++) {
      const zz = flip[2] ? rz - 1 - z : z;
      for (let y = 0; y < ry; y++) {
        const yy = flip[1] ? ry - 1 - y : y;
        const si = base + (z * ry + y) * rx;
        const di = base + (zz * ry + yy) * rx;
        if (flip[0]) for (let x = 0; x < rx; x++) dst[di + rx - 1 - x] = src[si + x]!;
        else dst.set(src.subarray(si, si + rx), di);
      }
    }
  }
}

/** Copies one channel of the patch starting at `start` (padded coordinates) into `dst` at `di0`; outside the volume: `padValue` (or the edge, replicate). */
export function gatherPatch(
  src: ArrayLike<number>,
  dims: readonly number[],
  dst: Float32Array,
  di0: number,
  start: Vec3,
  before: Vec3,
  roi: Vec3,
  padMode: 'constant' | 'replicate',
  padValue: number,
): void {
  const nx = dims[0]!;
  const ny = dims[1]!;
  const nz = dims[2]!;
  const [rx, ry, rz] = roi;
  const srcF = src instanceof Float32Array ? src : undefined;
  const x0 = start[0] - before[0];
  const inside = x0 >= 0 && x0 + rx <= nx;
  for (let z = 0; z < rz; z++) {
    let oz = start[2] + z - before[2];
    for (let y = 0; y < ry; y++) {
      let oy = start[1] + y - before[1];
      const di = di0 + (z * ry + y) * rx;
      if (oz < 0 || oz >= nz || oy < 0 || oy >= ny) {
        if (padMode !== 'replicate') {
          dst.fill(padValue, di, di + rx);
          continue;
        }
        oz = Math.min(nz - 1, Math.max(0, oz));
        oy = Math.min(ny - 1, Math.max(0, oy));
      }
      const row = (oz * ny + oy) * nx;
      if (srcF && inside) dst.set(srcF.subarray(row + x0, row + x0 + rx), di);
      else
        for (let x = 0; x < rx; x++) {
          const ox = x0 + x;
          dst[di + x] =
            ox >= 0 && ox < nx
              ? src[row + ox]!
              : padMode === 'replicate'
                ? src[row + Math.min(nx - 1, Math.max(0, ox))]!
                : padValue;
        }
      oz = start[2] + z - before[2];
    }
  }
}

/** Adds weight · patch output into `out` and the weight into `wsum`, inside the unpadded volume. */
function blendPatch(
  out: Float32Array,
  wsum: Float32Array,
  weights: Float32Array,
  outWeights: Float32Array,
  patch: Float32Array,
  p0: number,
  channels: number,
  start: Vec3,
  before: Vec3,
  roi: Vec3,
  dims: readonly number[],
): void {
  const nx = dims[0]!;
  const ny = dims[1]!;
  const nz = dims[2]!;
  const n = nx * ny * nz;
  const [rx, ry, rz] = roi;
  const plane = rx * ry * rz;
  const x0 = start[0] - before[0];
  const xlo = Math.max(0, -x0);
  const xhi = Math.min(rx, nx - x0);
  for (let z = 0; z < rz; z++) {
    const oz = start[2] + z - before[2];
    if (oz < 0 || oz >= nz) continue;
    for (let y = 0; y < ry; y++) {
      const oy = start[1] + y - before[1];
      if (oy < 0 || oy >= ny) continue;
      const prow = (z * ry + y) * rx;
      const orow = (oz * ny + oy) * nx + x0;
      for (let x = xlo; x < xhi; x++) wsum[orow + x]! += weights[prow + x]!;
      for (let c = 0; c < channels; c++) {
        const pi = p0 + c * plane + prow;
        const oi = c * n + orow;
        for (let x = xlo; x < xhi; x++) out[oi + x]! += outWeights[prow + x]! * patch[pi + x]!;
      }
    }
  }
}

/** out[c] /= wsum for every channel plane. */
function normalizeBySum(out: Float32Array, wsum: Float32Array, channels: number): void {
  const n = wsum.length;
  for (let i = 0; i < n; i++) wsum[i] = 1 / wsum[i]!;
  for (let c = 0; c < channels; c++) {
    const o = c * n;
    for (let i = 0; i < n; i++) out[o + i]! *= wsum[i]!;
  }
}

/**
 * Runs a network over a volume patch by patch and stitches the outputs, with the semantics of
 * MONAI's `sliding_window_inference`: a volume smaller than `roiSize` is padded symmetrically,
 * patches start every `floor(roi · (1 - overlap))` voxels with the last one snapped to the end,
 * each output patch is weighted by the importance map and the sum is divided by the summed
 * weights. Outputs are accumulated in float32 on the input grid (no patch outputs are kept).
 *
 * The network must map [b, C, rz, ry, rx] to [b, C', rz, ry, rx] (same spatial size). Works with
 * any backend. `volume` may be one volume or one per input channel (same dims).
 */
export async function slidingWindowInference(
  volume: Volume | Volume[],
  session: Pick<Session, 'run' | 'inputNames' | 'outputNames'>,
  options: SlidingWindowOptions,
): Promise<SlidingWindowResult> {
  const vols = Array.isArray(volume) ? volume : [volume];
  assertArg(vols.length > 0, 'slidingWindowInference needs at least one input channel.');
  for (const v of vols) validateVolume(v);
  const dims = vols[0]!.dims;
  for (const v of vols) {
    if (v.dims[0] !== dims[0] || v.dims[1] !== dims[1] || v.dims[2] !== dims[2]) {
      throw new MedImgError('GRID_MISMATCH', 'All input channels must have the same dims.');
    }
  }
  assertArg(Array.isArray(options.roiSize) && options.roiSize.length === 3, 'roiSize must be [x, y, z].');
  const roi = options.roiSize.map((r, i) => (r > 0 ? Math.floor(r) : dims[i]!)) as Vec3;
  const overlap = triple(options.overlap, 0.25);
  assertArg(
    overlap.every((o) => o >= 0 && o < 1),
    'overlap must be in [0, 1).',
    { overlap },
  );
  const sigmaScale = triple(options.sigmaScale, 0.125);
  const mode = options.mode ?? 'constant';
  assertArg(mode === 'constant' || mode === 'gaussian', "mode must be 'constant' or 'gaussian'.");
  const batch = Math.max(1, Math.floor(options.swBatchSize ?? 1));
  const padMode = options.padding?.mode ?? 'constant';
  const padValue = options.padding?.value ?? 0;
  const mirror = [...new Set(options.mirrorAxes ?? [])];
  assertArg(
    mirror.every((a) => a === 0 || a === 1 || a === 2),
    'mirrorAxes must be volume axes 0, 1, 2.',
  );
  const inputName = options.inputName ?? session.inputNames[0]!;
  const outputName = options.outputName ?? session.outputNames[0]!;

  const [nx, ny, nz] = dims;
  const padded = roi.map((r, i) => Math.max(dims[i]!, r)) as Vec3;
  const before = padded.map((p, i) => Math.floor((p - dims[i]!) / 2)) as Vec3;
  const interval = scanInterval(padded, roi, overlap);
  const sx = patchStarts(padded[0], roi[0], interval[0]!);
  const sy = patchStarts(padded[1], roi[1], interval[1]!);
  const sz = patchStarts(padded[2], roi[2], interval[2]!);
  const starts: Vec3[] = [];
  for (const z of sz) for (const y of sy) for (const x of sx) starts.push([x, y, z]);

  const weights = importanceMap(roi, mode, sigmaScale);
  const [rx, ry, rz] = roi;
  const plane = rx * ry * rz;
  const cin = vols.length;
  const combos: [boolean, boolean, boolean][] = [];
  for (let m = 0; m < 1 << mirror.length; m++) {
    const f: [boolean, boolean, boolean] = [false, false, false];
    mirror.forEach((a, i) => {
      if (m & (1 << i)) f[a] = true;
    });
    combos.push(f);
  }

  // With TTA the summed outputs of 2^k runs are averaged: fold 1 / 2^k into the weights.
  const scaledWeights = combos.length > 1 ? weights.map((v) => v / combos.length) : weights;
  const inBuf = new Float32Array(batch * cin * plane);
  const flipBuf = mirror.length ? new Float32Array(batch * cin * plane) : inBuf;
  let out: Float32Array | undefined;
  let wsum: Float32Array | undefined;
  let cout = 0;
  let sumBuf: Float32Array | undefined; // TTA average of one batch's outputs
  const n = nx * ny * nz;
  const progress = new ProgressTracker(options, 'inference', starts.length);
  let runs = 0;

  for (let b0 = 0; b0 < starts.length; b0 += batch) {
    progress.step(b0);
    const bn = Math.min(batch, starts.length - b0);
    // Hot loops live in plain functions: locals of an async function sit in its heap context.
    for (let b = 0; b < bn; b++) {
      const st = starts[b0 + b]!;
      for (let c = 0; c < cin; c++) {
        gatherPatch(vols[c]!.data, dims, inBuf, (b * cin + c) * plane, st, before, roi, padMode, padValue);
      }
    }
    // Run every mirror combination and average.
    for (let ci = 0; ci < combos.length; ci++) {
      const flip = combos[ci]!;
      const any = flip[0] || flip[1] || flip[2];
      if (any) for (let b = 0; b < bn; b++) flipPatch(inBuf, flipBuf, b * cin * plane, cin, roi, flip);
      const feed = any ? flipBuf : inBuf;
      const tensor: TensorData = {
        data: bn === batch ? feed : feed.subarray(0, bn * cin * plane),
        dims: [bn, cin, rz, ry, rx],
      };
      const res = await session.run({ [inputName]: tensor });
      runs++;
      const o = res[outputName];
      if (!o) throw new MedImgError('INFERENCE_FAILED', `The model returned no output '${outputName}'.`);
      const od = o.dims;
      if (od.length !== 5 || od[0] !== bn || od[2] !== rz || od[3] !== ry || od[4] !== rx) {
        throw new MedImgError(
          'INFERENCE_FAILED',
          `Sliding-window inference needs outputs of the patch size [${bn}, C, ${rz}, ${ry}, ${rx}]; the model returned [${od.join(', ')}].`,
        );
      }
      if (!(o.data instanceof Float32Array))
        throw new MedImgError('INFERENCE_FAILED', 'Sliding-window inference needs float32 outputs.');
      if (!out) {
        cout = od[1]!;
        out = new Float32Array(cout * n);
        wsum = new Float32Array(n);
      } else if (od[1] !== cout) {
        throw new MedImgError('INFERENCE_FAILED', 'The model returned a different channel count between patches.');
      }
      let data = o.data;
      if (any) {
        const back = new Float32Array(data.length);
        for (let b = 0; b < bn; b++) flipPatch(data, back, b * cout * plane, cout, roi, flip);
        data = back;
      }
      if (combos.length > 1) {
        if (ci === 0)
          sumBuf = data; // a fresh buffer we own
        else for (let i = 0; i < data.length; i++) sumBuf![i]! += data[i]!;
      } else sumBuf = data;
    }
    // Blend into the output (only the voxels inside the unpadded volume).
    const w = combos.length > 1 ? scaledWeights : weights;
    for (let b = 0; b < bn; b++)
      blendPatch(out!, wsum!, weights, w, sumBuf!, b * cout * plane, cout, starts[b0 + b]!, before, roi, dims);
  }
  progress.step(starts.length);
  if (!out || !wsum) throw new MedImgError('INFERENCE_FAILED', 'No patch was run.');
  normalizeBySum(out, wsum, cout);
  return { data: out, channels: cout, dims: [nx, ny, nz], patches: starts.length, runs };
}
