// Checks a model card against the graph it describes (tensor names, ranks, channel counts, fixed
// sizes, labels), listing every disagreement; createSession throws the first.
import { MedImgError } from '../core/errors.js';
import { type ModelCard, outputKind, type TensorFormat } from './model-card.js';
import type { TensorInfo } from './types.js';

/** One thing wrong with a model or its card (plain data). */
export interface ModelProblem {
  /** MedImgError code it would raise: MODEL_CARD_INVALID, MODEL_HASH_MISMATCH, MODEL_INVALID. */
  code: 'MODEL_CARD_INVALID' | 'MODEL_HASH_MISMATCH' | 'MODEL_INVALID';
  /** Card field concerned, when one is. */
  field?: string;
  message: string;
}

/** The graph's declared inputs and outputs. */
export interface ModelGraphInfo {
  inputNames: readonly string[];
  outputNames: readonly string[];
  inputInfo: readonly TensorInfo[];
  outputInfo: readonly TensorInfo[];
}

const problem = (field: string, message: string): ModelProblem => ({ code: 'MODEL_CARD_INVALID', field, message });

function tensorProblems(
  t: TensorFormat,
  side: 'inputs' | 'outputs',
  _key: string,
  primary: boolean,
  card: ModelCard,
  g: ModelGraphInfo,
): ModelProblem[] {
  const names = side === 'inputs' ? g.inputNames : g.outputNames;
  const infos = side === 'inputs' ? g.inputInfo : g.outputInfo;
  const base = `network_data_format.${side}`;
  if (!primary && t.onnx_name === undefined) return []; // only the primary tensor binds by default
  const name = t.onnx_name ?? names[0];
  const idx = names.indexOf(name as string);
  if (idx < 0) {
    return [
      problem(
        base,
        `Model card field '${base}' names '${name}', which the ONNX file does not have (it has ${names.join(', ')}).`,
      ),
    ];
  }
  const out: ModelProblem[] = [];
  const shape = infos[idx]?.shape;
  const kind = outputKind(card);
  if (side === 'outputs' && (kind === 'boxes' || kind === 'regression' || kind === 'classification')) {
    const last = shape?.at(-1);
    if (kind === 'classification' && typeof last === 'number' && last > 0 && last !== t.num_channels) {
      out.push(
        problem(
          `${base}.num_channels`,
          `Model card field '${base}.num_channels' is ${t.num_channels} but the ONNX output's last dim (classes) is ${last}.`,
        ),
      );
    }
    if (kind === 'boxes' && typeof last === 'number' && last > 0 && last !== 7) {
      out.push(
        problem(
          'postprocessing.output_kind',
          `Model card field 'postprocessing.output_kind' says boxes, but the ONNX output's last dim is ${last}, not 7.`,
        ),
      );
    }
    return out;
  }
  if (!shape) return out;
  if (shape.length !== t.spatial_shape.length + 2) {
    out.push(
      problem(
        `${base}.spatial_shape`,
        `Model card field '${base}.spatial_shape' has ${t.spatial_shape.length} axes but the ONNX tensor '${name}' has rank ${shape.length} ([${shape.join(', ')}]), not ${t.spatial_shape.length + 2}.`,
      ),
    );
    return out;
  }
  const c = shape[1];
  if (typeof c === 'number' && c > 0 && c !== t.num_channels) {
    out.push(
      problem(
        `${base}.num_channels`,
        `Model card field '${base}.num_channels' is ${t.num_channels} but the ONNX file has ${c}.`,
      ),
    );
  }
  t.spatial_shape.forEach((d, i) => {
    const m = shape[i + 2];
    if (typeof d === 'number' && d > 0 && typeof m === 'number' && m > 0 && m !== d) {
      out.push(
        problem(
          `${base}.spatial_shape`,
          `Model card field '${base}.spatial_shape' says ${d} at axis ${i} but the ONNX file has ${m}.`,
        ),
      );
    }
  });
  // label count: a per-class (argmax) output names each of its channels, and no more; a
  // one-channel output is thresholded into labels 0 and 1, which its channel_def may name
  if (side === 'outputs' && primary && kind === 'probabilities' && t.num_channels > 1) {
    const keys = Object.keys(t.channel_def).map(Number);
    const beyond = keys.filter((k) => k >= t.num_channels);
    if (beyond.length > 0) {
      out.push(
        problem(
          `${base}.channel_def`,
          `Model card field '${base}.channel_def' names channel(s) ${beyond.join(', ')} beyond the ${t.num_channels} output channels.`,
        ),
      );
    } else if (keys.length > 0 && keys.length < t.num_channels) {
      out.push(
        problem(
          `${base}.channel_def`,
          `Model card field '${base}.channel_def' names ${keys.length} of the ${t.num_channels} output channels.`,
        ),
      );
    }
  }
  return out;
}

/**
 * Everything in which `card` disagrees with the graph: tensor names (`onnx_name`, default the
 * first tensor for the primary entry), ranks, channel counts, fixed spatial sizes, label count
 * (per-class outputs), the box tensor's width. Empty when they agree.
 */
export function cardGraphProblems(card: ModelCard, graph: ModelGraphInfo): ModelProblem[] {
  const out: ModelProblem[] = [];
  for (const side of ['inputs', 'outputs'] as const) {
    Object.entries(card.network_data_format[side]).forEach(([key, t], i) => {
      out.push(...tensorProblems(t, side, key, i === 0, card, graph));
    });
  }
  return out;
}

/** Throws the first of {@link cardGraphProblems} as a MedImgError (MODEL_CARD_INVALID). */
export function assertCardFitsGraph(card: ModelCard, graph: ModelGraphInfo): void {
  const [p] = cardGraphProblems(card, graph);
  if (p) throw new MedImgError(p.code, p.message, { details: { field: p.field ?? '' } });
}
