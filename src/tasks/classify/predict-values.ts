// predictValues: a whole-image regression model (output_kind 'regression'), e.g. bone age from a
// hand radiograph or a density from a CT: the values named by the card, de-normalised and in the
// card's units, with the extrapolations beyond the training targets said in `limitations`.
import type { ModelCache } from '../../backends/model-cache.js';
import { type ModelCard, outputKind } from '../../backends/model-card.js';
import type { BackendAttempt, ModelSource, Session } from '../../backends/session.js';
import type { BackendChoice, BackendName } from '../../backends/types.js';
import { MedImgError } from '../../core/errors.js';
import { Stages } from '../../core/progress.js';
import { type Volume, validateVolume } from '../../core/volume.js';
import { VERSION } from '../../version.js';
import type { TaskOptions, TaskProvenance, TaskResult } from '../contract.js';
import { addLimitation } from '../internal/limitations.js';
import { fitImageToModel, isRadiograph, makeRunner, openSession } from './model-input.js';
import type { ClassifyInput } from './types.js';

/** Options of {@link predictValues}. */
export interface PredictValuesOptions extends TaskOptions {
  /** The regression model: `{ onnx, card }` (paths, URLs or bytes), or an open {@link Session} with its card. */
  model: ModelSource | Session;
  /** Backend. Default 'auto'. Ignored when `model` is a Session. */
  backend?: BackendChoice;
  /** Cache for URL models. Default none. */
  cache?: ModelCache | string;
}

/** One predicted value. */
export interface PredictedValue {
  /** Channel index in the model output. */
  index: number;
  /** Name from the card's `channel_def` (else 'value <index>'). */
  label: string;
  /** `raw * value_scale + value_offset` (the card's de-normalisation). */
  value: number;
  /** The network's output. */
  raw: number;
  /** Unit from the card's `value_units` (UCUM), or null. */
  unit: string | null;
  /** True when the value lies outside the card's `value_range` (the training targets). */
  outsideTrainingRange: boolean;
}

/** Provenance of {@link predictValues}. */
export interface PredictValuesProvenance extends TaskProvenance {
  task: 'predictValues';
  backend: BackendName;
  runtime: string;
  backendAttempts: BackendAttempt[];
  model: { id: string; version: string; license: string; sha256: string };
}

/** Result of {@link predictValues}. */
export interface PredictValuesResult extends TaskResult<PredictValuesProvenance> {
  /** Every output channel's value, in the model's output order. */
  values: PredictedValue[];
  /** How the image was fed: its size, the model input size (tensor order) and the axis order. */
  input: { dims: number[]; spatial: '2d' | '3d'; modelShape: number[]; axisOrder: 'xyz' | 'zyx'; channels: number };
}

function perChannel(v: number | number[] | undefined, i: number, fallback: number): number {
  if (v === undefined) return fallback;
  return typeof v === 'number' ? v : v[i]!;
}

/**
 * Runs a whole-image regression model (card `postprocessing.output_kind: 'regression'`) on a 2D
 * image (a radiograph as displayed, one slice) or a 3D volume and returns its values as the card
 * names them: de-normalised by `value_scale`/`value_offset`, with `value_units`. The image is fitted
 * to the card's input exactly as {@link classifyImage} does (resize over the same extent,
 * normalisation, channel mean/std, axis order). A value outside the card's `value_range` (the
 * range of the training targets) is flagged and `OUTSIDE_TRAINING_RANGE` is in `limitations`;
 * `ASPECT_CHANGED`, `MODALITY_MISMATCH` and the radiograph's display notices as for classifyImage.
 *
 * Errors: INVALID_ARGUMENT, MODEL_CARD_INVALID (not a regression card), MODEL_INPUT_MISMATCH,
 * INFERENCE_FAILED, the session's errors, ABORTED.
 *
 * Guide: [method and validation](../../../docs/tasks/classify.md).
 *
 * @example
 * ```ts
 * import { predictValues, readRadiograph } from 'medimg';
 * const hand = await readRadiograph('hand.dcm');
 * const r = await predictValues(hand, { model: { onnx: 'bone-age.onnx', card: 'bone-age.card.json' } });
 * r.values[0]; // { label: 'bone age', value: 131.2, unit: 'mo', outsideTrainingRange: false, ... }
 * ```
 */
export async function predictValues(input: ClassifyInput, options: PredictValuesOptions): Promise<PredictValuesResult> {
  const t0 = performance.now();
  const radiograph = isRadiograph(input) ? input : undefined;
  const image = radiograph ? radiograph.display : (input as Volume);
  validateVolume(image, 'image');
  const stages = new Stages(options, [
    ['load', 1],
    ['preprocess', 1],
    ['inference', 1],
  ]);
  await stages.start('load');
  const { session, owned } = await openSession(options, 'predictValues');
  const tLoad = performance.now();
  try {
    const card: ModelCard = session.card!;
    if (outputKind(card) !== 'regression') {
      throw new MedImgError(
        'MODEL_CARD_INVALID',
        `Model '${card.id}' is not a regression model: predictValues needs postprocessing.output_kind 'regression' (it is '${outputKind(card)}').`,
        { details: { field: 'postprocessing.output_kind' } },
      );
    }
    await stages.start('preprocess');
    const fit = fitImageToModel(image, radiograph, card, 'predictValues');
    const runner = makeRunner(session, fit.md, fit.shape, fit.axisOrder);
    const tPre = performance.now();
    await stages.start('inference');
    const raw = (await runner.logits([fit.base]))[0]!;
    const post = card.postprocessing ?? {};
    const range = post.value_range;
    const values: PredictedValue[] = runner.labels.map((label, index) => {
      const r = raw[index]!;
      const value = r * perChannel(post.value_scale, index, 1) + perChannel(post.value_offset, index, 0);
      return {
        index,
        label: label === `class ${index}` ? `value ${index}` : label,
        value,
        raw: r,
        unit: post.value_units?.[String(index)] ?? null,
        outsideTrainingRange: range !== undefined && (value < range[0] || value > range[1]),
      };
    });
    const outside = values.filter((v) => v.outsideTrainingRange);
    if (range && outside.length > 0) {
      addLimitation(fit.limitations, {
        code: 'OUTSIDE_TRAINING_RANGE',
        message: `${outside.map((v) => v.label).join(', ')} lies outside the range the model was trained on (${range[0]} to ${range[1]}): an extrapolation.`,
        details: { min: range[0], max: range[1] },
      });
    }
    if (values.some((v) => !Number.isFinite(v.value))) {
      throw new MedImgError('INFERENCE_FAILED', `Model '${card.id}' returned a value that is not a finite number.`);
    }
    stages.finish();
    const tEnd = performance.now();
    return {
      values,
      input: {
        dims: [...image.dims],
        spatial: fit.inFmt.spatial_shape.length === 2 ? '2d' : '3d',
        modelShape: fit.shape,
        axisOrder: fit.axisOrder,
        channels: fit.inFmt.num_channels,
      },
      limitations: fit.limitations,
      provenance: {
        version: VERSION,
        task: 'predictValues',
        backend: session.backend,
        runtime: session.provenance.runtime,
        backendAttempts: session.provenance.attempts,
        model: { id: card.id, version: card.version, license: card.license, sha256: session.provenance.model.sha256 },
        settings: {
          valueScale: post.value_scale ?? 1,
          valueOffset: post.value_offset ?? 0,
          valueRange: range ?? null,
          intensity: fit.pre.intensity?.method ?? 'none',
        },
        timingsMs: {
          load: owned ? tLoad - t0 : 0,
          preprocess: tPre - tLoad,
          inference: tEnd - tPre,
          total: tEnd - t0,
        },
        warnings: fit.warnings,
      },
    };
  } finally {
    if (owned) await session.release();
  }
}
