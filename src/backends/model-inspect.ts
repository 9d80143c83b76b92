// Inspects a model file and its card before anything runs: the file's SHA-256, the card's schema,
// the card against the graph, and the graph's declared inputs and outputs.
import { isMedImgError } from '../core/errors.js';
import { sha256Hex } from '../core/typed.js';
import { toBytes } from '../io/fs.js';
import { type ModelCard, outputKind, parseModelCard, validateModelCard } from './model-card.js';
import { cardGraphProblems, type ModelProblem } from './model-verify.js';
import { createSession } from './session.js';
import type { BackendChoice, BackendName, TensorInfo } from './types.js';

/** Options of {@link inspectModel}. */
export interface InspectModelOptions {
  /** The card (object, JSON text bytes, or path). Default none: only the graph is described. */
  card?: ModelCard | string | Uint8Array;
  /** Expected SHA-256 of the ONNX bytes. Default: the card's. */
  sha256?: string;
  /** Backend used to read the graph. Default 'cpu' (Node) — no GPU probing. */
  backend?: BackendChoice;
}

/** Result of {@link inspectModel}: what the file is and every problem found. */
export interface InspectModelResult {
  /** True when no problem was found. */
  ok: boolean;
  file: { bytes: number; sha256: string };
  /** The SHA-256 the card (or option) expects, or null when none is given. */
  expectedSha256: string | null;
  /** Declared inputs and outputs (null when the runtime cannot load the bytes). */
  graph: { inputs: TensorInfo[]; outputs: TensorInfo[]; backend: BackendName } | null;
  /** The card's identity and what it says the output is (null without a valid card). */
  card: {
    id: string;
    version: string;
    license: string;
    name?: string;
    outputKind: string;
    /** Output channel (or label) names. */
    labels: Record<string, string>;
  } | null;
  problems: ModelProblem[];
}

/**
 * Checks an ONNX model and, when given, its card, collecting every problem instead of stopping at
 * the first: the card's schema, the file's SHA-256 against the card's, and the card against the
 * graph ({@link cardGraphProblems}). Nothing runs on the model.
 *
 * Errors: IO_READ_FAILED when a file cannot be read; every other fault is a listed problem.
 *
 * @example
 * ```ts
 * import { inspectModel } from 'medimg';
 * const r = await inspectModel('liver.onnx', { card: 'liver.card.json' });
 * if (!r.ok) console.log(r.problems.map((p) => `${p.code} ${p.field}: ${p.message}`));
 * ```
 */
export async function inspectModel(
  model: string | Uint8Array,
  options: InspectModelOptions = {},
): Promise<InspectModelResult> {
  const bytes = await toBytes(model);
  const sha256 = await sha256Hex(bytes);
  const problems: ModelProblem[] = [];
  let card: ModelCard | undefined;
  if (options.card !== undefined) {
    try {
      card =
        typeof options.card === 'object' && !(options.card instanceof Uint8Array)
          ? validateModelCard(options.card)
          : parseModelCard(await toBytes(options.card));
    } catch (e) {
      if (!isMedImgError(e) || e.code !== 'MODEL_CARD_INVALID') throw e;
      problems.push({
        code: 'MODEL_CARD_INVALID',
        ...(e.details?.field ? { field: String(e.details.field) } : {}),
        message: e.message,
      });
    }
  }
  const expected = (options.sha256 ?? card?.sha256)?.toLowerCase() ?? null;
  if (expected && expected !== sha256) {
    problems.push({
      code: 'MODEL_HASH_MISMATCH',
      field: 'sha256',
      message: `The model file's SHA-256 (${sha256}) differs from the expected ${expected}.`,
    });
  }
  let graph: InspectModelResult['graph'] = null;
  try {
    const s = await createSession(bytes, { backend: options.backend ?? 'cpu' });
    graph = { inputs: [...s.inputInfo], outputs: [...s.outputInfo], backend: s.backend };
    if (card) problems.push(...cardGraphProblems(card, s));
    await s.release();
  } catch (e) {
    if (!isMedImgError(e) || e.code !== 'MODEL_INVALID') throw e;
    problems.push({ code: 'MODEL_INVALID', message: e.message });
  }
  return {
    ok: problems.length === 0,
    file: { bytes: bytes.byteLength, sha256 },
    expectedSha256: expected,
    graph,
    card: card
      ? {
          id: card.id,
          version: card.version,
          license: card.license,
          ...(card.name ? { name: card.name } : {}),
          outputKind: outputKind(card),
          labels: { ...(Object.values(card.network_data_format.outputs)[0]?.channel_def ?? {}) },
        }
      : null,
    problems,
  };
}
