/**
 * `medimg/metrics`: overlap and surface-distance metrics, detection (FROC) and ROC analysis,
 * bootstrap intervals, subgroup audits, and the validation harness's scoring helpers.
 *
 * @example
 * ```ts
 * import { dice, hausdorff95 } from 'medimg/metrics';
 * console.log(dice(result, truth), hausdorff95(result, truth));
 * ```
 *
 * @packageDocumentation
 */
export * from './core/metrics/index.js';
export {
  AUDIT_ATTRIBUTES,
  AUDIT_METRICS,
  boxIoU,
  frocScanOf,
  hitsLesion,
  MIN_CASES_FOR_INTERVAL,
  maskMetrics,
  scoreDetection,
  scoreExpectedValues,
  sliceBoundingBox,
  sliceBoxIoUs,
  summarise,
} from './validation/index.js';
