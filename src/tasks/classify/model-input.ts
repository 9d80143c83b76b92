// What classifyImage and predictValues share: opening the model, fitting an image to the card's
// fixed input (resize, normalise, lay out) and running batches of images through it.
import { primaryTensors, type ModelCard, type TensorFormat } from '../../backends/model-card.js';
import { normalizeIntensity, transposeXyz } from '../../backends/pipeline.js';
import { createSession, type ModelSource, type Session } from '../../backends/session.js';
import type { BackendChoice } from '../../backends/types.js';
import type { ModelCache } from '../../backends/model-cache.js';
import type { LongRunOptions } from '../../core/progress.js';
import { MedImgError } from '../../core/errors.js';
import { resample } from '../../core/ops/resample.js';
import type { Vec3, Volume } from '../../core/volume.js';
import type { ReadRadiographResult } from '../../io/dicom/radiograph.js';
import { addLimitation, type Limitation } from '../internal/limitations.js';
import type { ClassifyInput } from './types.js';

export function isSession(m: unknown): m is Session {
  return typeof m === 'object' && m !== null && typeof (m as Session).run === 'function' && 'provenance' in m;
}

export function isRadiograph(x: ClassifyInput): x is ReadRadiographResult {
  return typeof x === 'object' && x !== null && 'display' in x && 'header' in x;
}

/** Radiograph notices that bear on what a classifier sees. */
export const RADIOGRAPH_LIMITS = new Set([
  'WINDOW_OUTSIDE_DATA',
  'FOR_PROCESSING',
  'LOSSY_COMPRESSION',
  'NOT_PROJECTION',
  'PRESENTATION_LUT_INCONSISTENT',
]);

/** The model options every whole-image model task takes. */
export interface ImageModelOptions extends LongRunOptions {
  model: ModelSource | Session;
  backend?: BackendChoice;
  cache?: ModelCache | string;
}

/** Opens `options.model` (or takes the open Session given); `fn` names the caller in messages. */
export async function openSession(
  options: ImageModelOptions,
  fn: string,
): Promise<{ session: Session; owned: boolean }> {
  if (!options || options.model === undefined) {
    throw new MedImgError('INVALID_ARGUMENT', `${fn} needs options.model ({ onnx, card } or a Session).`);
  }
  if (isSession(options.model)) {
    if (!options.model.card) {
      throw new MedImgError(
        'INVALID_ARGUMENT',
        'The session passed as model has no model card; create it with its card.',
      );
    }
    return { session: options.model, owned: false };
  }
  const session = await createSession(options.model as ModelSource, {
    backend: options.backend ?? 'auto',
    ...(options.cache !== undefined ? { cache: options.cache } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!session.card) {
    await session.release();
    throw new MedImgError('INVALID_ARGUMENT', `${fn} needs a model card: pass { onnx, card }.`);
  }
  return { session, owned: true };
}

/** Labels from the output's channel_def; every channel must be named or it is 'class <i>'. */
export function labelsOf(out: TensorFormat): string[] {
  return Array.from({ length: out.num_channels }, (_, i) => out.channel_def[String(i)] ?? `class ${i}`);
}

/** Image-axis (x, y, z) sizes the model input takes for an image of `dims`. */
export function modelDims(shape: (number | string)[], dims: Vec3, axisOrder: 'xyz' | 'zyx', cardId: string): Vec3 {
  const is2d = shape.length === 2;
  if (shape.length === 1) {
    throw new MedImgError(
      'MODEL_CARD_INVALID',
      `Model '${cardId}': a classifier input needs a 2D or 3D spatial_shape.`,
      {
        details: { field: 'network_data_format.inputs.spatial_shape' },
      },
    );
  }
  if (is2d && dims[2] !== 1) {
    throw new MedImgError(
      'MODEL_INPUT_MISMATCH',
      `Model '${cardId}' classifies 2D images; this volume has ${dims[2]} slices (pass one slice).`,
      { details: { slices: dims[2] } },
    );
  }
  // tensor spatial order -> image axes
  const axes = is2d ? (axisOrder === 'zyx' ? [1, 0] : [0, 1]) : axisOrder === 'zyx' ? [2, 1, 0] : [0, 1, 2];
  const out: Vec3 = [...dims];
  shape.forEach((s, t) => {
    const a = axes[t]!;
    const d = dims[a]!;
    if (typeof s === 'number') out[a] = s > 0 ? s : d;
    else {
      const k = Number(s.split('*')[0]);
      out[a] = Math.max(k, Math.round(d / k) * k);
    }
  });
  return out;
}

/** Tensor spatial shape (tensor order) of an image-axis grid. */
export function tensorShape(md: Vec3, rank: number, axisOrder: 'xyz' | 'zyx'): number[] {
  if (rank === 2) return axisOrder === 'zyx' ? [md[1], md[0]] : [md[0], md[1]];
  return axisOrder === 'zyx' ? [md[2], md[1], md[0]] : [md[0], md[1], md[2]];
}

/** What a model run needs besides the images: shared by classifyImage, its explanation and predictValues. */
export interface Runner {
  labels: string[];
  multiLabel: boolean;
  calibrated: boolean;
  maxBatch: number;
  /** Logits of each image (x-fastest, normalised, on the model grid). */
  logits(images: readonly Float32Array[]): Promise<Float32Array[]>;
  probabilities(logits: Float32Array): Float32Array;
}

export function makeRunner(session: Session, md: Vec3, shape: number[], axisOrder: 'xyz' | 'zyx'): Runner {
  const card = session.card!;
  const { input: inFmt, output: outFmt } = primaryTensors(card);
  const pre = card.preprocessing ?? {};
  const post = card.postprocessing ?? {};
  const channels = inFmt.num_channels;
  const mean = pre.channel_mean;
  const std = pre.channel_std;
  if (mean && mean.length !== channels) {
    throw new MedImgError(
      'MODEL_CARD_INVALID',
      `channel_mean has ${mean.length} values for ${channels} input channel(s).`,
      {
        details: { field: 'preprocessing.channel_mean' },
      },
    );
  }
  const activation = post.activation ?? 'softmax';
  const temperature = activation !== 'none' ? post.temperature : undefined;
  const t = temperature ?? 1;
  const k = outFmt.num_channels;
  const n = md[0] * md[1] * md[2];
  const inputName = inFmt.onnx_name ?? session.inputNames[0]!;
  const outputName = outFmt.onnx_name ?? session.outputNames[0]!;
  const i0 = session.inputNames.indexOf(inputName);
  const batchDim = session.inputInfo[i0]?.shape?.[0];
  const maxBatch = typeof batchDim === 'number' && batchDim > 0 ? batchDim : 64;
  let tensor = new Float32Array(0);
  return {
    labels: labelsOf(outFmt),
    multiLabel: activation === 'sigmoid',
    calibrated: temperature !== undefined,
    maxBatch,
    async logits(images) {
      const out: Float32Array[] = [];
      for (let b0 = 0; b0 < images.length; b0 += maxBatch) {
        const batch = images.slice(b0, b0 + maxBatch);
        // a network with a fixed batch dimension gets exactly that many images (the rest repeated)
        const runB = typeof batchDim === 'number' && batchDim > 0 ? batchDim : batch.length;
        const size = runB * channels * n;
        if (tensor.length !== size) tensor = new Float32Array(size);
        for (let b = 0; b < runB; b++) {
          const img = batch[Math.min(b, batch.length - 1)]!;
          const laid = axisOrder === 'xyz' ? transposeXyz(img, md) : img;
          for (let c = 0; c < channels; c++) {
            const off = (b * channels + c) * n;
            if (!mean || !std) tensor.set(laid, off);
            else {
              const m = mean[c]!;
              const s = std[c]!;
              for (let i = 0; i < n; i++) tensor[off + i] = (laid[i]! - m) / s;
            }
          }
        }
        const res = await session.run({ [inputName]: { data: tensor, dims: [runB, channels, ...shape] } });
        const o = res[outputName];
        if (!o || !(o.data instanceof Float32Array) || o.data.length !== runB * k) {
          throw new MedImgError(
            'INFERENCE_FAILED',
            `The model output '${outputName}' should hold ${k} float32 value(s) per image (its card's channels); got ${o?.data.length ?? 0} for ${runB} image(s).`,
          );
        }
        for (let b = 0; b < batch.length; b++) out.push(o.data.slice(b * k, (b + 1) * k));
      }
      return out;
    },
    probabilities(logits) {
      const p = new Float32Array(k);
      if (activation === 'softmax') {
        let m = -Infinity;
        for (let i = 0; i < k; i++) m = Math.max(m, logits[i]! / t);
        let s = 0;
        for (let i = 0; i < k; i++) {
          p[i] = Math.exp(logits[i]! / t - m);
          s += p[i]!;
        }
        for (let i = 0; i < k; i++) p[i]! /= s;
      } else if (activation === 'sigmoid') {
        for (let i = 0; i < k; i++) p[i] = 1 / (1 + Math.exp(-logits[i]! / t));
      } else p.set(logits);
      return p;
    },
  };
}

/** An image fitted to a whole-image model's fixed input. */
export interface FittedImage {
  inFmt: TensorFormat;
  pre: NonNullable<ModelCard['preprocessing']>;
  axisOrder: 'xyz' | 'zyx';
  /** Image-axis sizes of the model input. */
  md: Vec3;
  /** Tensor spatial shape (tensor order). */
  shape: number[];
  resized: boolean;
  /** The image on the model grid (same physical extent). */
  work: Volume;
  /** `work` normalised as the card says (x-fastest). */
  base: Float32Array;
  warnings: string[];
  limitations: Limitation[];
}

/**
 * Fits an image to the card's fixed input: resized (linear) to the input shape over the same
 * physical extent, normalised, with the limitations of doing so (aspect changed, modality
 * mismatch, the radiograph's display notices). `fn` names the caller in warnings.
 */
export function fitImageToModel(
  image: Volume,
  radiograph: ReadRadiographResult | undefined,
  card: ModelCard,
  fn: string,
): FittedImage {
  const { input: inFmt } = primaryTensors(card);
  const pre = card.preprocessing ?? {};
  const axisOrder = pre.axis_order ?? 'xyz';
  const warnings: string[] = [];
  const limitations: Limitation[] = [];
  const md = modelDims(inFmt.spatial_shape, image.dims, axisOrder, card.id);
  const shape = tensorShape(md, inFmt.spatial_shape.length, axisOrder);
  const resized = md.some((d, i) => d !== image.dims[i]);
  let work: Volume = image;
  if (resized) {
    // Same physical extent, new voxel count: voxel 0's centre moves by half the size change.
    const spacing = image.spacing.map((s, i) => (s * image.dims[i]!) / md[i]!) as Vec3;
    const shift = spacing.map((s, i) => (s - image.spacing[i]!) / 2);
    const d = image.direction;
    const origin = [0, 1, 2].map(
      (a) => image.origin[a]! + d[a * 3]! * shift[0]! + d[a * 3 + 1]! * shift[1]! + d[a * 3 + 2]! * shift[2]!,
    ) as Vec3;
    work = resample(image, { reference: { dims: md, spacing, origin, direction: [...d] }, interpolation: 'linear' });
  }
  const base = normalizeIntensity(work.data, pre.intensity ?? { method: 'none' });
  if (pre.orientation || pre.target_spacing) {
    warnings.push(
      `The card's orientation/target_spacing are not applied by ${fn}: the image is resized to the input shape as given.`,
    );
  }
  const aspectIn = (image.dims[0] * image.spacing[0]) / (image.dims[1] * image.spacing[1]);
  const aspectModel = md[0] / md[1];
  if (Math.abs(Math.log(aspectIn / aspectModel)) > Math.log(1.1)) {
    addLimitation(limitations, {
      code: 'ASPECT_CHANGED',
      message: `The image (width/height ${aspectIn.toFixed(2)}) was stretched to the model's ${aspectModel.toFixed(2)}.`,
      details: { imageAspect: Number(aspectIn.toFixed(3)), modelAspect: Number(aspectModel.toFixed(3)) },
    });
  }
  const modality = image.meta?.modality;
  if (inFmt.modality && modality) {
    const allowed = inFmt.modality
      .toUpperCase()
      .split(/[^A-Z]+/)
      .filter(Boolean);
    if (!allowed.includes(modality.toUpperCase())) {
      addLimitation(limitations, {
        code: 'MODALITY_MISMATCH',
        message: `The model was made for ${inFmt.modality}; this image is ${modality}.`,
        details: { model: inFmt.modality, image: modality },
      });
    }
  }
  for (const n of radiograph?.notices ?? []) {
    if (RADIOGRAPH_LIMITS.has(n.code)) addLimitation(limitations, { code: n.code, message: n.message });
  }
  return { inFmt, pre, axisOrder, md, shape, resized, work, base, warnings, limitations };
}
