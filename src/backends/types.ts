/** Names of the inference backends medimg knows. WebGL is left out: it cannot run 3D convolutions. */
export type BackendName = 'cpu' | 'cuda' | 'webgpu' | 'wasm';

/** What `createSession` accepts as `backend`: one name, or 'auto' for the fastest available. */
export type BackendChoice = BackendName | 'auto';

/** Element types a tensor may carry across the backend boundary. */
export type TensorElementType = 'float32' | 'float16' | 'int32' | 'int64' | 'uint8' | 'int8' | 'bool';

/** A typed array plus its dims (row-major, last dim fastest), the only tensor form medimg passes around. */
export interface TensorData {
  data: Float32Array | Int32Array | BigInt64Array | Uint8Array | Int8Array | Uint16Array;
  dims: number[];
  /** Defaults from the array type (Uint16Array means float16, Uint8Array means uint8). */
  type?: TensorElementType;
}

/** Shape of a model input or output as the ONNX file declares it (strings for symbolic dims). */
export interface TensorInfo {
  name: string;
  type?: string;
  shape?: (number | string)[];
}

/** Result of probing a backend in this process. */
export interface BackendAvailability {
  name: BackendName;
  /** Runtime package that implements it, e.g. 'onnxruntime-node 1.30.0'. */
  runtime: string;
  available: boolean;
  /** Why it is not available (or a note when it is), for people. */
  reason?: string;
  /** True for a software GPU adapter (e.g. SwiftShader): 'auto' tries it after the CPU. */
  software?: boolean;
}

/** Options a backend receives when it opens a session. */
export interface BackendSessionOptions {
  /** Intra-op threads (cpu/wasm). Default: the runtime's default. */
  numThreads?: number;
}

/** A model loaded on one backend. Plain typed arrays in and out. */
export interface BackendSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Input shapes when the runtime reports them. */
  readonly inputInfo: readonly TensorInfo[];
  readonly outputInfo: readonly TensorInfo[];
  run(inputs: Record<string, TensorData>): Promise<Record<string, TensorData>>;
  release(): Promise<void>;
}

/**
 * A pluggable inference backend. Implementations never assume hardware: `probe()` finds out, once,
 * and says why not when the answer is no.
 */
export interface Backend {
  readonly name: BackendName;
  /** Runtime package and version, for provenance. */
  readonly runtime: string;
  /** Higher runs first under 'auto' (gpu > cpu > wasm). */
  readonly priority: number;
  probe(): Promise<BackendAvailability>;
  /** Opens `model` (ONNX bytes). Throws MODEL_INVALID for bytes that are not a loadable model. */
  createSession(model: Uint8Array, options: BackendSessionOptions): Promise<BackendSession>;
}
