// A model given as bare ONNX (path, URL, bytes) gets the card the task ships for it; a model with
// its own card, or an open Session, is used as it is.
import { BRAINCHOP_CARDS } from '../../backends/cards/brainchop.js';
import type { ModelCard } from '../../backends/model-card.js';
import type { ModelBytesSource } from '../../backends/session.js';
import { isSession, type TaskModel } from './model-task.js';

/** `model` with `card` attached when it came without one. */
export function withDefaultCard(model: TaskModel, card: ModelCard): TaskModel {
  if (isSession(model)) return model;
  const hasPair = typeof model === 'object' && model !== null && 'onnx' in model && !(model instanceof URL);
  if (hasPair) {
    const pair = model as { onnx: ModelBytesSource; card?: ModelCard | ModelBytesSource };
    return pair.card !== undefined ? model : { onnx: pair.onnx, card };
  }
  return { onnx: model as ModelBytesSource, card };
}

/**
 * A model file with the card an analysis named: a shipped card id, or a card file path (read
 * when the session opens); the bare file when no card is named.
 */
export function modelWithCard(path: string, card: string | undefined): TaskModel {
  if (card === undefined) return path;
  return { onnx: path, card: BRAINCHOP_CARDS[card] ?? card };
}
