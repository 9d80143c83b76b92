/**
 * `medimg/testing`: fixtures for tests, demos and benchmarks: synthetic chest CT phantoms with
 * known truth, and small ONNX graphs built in memory (identity, scale, 3D convolution, threshold
 * segmenters) to exercise sessions and model runs without model files.
 *
 * @example
 * ```ts
 * import { makeChestCtPhantom } from 'medimg/testing';
 * const { image, truth } = makeChestCtPhantom({ nodules: 2 });
 * ```
 *
 * @packageDocumentation
 */
export * from './core/phantoms/index.js';
export {
  buildOnnxModel,
  conv3dModel,
  fixedShapeIdentityModel,
  identityModel,
  scaleModel,
  thresholdLogitsModel,
  thresholdSoftmaxModel,
} from './backends/index.js';
export type { OnnxAttr, OnnxGraphSpec, OnnxInitializer, OnnxNode, OnnxValueInfo } from './backends/index.js';
