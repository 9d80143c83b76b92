/**
 * Radiomics: IBSI-compliant, PyRadiomics-compatible feature extraction.
 * The public surface is {@link extractRadiomics} plus the feature-family functions and settings;
 * helpers (interpolation, mesh, filters) stay internal to avoid clashing with core/ops names.
 */
export {
  type ExtractRadiomicsOptions,
  type ExtractRadiomicsResult,
  extractRadiomics,
  type RadiomicsProvenance,
  type RadiomicsResult,
} from './extract.js';
export type { Diagnostics as RadiomicsDiagnostics } from './diagnostics.js';
export {
  ALL_FEATURE_CLASSES,
  type FeatureClass,
  type IbsiSettings,
  type ImageTypes,
  PYRADIOMICS_DEFAULTS,
  parseParameterFile,
  type RadiomicsSettings,
} from './settings.js';
export { FIRSTORDER_FEATURES, type FirstOrderOptions, firstOrderFeatures } from './firstorder.js';
export { SHAPE_FEATURES, SHAPE2D_FEATURES, shape2DFeatures, shapeFeatures } from './shape.js';
export { type MorphologyInput, morphologyFeatures } from './morphology.js';
export {
  type IvhOptions,
  intensityHistogram,
  intensityStatistics,
  intensityVolumeHistogram,
  localIntensityPeaks,
} from './ibsi-intensity.js';
export {
  type Discretised,
  discretiseFbn,
  discretiseFbs,
  discretisePyradiomics,
  pyradiomicsBinCountEdges,
  pyradiomicsBinWidthEdges,
} from './discretise.js';
export type { BoxMask } from './mesh.js';
export {
  computeTextureFeatures,
  type DiscretisedImage,
  type FeatureValues,
  type TextureAggregation,
  type TextureFamily,
  type TextureOptions,
} from './texture/index.js';
