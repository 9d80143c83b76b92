import { MedImgError } from '../core/errors.js';

/**
 * Model card: the JSON sidecar that says what an ONNX file cannot (see docs/models.md).
 * Field names are snake_case as in MONAI bundle metadata; `network_data_format` follows MONAI.
 */
export interface ModelCard {
  /** Version of this card schema. Currently 1. */
  schema_version: 1;
  /** Stable model identifier, e.g. 'meshnet-gwm'. */
  id: string;
  name?: string;
  /** Version of the model weights, e.g. '1.0.0'. */
  version: string;
  /** SPDX licence identifier of the weights, e.g. 'BSD-2-Clause'. */
  license: string;
  description?: string;
  /** Hex SHA-256 of the ONNX file; verified at load (MODEL_HASH_MISMATCH). */
  sha256?: string;
  network_data_format: {
    inputs: Record<string, TensorFormat>;
    outputs: Record<string, TensorFormat>;
  };
  preprocessing?: PreprocessingSpec;
  inference?: InferenceSpec;
  postprocessing?: PostprocessingSpec;
}

/** One tensor in MONAI's `network_data_format` form, plus the ONNX name it binds to. */
export interface TensorFormat {
  /** 'image' for dense volumes. */
  type: 'image' | 'tensor';
  /** MONAI: 'magnitude' | 'hounsfield' | 'segmentation' | 'probabilities' | 'labels' ... */
  format?: string;
  modality?: string;
  num_channels: number;
  /**
   * Spatial shape in the tensor's spatial order (see `preprocessing.axis_order`). Each entry is a
   * fixed size (number), 'k*n' (any multiple of k), or -1 (any size).
   */
  spatial_shape: (number | string)[];
  /** Only 'float32' inputs are produced by the pipeline today. */
  dtype: 'float32' | 'float16' | 'int32' | 'int64' | 'uint8';
  /** Expected [min, max] after preprocessing (inputs) or of the values (outputs); [] when unbounded. */
  value_range: number[];
  is_patch_data?: boolean;
  /** Meaning of each channel, e.g. { "0": "background", "1": "white matter" }. */
  channel_def: Record<string, string>;
  /** Name of the ONNX graph input/output. Default: the model's first input/output. */
  onnx_name?: string;
  /**
   * Optional coded meaning of output channels (label maps), keyed like `channel_def`: a SNOMED CT
   * (or other scheme) code for the DICOM SEG segment property type, and a display colour.
   */
  channel_codes?: Record<string, ChannelCode>;
}

/** Coded meaning of one output channel, used for DICOM SEG segments. */
export interface ChannelCode {
  /** Code value, e.g. '5976003' (hippocampus). */
  code?: string;
  /** Coding scheme designator. Default 'SCT' (SNOMED CT). */
  scheme?: string;
  /** Code meaning, e.g. 'Hippocampus'. */
  meaning?: string;
  /** sRGB display colour 0..255. */
  color?: [number, number, number];
}

/** Intensity normalisation applied before the network, in the order given in docs/models.md. */
export type IntensityNormalization =
  | { method: 'none' }
  /** (v - min) / (max - min) over the whole volume; a constant volume gives 0. */
  | { method: 'minmax' }
  /** Clip to [lower, upper] then map linearly to [0, 1] (CT windowing). */
  | { method: 'window'; lower: number; upper: number }
  /** (v - mean) / std of the image (or of the voxels > 0 when `nonzero`). */
  | { method: 'zscore'; nonzero?: boolean }
  /** nnU-Net CTNormalization: clip to the dataset's [percentile_00_5, percentile_99_5], then (v - mean) / std. */
  | { method: 'ct_percentile'; percentile_00_5: number; percentile_99_5: number; mean: number; std: number }
  /**
   * Quantile scaling (brainchop): qlo, qhi = the image's `lower` and `upper` quantiles (fractions in
   * [0, 1]); x = (v - qlo) / (qhi - qlo), clipped to [0, 1] when `clip`. `estimator` 'linear' is
   * numpy.quantile's default (interpolated); 'sorted_index' is brainchop web's sorted[floor(N * lower)]
   * and sorted[ceil(N * upper) - 1]. Defaults: clip false, estimator 'linear'.
   */
  | { method: 'quantile'; lower: number; upper: number; clip?: boolean; estimator?: 'linear' | 'sorted_index' };

export interface PreprocessingSpec {
  /**
   * Order of the tensor's spatial dims in image axes: 'zyx' means [N, C, z, y, x] (x fastest, the
   * order of medimg volumes and of NIfTI on disk: no copy); 'xyz' means [N, C, x, y, z] (MONAI /
   * nibabel arrays, z fastest: transposed). Default 'xyz' (MONAI).
   */
  axis_order?: 'xyz' | 'zyx';
  /** Orientation code the network was trained in, e.g. 'RAS' (letter = direction axis increases toward). null: as given. */
  orientation?: string | null;
  /** Voxel spacing (mm) in image-axis order x, y, z the network expects. null: as given. */
  target_spacing?: [number, number, number] | null;
  intensity?: IntensityNormalization;
  /**
   * Per input channel, after `intensity`: (v - channel_mean[c]) / channel_std[c] (e.g. ImageNet's
   * [0.485, 0.456, 0.406] / [0.229, 0.224, 0.225]). A one-channel image given to a three-channel
   * network is repeated over the channels first. Default none.
   */
  channel_mean?: number[];
  channel_std?: number[];
  /**
   * Conform (FreeSurfer `mri_convert --conform` style): resample the input, with linear
   * interpolation, onto a grid of exactly these dims (image-axis order x, y, z) at `target_spacing`
   * in `orientation`, centred on the input's centre; labels go back to the input grid by nearest
   * neighbour. An input already on such a grid is used as is. null or absent: no conforming.
   */
  conform_shape?: [number, number, number] | null;
  /**
   * With `conform_shape`: the intensity step of FreeSurfer's conform, applied when the input is
   * resampled onto the conformed grid and is not already 8-bit (an input used as is keeps its
   * values, as brainchop does). The limits come from the input's 1000-bin histogram: `lower` of all
   * voxels below the low one (0: the minimum), all but `1 - upper` of the non-zero voxels below the
   * high one, two bins down (FastSurfer conform.py's getscale); the image is mapped to 0..255,
   * clipped and rounded, before `intensity`. brainchop runs every T1 through it (niivue `conform`,
   * 0 and 0.999). null or absent: raw values go to `intensity`.
   */
  conform_intensity?: { method: 'uchar'; lower: number; upper: number } | null;
}

export interface InferenceSpec {
  /** Sliding-window patch size in tensor spatial order; null runs the whole volume at once. */
  patch_size?: number[] | null;
  /** Fraction of overlap between patches. Default 0.25 (MONAI). */
  overlap?: number;
  /** Default 'constant' (MONAI). */
  blend_mode?: 'constant' | 'gaussian';
  /** Gaussian sigma as a fraction of patch size. Default 0.125 (MONAI). */
  sigma_scale?: number;
  /** Test-time mirroring axes, in tensor spatial order (0 = first spatial dim). Default none. */
  mirror_axes?: number[];
  /** Value used to pad volumes smaller than the patch or than a 'k*n' shape. Default 0. */
  padding_value?: number;
}

/**
 * What the network's primary output is (docs/models.md, "Output kinds"):
 * - 'probabilities': one score (logit or probability) per class and voxel; labels by argmax/threshold.
 * - 'labels': one channel whose value is the label of the voxel (rounded).
 * - 'heatmap': per-voxel detection score (after `activation`) of the last channel; findings are its
 *   local maxima at or above `peak_threshold`, at least `min_peak_distance_mm` apart.
 * - 'boxes': a [N, 7] (or [1, N, 7]) tensor of boxes, each [min0, min1, min2, max0, max1, max2,
 *   score] in voxel indices of the network's input grid, in tensor spatial order; kept when the
 *   score is at or above `score_threshold`.
 * - 'regression': one value per output channel (named by `channel_def`), no spatial meaning.
 * - 'classification': a [N, K] tensor of class scores for the whole image (logits, or
 *   probabilities with activation 'none'), classes named by `channel_def`; run by classifyImage.
 */
export type ModelOutputKind = 'probabilities' | 'labels' | 'heatmap' | 'boxes' | 'regression' | 'classification';

/** Every output kind, in documentation order. */
export const MODEL_OUTPUT_KINDS: readonly ModelOutputKind[] = [
  'probabilities',
  'labels',
  'heatmap',
  'boxes',
  'regression',
  'classification',
];

export interface PostprocessingSpec {
  /** What the primary output is. Default 'probabilities'. */
  output_kind?: ModelOutputKind;
  /** 'heatmap': least score of a finding (after activation). Default 0.5. */
  peak_threshold?: number;
  /** 'heatmap': least distance (mm) between two findings (weaker peaks nearer are dropped). Default 10. */
  min_peak_distance_mm?: number;
  /** 'boxes': least score of a kept box. Default 0.5. */
  score_threshold?: number;
  /** 'boxes': overlapping boxes (IoU above this) keep only the highest score. Default 0.3. */
  iou_threshold?: number;
  /** Applied over the channel axis. Default 'none'. */
  activation?: 'softmax' | 'sigmoid' | 'none';
  /** Label = argmax over channels. Default true for 'softmax'/'none' with more than one channel. */
  argmax?: boolean;
  /** For a one-channel sigmoid output without argmax: label 1 where p >= threshold. Default 0.5. */
  threshold?: number;
  /** Keep only the largest 6-connected component of each foreground label. Default false. */
  largest_component?: boolean;
  /**
   * Classification: logits are divided by this temperature before the activation (temperature
   * scaling, fitted on a held-out set). Given: the probabilities are reported as calibrated.
   * Default none (probabilities reported as uncalibrated).
   */
  temperature?: number;
  /**
   * Regression: each raw output becomes `raw * value_scale + value_offset` (one number for every
   * channel, or one per channel), undoing the target normalisation used in training. Default 1 and 0.
   */
  value_scale?: number | number[];
  /** Regression: see `value_scale`. Default 0. */
  value_offset?: number | number[];
  /** Regression: unit of each value (UCUM, e.g. 'mo', 'mg/cm3'), keyed like `channel_def`. Default none. */
  value_units?: Record<string, string>;
  /**
   * Regression: [min, max] of the training targets (after scale and offset). A prediction outside
   * it is an extrapolation and is reported in `limitations`. Default none.
   */
  value_range?: [number, number];
}

/** Thrown for a bad card: the message names the field. */
function bad(field: string, what: string): MedImgError {
  return new MedImgError('MODEL_CARD_INVALID', `Model card field '${field}' ${what}.`, { details: { field } });
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFiniteNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function str(o: Record<string, unknown>, key: string, path: string, required: boolean): void {
  const v = o[key];
  if (v === undefined && !required) return;
  if (typeof v !== 'string' || v.length === 0) throw bad(`${path}${key}`, 'must be a non-empty string');
}

/**
 * Checks a parsed JSON object against the card schema and returns it typed. Throws
 * MODEL_CARD_INVALID naming the first offending field. Unknown fields are allowed (forward
 * compatibility) but the known ones must be right.
 */
export function validateModelCard(card: unknown): ModelCard {
  if (!isObj(card)) throw bad('(root)', 'must be a JSON object');
  if (card.schema_version !== 1) throw bad('schema_version', 'must be 1');
  str(card, 'id', '', true);
  str(card, 'version', '', true);
  str(card, 'license', '', true);
  str(card, 'name', '', false);
  str(card, 'description', '', false);
  if (card.sha256 !== undefined && (typeof card.sha256 !== 'string' || !/^[0-9a-f]{64}$/i.test(card.sha256))) {
    throw bad('sha256', 'must be 64 hex digits');
  }
  const ndf = card.network_data_format;
  if (!isObj(ndf)) throw bad('network_data_format', 'must be an object with inputs and outputs');
  for (const side of ['inputs', 'outputs'] as const) {
    const group = ndf[side];
    if (!isObj(group) || Object.keys(group).length === 0) {
      throw bad(`network_data_format.${side}`, 'must be an object with at least one tensor');
    }
    for (const [key, t] of Object.entries(group)) validateTensorFormat(t, `network_data_format.${side}.${key}`);
  }
  if (card.preprocessing !== undefined) validatePreprocessing(card.preprocessing);
  if (card.inference !== undefined) validateInference(card.inference);
  if (card.postprocessing !== undefined) validatePostprocessing(card.postprocessing);
  validateOutputKind(card as unknown as ModelCard);
  return card as unknown as ModelCard;
}

/** Parses card JSON text or bytes and validates it. */
export function parseModelCard(json: string | Uint8Array): ModelCard {
  const text = typeof json === 'string' ? json : new TextDecoder().decode(json);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new MedImgError('MODEL_CARD_INVALID', 'The model card is not valid JSON.', { cause: e });
  }
  return validateModelCard(parsed);
}

function validateTensorFormat(t: unknown, path: string): void {
  if (!isObj(t)) throw bad(path, 'must be an object');
  if (t.type !== 'image' && t.type !== 'tensor') throw bad(`${path}.type`, "must be 'image' or 'tensor'");
  if (!Number.isInteger(t.num_channels) || (t.num_channels as number) < 1) {
    throw bad(`${path}.num_channels`, 'must be a positive integer');
  }
  const ss = t.spatial_shape;
  if (!Array.isArray(ss) || ss.length < 1 || ss.length > 3)
    throw bad(`${path}.spatial_shape`, 'must be an array of 1 to 3 sizes');
  ss.forEach((s, i) => {
    const ok =
      (Number.isInteger(s) && ((s as number) > 0 || s === -1)) || (typeof s === 'string' && /^\d+\*n$/.test(s));
    if (!ok) throw bad(`${path}.spatial_shape[${i}]`, "must be a positive integer, -1 or 'k*n'");
  });
  if (!['float32', 'float16', 'int32', 'int64', 'uint8'].includes(t.dtype as string)) {
    throw bad(`${path}.dtype`, "must be one of 'float32', 'float16', 'int32', 'int64', 'uint8'");
  }
  const vr = t.value_range;
  if (
    !Array.isArray(vr) ||
    !(vr.length === 0 || (vr.length === 2 && vr.every(isFiniteNum) && (vr[0] as number) <= (vr[1] as number)))
  ) {
    throw bad(`${path}.value_range`, 'must be [] or [min, max] with min <= max');
  }
  const cd = t.channel_def;
  if (!isObj(cd) || Object.values(cd).some((v) => typeof v !== 'string')) {
    throw bad(`${path}.channel_def`, 'must map channel indices to names');
  }
  for (const k of Object.keys(cd)) {
    const i = Number(k);
    if (!Number.isInteger(i) || i < 0) throw bad(`${path}.channel_def`, `has a key '${k}' that is not a channel index`);
  }
  if (t.onnx_name !== undefined) str(t, 'onnx_name', `${path}.`, true);
  if (t.channel_codes !== undefined) {
    const cc = t.channel_codes;
    if (!isObj(cc)) throw bad(`${path}.channel_codes`, 'must map channel indices to codes');
    for (const [k, c] of Object.entries(cc)) {
      const f = `${path}.channel_codes.${k}`;
      if (!isObj(c)) throw bad(f, 'must be an object');
      for (const key of ['code', 'scheme', 'meaning']) str(c, key, `${f}.`, false);
      const col = c.color;
      if (
        col !== undefined &&
        !(Array.isArray(col) && col.length === 3 && col.every((v) => Number.isInteger(v) && v >= 0 && v <= 255))
      ) {
        throw bad(`${f}.color`, 'must be three integers 0..255');
      }
    }
  }
}

function validatePreprocessing(p: unknown): void {
  if (!isObj(p)) throw bad('preprocessing', 'must be an object');
  if (p.axis_order !== undefined && p.axis_order !== 'xyz' && p.axis_order !== 'zyx') {
    throw bad('preprocessing.axis_order', "must be 'xyz' or 'zyx'");
  }
  if (p.orientation !== undefined && p.orientation !== null) {
    const o = p.orientation;
    const ok =
      typeof o === 'string' &&
      /^[LRAPSI]{3}$/.test(o) &&
      new Set([...o].map((c) => ({ L: 'x', R: 'x', A: 'y', P: 'y', S: 'z', I: 'z' })[c])).size === 3;
    if (!ok) throw bad('preprocessing.orientation', "must be a 3-letter code like 'RAS' or 'LPS', or null");
  }
  if (p.target_spacing !== undefined && p.target_spacing !== null) {
    const s = p.target_spacing;
    if (!Array.isArray(s) || s.length !== 3 || !s.every((v) => isFiniteNum(v) && v > 0)) {
      throw bad('preprocessing.target_spacing', 'must be three positive numbers (mm) or null');
    }
  }
  for (const k of ['channel_mean', 'channel_std'] as const) {
    const v = p[k];
    if (v === undefined) continue;
    if (!Array.isArray(v) || v.length < 1 || !v.every((x) => isFiniteNum(x) && (k === 'channel_mean' || x > 0))) {
      throw bad(`preprocessing.${k}`, k === 'channel_std' ? 'must be positive numbers' : 'must be numbers');
    }
  }
  if (
    Array.isArray(p.channel_mean) !== Array.isArray(p.channel_std) ||
    (Array.isArray(p.channel_mean) && (p.channel_mean as unknown[]).length !== (p.channel_std as unknown[]).length)
  ) {
    throw bad('preprocessing.channel_std', 'must be given with channel_mean, one value per channel');
  }
  if (p.intensity !== undefined) {
    const n = p.intensity;
    if (!isObj(n)) throw bad('preprocessing.intensity', 'must be an object with a method');
    const f = 'preprocessing.intensity';
    switch (n.method) {
      case 'none':
      case 'minmax':
        break;
      case 'window':
        if (!isFiniteNum(n.lower) || !isFiniteNum(n.upper) || n.lower >= n.upper) {
          throw bad(`${f}.lower`, 'and upper must be numbers with lower < upper');
        }
        break;
      case 'zscore':
        if (n.nonzero !== undefined && typeof n.nonzero !== 'boolean') throw bad(`${f}.nonzero`, 'must be a boolean');
        break;
      case 'ct_percentile':
        for (const k of ['percentile_00_5', 'percentile_99_5', 'mean', 'std']) {
          if (!isFiniteNum(n[k])) throw bad(`${f}.${k}`, 'must be a number');
        }
        if ((n.std as number) <= 0) throw bad(`${f}.std`, 'must be > 0');
        if ((n.percentile_00_5 as number) > (n.percentile_99_5 as number)) {
          throw bad(`${f}.percentile_00_5`, 'must not exceed percentile_99_5');
        }
        break;
      case 'quantile':
        if (!isFiniteNum(n.lower) || !isFiniteNum(n.upper) || n.lower < 0 || n.upper > 1 || n.lower >= n.upper) {
          throw bad(`${f}.lower`, 'and upper must be fractions with 0 <= lower < upper <= 1');
        }
        if (n.clip !== undefined && typeof n.clip !== 'boolean') throw bad(`${f}.clip`, 'must be a boolean');
        if (n.estimator !== undefined && n.estimator !== 'linear' && n.estimator !== 'sorted_index') {
          throw bad(`${f}.estimator`, "must be 'linear' or 'sorted_index'");
        }
        break;
      default:
        throw bad(`${f}.method`, "must be 'none', 'minmax', 'window', 'zscore', 'ct_percentile' or 'quantile'");
    }
  }
  if (p.conform_shape !== undefined && p.conform_shape !== null) {
    const s = p.conform_shape;
    if (!Array.isArray(s) || s.length !== 3 || !s.every((v) => Number.isInteger(v) && v > 0 && v <= 4096)) {
      throw bad('preprocessing.conform_shape', 'must be three positive integers (voxels) or null');
    }
  }
  if (p.conform_intensity !== undefined && p.conform_intensity !== null) {
    const c = p.conform_intensity;
    const f = 'preprocessing.conform_intensity';
    if (!isObj(c) || c.method !== 'uchar') throw bad(`${f}.method`, "must be 'uchar'");
    if (!isFiniteNum(c.lower) || !isFiniteNum(c.upper) || c.lower < 0 || c.upper > 1 || c.lower >= c.upper) {
      throw bad(`${f}.lower`, 'and upper must be fractions with 0 <= lower < upper <= 1');
    }
    if (p.conform_shape === undefined || p.conform_shape === null) throw bad(f, 'needs conform_shape');
  }
}

function validateInference(p: unknown): void {
  if (!isObj(p)) throw bad('inference', 'must be an object');
  if (p.patch_size !== undefined && p.patch_size !== null) {
    const s = p.patch_size;
    if (!Array.isArray(s) || s.length < 1 || s.length > 3 || !s.every((v) => Number.isInteger(v) && v > 0)) {
      throw bad('inference.patch_size', 'must be positive integers (tensor spatial order) or null');
    }
  }
  if (p.overlap !== undefined && !(isFiniteNum(p.overlap) && p.overlap >= 0 && p.overlap < 1)) {
    throw bad('inference.overlap', 'must be a number in [0, 1)');
  }
  if (p.blend_mode !== undefined && p.blend_mode !== 'constant' && p.blend_mode !== 'gaussian') {
    throw bad('inference.blend_mode', "must be 'constant' or 'gaussian'");
  }
  if (p.sigma_scale !== undefined && !(isFiniteNum(p.sigma_scale) && p.sigma_scale > 0)) {
    throw bad('inference.sigma_scale', 'must be a positive number');
  }
  if (
    p.mirror_axes !== undefined &&
    !(Array.isArray(p.mirror_axes) && p.mirror_axes.every((a) => a === 0 || a === 1 || a === 2))
  ) {
    throw bad('inference.mirror_axes', 'must be a list of spatial axes 0, 1, 2');
  }
  if (p.padding_value !== undefined && !isFiniteNum(p.padding_value))
    throw bad('inference.padding_value', 'must be a number');
}

function validatePostprocessing(p: unknown): void {
  if (!isObj(p)) throw bad('postprocessing', 'must be an object');
  if (p.activation !== undefined && !['softmax', 'sigmoid', 'none'].includes(p.activation as string)) {
    throw bad('postprocessing.activation', "must be 'softmax', 'sigmoid' or 'none'");
  }
  if (p.argmax !== undefined && typeof p.argmax !== 'boolean') throw bad('postprocessing.argmax', 'must be a boolean');
  if (p.threshold !== undefined && !isFiniteNum(p.threshold)) throw bad('postprocessing.threshold', 'must be a number');
  if (p.largest_component !== undefined && typeof p.largest_component !== 'boolean') {
    throw bad('postprocessing.largest_component', 'must be a boolean');
  }
  if (p.output_kind !== undefined && !MODEL_OUTPUT_KINDS.includes(p.output_kind as ModelOutputKind)) {
    throw bad('postprocessing.output_kind', `must be one of ${MODEL_OUTPUT_KINDS.map((k) => `'${k}'`).join(', ')}`);
  }
  for (const k of ['peak_threshold', 'score_threshold'] as const) {
    if (p[k] !== undefined && !isFiniteNum(p[k])) throw bad(`postprocessing.${k}`, 'must be a number');
  }
  if (p.min_peak_distance_mm !== undefined && !(isFiniteNum(p.min_peak_distance_mm) && p.min_peak_distance_mm >= 0)) {
    throw bad('postprocessing.min_peak_distance_mm', 'must be a number >= 0');
  }
  if (
    p.iou_threshold !== undefined &&
    !(isFiniteNum(p.iou_threshold) && p.iou_threshold >= 0 && p.iou_threshold <= 1)
  ) {
    throw bad('postprocessing.iou_threshold', 'must be a number in [0, 1]');
  }
  if (p.temperature !== undefined && !(isFiniteNum(p.temperature) && p.temperature > 0)) {
    throw bad('postprocessing.temperature', 'must be a positive number');
  }
  for (const k of ['value_scale', 'value_offset'] as const) {
    const v = p[k];
    if (v !== undefined && !isFiniteNum(v) && !(Array.isArray(v) && v.length > 0 && v.every(isFiniteNum))) {
      throw bad(`postprocessing.${k}`, 'must be a number or an array of numbers');
    }
  }
  if (
    p.value_units !== undefined &&
    !(isObj(p.value_units) && Object.values(p.value_units).every((u) => typeof u === 'string'))
  ) {
    throw bad('postprocessing.value_units', 'must map channel indices to unit strings');
  }
  const vr = p.value_range;
  if (vr !== undefined && !(Array.isArray(vr) && vr.length === 2 && vr.every(isFiniteNum) && vr[0]! <= vr[1]!)) {
    throw bad('postprocessing.value_range', 'must be [min, max] with min <= max');
  }
}

/** The card's output kind (default 'probabilities'). */
export function outputKind(card: ModelCard): ModelOutputKind {
  return card.postprocessing?.output_kind ?? 'probabilities';
}

/**
 * Checks that the primary output's channel count fits the output kind: 'labels' has one channel,
 * 'boxes' seven (six corners and a score). Throws MODEL_CARD_INVALID.
 */
function validateOutputKind(card: ModelCard): void {
  const kind = outputKind(card);
  const { output } = primaryTensors(card);
  const field = 'network_data_format.outputs.num_channels';
  if (kind === 'labels' && output.num_channels !== 1) throw bad(field, "must be 1 for output_kind 'labels'");
  if (kind === 'boxes' && output.num_channels !== 7) {
    throw bad(field, "must be 7 for output_kind 'boxes' (min0, min1, min2, max0, max1, max2, score)");
  }
  for (const k of ['value_scale', 'value_offset'] as const) {
    const v = card.postprocessing?.[k];
    if (Array.isArray(v) && v.length !== output.num_channels) {
      throw bad(`postprocessing.${k}`, `has ${v.length} values for ${output.num_channels} output channel(s)`);
    }
  }
}

/** The card's first input and output tensor formats (the ones the pipeline drives). */
export function primaryTensors(card: ModelCard): { input: TensorFormat; output: TensorFormat } {
  const input = Object.values(card.network_data_format.inputs)[0]!;
  const output = Object.values(card.network_data_format.outputs)[0]!;
  return { input, output };
}
