import type { BackendAttempt, BackendChoice, BackendName, ModelCache, ModelSource, Session, Volume } from './deps.js';
import type { TaskOptions, TaskProvenance, TaskResult } from '../contract.js';

/** Options of {@link segmentBrainTissue}. */
export interface SegmentBrainTissueOptions extends TaskOptions {
  /**
   * The MeshNet ONNX model: a path (Node), URL, bytes, `{ onnx, card }`, or an open
   * {@link Session} (reused and left open). Without a card the built-in MeshNet card is used,
   * which pins the file's SHA-256.
   */
  model: ModelSource | Session;
  /** Backend. Default 'auto'. Ignored when `model` is a Session. */
  backend?: BackendChoice;
  /** Cache for URL models (folder path in Node, or a ModelCache). Default none. */
  cache?: ModelCache | string;
}

/** Where a brain-tissue result came from: the shared record plus the model card and backend attempts. */
export interface BrainTissueProvenance extends TaskProvenance {
  task: 'segmentBrainTissue';
  backend: BackendName;
  runtime: string;
  /** Backends tried when the session was opened, with reasons. */
  backendAttempts: BackendAttempt[];
  model: { id: string; version: string; license: string; sha256: string };
  /** ms: load (session open, 0 when a Session was passed), preprocess, inference, run (inside session.run), postprocess, total. */
  timingsMs: { load: number; preprocess: number; inference: number; run: number; postprocess: number; total: number };
}

/** Result of {@link segmentBrainTissue}. */
export interface SegmentBrainTissueResult extends TaskResult<BrainTissueProvenance> {
  /** Labels on the input grid: 0 background, 1 white matter, 2 grey matter. */
  labels: Volume<Uint8Array>;
  /** White-matter volume in mL. */
  whiteMatterMl: number;
  /** Grey-matter volume in mL. */
  greyMatterMl: number;
  /** Voxel count per label. */
  voxelCounts: { background: number; whiteMatter: number; greyMatter: number };
}

/** @deprecated Use {@link SegmentBrainTissueOptions}; this alias goes in the next minor version. */
export type BrainTissueOptions = SegmentBrainTissueOptions;

/** @deprecated Use {@link SegmentBrainTissueResult}; this alias goes in the next minor version. */
export type BrainTissueResult = SegmentBrainTissueResult;
