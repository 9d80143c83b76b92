import type {
  BackendAttempt,
  BackendChoice,
  BackendName,
  LongRunOptions,
  ModelCache,
  ModelSource,
  Session,
  Volume,
} from './deps.js';

/** Options of {@link segmentBrainTissue}. */
export interface BrainTissueOptions extends LongRunOptions {
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

/** Where a brain-tissue result came from. Plain data. */
export interface BrainTissueProvenance {
  /** medimg version. */
  version: string;
  task: 'brain-tissue';
  backend: BackendName;
  runtime: string;
  /** Backends tried when the session was opened, with reasons. */
  backendAttempts: BackendAttempt[];
  model: { id: string; version: string; license: string; sha256: string };
  settings: Record<string, unknown>;
  /** ms: load (session open, 0 when a Session was passed), preprocess, inference, run (inside session.run), postprocess, total. */
  timings: { load: number; preprocess: number; inference: number; run: number; postprocess: number; total: number };
  /** Non-fatal notes, e.g. spacing other than the 1 mm the model was trained on. */
  warnings: string[];
}

/** Result of {@link segmentBrainTissue}. */
export interface BrainTissueResult {
  /** Labels on the input grid: 0 background, 1 white matter, 2 grey matter. */
  labels: Volume<Uint8Array>;
  /** White-matter volume in mL. */
  whiteMatterMl: number;
  /** Grey-matter volume in mL. */
  greyMatterMl: number;
  /** Voxel count per label. */
  voxelCounts: { background: number; whiteMatter: number; greyMatter: number };
  provenance: BrainTissueProvenance;
}
