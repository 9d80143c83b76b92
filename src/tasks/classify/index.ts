// classifyImage / classifyStudy: any ONNX classifier with a model card, on a 2D image (a
// radiograph, a mammogram, one slice) or a 3D volume. The card names the classes, the activation
// (softmax: one class; sigmoid: multi-label) and, when the vendor calibrated it, the temperature.
import { outputKind } from '../../backends/model-card.js';
import { assertArg, MedImgError } from '../../core/errors.js';
import { resample } from '../../core/ops/resample.js';
import { Stages } from '../../core/progress.js';
import { type Vec3, type Volume, validateVolume } from '../../core/volume.js';
import { VERSION } from '../../version.js';
import { addLimitation, type Limitation } from '../internal/limitations.js';
import { integratedOcclusion } from '../explain/occlusion.js';
import { describeSensitivityRegions } from '../explain/regions.js';
import { fitImageToModel, isRadiograph, makeRunner, openSession } from './model-input.js';
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
export * from './predict-values.js';

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
 * Guide: [method and validation](../../../docs/tasks/classify.md).
 *
 * @example
 * ```ts
 * import { classifyImage, readRadiograph } from 'medimg';
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
  const { session, owned } = await openSession(options, 'classifyImage');
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
    await stages.start('preprocess');
    const { inFmt, pre, axisOrder, md, shape, resized, work, base, warnings, limitations } = fitImageToModel(
      image,
      radiograph,
      card,
      'classifyImage',
    );
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
 * Guide: [method and validation](../../../docs/tasks/classify.md).
 *
 * @example
 * ```ts
 * import { classifyStudy, readRadiograph } from 'medimg';
 * const pa = await readRadiograph('pa.dcm');
 * const lateral = await readRadiograph('lateral.dcm');
 * const study = await classifyStudy([pa, lateral], { model: { onnx: 'cxr.onnx', card: 'cxr.card.json' } });
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
  const { session, owned } = await openSession(options as ClassifyImageOptions, 'classifyStudy');
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
