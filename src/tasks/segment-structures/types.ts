import type { ModelCard } from '../../backends/model-card.js';
import type { BackendAttempt } from '../../backends/session.js';
import type { BackendName } from '../../backends/types.js';
import type { Volume } from '../../core/volume.js';
import type { TaskOptions, TaskProvenance, TaskResult } from '../contract.js';
import type { TaskModel, TaskModelOptions } from '../internal/model-task.js';

/** Options of {@link segmentStructures}. */
export interface SegmentStructuresOptions extends TaskOptions, Omit<TaskModelOptions, 'signal'> {
  /**
   * The label model: `{ onnx, card }` (path, URL or bytes each), or an open Session with a card
   * (reused and left open). The card says the labels, the preprocessing and the output kind
   * ('probabilities' or 'labels').
   */
  model: TaskModel;
}

/** One label of the model's output, measured on the input grid. */
export interface StructureMeasurement {
  /** Label value in `labels`. */
  label: number;
  /** Name from the card's `channel_def`. */
  name: string;
  voxels: number;
  /** Volume in mL on the input grid. */
  volumeMl: number;
  /** Mean input intensity inside the label; null when it is empty. */
  mean: number | null;
  /** Population standard deviation of the input intensity inside the label; null when empty. */
  sd: number | null;
}

/** Where a model-task result came from: the shared record plus the backend and the model card. */
export interface ModelTaskProvenance extends TaskProvenance {
  backend: BackendName;
  runtime: string;
  /** Backends tried when the session was opened, with reasons. */
  backendAttempts: BackendAttempt[];
  model: { id: string; version: string; license: string; sha256: string };
}

/** Result of {@link segmentStructures}. */
export interface SegmentStructuresResult extends TaskResult<ModelTaskProvenance> {
  /** Label map on the input grid (values are the card's channel indices; 0 = background). */
  labels: Volume<Uint8Array>;
  /** Every non-background label of the card, in label order (empty ones with 0 voxels). */
  structures: StructureMeasurement[];
  /** The card's model id and label names. */
  model: { id: string; name: string | null; labelNames: Record<string, string> };
}

export type { ModelCard };
