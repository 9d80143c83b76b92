// What a task needs to run a bring-your-own model: open (or reuse) a session with its card, check
// the card's output kind, say where the scan lies outside what the card says the model expects,
// and record the model in the provenance.
import { conformCoverage } from '../../backends/conform-coverage.js';
import type { ModelCache } from '../../backends/model-cache.js';
import { type ModelCard, type ModelOutputKind, outputKind, primaryTensors } from '../../backends/model-card.js';
import { type ModelSource, type Session, createSession } from '../../backends/session.js';
import type { BackendChoice } from '../../backends/types.js';
import { MedImgError } from '../../core/errors.js';
import type { Volume } from '../../core/volume.js';
import { addLimitation, type Limitation } from './limitations.js';

/** A model a task accepts: path, URL, bytes, `{ onnx, card }`, or an open Session (reused, left open). */
export type TaskModel = ModelSource | Session;

/** How a task opens its model. */
export interface TaskModelOptions {
  /** Backend. Default 'auto'. Ignored when the model is a Session. */
  backend?: BackendChoice;
  /** Cache for URL models (folder path in Node, or a ModelCache). Default none. */
  cache?: ModelCache | string;
  signal?: AbortSignal;
}

/** An open model for one task call; `release()` frees it when the task opened it. */
export interface OpenTaskModel {
  session: Session;
  card: ModelCard;
  loadMs: number;
  release(): Promise<void>;
}

export function isSession(m: unknown): m is Session {
  return typeof m === 'object' && m !== null && typeof (m as Session).run === 'function' && 'provenance' in m;
}

/**
 * Opens `model` for task `task`, which reads outputs of the kinds `kinds`. A model needs a card
 * (it says what the network outputs). Errors: INVALID_ARGUMENT (no card), MODEL_CARD_INVALID
 * (an output kind the task cannot read), and those of `createSession`.
 */
export async function openTaskModel(
  model: TaskModel,
  task: string,
  kinds: readonly ModelOutputKind[],
  options: TaskModelOptions,
): Promise<OpenTaskModel> {
  const t0 = performance.now();
  const owned = !isSession(model);
  const session = isSession(model)
    ? model
    : await createSession(model, {
        backend: options.backend ?? 'auto',
        ...(options.cache !== undefined ? { cache: options.cache } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
  const release = async (): Promise<void> => {
    if (owned) await session.release();
  };
  const card = session.card;
  if (!card) {
    await release();
    throw new MedImgError(
      'INVALID_ARGUMENT',
      `${task} needs the model's card (pass { onnx, card }): the card says what the network outputs.`,
    );
  }
  const kind = outputKind(card);
  if (!kinds.includes(kind)) {
    await release();
    throw new MedImgError(
      'MODEL_CARD_INVALID',
      `${task} reads ${kinds.join(' or ')} outputs; model '${card.id}' outputs ${kind} (postprocessing.output_kind).`,
      { details: { field: 'postprocessing.output_kind' } },
    );
  }
  return { session, card, loadMs: owned ? performance.now() - t0 : 0, release };
}

/**
 * Label values of `card`'s output whose channel name matches `pattern`; all labels but 0 and
 * background-named ones when none matches.
 */
export function labelsNamed(card: ModelCard, pattern: RegExp): { labels: number[]; names: Record<number, string> } {
  const { output } = primaryTensors(card);
  const names: Record<number, string> = {};
  for (const [k, v] of Object.entries(output.channel_def)) names[Number(k)] = v;
  const all = Object.keys(names)
    .map(Number)
    .filter((l) => l > 0 && !/^(background|bg|none|other)$/i.test(names[l]!.trim()));
  const matching = all.filter((l) => pattern.test(names[l]!));
  return { labels: matching.length ? matching : all, names };
}

/**
 * Where the image lies outside what the card says the model expects: another modality than the
 * card's input, or voxels much coarser than the card's target spacing (the network then sees
 * interpolated data). Adds MODEL_MODALITY_MISMATCH and MODEL_INPUT_UPSAMPLED.
 */
export function modelScopeLimitations(list: Limitation[], image: Volume, card: ModelCard): void {
  const { input } = primaryTensors(card);
  const want = input.modality?.toUpperCase();
  const have = image.meta?.modality !== undefined ? String(image.meta.modality).toUpperCase() : undefined;
  if (want && have && want !== have) {
    addLimitation(list, {
      code: 'MODEL_MODALITY_MISMATCH',
      message: `The model was made for ${want} images; this image is ${have}.`,
      details: { expected: want, actual: have },
    });
  }
  const target = card.preprocessing?.target_spacing;
  if (target) {
    const worst = Math.max(...image.spacing.map((s, a) => s / target[a]!));
    if (worst > 2) {
      addLimitation(list, {
        code: 'MODEL_INPUT_UPSAMPLED',
        message: `Voxels are up to ${worst.toFixed(1)} times coarser than the model's training spacing: it sees interpolated detail, so boundaries are approximate.`,
        details: { ratio: Math.round(worst * 10) / 10 },
      });
    }
  }
  const lost = conformCoverage(image, card)?.outsideFraction ?? 0;
  if (lost > 0.02) {
    const shape = card.preprocessing!.conform_shape!;
    const mm = shape.map((n, a) => n * (target?.[a] ?? image.spacing[a]!));
    addLimitation(list, {
      code: 'OUTSIDE_MODEL_FIELD',
      message: `${(lost * 100).toFixed(1)} % of the image's signal lies outside the ${mm.join(' x ')} mm field the model sees (centred on the image): nothing there is labelled. Crop the image to the region the model is for, or re-centre it.`,
      details: { outsideFraction: Math.round(lost * 1000) / 1000 },
    });
  }
}

/** The provenance `model` record of a card and session. */
export function modelRecord(m: OpenTaskModel): { id: string; sha256: string; version: string; license: string } {
  return {
    id: m.card.id,
    sha256: m.session.provenance.model.sha256,
    version: m.card.version,
    license: m.card.license,
  };
}
