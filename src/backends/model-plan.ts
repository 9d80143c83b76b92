// What a card would do to an image, worked out from the image's geometry alone (no voxel is read
// and nothing runs): reorientation, resampling, normalisation, tensor layout, patches, output.
import { type Geometry, orientationFromDirection } from '../core/geometry.js';
import { orientationMapping } from '../core/ops/reorient.js';
import type { Vec3 } from '../core/volume.js';
import { type IntensityNormalization, type ModelCard, outputKind, primaryTensors } from './model-card.js';
import { patchStarts, scanInterval } from './sliding-window.js';

/** Result of {@link planModelRun} (plain data). */
export interface ModelRunPlan {
  /** The image as given. */
  image: { dims: Vec3; spacingMm: Vec3; orientation: string; modality: string | null };
  /** Reorientation the card asks for (exact permutation/flips), or null. */
  reorient: { from: string; to: string } | null;
  /** Resampling (linear for the image, nearest back for labels), or null. */
  resample: { fromSpacingMm: Vec3; toSpacingMm: Vec3; dims: Vec3 } | null;
  /** Intensity normalisation, and the formula in words. */
  intensity: IntensityNormalization & { text: string };
  /** The tensor the network receives. */
  tensor: { axisOrder: 'xyz' | 'zyx'; shape: number[] };
  /** Whole-volume run or sliding window, with the number of network runs. */
  inference: {
    mode: 'whole' | 'sliding-window';
    patch: number[] | null;
    patches: number;
    mirrorRuns: number;
    runs: number;
    overlap: number | null;
    blend: 'constant' | 'gaussian' | null;
  };
  /** What comes out and how it is read. */
  output: { kind: string; channels: number; labels: Record<string, string> };
  /** Rough working memory of the pipeline, MB (input tensor, stitched output, weights). */
  memoryMB: number;
  /** Why the run would fail or be doubtful (modality, fixed input size), as sentences. */
  warnings: string[];
  /** The plan in words, one step per line. */
  steps: string[];
}

function intensityText(n: IntensityNormalization): string {
  switch (n.method) {
    case 'none':
      return 'values fed as they are';
    case 'minmax':
      return '(v - min) / (max - min) over the image';
    case 'window':
      return `clip to [${n.lower}, ${n.upper}], then map to [0, 1]`;
    case 'zscore':
      return `(v - mean) / sd of the image${n.nonzero ? ' (non-zero voxels; zeros stay 0)' : ''}`;
    case 'ct_percentile':
      return `clip to [${n.percentile_00_5}, ${n.percentile_99_5}], then (v - ${n.mean}) / ${n.std}`;
    case 'quantile':
      return `(v - q${n.lower}) / (q${n.upper} - q${n.lower}) with the image's quantiles (${n.estimator ?? 'linear'})${n.clip ? ', clipped to [0, 1]' : ''}`;
  }
}

/**
 * What running `card` on an image of this geometry would do, before running it: the
 * reorientation, the resampling and the grid the network sees, the normalisation, the tensor
 * shape, the sliding-window patches and runs, the output and its labels, a memory estimate, and
 * warnings (another modality than the card's, a fixed input size the image will not have).
 *
 * @example
 * ```ts
 * import { BRAINCHOP_SUBCORTICAL18_CARD, planModelRun } from 'medimg';
 * const card = BRAINCHOP_SUBCORTICAL18_CARD;
 * const plan = planModelRun(t1, card);
 * console.log(plan.steps.join('\n'));
 * ```
 */
export function planModelRun(image: Geometry & { meta?: { modality?: unknown } }, card: ModelCard): ModelRunPlan {
  const pre = card.preprocessing ?? {};
  const inf = card.inference ?? {};
  const { input, output } = primaryTensors(card);
  const warnings: string[] = [];
  const steps: string[] = [];
  const from = orientationFromDirection(image.direction);
  const to = pre.orientation ?? null;
  let dims: Vec3 = [...image.dims] as Vec3;
  let spacing: Vec3 = [...image.spacing] as Vec3;
  const conform = pre.conform_shape ?? null;
  const reorient = !conform && to && to !== from ? { from, to } : null;
  if (conform) {
    const cs = pre.target_spacing ?? spacing;
    const same =
      conform.every((d, a) => d === image.dims[a]) &&
      cs.every((s, a) => Math.abs(s - image.spacing[a]!) <= 1e-3 * s) &&
      (to ?? from) === from;
    steps.push(
      same
        ? `conform: already ${conform.join('x')} voxels of ${cs.join('x')} mm in ${from}, used as is`
        : `conform: resample onto ${conform.join('x')} voxels of ${cs.join('x')} mm in ${to ?? from}, centred on the image (linear; labels back by nearest)${pre.conform_intensity ? `; unless 8-bit, intensities to 0..255 with FreeSurfer's robust limits (${pre.conform_intensity.lower}, ${pre.conform_intensity.upper})` : ''}`,
    );
    dims = [...conform] as Vec3;
    spacing = [...cs] as Vec3;
  } else if (reorient) {
    const m = orientationMapping(image.direction, to!);
    dims = m.axis.map((a) => image.dims[a]!) as Vec3;
    spacing = m.axis.map((a) => image.spacing[a]!) as Vec3;
    steps.push(`reorient ${from} -> ${to} (exact permutation and flips; labels mapped back)`);
  } else steps.push(`orientation kept (${from})`);
  const target = pre.target_spacing ?? null;
  let resample: ModelRunPlan['resample'] = null;
  if (!conform && target && target.some((t, a) => Math.abs(t - spacing[a]!) > 1e-3 * t)) {
    const nd = dims.map((d, a) => Math.max(1, Math.round((d * spacing[a]!) / target[a]!))) as Vec3;
    resample = { fromSpacingMm: spacing, toSpacingMm: [...target] as Vec3, dims: nd };
    steps.push(
      `resample ${spacing.map((s) => s.toFixed(2)).join('x')} mm -> ${target.join('x')} mm (linear; labels back by nearest): ${dims.join('x')} -> ${nd.join('x')} voxels`,
    );
    dims = nd;
    spacing = [...target] as Vec3;
  } else if (!conform) steps.push(`spacing kept (${spacing.map((s) => s.toFixed(2)).join('x')} mm)`);
  const norm = pre.intensity ?? { method: 'none' as const };
  steps.push(`intensity: ${intensityText(norm)}`);
  const axisOrder = pre.axis_order ?? 'xyz';
  const spatial = axisOrder === 'xyz' ? [dims[0], dims[1], dims[2]] : [dims[2], dims[1], dims[0]];
  const shape = [1, input.num_channels, ...spatial];
  steps.push(`tensor [${shape.join(', ')}] (axis_order '${axisOrder}')`);
  // inference: whole volume (padded for 'k*n' shapes) or sliding window
  const patch = inf.patch_size ?? null;
  let runShape = spatial;
  if (!patch) {
    runShape = input.spatial_shape.map((s, i) => {
      const d = spatial[i]!;
      if (typeof s === 'number') {
        if (s > 0 && s !== d)
          warnings.push(
            `The model needs ${input.spatial_shape.join('x')} voxels after its preprocessing; this image gives ${spatial.join('x')} (MODEL_INPUT_MISMATCH).`,
          );
        return d;
      }
      const k = Number(s.split('*')[0]);
      return Math.ceil(d / k) * k;
    });
  }
  const mirrorRuns = 2 ** (inf.mirror_axes ?? []).length;
  let patches = 1;
  const overlap = inf.overlap ?? 0.25;
  if (patch) {
    const size = spatial.map((d, i) => Math.max(d, patch[i]!));
    const iv = scanInterval(size, patch, [overlap, overlap, overlap]);
    patches = size.reduce((acc, d, i) => acc * patchStarts(d, patch[i]!, iv[i]!).length, 1);
    steps.push(
      `sliding window: patch ${patch.join('x')}, overlap ${overlap}, ${inf.blend_mode ?? 'constant'} blending, ${patches} patch(es) x ${mirrorRuns} mirror run(s)`,
    );
  } else
    steps.push(
      `one run on the whole volume${runShape.some((r, i) => r !== spatial[i]) ? ` (padded to ${runShape.join('x')})` : ''}`,
    );
  const kind = outputKind(card);
  steps.push(
    `output: ${kind}, ${output.num_channels} channel(s)${card.postprocessing?.activation ? `, ${card.postprocessing.activation}` : ''}`,
  );
  const want = input.modality?.toUpperCase();
  const have = image.meta?.modality !== undefined ? String(image.meta.modality).toUpperCase() : undefined;
  if (want && have && want !== have) warnings.push(`The model was made for ${want}; this image is ${have}.`);
  const nvox = spatial.reduce((a, b) => a * b, 1);
  const outCh = kind === 'boxes' || kind === 'regression' || kind === 'classification' ? 0 : output.num_channels;
  const memoryMB = Math.round((nvox * 4 * (input.num_channels + 2 * outCh + 1)) / 1e5) / 10;
  return {
    image: {
      dims: [...image.dims] as Vec3,
      spacingMm: [...image.spacing] as Vec3,
      orientation: from,
      modality: have ?? null,
    },
    reorient,
    resample,
    intensity: { ...norm, text: intensityText(norm) },
    tensor: { axisOrder, shape },
    inference: {
      mode: patch ? 'sliding-window' : 'whole',
      patch: patch ? [...patch] : null,
      patches,
      mirrorRuns,
      runs: patches * mirrorRuns,
      overlap: patch ? overlap : null,
      blend: patch ? (inf.blend_mode ?? 'constant') : null,
    },
    output: { kind, channels: output.num_channels, labels: { ...output.channel_def } },
    memoryMB,
    warnings,
    steps,
  };
}
