// Inference backends, model cards, sessions and sliding-window inference (same in Node and browser).
export * from './types.js';
export { registerBackend, listBackends, probeBackend, getRegisteredBackend } from './registry.js';
export * from './model-card.js';
export * from './cards/brainchop.js';
export * from './model-cache.js';
export * from './session.js';
export * from './sliding-window.js';
export * from './pipeline.js';
export type { UcharScale } from './conform-intensity.js';
export { configureWebBackends, setOnnxRuntimeWeb, type WebBackendConfig } from './ort-web.js';
export {
  buildOnnxModel,
  identityModel,
  scaleModel,
  conv3dModel,
  thresholdSoftmaxModel,
  thresholdLogitsModel,
  fixedShapeIdentityModel,
  type OnnxGraphSpec,
  type OnnxNode,
  type OnnxInitializer,
  type OnnxValueInfo,
  type OnnxAttr,
} from './testing/onnx-builder.js';
export * from './box-model.js';
export * from './heatmap.js';
export * from './model-verify.js';
export * from './model-inspect.js';
export * from './model-plan.js';
