import { MedImgError, isMedImgError } from '../core/errors.js';
import { throwIfAborted } from '../core/progress.js';
import { sha256Hex } from '../core/typed.js';
import { toBytes } from '../io/fs.js';
import { folderModelCache, type ModelCache } from './model-cache.js';
import { type ModelCard, parseModelCard, validateModelCard } from './model-card.js';
import { assertCardFitsGraph } from './model-verify.js';
import { errorText, probeBackend, registeredBackends, requireBackend } from './registry.js';
import type {
  Backend,
  BackendAvailability,
  BackendChoice,
  BackendName,
  BackendSession,
  TensorData,
  TensorInfo,
} from './types.js';

/** Bytes of an ONNX file or card: a path (Node), an http(s) URL (fetched), or bytes / Blob. */
export type ModelBytesSource = string | URL | Uint8Array | ArrayBuffer | Blob;

/** A model: ONNX alone, or the ONNX with its model card (object, JSON bytes, path or URL). */
export type ModelSource = ModelBytesSource | { onnx: ModelBytesSource; card?: ModelCard | ModelBytesSource };

/** Options of {@link createSession}. */
export interface CreateSessionOptions {
  /** Backend to run on. Default 'auto': the fastest available, falling back in order. */
  backend?: BackendChoice;
  /** Model card, when not given in a `{ onnx, card }` model. */
  card?: ModelCard | ModelBytesSource;
  /** Expected hex SHA-256 of the ONNX bytes (overrides the card's). */
  sha256?: string;
  /** Cache for URL sources: a {@link ModelCache} or a folder path (Node). Default none. */
  cache?: ModelCache | string;
  /** Intra-op threads for native cpu. Default: the runtime's. */
  numThreads?: number;
  /** fetch to use for URL sources. Default globalThis.fetch. */
  fetch?: typeof globalThis.fetch;
  signal?: AbortSignal;
}

/** One backend tried while opening a session. */
export interface BackendAttempt {
  backend: BackendName;
  ok: boolean;
  /** Why it was skipped or failed. */
  reason?: string;
  ms: number;
}

/** Where a session came from and how it was opened. Plain data, safe to log. */
export interface SessionProvenance {
  requested: BackendChoice;
  backend: BackendName;
  runtime: string;
  /** Every backend considered, in order, with the reason it was not used. */
  attempts: BackendAttempt[];
  model: {
    id?: string;
    version?: string;
    license?: string;
    sha256: string;
    bytes: number;
    source: 'path' | 'url' | 'bytes' | 'cache';
  };
  loadMs: number;
}

/** A loaded model on one backend. */
export interface Session {
  readonly backend: BackendName;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputInfo: readonly TensorInfo[];
  readonly outputInfo: readonly TensorInfo[];
  /** The validated model card, when one was given. */
  readonly card?: ModelCard;
  readonly provenance: SessionProvenance;
  /**
   * Runs the model on plain typed arrays. Inputs are checked against the shapes the ONNX file
   * declares (MODEL_INPUT_MISMATCH) before the runtime sees them.
   */
  run(inputs: Record<string, TensorData>): Promise<Record<string, TensorData>>;
  /** Frees the runtime session. Further runs throw. */
  release(): Promise<void>;
}

const isUrlString = (s: string): boolean => /^https?:\/\//i.test(s);

async function fetchBytes(url: string, opts: CreateSessionOptions): Promise<Uint8Array> {
  const f = opts.fetch ?? globalThis.fetch;
  if (!f) throw new MedImgError('UNSUPPORTED_ENVIRONMENT', 'No fetch is available to download the model.');
  let res: Response;
  try {
    res = await f(url, opts.signal ? { signal: opts.signal } : undefined);
  } catch (e) {
    throw new MedImgError('IO_READ_FAILED', `Downloading the model failed: ${errorText(e)}`, { cause: e });
  }
  if (!res.ok) throw new MedImgError('IO_READ_FAILED', `Downloading the model failed (HTTP ${res.status}).`);
  return new Uint8Array(await res.arrayBuffer());
}

async function readSource(
  src: ModelBytesSource,
  opts: CreateSessionOptions,
  cacheKey?: string,
): Promise<{ bytes: Uint8Array; source: SessionProvenance['model']['source'] }> {
  const url = src instanceof URL ? src.href : typeof src === 'string' && isUrlString(src) ? src : undefined;
  if (url === undefined) {
    return {
      bytes: await toBytes(src as string | Uint8Array | ArrayBuffer | Blob),
      source: typeof src === 'string' ? 'path' : 'bytes',
    };
  }
  const cache = typeof opts.cache === 'string' ? folderModelCache(opts.cache) : opts.cache;
  const key = cacheKey ?? url;
  if (cache) {
    const hit = await cache.get(key);
    if (hit) return { bytes: hit, source: 'cache' };
  }
  const bytes = await fetchBytes(url, opts);
  return { bytes, source: 'url' };
}

async function loadCard(card: ModelCard | ModelBytesSource, opts: CreateSessionOptions): Promise<ModelCard> {
  if (
    typeof card === 'object' &&
    !(card instanceof URL) &&
    !ArrayBuffer.isView(card) &&
    !(card instanceof ArrayBuffer) &&
    !(typeof Blob !== 'undefined' && card instanceof Blob)
  ) {
    return validateModelCard(card);
  }
  const { bytes } = await readSource(card as ModelBytesSource, { ...opts, cache: undefined });
  return parseModelCard(bytes);
}

/** Fixed dims of a declared shape must equal the given dims (symbolic ones match anything). */
function shapeMismatch(declared: (number | string)[] | undefined, dims: readonly number[]): string | undefined {
  if (!declared) return undefined;
  if (declared.length !== dims.length)
    return `rank ${dims.length}, the model expects rank ${declared.length} [${declared.join(', ')}]`;
  for (let i = 0; i < dims.length; i++) {
    const d = declared[i];
    if (typeof d === 'number' && d > 0 && d !== dims[i]) {
      return `shape [${dims.join(', ')}], the model expects [${declared.join(', ')}]`;
    }
  }
  return undefined;
}

/** Order 'auto' tries: hardware backends by priority, then software GPU adapters. */
async function autoOrder(): Promise<{ backend: Backend; availability: BackendAvailability }[]> {
  const list: { backend: Backend; availability: BackendAvailability }[] = [];
  for (const backend of registeredBackends()) list.push({ backend, availability: await probeBackend(backend.name) });
  const rank = (x: (typeof list)[number]): number => (x.availability.software ? -1000 : 0) + x.backend.priority;
  return list.sort((a, b) => rank(b) - rank(a));
}

/**
 * Loads a model and opens it on a backend.
 *
 * `model` is a path (Node), an http(s) URL or `URL` (fetched, optionally cached), bytes, or
 * `{ onnx, card }`. The ONNX bytes are checked against the card's (or `options.sha256`'s) SHA-256
 * (MODEL_HASH_MISMATCH); the card is validated (MODEL_CARD_INVALID) and checked against the
 * model's declared inputs. With `backend: 'auto'` (default) each registered backend is tried,
 * fastest first; `session.provenance.attempts` records what was tried and why it was not used.
 *
 * Errors: BACKEND_UNAVAILABLE (named backend absent here, or none worked), MODEL_INVALID (bytes the
 * runtime cannot load), MODEL_HASH_MISMATCH, MODEL_CARD_INVALID, IO_READ_FAILED.
 */
export async function createSession(model: ModelSource, options: CreateSessionOptions = {}): Promise<Session> {
  const t0 = performance.now();
  const requested = options.backend ?? 'auto';
  const pair =
    typeof model === 'object' && model !== null && 'onnx' in model && !(model instanceof URL)
      ? (model as { onnx: ModelBytesSource; card?: ModelCard | ModelBytesSource })
      : undefined;
  const onnxSrc = pair ? pair.onnx : (model as ModelBytesSource);
  const cardSrc = pair?.card ?? options.card;
  const card = cardSrc !== undefined ? await loadCard(cardSrc, options) : undefined;
  throwIfAborted(options.signal);

  const expected = (options.sha256 ?? card?.sha256)?.toLowerCase();
  const { bytes, source } = await readSource(onnxSrc, options, expected);
  const sha256 = await sha256Hex(bytes);
  if (expected && sha256 !== expected) {
    throw new MedImgError(
      'MODEL_HASH_MISMATCH',
      `The model file's SHA-256 (${sha256}) differs from the expected ${expected}.`,
      {
        details: { expected, actual: sha256 },
      },
    );
  }
  if (source === 'url' && options.cache) {
    const cache = typeof options.cache === 'string' ? folderModelCache(options.cache) : options.cache;
    const key = expected ?? (onnxSrc instanceof URL ? onnxSrc.href : (onnxSrc as string));
    await cache.put(key, bytes);
  }
  throwIfAborted(options.signal);

  const attempts: BackendAttempt[] = [];
  let opened: { backend: Backend; session: BackendSession } | undefined;
  let lastError: unknown;
  if (requested !== 'auto') {
    const backend = await requireBackend(requested);
    const ts = performance.now();
    try {
      opened = { backend, session: await backend.createSession(bytes, pickThreads(options)) };
      attempts.push({ backend: requested, ok: true, ms: performance.now() - ts });
    } catch (e) {
      throw isMedImgError(e)
        ? e
        : new MedImgError('MODEL_INVALID', `The runtime could not load the model: ${errorText(e)}`, { cause: e });
    }
  } else {
    for (const { backend, availability } of await autoOrder()) {
      if (!availability.available) {
        attempts.push({ backend: backend.name, ok: false, reason: availability.reason ?? 'unavailable', ms: 0 });
        continue;
      }
      const ts = performance.now();
      try {
        opened = { backend, session: await backend.createSession(bytes, pickThreads(options)) };
        attempts.push({
          backend: backend.name,
          ok: true,
          ms: performance.now() - ts,
          ...(availability.software ? { reason: 'software adapter' } : {}),
        });
        break;
      } catch (e) {
        lastError = e;
        attempts.push({ backend: backend.name, ok: false, reason: errorText(e), ms: performance.now() - ts });
      }
    }
    if (!opened) {
      if (lastError)
        throw isMedImgError(lastError)
          ? lastError
          : new MedImgError('MODEL_INVALID', errorText(lastError), { cause: lastError });
      throw new MedImgError(
        'BACKEND_UNAVAILABLE',
        `No inference backend is available here (${attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ') || 'none registered'}).`,
        {
          details: { attempts },
        },
      );
    }
  }

  const { backend, session } = opened;
  if (card) {
    try {
      assertCardFitsGraph(card, session);
    } catch (e) {
      await session.release();
      throw e;
    }
  }
  const availability = await probeBackend(backend.name);
  const provenance: SessionProvenance = {
    requested,
    backend: backend.name,
    runtime: availability.runtime,
    attempts,
    model: {
      ...(card ? { id: card.id, version: card.version, license: card.license } : {}),
      sha256,
      bytes: bytes.byteLength,
      source,
    },
    loadMs: performance.now() - t0,
  };
  return {
    backend: backend.name,
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    inputInfo: session.inputInfo,
    outputInfo: session.outputInfo,
    ...(card ? { card } : {}),
    provenance,
    async run(inputs) {
      for (const [name, t] of Object.entries(inputs)) {
        const i = session.inputNames.indexOf(name);
        if (i < 0) {
          throw new MedImgError(
            'MODEL_INPUT_MISMATCH',
            `The model has no input '${name}' (inputs: ${session.inputNames.join(', ')}).`,
          );
        }
        const n = t.dims.reduce((a, b) => a * b, 1);
        if (n !== t.data.length) {
          throw new MedImgError(
            'INVALID_ARGUMENT',
            `Input '${name}' has ${t.data.length} values but dims [${t.dims.join(', ')}] need ${n}.`,
          );
        }
        const why = shapeMismatch(session.inputInfo[i]?.shape, t.dims);
        if (why)
          throw new MedImgError('MODEL_INPUT_MISMATCH', `Input '${name}' has ${why}.`, {
            details: { input: name, dims: [...t.dims] },
          });
      }
      return session.run(inputs);
    },
    release: () => session.release(),
  };
}

function pickThreads(o: CreateSessionOptions): { numThreads?: number } {
  return o.numThreads ? { numThreads: o.numThreads } : {};
}
