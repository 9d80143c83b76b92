export * from './manifest.js';
export {
  boxIoU,
  type DetectionScore,
  type ExpectedValueScore,
  type Finding,
  frocScanOf,
  hitsLesion,
  type MaskMetrics,
  maskMetrics,
  type PlacedValue,
  scoreDetection,
  scoreExpectedValues,
  sliceBoundingBox,
  type SliceBoxIoU,
  sliceBoxIoUs,
  type TruthLesion,
} from './metrics.js';
export * from './report.js';
export { type ValidateOptions, type ValidateResult, validate } from './run.js';
