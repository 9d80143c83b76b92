import { BRAINCHOP_MINDGRAB_CARD } from '../../backends/cards/brainchop.js';
import { MedImgError } from '../../core/errors.js';
import { type Volume, validateVolume } from '../../core/volume.js';
import type { TaskOptions, TaskResult } from '../contract.js';
import { withDefaultCard } from '../internal/card-model.js';
import type { TaskModel, TaskModelOptions } from '../internal/model-task.js';
import { segmentStructures } from '../segment-structures/index.js';
import type { ModelTaskProvenance } from '../segment-structures/types.js';

/** Options of {@link extractBrain}. */
export interface ExtractBrainOptions extends TaskOptions, Omit<TaskModelOptions, 'signal'> {
  /**
   * The brain-extraction model: the MindGrab ONNX as a path (Node), URL or bytes (the shipped
   * `brainchop-mindgrab` card is used and pins its SHA-256), `{ onnx, card }` for another
   * two-class model (1 = brain), or an open Session with a card.
   */
  model: TaskModel;
}

/** Result of {@link extractBrain}. */
export interface ExtractBrainResult extends TaskResult<ModelTaskProvenance> {
  /** Brain mask on the input grid (1 = inside). */
  mask: Volume<Uint8Array>;
  voxels: number;
  /**
   * Intracranial volume estimate, mL: the mask's volume. MindGrab's mask covers brain tissue and
   * the CSF around it inside the skull (not the skull, scalp or dura), which is what
   * head-size normalisation needs.
   */
  icvMl: number;
}

/**
 * Brain extraction (skull stripping) of a head MR with the MindGrab model (brainchop): brain mask
 * on the input grid and the intracranial volume in mL. The input is conformed as the card says
 * (256³, 1 mm, LIA; an input already so is used as is) and the mask comes back by nearest
 * neighbour.
 *
 * Errors: INVALID_ARGUMENT, MODEL_CARD_INVALID, MODEL_HASH_MISMATCH, BACKEND_UNAVAILABLE,
 * INVALID_VOLUME, ABORTED.
 *
 * Guide: [method and validation](../../../docs/tasks/brain-structures.md).
 *
 * @example
 * ```ts
 * import { extractBrain } from 'medimg';
 * const { mask, icvMl } = await extractBrain(t1, { model: 'models/mindgrab.onnx', backend: 'cpu' });
 * ```
 */
export async function extractBrain(t1: Volume, options: ExtractBrainOptions): Promise<ExtractBrainResult> {
  validateVolume(t1, 't1');
  if (!options || options.model === undefined) {
    throw new MedImgError(
      'INVALID_ARGUMENT',
      'extractBrain needs options.model (the MindGrab ONNX, or { onnx, card }).',
    );
  }
  const r = await segmentStructures(t1, { ...options, model: withDefaultCard(options.model, BRAINCHOP_MINDGRAB_CARD) });
  const mask = r.labels;
  const brain = r.structures.find((s) => s.label === 1);
  if (!brain || r.structures.length !== 1) {
    throw new MedImgError('MODEL_CARD_INVALID', 'extractBrain needs a two-class model (0 background, 1 brain).', {
      details: { field: 'network_data_format.outputs.channel_def' },
    });
  }
  return {
    mask,
    voxels: brain.voxels,
    icvMl: brain.volumeMl,
    limitations: r.limitations,
    provenance: { ...r.provenance, task: 'extractBrain' },
  };
}
