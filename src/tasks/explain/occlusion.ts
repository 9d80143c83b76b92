// Occlusion sensitivity (Zeiler & Fergus 2014; MONAI OcclusionSensitivity): slide a patch of a
// baseline value over the image, score each occluded copy, and credit every voxel under the
// patch with the drop of the score. Model-agnostic: it only calls a score function, in batches,
// so it works for any exported network (no gradients needed).
import { assertArg } from '../../core/errors.js';
import { type LongRunOptions, Stages } from '../../core/progress.js';
import { type Vec3, type Volume, validateVolume } from '../../core/volume.js';

/**
 * Scores a batch of images (each x-fastest on the grid of the image given to the occlusion, one
 * channel): one number per image, e.g. the probability of the explained class. The arrays are
 * reused between calls: read them before the promise resolves, never keep them.
 */
export type ScoreBatchFn = (images: readonly Float32Array[]) => Promise<ArrayLike<number>>;

/** Options of {@link occlusionSensitivity}. */
export interface OcclusionSensitivityOptions extends LongRunOptions {
  /** Patch size in voxels per axis (x, y, z), or one number for every axis longer than 1. Required. */
  patch: number | Vec3;
  /** Step between patch positions in voxels. Default half the patch (rounded up). */
  stride?: number | Vec3;
  /** Value written into the patch. Default the image mean. */
  baseline?: number;
  /** Occluded images per score call. Default 8 (use 1 for a network with a fixed batch of 1). */
  batchSize?: number;
}

/** Result of {@link occlusionSensitivity}. */
export interface OcclusionSensitivityResult {
  /**
   * On the image's grid: the mean score drop of the patches that covered each voxel (positive:
   * hiding it lowered the score, i.e. it supported the output; negative: it spoke against it).
   */
  map: Volume<Float32Array>;
  /** Score of the unoccluded image. */
  baseScore: number;
  /** Number of occluded images scored. */
  evaluations: number;
  patch: Vec3;
  stride: Vec3;
  baseline: number;
}

function perAxis(v: number | Vec3, dims: Vec3, what: string): Vec3 {
  const a: Vec3 = typeof v === 'number' ? [v, v, v] : [...v];
  for (let i = 0; i < 3; i++) {
    assertArg(Number.isInteger(a[i]) && a[i]! >= 1, `${what} must be positive integers.`);
    a[i] = Math.min(a[i]!, dims[i]!);
  }
  return a;
}

/** Patch starts along one axis: every `stride`, the last one flush with the end. */
function starts(size: number, patch: number, stride: number): number[] {
  const out: number[] = [];
  for (let s = 0; s + patch < size; s += stride) out.push(s);
  out.push(size - patch);
  return [...new Set(out)];
}

/**
 * Occlusion sensitivity of `score` to every region of `image`. Progress stage 'occlusion';
 * `signal` aborts with ABORTED between batches.
 *
 * @example
 * ```ts
 * import { occlusionSensitivity } from 'medimg';
 * // scores a batch of images (e.g. your model's probability of one finding for each)
 * const myScore = (image: Float32Array): number => image[0]!;
 * const { map } = await occlusionSensitivity(radiograph, async (batch) => batch.map(myScore), { patch: 16 });
 * ```
 */
export async function occlusionSensitivity(
  image: Volume<Float32Array>,
  score: ScoreBatchFn,
  options: OcclusionSensitivityOptions,
): Promise<OcclusionSensitivityResult> {
  validateVolume(image, 'image');
  assertArg(image.data instanceof Float32Array, 'occlusionSensitivity needs a Float32Array image.');
  assertArg(options && options.patch !== undefined, 'occlusionSensitivity needs options.patch.');
  const dims = image.dims;
  const patch = perAxis(options.patch, dims, 'patch');
  const stride = perAxis(options.stride ?? (patch.map((p) => Math.max(1, Math.ceil(p / 2))) as Vec3), dims, 'stride');
  const batchSize = options.batchSize ?? 8;
  assertArg(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 256, 'batchSize must be 1..256.');
  const src = image.data;
  const n = src.length;
  let baseline = options.baseline;
  if (baseline === undefined) {
    let s = 0;
    for (let i = 0; i < n; i++) s += src[i]!;
    baseline = s / n;
  }
  assertArg(Number.isFinite(baseline), 'baseline must be a finite number.');
  const stages = new Stages(options, [['occlusion', 1]]);
  await stages.start('occlusion');

  const base = (await score([src]))[0]!;
  const positions: Vec3[] = [];
  for (const z of starts(dims[2], patch[2], stride[2]))
    for (const y of starts(dims[1], patch[1], stride[1]))
      for (const x of starts(dims[0], patch[0], stride[0])) positions.push([x, y, z]);

  // Reusable copies: each holds the image with at most one patch filled, restored after scoring.
  const buffers = Array.from({ length: Math.min(batchSize, positions.length) }, () => Float32Array.from(src));
  const sum = new Float32Array(n);
  const count = new Uint16Array(n);
  const nx = dims[0];
  const nxy = dims[0] * dims[1];
  const forPatch = (p: Vec3, fn: (row: number, len: number) => void): void => {
    for (let z = p[2]; z < p[2] + patch[2]; z++)
      for (let y = p[1]; y < p[1] + patch[1]; y++) fn(z * nxy + y * nx + p[0], patch[0]);
  };
  for (let b = 0; b < positions.length; b += batchSize) {
    const batch = positions.slice(b, b + batchSize);
    const bufs = buffers.slice(0, batch.length);
    batch.forEach((p, k) => forPatch(p, (row, len) => bufs[k]!.fill(baseline, row, row + len)));
    const scores = await score(bufs);
    assertArg(scores.length >= batch.length, 'The score function returned fewer scores than images.');
    batch.forEach((p, k) => {
      const drop = base - scores[k]!;
      const buf = bufs[k]!;
      forPatch(p, (row, len) => {
        buf.set(src.subarray(row, row + len), row);
        for (let i = row; i < row + len; i++) {
          sum[i]! += drop;
          count[i]!++;
        }
      });
    });
    await stages.step(b + batch.length, positions.length);
  }
  for (let i = 0; i < n; i++) sum[i] = count[i]! > 0 ? sum[i]! / count[i]! : 0;
  stages.finish();
  return {
    map: {
      data: sum,
      dims: [...dims],
      spacing: [...image.spacing],
      origin: [...image.origin],
      direction: [...image.direction],
    },
    baseScore: base,
    evaluations: positions.length,
    patch,
    stride,
    baseline,
  };
}

/** Options of {@link integratedOcclusion}. */
export interface IntegratedOcclusionOptions extends Omit<OcclusionSensitivityOptions, 'patch' | 'stride'> {
  /** Patch sizes (voxels; one number or per axis), each with a stride of half its size. Required, at least one. */
  patches: (number | Vec3)[];
}

/** Result of {@link integratedOcclusion}. */
export interface IntegratedOcclusionResult {
  /** Mean of the per-size maps (score drop), on the image's grid. */
  map: Volume<Float32Array>;
  baseScore: number;
  /** Each size's own result (maps included). */
  scales: OcclusionSensitivityResult[];
  evaluations: number;
}

/**
 * Occlusion at several patch sizes, averaged: small patches localise, large ones catch evidence
 * spread wider than one patch; the mean is steadier than any single size (a gradient-free
 * stand-in for integrated gradients on networks exported without gradients).
 *
 * @example
 * ```ts
 * import { integratedOcclusion, type ScoreBatchFn } from 'medimg';
 * declare const scoreFn: ScoreBatchFn;
 * const { map } = await integratedOcclusion(radiograph, scoreFn, { patches: [8, 16, 32] });
 * ```
 */
export async function integratedOcclusion(
  image: Volume<Float32Array>,
  score: ScoreBatchFn,
  options: IntegratedOcclusionOptions,
): Promise<IntegratedOcclusionResult> {
  assertArg(
    Array.isArray(options?.patches) && options.patches.length > 0,
    'integratedOcclusion needs options.patches.',
  );
  const stages = new Stages(
    options,
    options.patches.map((_, i) => [`scale ${i + 1}`, 1] as const),
  );
  const scales: OcclusionSensitivityResult[] = [];
  for (let i = 0; i < options.patches.length; i++) {
    await stages.start(`scale ${i + 1}`);
    const { patches: _p, onProgress: _o, ...rest } = options;
    scales.push(await occlusionSensitivity(image, score, { ...rest, ...stages.nested(), patch: options.patches[i]! }));
  }
  stages.finish();
  const first = scales[0]!;
  const mean = new Float32Array(first.map.data.length);
  for (const s of scales) for (let i = 0; i < mean.length; i++) mean[i]! += s.map.data[i]! / scales.length;
  return {
    map: { ...first.map, data: mean },
    baseScore: first.baseScore,
    scales,
    evaluations: scales.reduce((a, s) => a + s.evaluations, 0),
  };
}
