import { MedImgError, assertArg } from '../core/errors.js';
import { directionFromOrientation, indexToWorld, orientationFromDirection } from '../core/geometry.js';
import type { LongRunOptions } from '../core/progress.js';
import { throwIfAborted } from '../core/progress.js';
import { type Vec3, type Volume, validateVolume } from '../core/volume.js';
import { type UcharScale, applyUcharScale, isUcharData, ucharScale } from './conform-intensity.js';
import { type IntensityNormalization, type ModelCard, primaryTensors } from './model-card.js';
import type { Geometry as Grid } from '../core/geometry.js';
import { keepLargestComponent } from '../core/ops/labels.js';
import { reorient } from '../core/ops/reorient.js';
import { resample, resampleLabels } from '../core/ops/resample.js';
import type { Session } from './session.js';
import { slidingWindowInference } from './sliding-window.js';

/** Options of {@link runSegmentationModel}; each overrides the card's value when set. */
export interface SegmentationModelOptions extends LongRunOptions {
  /** Sliding-window overlap. Default: card `inference.overlap`, else 0.25. */
  overlap?: number;
  /** Blending mode. Default: card `inference.blend_mode`, else 'constant'. */
  mode?: 'constant' | 'gaussian';
  /** Test-time mirroring axes in tensor spatial order. Default: card `inference.mirror_axes`, else none. */
  mirrorAxes?: number[];
  /** Patches per run. Default 1. */
  swBatchSize?: number;
  /** Also return the per-channel probabilities (after the card's activation) on the model grid. Default false. */
  keepProbabilities?: boolean;
}

/** Times of each stage in ms; `run` is the time spent inside `session.run` alone. */
export interface PipelineTimings {
  preprocess: number;
  inference: number;
  run: number;
  postprocess: number;
  total: number;
}

/** Result of {@link runSegmentationModel}. */
export interface SegmentationModelResult {
  /** Label volume on the input grid (argmax or threshold of the network output). */
  labels: Volume<Uint8Array>;
  /** Probabilities on the model grid (tensor spatial order reversed, x fastest), when asked. */
  probabilities?: { data: Float32Array; channels: number; dims: Vec3 };
  /**
   * The grid the network saw (image axes, after reorientation and resampling). With `axis_order`
   * 'zyx' the probabilities lie on it as they are; with 'xyz' they are its transpose (z fastest).
   */
  modelGrid: Grid;
  timings: PipelineTimings;
  /** The settings actually used, for provenance. */
  settings: Record<string, unknown>;
}

/** Applies a card's intensity normalisation, writing a new Float32Array. */
export function normalizeIntensity(src: ArrayLike<number>, norm: IntensityNormalization): Float32Array {
  const n = src.length;
  const out = new Float32Array(n);
  switch (norm.method) {
    case 'none':
      for (let i = 0; i < n; i++) out[i] = src[i]!;
      return out;
    case 'minmax': {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < n; i++) {
        const v = src[i]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const range = hi - lo;
      if (!(range > 0)) return out; // constant volume: all 0
      const inv = 1 / range;
      for (let i = 0; i < n; i++) out[i] = (src[i]! - lo) * inv;
      return out;
    }
    case 'window': {
      const { lower, upper } = norm;
      const inv = 1 / (upper - lower);
      for (let i = 0; i < n; i++) {
        const v = src[i]!;
        out[i] = v <= lower ? 0 : v >= upper ? 1 : (v - lower) * inv;
      }
      return out;
    }
    case 'zscore': {
      // Inline over the tensor buffer (nnU-Net's nonzero variant); core/ops zscore works on volumes.
      let s = 0;
      let ss = 0;
      let c = 0;
      for (let i = 0; i < n; i++) {
        const v = src[i]!;
        if (norm.nonzero && v === 0) continue;
        s += v;
        ss += v * v;
        c++;
      }
      const mean = c ? s / c : 0;
      const std = c ? Math.sqrt(Math.max(0, ss / c - mean * mean)) : 0;
      const inv = std > 0 ? 1 / std : 1;
      for (let i = 0; i < n; i++) {
        const v = src[i]!;
        out[i] = norm.nonzero && v === 0 ? 0 : (v - mean) * inv;
      }
      return out;
    }
    case 'quantile': {
      const [lo, hi] = quantiles(src, norm.lower, norm.upper, norm.estimator ?? 'linear');
      const range = hi - lo;
      if (!(range > 0)) return out; // (nearly) constant volume: all 0
      const clip = norm.clip ?? false;
      // Division (not a multiplied inverse) as numpy and brainchop compute it: the float32 tensor matches bit for bit.
      for (let i = 0; i < n; i++) {
        const x = (src[i]! - lo) / range;
        out[i] = clip ? (x < 0 ? 0 : x > 1 ? 1 : x) : x;
      }
      return out;
    }
    case 'ct_percentile': {
      const lo = norm.percentile_00_5;
      const hi = norm.percentile_99_5;
      const inv = 1 / norm.std;
      for (let i = 0; i < n; i++) {
        const v = src[i]!;
        out[i] = (Math.min(hi, Math.max(lo, v)) - norm.mean) * inv;
      }
      return out;
    }
  }
}

/** The k-th smallest value (0-based) of integer data, from a histogram of its value range. */
function integerOrderStatistics(src: ArrayLike<number>, ks: number[]): number[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const hist = new Float64Array(hi - lo + 1);
  for (let i = 0; i < src.length; i++) hist[src[i]! - lo]!++;
  return ks.map((k) => {
    let seen = 0;
    for (let b = 0; b < hist.length; b++) {
      seen += hist[b]!;
      if (seen > k) return b + lo;
    }
    return hi;
  });
}

/**
 * Two quantiles of the data: 'linear' as numpy.quantile (interpolated between order statistics),
 * 'sorted_index' as brainchop web (sorted[floor(N * lower)], sorted[ceil(N * upper) - 1]). Integer
 * voxel types (up to 16 bit) use a histogram; others sort a Float64 copy.
 */
export function quantiles(
  src: ArrayLike<number>,
  lower: number,
  upper: number,
  estimator: 'linear' | 'sorted_index',
): [number, number] {
  const n = src.length;
  assertArg(n > 0, 'quantiles of an empty volume.');
  const ks: number[] = [];
  const pos: { k: number; t: number }[] = [];
  for (const q of [lower, upper]) {
    if (estimator === 'sorted_index') {
      const k = q === lower ? Math.floor(n * q) : Math.ceil(n * q) - 1;
      pos.push({ k: Math.min(n - 1, Math.max(0, k)), t: 0 });
    } else {
      const h = (n - 1) * q;
      const k = Math.floor(h);
      pos.push({ k, t: h - k });
    }
  }
  for (const p of pos) ks.push(p.k, Math.min(n - 1, p.k + 1));
  const smallInts =
    src instanceof Uint8Array ||
    src instanceof Int8Array ||
    src instanceof Uint8ClampedArray ||
    src instanceof Uint16Array ||
    src instanceof Int16Array;
  let stats: number[];
  if (smallInts) stats = integerOrderStatistics(src, ks);
  else {
    const sorted = Float64Array.from(src).sort();
    stats = ks.map((k) => sorted[k]!);
  }
  const at = (i: number): number => {
    const { t } = pos[i]!;
    const a = stats[2 * i]!;
    const b = stats[2 * i + 1]!;
    // numpy's _lerp: a + (b - a) * t, computed from the upper end when t >= 0.5.
    return t === 0 ? a : t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
  };
  return [at(0), at(1)];
}

/**
 * The conformed grid of a card (FreeSurfer `mri_convert --conform` style): `shape` voxels of
 * `spacing` mm in `orientation`, whose centre voxel sits on the input's centre.
 */
export function conformGrid(input: Grid, shape: Vec3, orientation: string, spacing: readonly number[]): Grid {
  const direction = directionFromOrientation(orientation);
  const g: Grid = { dims: [...shape], spacing: [spacing[0]!, spacing[1]!, spacing[2]!], origin: [0, 0, 0], direction };
  const centre = indexToWorld(
    input,
    input.dims.map((d) => (d - 1) / 2),
  );
  const offset = indexToWorld(
    g,
    shape.map((d) => (d - 1) / 2),
  );
  g.origin = [centre[0] - offset[0], centre[1] - offset[1], centre[2] - offset[2]];
  return g;
}

/**
 * The conformed grid a card's `conform_shape` asks for on this image (its `orientation` and
 * `target_spacing`, else the image's own), or null when the card does not conform.
 */
export function cardConformGrid(image: Grid, card: ModelCard): Grid | null {
  const pre = card.preprocessing ?? {};
  if (!pre.conform_shape) return null;
  return conformGrid(
    image,
    pre.conform_shape,
    pre.orientation ?? orientationFromDirection(image.direction),
    pre.target_spacing ?? image.spacing,
  );
}

/**
 * True when the input already is on a conformed grid up to its origin (same dims, spacing and
 * axis-aligned direction), as brainchop decides: such an input runs without resampling.
 */
function isConformed(input: Grid, target: Grid): boolean {
  return (
    input.dims.every((d, i) => d === target.dims[i]) &&
    input.spacing.every((s, i) => Math.abs(s - target.spacing[i]!) <= 1e-3 * target.spacing[i]!) &&
    input.direction.every((d, i) => Math.abs(d - target.direction[i]!) <= 1e-4)
  );
}

/** Transposes x-fastest data of dims [a, b, c] into z-fastest (dims [c, b, a] x-fastest). */
export function transposeXyz<T extends Float32Array | Uint8Array>(src: T, dims: Vec3): T {
  const [nx, ny, nz] = dims;
  const out = new (src.constructor as { new (n: number): T })(src.length);
  let k = 0;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) out[z + nz * (y + ny * x)] = src[k++]!;
  return out;
}

/** Softmax over `channels` planes of `n` voxels, in place. */
function softmaxInPlace(d: Float32Array, channels: number, n: number): void {
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let c = 0; c < channels; c++) m = Math.max(m, d[c * n + i]!);
    let s = 0;
    for (let c = 0; c < channels; c++) {
      const e = Math.exp(d[c * n + i]! - m);
      d[c * n + i] = e;
      s += e;
    }
    for (let c = 0; c < channels; c++) d[c * n + i]! /= s;
  }
}

function sigmoidInPlace(d: Float32Array): void {
  for (let i = 0; i < d.length; i++) d[i] = 1 / (1 + Math.exp(-d[i]!));
}

/** Argmax over channel planes (first maximum wins, as numpy). */
export function argmaxChannels(d: Float32Array, channels: number, n: number): Uint8Array {
  assertArg(channels <= 256, 'argmax supports at most 256 channels.');
  const out = new Uint8Array(n);
  for (let c = 1; c < channels; c++) {
    // Plane by plane: compare channel c with the best so far (stored as a running max).
    const off = c * n;
    for (let i = 0; i < n; i++) {
      if (d[off + i]! > d[out[i]! * n + i]!) out[i] = c;
    }
  }
  return out;
}

/** A volume laid out for a network as its card says (see {@link prepareModelInput}). */
export interface PreparedModelInput {
  /** One x-fastest volume per input channel whose dims are the tensor's spatial dims reversed. */
  tensorVols: Volume<Float32Array>[];
  /** Dims of each tensor volume (x fastest): the tensor's spatial shape reversed. */
  tensorDims: Vec3;
  /** Tensor spatial shape [s0, s1, s2] as the network sees it. */
  spatial: Vec3;
  /** The grid the network sees, in image axes (after reorientation and resampling). */
  modelGrid: Grid;
  /** The input's own grid. */
  original: Grid;
  /** The grid after reorientation (before resampling). */
  oriented: Grid;
  inputOrientation: string;
  /** Orientation the card asks for, or null. */
  orientation: string | null;
  targetSpacing: [number, number, number] | null;
  resampled: boolean;
  /** The card's conform shape (image axes), or null. */
  conformShape: Vec3 | null;
  /** True when the input was resampled onto the conformed grid (false when it already was one). */
  conformed: boolean;
  /** The card's `conform_intensity` limits as applied (first input), or null when not applied. */
  conformIntensity: UcharScale | null;
  axisOrder: 'xyz' | 'zyx';
  intensity: IntensityNormalization;
}

/**
 * The preprocessing half of the card-driven pipeline: reorient, resample (linear), normalise and
 * lay out the tensor. Shared by {@link runSegmentationModel} and the detection pipelines.
 *
 * Errors: MODEL_INPUT_MISMATCH when the number of volumes differs from the card's input channels.
 */
export function prepareModelInput(input: Volume | Volume[], card: ModelCard, signal?: AbortSignal): PreparedModelInput {
  const vols = Array.isArray(input) ? input : [input];
  for (const v of vols) validateVolume(v);
  const { input: inFmt } = primaryTensors(card);
  if (vols.length !== inFmt.num_channels) {
    throw new MedImgError(
      'MODEL_INPUT_MISMATCH',
      `The model takes ${inFmt.num_channels} input channel(s); ${vols.length} volume(s) were given.`,
    );
  }
  const pre = card.preprocessing ?? {};
  const axisOrder = pre.axis_order ?? 'xyz';
  const gridOf = (v: Volume): Grid => ({
    dims: [...v.dims],
    spacing: [...v.spacing],
    origin: [...v.origin],
    direction: [...v.direction],
  });
  const original = gridOf(vols[0]!);

  // 1. Geometry: conform in one resampling, or orientation then spacing.
  let work: Volume[] = vols;
  const orientation = pre.orientation ?? null;
  const inputOrientation = orientationFromDirection(original.direction);
  const spacing = pre.target_spacing ?? null;
  const conformShape = pre.conform_shape ?? null;
  let conformed = false;
  let conformIntensity: UcharScale | null = null;
  if (conformShape) {
    const grid = cardConformGrid(original, card)!;
    conformed = !isConformed(original, grid);
    if (conformed) {
      const ci = pre.conform_intensity;
      work = work.map((v) => {
        const r = resample(v, { reference: grid, interpolation: 'linear' });
        if (!ci || isUcharData(v.data)) return r;
        // limits from the input as acquired, applied to the resampled image (as conform.py does)
        const s = ucharScale(v.data, ci.lower, ci.upper);
        conformIntensity ??= s;
        return { ...r, data: applyUcharScale(r.data instanceof Float32Array ? r.data : Float32Array.from(r.data), s) };
      });
    }
  } else if (orientation && orientation !== inputOrientation) work = work.map((v) => reorient(v, orientation));
  const oriented = gridOf(work[0]!);
  const resampled = !conformShape && !!spacing && spacing.some((s, i) => Math.abs(s - oriented.spacing[i]!) > 1e-3 * s);
  if (resampled && spacing) {
    const dims = oriented.dims.map((d, i) => Math.max(1, Math.round((d * oriented.spacing[i]!) / spacing[i]!))) as Vec3;
    const grid: Grid = { ...oriented, dims, spacing: [...spacing] };
    work = work.map((v) => resample(v, { reference: grid, interpolation: 'linear' }));
  }
  throwIfAborted(signal);

  // 2. Intensity, then tensor layout (x-fastest volumes whose dims are the tensor's spatial dims reversed).
  const norm = pre.intensity ?? { method: 'none' as const };
  const modelDims = work[0]!.dims;
  const tensorDims: Vec3 = axisOrder === 'xyz' ? [modelDims[2], modelDims[1], modelDims[0]] : [...modelDims];
  const tensorVols: Volume<Float32Array>[] = work.map((v) => {
    let data = normalizeIntensity(v.data, norm);
    if (axisOrder === 'xyz') data = transposeXyz(data, v.dims);
    return { data, dims: tensorDims, spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
  });
  throwIfAborted(signal);
  return {
    tensorVols,
    tensorDims,
    spatial: [tensorDims[2], tensorDims[1], tensorDims[0]],
    modelGrid: gridOf(work[0]!),
    original,
    oriented,
    inputOrientation,
    orientation,
    targetSpacing: spacing ? [...spacing] : null,
    resampled,
    conformShape: conformShape ? [...conformShape] : null,
    conformed,
    conformIntensity,
    axisOrder,
    intensity: norm,
  };
}

/**
 * Voxel index on the model grid (image axes) of a continuous index in tensor spatial order.
 * Map it to LPS with `indexToWorld(prepared.modelGrid, ...)`.
 */
export function tensorIndexToModelIndex(prepared: PreparedModelInput, t: readonly number[]): Vec3 {
  return prepared.axisOrder === 'xyz' ? [t[0]!, t[1]!, t[2]!] : [t[2]!, t[1]!, t[0]!];
}

/**
 * Runs a segmentation model as its card says: reorient, resample, normalise, lay out the tensor,
 * run it whole or by sliding window, activation, argmax/threshold, back to the input grid
 * (nearest for labels), optional largest component. Needs `session.card`.
 *
 * Errors: MODEL_INPUT_MISMATCH when the (preprocessed) volume does not fit the card's fixed input
 * shape or channel count; INVALID_ARGUMENT without a card.
 */
export async function runSegmentationModel(
  input: Volume | Volume[],
  session: Session,
  options: SegmentationModelOptions = {},
): Promise<SegmentationModelResult> {
  const card: ModelCard | undefined = session.card;
  if (!card)
    throw new MedImgError('INVALID_ARGUMENT', 'runSegmentationModel needs a session created with a model card.');
  const tStart = performance.now();
  const report = (stage: string, fraction: number): void => options.onProgress?.({ stage, fraction });
  report('preprocess', 0);
  const vols = Array.isArray(input) ? input : [input];
  const outKind = card.postprocessing?.output_kind ?? 'probabilities';
  if (outKind === 'boxes' || outKind === 'regression' || outKind === 'classification') {
    throw new MedImgError(
      'INVALID_ARGUMENT',
      `Model '${card.id}' outputs ${outKind}, not a volume: use runBoxModel for boxes, classifyImage for classes.`,
    );
  }
  const prepared = prepareModelInput(vols, card, options.signal);
  const { input: inFmt, output: outFmt } = primaryTensors(card);
  const inf = card.inference ?? {};
  const post = card.postprocessing ?? {};
  const { tensorVols, tensorDims, spatial, original, oriented, axisOrder, orientation, inputOrientation, resampled } =
    prepared;
  const { conformShape, conformed, conformIntensity } = prepared;
  const spacing = prepared.targetSpacing;
  const norm = prepared.intensity;
  const modelDims = prepared.modelGrid.dims as Vec3;
  const tPre = performance.now();
  report('inference', 0.1);

  // 3. Inference: card spatial shape in tensor order [s0, s1, s2] = tensorDims reversed.
  const patch = inf.patch_size ?? null;
  const mirrorTensor = options.mirrorAxes ?? inf.mirror_axes ?? [];
  const mirrorAxes = mirrorTensor.map((a) => 2 - a); // tensor spatial axis -> x-fastest volume axis
  let roi: Vec3;
  if (patch) {
    assertArg(patch.length === 3, 'Only 3D patch sizes are supported.');
    roi = [patch[2]!, patch[1]!, patch[0]!];
  } else {
    const need = inFmt.spatial_shape.map((s, i) => {
      const d = spatial[i]!;
      if (typeof s === 'number') {
        if (s > 0 && s !== d) {
          throw new MedImgError(
            'MODEL_INPUT_MISMATCH',
            `Model '${card.id}' needs an input of ${inFmt.spatial_shape.join('×')} voxels (after its preprocessing); got ${spatial.join('×')}.`,
            { details: { expected: inFmt.spatial_shape, actual: spatial } },
          );
        }
        return d;
      }
      const k = Number(s.split('*')[0]);
      return Math.ceil(d / k) * k; // 'k*n': pad up to a multiple of k
    });
    roi = [need[2]!, need[1]!, need[0]!];
  }
  let runMs = 0;
  const timedSession: Pick<Session, 'run' | 'inputNames' | 'outputNames'> = {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    run: async (inputs) => {
      const t = performance.now();
      const r = await session.run(inputs);
      runMs += performance.now() - t;
      return r;
    },
  };
  const inputName = inFmt.onnx_name ?? session.inputNames[0]!;
  const outputName = outFmt.onnx_name ?? session.outputNames[0]!;
  const n = tensorDims[0] * tensorDims[1] * tensorDims[2];
  let prob: Float32Array;
  let channels: number;
  const whole = roi.every((r, i) => r === tensorDims[i]) && mirrorAxes.length === 0;
  const overlap = options.overlap ?? inf.overlap ?? 0.25;
  const mode = options.mode ?? inf.blend_mode ?? 'constant';
  if (whole) {
    // One run on the volume itself: no patch copy, no blending.
    let data: Float32Array;
    if (tensorVols.length === 1) data = tensorVols[0]!.data;
    else {
      data = new Float32Array(n * tensorVols.length);
      tensorVols.forEach((v, c) => data.set(v.data, c * n));
    }
    const res = await timedSession.run({
      [inputName]: { data, dims: [1, tensorVols.length, spatial[0]!, spatial[1]!, spatial[2]!] },
    });
    const o = res[outputName];
    if (!o || !(o.data instanceof Float32Array) || o.data.length % n !== 0) {
      throw new MedImgError(
        'INFERENCE_FAILED',
        `The model output '${outputName}' is not a float32 volume of the input size.`,
      );
    }
    prob = o.data;
    channels = o.data.length / n;
  } else {
    const sw = await slidingWindowInference(tensorVols, timedSession, {
      roiSize: roi,
      overlap,
      mode,
      sigmaScale: inf.sigma_scale ?? 0.125,
      swBatchSize: options.swBatchSize ?? 1,
      padding: { mode: 'constant', value: inf.padding_value ?? 0 },
      mirrorAxes,
      inputName,
      outputName,
      ...(options.signal ? { signal: options.signal } : {}),
      // Sliding-window progress covers 10-90 % of the pipeline.
      ...(options.onProgress ? { onProgress: (e) => report(e.stage, 0.1 + 0.8 * e.fraction) } : {}),
    });
    prob = sw.data;
    channels = sw.channels;
  }
  if (channels !== outFmt.num_channels) {
    throw new MedImgError(
      'INFERENCE_FAILED',
      `The model returned ${channels} channels; its card says ${outFmt.num_channels}.`,
    );
  }
  const tInf = performance.now();
  throwIfAborted(options.signal);
  report('postprocess', 0.9);

  // 4. Activation and labels on the model grid.
  const activation = post.activation ?? 'none';
  const kind = post.output_kind ?? 'probabilities';
  const argmax = kind === 'labels' ? false : (post.argmax ?? channels > 1);
  const needProb = options.keepProbabilities || !argmax;
  if (needProb && activation === 'softmax') softmaxInPlace(prob, channels, n);
  else if (needProb && activation === 'sigmoid') sigmoidInPlace(prob);
  let labels: Uint8Array;
  if (argmax)
    labels = argmaxChannels(prob, channels, n); // softmax/sigmoid are monotone: argmax of logits is the same
  else if (kind === 'labels') {
    // a label-map output: the (rounded) value is the label
    assertArg(channels === 1, "A 'labels' output must have one channel.");
    labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const v = Math.round(prob[i]!);
      labels[i] = v > 0 ? Math.min(v, 255) : 0; // NaN and negatives: background
    }
  } else {
    assertArg(channels === 1, 'Without argmax the model must have one output channel.');
    const t = post.threshold ?? 0.5;
    labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) labels[i] = prob[i]! >= t ? 1 : 0;
  }

  // 5. Back to the input grid.
  if (axisOrder === 'xyz') labels = transposeXyz(labels, tensorDims);
  let labelVol: Volume<Uint8Array> = {
    data: labels,
    dims: [...modelDims],
    spacing: [...prepared.modelGrid.spacing],
    origin: [...prepared.modelGrid.origin],
    direction: [...prepared.modelGrid.direction],
  };
  if (conformed) labelVol = resampleLabels(labelVol, { reference: original, method: 'nearest' });
  if (resampled) labelVol = resampleLabels(labelVol, { reference: oriented, method: 'nearest' });
  if (!conformShape && orientation && orientation !== inputOrientation) {
    labelVol = reorient(labelVol, inputOrientation);
  }
  if (post.largest_component) {
    const present = new Set(labelVol.data);
    for (const l of present) {
      if (l === 0) continue;
      const own = labelVol.data.map((v) => (v === l ? 1 : 0));
      const keep = keepLargestComponent({ ...labelVol, data: own }, { connectivity: 6 }).data;
      for (let i = 0; i < keep.length; i++) if (own[i] && !keep[i]) labelVol.data[i] = 0;
    }
  }
  const result: Volume<Uint8Array> = {
    ...labelVol,
    dims: [...original.dims],
    spacing: [...original.spacing],
    origin: [...original.origin],
    direction: [...original.direction],
  };
  if (vols[0]!.meta) result.meta = vols[0]!.meta;
  const tEnd = performance.now();
  report('done', 1);
  return {
    labels: result,
    modelGrid: prepared.modelGrid,
    ...(options.keepProbabilities ? { probabilities: { data: prob, channels, dims: tensorDims } } : {}),
    timings: {
      preprocess: tPre - tStart,
      inference: tInf - tPre,
      run: runMs,
      postprocess: tEnd - tInf,
      total: tEnd - tStart,
    },
    settings: {
      axisOrder,
      orientation,
      targetSpacing: spacing,
      resampled,
      conformShape,
      conformed,
      conformIntensity,
      intensity: norm,
      roi: whole ? null : roi,
      overlap: whole ? null : overlap,
      mode: whole ? null : mode,
      mirrorAxes: mirrorTensor,
      outputKind: kind,
      activation,
      argmax,
      largestComponent: !!post.largest_component,
    },
  };
}
