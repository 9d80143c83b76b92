import type { ModelCard } from '../../backends/model-card.js';
import type { Volume } from '../../core/volume.js';
import type { TaskOptions, TaskResult } from '../contract.js';
import type { TaskModel, TaskModelOptions } from '../internal/model-task.js';
import type { ModelTaskProvenance, StructureMeasurement } from '../segment-structures/types.js';

/** Ids of the shipped brain structure model cards. */
export type BrainModelId = 'brainchop-subcortical18' | 'brainchop-aparc50' | 'brainchop-dk104';

/** Options of {@link segmentBrainStructures}. */
export interface SegmentBrainStructuresOptions extends TaskOptions, Omit<TaskModelOptions, 'signal'> {
  /**
   * The structure model: its ONNX as a path (Node), URL or bytes (then `card` says which shipped
   * card), `{ onnx, card }`, or an open Session with a card.
   */
  model: TaskModel;
  /** Card for a bare ONNX `model`: a shipped card id or a card. Default 'brainchop-subcortical18'. */
  card?: BrainModelId | ModelCard;
  /**
   * Brain-extraction model (MindGrab ONNX, or `{ onnx, card }`) whose mask volume is the
   * intracranial volume (ICV) the fractions divide by. Default none.
   */
  brainMaskModel?: TaskModel;
  /** A known ICV in mL (e.g. from an earlier `extractBrain`); wins over `brainMaskModel`. Default none. */
  icvMl?: number;
}

/** One brain structure (both sides together when the model splits them). */
export interface BrainStructureVolume {
  /** Name from the card, without its side (e.g. 'Hippocampus', 'ctx-precentral'). */
  name: string;
  /** Label values in the label map that make it up. */
  labels: number[];
  /** Volume, mL (both sides). */
  volumeMl: number;
  /** Volume / intracranial volume (0..1). */
  icvFraction: number;
  /** Left and right volumes, mL; null for midline structures (brainstem, 3rd/4th ventricle, CSF, corpus callosum). */
  leftMl: number | null;
  rightMl: number | null;
  /** Asymmetry index (L − R) / ((L + R) / 2) × 100, percent; positive when the left is larger; null without sides. */
  asymmetryIndex: number | null;
}

/** Result of {@link segmentBrainStructures}. */
export interface SegmentBrainStructuresResult extends TaskResult<ModelTaskProvenance> {
  /** Label map on the input grid (the card's channel indices). */
  labels: Volume<Uint8Array>;
  /** One row per structure, sides merged. */
  structures: BrainStructureVolume[];
  /** One row per label of the model (volume, mean and SD of the T1). */
  perLabel: StructureMeasurement[];
  /**
   * Intracranial volume used for the fractions: from the brain-extraction model ('extractBrain'),
   * given by the caller ('given'), or the labelled tissue when neither ('labelled': the model's
   * non-background volume, which leaves out extracerebral CSF, so fractions come out larger).
   */
  icv: { ml: number; source: 'extractBrain' | 'given' | 'labelled' };
  /** Brain mask from the brain-extraction model, when it ran. */
  brainMask: Volume<Uint8Array> | null;
  /**
   * How left and right were told apart: 'labels' (the model has Left-/Right- labels) or 'midline'
   * (the plane x = midlineXMm through the labelled voxels' centroid, LPS).
   */
  hemisphereMethod: 'labels' | 'midline';
  midlineXMm: number | null;
  /** The card's model id and label names. */
  model: { id: string; name: string | null; labelNames: Record<string, string> };
}
