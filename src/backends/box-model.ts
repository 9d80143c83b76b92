import { MedImgError } from '../core/errors.js';
import { indexToWorld } from '../core/geometry.js';
import type { Geometry as Grid } from '../core/geometry.js';
import type { LongRunOptions } from '../core/progress.js';
import { throwIfAborted } from '../core/progress.js';
import type { Vec3, Volume } from '../core/volume.js';
import { type ModelCard, outputKind, primaryTensors } from './model-card.js';
import { type PreparedModelInput, prepareModelInput, tensorIndexToModelIndex } from './pipeline.js';
import type { Session } from './session.js';
import { gatherPatch, patchStarts, scanInterval } from './sliding-window.js';

/** Options of {@link runBoxModel}; each overrides the card's value when set. */
export interface BoxModelOptions extends LongRunOptions {
  /** Least score of a kept box. Default: card `postprocessing.score_threshold`, else 0.5. */
  scoreThreshold?: number;
  /** Boxes overlapping a better one by more than this IoU are dropped. Default: card `iou_threshold`, else 0.3. */
  iouThreshold?: number;
}

/** One box a detection network returned, mapped to patient space. */
export interface ModelBox {
  /** Axis-aligned LPS box (mm) holding the network's box. */
  minMm: Vec3;
  maxMm: Vec3;
  /** Box centre, LPS mm. */
  centerMm: Vec3;
  /** Box edge lengths (mm) along the model grid's x, y, z axes. */
  sizeMm: Vec3;
  /** The network's score. */
  score: number;
}

/** Result of {@link runBoxModel}. */
export interface BoxModelResult {
  /** Kept boxes, highest score first. */
  boxes: ModelBox[];
  /** The grid the network saw (image axes). */
  modelGrid: Grid;
  /** Patch positions run (1 when the volume fits the network whole). */
  patches: number;
  timings: { preprocess: number; inference: number; total: number };
  settings: Record<string, unknown>;
}

/** Patch size (x-fastest order) the card asks for on this prepared input. */
function patchRoi(card: ModelCard, prep: PreparedModelInput): Vec3 {
  const patch = card.inference?.patch_size ?? null;
  if (patch) {
    if (patch.length !== 3) throw new MedImgError('MODEL_CARD_INVALID', 'Only 3D patch sizes are supported.');
    return [patch[2]!, patch[1]!, patch[0]!];
  }
  const { input } = primaryTensors(card);
  const need = input.spatial_shape.map((s, i) => {
    const d = prep.spatial[i]!;
    if (typeof s === 'number') return s > 0 ? s : d;
    const k = Number(s.split('*')[0]);
    return Math.ceil(d / k) * k;
  });
  return [need[2]!, need[1]!, need[0]!];
}

/** IoU of two boxes [min0, min1, min2, max0, max1, max2]. */
export function boxIou(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let inter = 1;
  let va = 1;
  let vb = 1;
  for (let k = 0; k < 3; k++) {
    const lo = Math.max(a[k]!, b[k]!);
    const hi = Math.min(a[k + 3]!, b[k + 3]!);
    inter *= Math.max(0, hi - lo);
    va *= Math.max(0, a[k + 3]! - a[k]!);
    vb *= Math.max(0, b[k + 3]! - b[k]!);
  }
  const union = va + vb - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Runs a detection network whose card has `output_kind: 'boxes'`: the card's preprocessing, then
 * the whole volume in one run, or (when the input is larger than the network's fixed shape or
 * `patch_size`) patch by patch at MONAI's sliding-window positions with each patch's boxes shifted
 * to the volume; boxes under the score threshold are dropped, overlaps resolved by non-maximum
 * suppression, and the rest mapped to LPS.
 *
 * The output tensor is [N, 7] or [1, N, 7]: min0, min1, min2, max0, max1, max2 (voxel indices of
 * the network's input, tensor spatial order), score.
 *
 * Errors: INVALID_ARGUMENT (no card, or a card whose output is not boxes), MODEL_INPUT_MISMATCH,
 * INFERENCE_FAILED (an output of another shape), ABORTED.
 *
 * @example
 * ```ts
 * import { createSession, runBoxModel } from 'medimg';
 * const session = await createSession({ onnx: 'detector.onnx', card: 'detector.card.json' });
 * const { boxes } = await runBoxModel(ct, session);
 * ```
 */
export async function runBoxModel(
  input: Volume | Volume[],
  session: Session,
  options: BoxModelOptions = {},
): Promise<BoxModelResult> {
  const card = session.card;
  if (!card) throw new MedImgError('INVALID_ARGUMENT', 'runBoxModel needs a session created with a model card.');
  if (outputKind(card) !== 'boxes') {
    throw new MedImgError('INVALID_ARGUMENT', `Model '${card.id}' does not output boxes (postprocessing.output_kind).`);
  }
  const t0 = performance.now();
  const post = card.postprocessing ?? {};
  const scoreT = options.scoreThreshold ?? post.score_threshold ?? 0.5;
  const iouT = options.iouThreshold ?? post.iou_threshold ?? 0.3;
  options.onProgress?.({ stage: 'preprocess', fraction: 0 });
  const prep = prepareModelInput(input, card, options.signal);
  const tPre = performance.now();
  const roi = patchRoi(card, prep);
  const dims = prep.tensorDims;
  const overlap = card.inference?.overlap ?? 0.25;
  const interval = scanInterval(
    dims.map((d, a) => Math.max(d, roi[a]!)),
    roi,
    [overlap, overlap, overlap],
  );
  const starts = [0, 1, 2].map((a) => (dims[a]! <= roi[a]! ? [0] : patchStarts(dims[a]!, roi[a]!, interval[a]!)));
  const { input: inFmt, output: outFmt } = primaryTensors(card);
  const inputName = inFmt.onnx_name ?? session.inputNames[0]!;
  const outputName = outFmt.onnx_name ?? session.outputNames[0]!;
  const cin = prep.tensorVols.length;
  const plane = roi[0] * roi[1] * roi[2];
  const buf = new Float32Array(cin * plane);
  const padValue = card.inference?.padding_value ?? 0;
  const found: { box: Float64Array; score: number }[] = [];
  const total = starts[0]!.length * starts[1]!.length * starts[2]!.length;
  let done = 0;
  for (const sz of starts[2]!)
    for (const sy of starts[1]!)
      for (const sx of starts[0]!) {
        throwIfAborted(options.signal);
        const st: [number, number, number] = [sx, sy, sz];
        prep.tensorVols.forEach((v, c) =>
          gatherPatch(v.data, dims, buf, c * plane, st, [0, 0, 0], roi, 'constant', padValue),
        );
        const res = await session.run({ [inputName]: { data: buf, dims: [1, cin, roi[2], roi[1], roi[0]] } });
        const o = res[outputName];
        const od = o?.dims ?? [];
        if (!o || !(o.data instanceof Float32Array) || od.at(-1) !== 7 || od.length < 2 || od.length > 3) {
          throw new MedImgError(
            'INFERENCE_FAILED',
            `The model output '${outputName}' is not a [N, 7] box tensor (got [${od.join(', ')}]).`,
          );
        }
        const off = [sz, sy, sx]; // patch start in tensor spatial order
        for (let r = 0; r + 7 <= o.data.length; r += 7) {
          const score = o.data[r + 6]!;
          if (!(score >= scoreT)) continue;
          const box = new Float64Array(6);
          for (let k = 0; k < 3; k++) {
            const a = o.data[r + k]! + off[k]!;
            const b = o.data[r + k + 3]! + off[k]!;
            box[k] = Math.min(a, b);
            box[k + 3] = Math.max(a, b);
          }
          found.push({ box, score });
        }
        done++;
        options.onProgress?.({ stage: 'inference', fraction: 0.1 + (0.8 * done) / total });
      }
  // non-maximum suppression, best first
  found.sort((a, b) => b.score - a.score);
  const kept: typeof found = [];
  for (const f of found) if (!kept.some((k) => boxIou(k.box, f.box) > iouT)) kept.push(f);
  const sp = prep.modelGrid.spacing;
  const boxes: ModelBox[] = kept.map(({ box, score }) => {
    const lo = tensorIndexToModelIndex(prep, [box[0]!, box[1]!, box[2]!]);
    const hi = tensorIndexToModelIndex(prep, [box[3]!, box[4]!, box[5]!]);
    const minMm: Vec3 = [Infinity, Infinity, Infinity];
    const maxMm: Vec3 = [-Infinity, -Infinity, -Infinity];
    for (let c = 0; c < 8; c++) {
      const p = indexToWorld(prep.modelGrid, [c & 1 ? hi[0] : lo[0], c & 2 ? hi[1] : lo[1], c & 4 ? hi[2] : lo[2]]);
      for (let a = 0; a < 3; a++) {
        minMm[a] = Math.min(minMm[a]!, p[a]!);
        maxMm[a] = Math.max(maxMm[a]!, p[a]!);
      }
    }
    return {
      minMm,
      maxMm,
      centerMm: indexToWorld(
        prep.modelGrid,
        [0, 1, 2].map((a) => (lo[a]! + hi[a]!) / 2),
      ),
      sizeMm: [0, 1, 2].map((a) => Math.abs(hi[a]! - lo[a]!) * sp[a]!) as Vec3,
      score,
    };
  });
  const tEnd = performance.now();
  options.onProgress?.({ stage: 'done', fraction: 1 });
  return {
    boxes,
    modelGrid: prep.modelGrid,
    patches: total,
    timings: { preprocess: tPre - t0, inference: tEnd - tPre, total: tEnd - t0 },
    settings: {
      axisOrder: prep.axisOrder,
      orientation: prep.orientation,
      targetSpacing: prep.targetSpacing,
      resampled: prep.resampled,
      intensity: prep.intensity,
      roi,
      overlap,
      scoreThreshold: scoreT,
      iouThreshold: iouT,
      outputKind: 'boxes',
    },
  };
}
