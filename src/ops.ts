/**
 * `medimg/ops`: image operations on volumes and plain grids (crop, pad, resample, reorient,
 * registration, morphology, labelling, distances, filters, intensity), geometry, lesion
 * measurements, typed-array helpers, progress and abort helpers for long work, and the patch and
 * tensor helpers behind model runs.
 *
 * @example
 * ```ts
 * import { dilate, maskBoundingBox } from 'medimg/ops';
 * const grown = dilate(mask, { radiusMm: 2 });
 * const box = maskBoundingBox(grown);
 * ```
 *
 * @packageDocumentation
 */
export * from './core/volume.js';
export * from './core/geometry.js';
export * from './core/lesion.js';
export * from './core/ops/index.js';
export * from './core/progress.js';
export * from './core/random.js';
export * from './core/typed.js';
export { assertArg } from './core/errors.js';
export { type SetThreadsOptions, setThreads, threadCount } from './core/simd/threads.js';
export {
  argmaxChannels,
  gatherPatch,
  importanceMap,
  normalizeIntensity,
  patchStarts,
  prepareModelInput,
  scanInterval,
  tensorIndexToModelIndex,
  transposeXyz,
} from './backends/index.js';
export { boxIou, heatmapPeaks, MODEL_OUTPUT_KINDS, outputKind, primaryTensors } from './backends/index.js';
