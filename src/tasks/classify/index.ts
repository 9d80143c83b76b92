// classifyImage / classifyStudy: any ONNX classifier with a model card, on a 2D image (a
// radiograph, a mammogram, one slice) or a 3D volume. The card names the classes, the activation
// (softmax: one class; sigmoid: multi-label) and, when the vendor calibrated it, the temperature.
import { outputKind, primaryTensors, type TensorFormat } from '../../backends/model-card.js';
import { normalizeIntensity, transposeXyz } from '../../backends/pipeline.js';
import { createSession, type ModelSource, type Session } from '../../backends/session.js';
import { assertArg, MedImgError } from '../../core/errors.js';
import { resample } from '../../core/ops/resample.js';
import { Stages } from '../../core/progress.js';
import { type Vec3, type Volume, validateVolume } from '../../core/volume.js';
import type { ReadRadiographResult } from '../../io/dicom/radiograph.js';
import { VERSION } from '../../version.js';
import { addLimitation, type Limitation } from '../internal/limitations.js';
import { integratedOcclusion } from '../explain/occlusion.js';
import { describeSensitivityRegions } from '../explain/regions.js';
import type {
  ClassifyExplanation,
  ClassifyImageOptions,
  ClassifyImageResult,
  ClassifyInput,
  ClassifyProvenance,
  ClassifyStudyOptions,
  ClassifyStudyResult,
  ClassScore,
} from './types.js';

export type * from './types.js';

function isSession(m: unknown): m is Session {
  return typeof m === 'object' && m !== null && typeof (m as Session).run === 'function' && 'provenance' in m;
}

function isRadiograph(x: ClassifyInput): x is ReadRadiographResult {
  return typeof x === 'object' && x !== null && 'display' in x && 'header' in x;
}

/** Radiograph notices that bear on what a classifier sees. */
const RADIOGRAPH_LIMITS = new Set([
  'WINDOW_OUTSIDE_DATA',
  'FOR_PROCESSING',
  'LOSSY_COMPRESSION',
  'NOT_PROJECTION',
  'PRESENTATION_LUT_INCONSISTENT',
]);

async function openSession(options: ClassifyImageOptions): Promise<{ session: Session; owned: boolean }> {
  if (!options || options.model === undefined) {
    throw new MedImgError('INVALID_ARGUMENT', 'classifyImage needs options.model ({ onnx, card } or a Session).');
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
    throw new MedImgError('INVALID_ARGUMENT', 'classifyImage needs a model card: pass { onnx, card }.');
  }
  return { session, owned: true };
}

/** Labels from the output's channel_def; every channel must be named or it is 'class <i>'. */
function labelsOf(out: TensorFormat): string[] {
  return Array.from({ length: out.num_channels }, (_, i) => out.channel_def[String(i)] ?? `class ${i}`);
}

/** Image-axis (x, y, z) sizes the model input takes for an image of `dims`. */
function modelDims(shape: (number | string)[], dims: Vec3, axisOrder: 'xyz' | 'zyx', cardId: string): Vec3 {
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
function tensorShape(md: Vec3, rank: number, axisOrder: 'xyz' | 'zyx'): number[] {
  if (rank === 2) return axisOrder === 'zyx' ? [md[1], md[0]] : [md[0], md[1]];
  return axisOrder === 'zyx' ? [md[2], md[1], md[0]] : [md[0], md[1], md[2]];
}

/** What a model run needs besides the images: shared by classifyImage and its explanation. */
interface Runner {
  labels: string[];
  multiLabel: boolean;
  calibrated: boolean;
  maxBatch: number;
  /** Logits of each image (x-fastest, normalised, on the model grid). */
  logits(images: readonly Float32Array[]): Promise<Float32Array[]>;
  probabilities(logits: Float32Array): Float32Array;
}

function makeRunner(session: Session, md: Vec3, shape: number[], axisOrder: 'xyz' | 'zyx'): Runner {
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
            `The model output '${outputName}' should hold ${k} float32 value(s) per image (its card's classes); got ${o?.data.length ?? 0} for ${runB} image(s).`,
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

function ranked(classes: ClassScore[], topK: number): ClassScore[] {
  return [...classes].sort((a, b) => b.probability - a.probability || a.index - b.index).slice(0, topK);
}

/**
 * Classifies one image with an ONNX classifier and its model card: class probabilities named by
 * the card, the top-k, positives of a multi-label model, and optionally an occlusion explanation.
 *
 * The image is resized (linear) to the card's fixed input size, normalised as the card says
 * (`intensity`, then `channel_mean`/`channel_std`; a grey image is repeated over three input
 * channels), laid out by `axis_order` ('zyx' = [N, C, H, W] for 2D, the PyTorch order; 'xyz' =
 * [N, C, W, H]). Radiographs from {@link readRadiograph} are classified as displayed (grey levels
 * 0..1, MONOCHROME1 already inverted). `limitations` says when probabilities are not calibrated,
 * the aspect ratio was changed, the modality differs from the card's, or the radiograph had a
 * display problem.
 *
 * Errors: INVALID_ARGUMENT, MODEL_CARD_INVALID, MODEL_INPUT_MISMATCH, INFERENCE_FAILED, the
 * session's errors, ABORTED.
 *
 * @example
 * ```ts
 * const cxr = await readRadiograph('chest.dcm');
 * const r = await classifyImage(cxr, { model: { onnx: 'cxr.onnx', card: 'cxr.card.json' }, topK: 3 });
 * r.top.map((c) => `${c.label} ${c.probability.toFixed(2)}`);
 * ```
 */
export async function classifyImage(input: ClassifyInput, options: ClassifyImageOptions): Promise<ClassifyImageResult> {
  const t0 = performance.now();
  const radiograph = isRadiograph(input) ? input : undefined;
  const image = radiograph ? radiograph.display : (input as Volume);
  validateVolume(image, 'image');
  const topKOpt = options?.topK;
  assertArg(topKOpt === undefined || (Number.isInteger(topKOpt) && topKOpt >= 1), 'topK must be a positive integer.');
  const explainOpt = options?.explain === true ? {} : options?.explain || undefined;
  const stages = new Stages(options, [
    ['load', 1],
    ['preprocess', 1],
    ['inference', 1],
    ['explain', explainOpt ? 20 : 0],
  ]);
  await stages.start('load');
  const { session, owned } = await openSession(options);
  const tLoad = performance.now();
  try {
    const card = session.card!;
    if (outputKind(card) !== 'classification') {
      throw new MedImgError(
        'MODEL_CARD_INVALID',
        `Model '${card.id}' is not a classifier: classifyImage needs postprocessing.output_kind 'classification' (it is '${outputKind(card)}').`,
        { details: { field: 'postprocessing.output_kind' } },
      );
    }
    const { input: inFmt } = primaryTensors(card);
    const pre = card.preprocessing ?? {};
    const axisOrder = pre.axis_order ?? 'xyz';
    const warnings: string[] = [];
    const limitations: Limitation[] = [];
    await stages.start('preprocess');
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
        "The card's orientation/target_spacing are not applied by classifyImage: the image is resized to the input shape as given.",
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
    const runner = makeRunner(session, md, shape, axisOrder);
    if (!runner.calibrated) {
      addLimitation(limitations, {
        code: 'UNCALIBRATED_PROBABILITIES',
        message: 'The model card gives no temperature: the probabilities are scores, not calibrated frequencies.',
      });
    }
    const tPre = performance.now();
    await stages.start('inference');
    const logits = (await runner.logits([base]))[0]!;
    const probs = runner.probabilities(logits);
    const threshold = options.threshold ?? card.postprocessing?.threshold ?? 0.5;
    const classes: ClassScore[] = runner.labels.map((label, index) => ({
      index,
      label,
      probability: probs[index]!,
      logit: logits[index]!,
      ...(runner.multiLabel ? { positive: probs[index]! >= threshold } : {}),
    }));
    const top = ranked(classes, Math.min(topKOpt ?? 5, classes.length));
    const tInf = performance.now();

    let explanation: ClassifyExplanation | undefined;
    if (explainOpt) {
      await stages.start('explain');
      const target = explainOpt.target ?? top[0]!.index;
      const ti = typeof target === 'string' ? runner.labels.indexOf(target) : target;
      assertArg(
        Number.isInteger(ti) && ti >= 0 && ti < classes.length,
        `explain.target '${target}' is not a class of the model.`,
      );
      const fractions = explainOpt.patchFractions ?? [1 / 16, 1 / 8, 1 / 4];
      assertArg(
        fractions.length > 0 && fractions.every((f) => f > 0 && f <= 1),
        'explain.patchFractions must be in (0, 1].',
      );
      const patches = fractions.map((f) => md.map((d) => (d > 1 ? Math.max(1, Math.round(d * f)) : 1)) as Vec3);
      const grid = { dims: md, spacing: work.spacing, origin: work.origin, direction: work.direction };
      const occ = await integratedOcclusion(
        { ...grid, data: base },
        async (imgs) => (await runner.logits(imgs)).map((l) => runner.probabilities(l)[ti]!),
        { patches, batchSize: Math.min(explainOpt.batchSize ?? 8, runner.maxBatch), ...stages.nested() },
      );
      const map = resized
        ? (resample(occ.map, { reference: image, interpolation: 'linear' }) as Volume<Float32Array>)
        : occ.map;
      explanation = {
        target: { index: ti, label: runner.labels[ti]! },
        map: { ...map, data: Float32Array.from(map.data) },
        baseScore: occ.baseScore,
        patches,
        evaluations: occ.evaluations,
        regions: describeSensitivityRegions(map),
      };
    }
    stages.finish();
    const tEnd = performance.now();
    const provenance: ClassifyProvenance = {
      version: VERSION,
      task: 'classifyImage',
      backend: session.backend,
      runtime: session.provenance.runtime,
      backendAttempts: session.provenance.attempts,
      model: { id: card.id, version: card.version, license: card.license, sha256: session.provenance.model.sha256 },
      settings: {
        topK: top.length,
        threshold,
        activation: card.postprocessing?.activation ?? 'softmax',
        temperature: card.postprocessing?.temperature ?? null,
        intensity: pre.intensity?.method ?? 'none',
        explain: explainOpt ? { ...explainOpt } : false,
      },
      timingsMs: {
        load: owned ? tLoad - t0 : 0,
        preprocess: tPre - tLoad,
        inference: tInf - tPre,
        ...(explainOpt ? { explain: tEnd - tInf } : {}),
        total: tEnd - t0,
      },
      warnings,
    };
    return {
      classes,
      top,
      multiLabel: runner.multiLabel,
      positives: runner.multiLabel ? classes.filter((c) => c.positive).map((c) => c.label) : [top[0]!.label],
      calibrated: runner.calibrated,
      input: {
        dims: [...image.dims],
        spatial: inFmt.spatial_shape.length === 2 ? '2d' : '3d',
        modelShape: shape,
        axisOrder,
        channels: inFmt.num_channels,
      },
      ...(explanation ? { explanation } : {}),
      limitations,
      provenance,
    };
  } finally {
    if (owned) await session.release();
  }
}

/**
 * Classifies every series (or view) of a study with one model and aggregates the probabilities:
 * 'max' for multi-label models by default (a finding seen on any view), 'mean' for softmax.
 * The model is opened once. `limitations` is the union of the series' limitations.
 *
 * @example
 * ```ts
 * const study = await classifyStudy([pa, lateral], { model: { onnx, card } });
 * study.positives; // e.g. ['effusion']
 * ```
 */
export async function classifyStudy(
  inputs: ClassifyInput[],
  options: ClassifyStudyOptions,
): Promise<ClassifyStudyResult> {
  assertArg(Array.isArray(inputs) && inputs.length > 0, 'classifyStudy needs at least one image.');
  const t0 = performance.now();
  const stages = new Stages(options, [['load', 1], ...inputs.map((_, i) => [`series ${i + 1}`, 2] as const)]);
  await stages.start('load');
  const { session, owned } = await openSession(options as ClassifyImageOptions);
  try {
    const series: ClassifyImageResult[] = [];
    for (let i = 0; i < inputs.length; i++) {
      await stages.start(`series ${i + 1}`);
      const { onProgress: _o, signal: _s, ...rest } = options;
      series.push(await classifyImage(inputs[i]!, { ...rest, ...stages.nested(), model: session }));
    }
    const first = series[0]!;
    const aggregate = options.aggregate ?? (first.multiLabel ? 'max' : 'mean');
    const classes: ClassScore[] = first.classes.map((c) => {
      const ps = series.map((s) => s.classes[c.index]!.probability);
      const p =
        aggregate === 'max'
          ? Math.max(...ps)
          : aggregate === 'noisy-or'
            ? 1 - ps.reduce((a, x) => a * (1 - x), 1)
            : ps.reduce((a, x) => a + x, 0) / ps.length;
      const logit = series.reduce((a, s) => a + s.classes[c.index]!.logit, 0) / series.length;
      const threshold = first.provenance.settings.threshold as number;
      return {
        index: c.index,
        label: c.label,
        probability: p,
        logit,
        ...(first.multiLabel ? { positive: p >= threshold } : {}),
      };
    });
    const top = ranked(classes, first.top.length);
    const limitations: Limitation[] = [];
    for (const s of series) for (const l of s.limitations) addLimitation(limitations, l);
    stages.finish();
    const provenance: ClassifyProvenance = {
      ...first.provenance,
      settings: { ...first.provenance.settings, aggregate, series: inputs.length },
      timingsMs: { total: performance.now() - t0 },
      warnings: [...new Set(series.flatMap((s) => s.provenance.warnings))],
    };
    return {
      series,
      classes,
      top,
      positives: first.multiLabel ? classes.filter((c) => c.positive).map((c) => c.label) : [top[0]!.label],
      aggregate,
      multiLabel: first.multiLabel,
      calibrated: first.calibrated,
      limitations,
      provenance,
    };
  } finally {
    if (owned) await session.release();
  }
}
