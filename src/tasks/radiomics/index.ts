/** Radiomics: IBSI-compliant, PyRadiomics-compatible feature extraction. */
export { extractRadiomics, type RadiomicsProvenance, type RadiomicsResult } from './extract.js';
export {
  ALL_FEATURE_CLASSES,
  type FeatureClass,
  type IbsiSettings,
  type ImageTypes,
  PYRADIOMICS_DEFAULTS,
  parseParameterFile,
  parseYamlSubset,
  type RadiomicsSettings,
} from './settings.js';
export { firstOrderFeatures, FIRSTORDER_FEATURES, type FirstOrderOptions } from './firstorder.js';
export { shapeFeatures, shape2DFeatures, SHAPE_FEATURES, SHAPE2D_FEATURES } from './shape.js';
export { morphologyFeatures, moranGeary, ellipsoidArea, type MorphologyInput } from './morphology.js';
export {
  intensityStatistics,
  intensityHistogram,
  intensityVolumeHistogram,
  localIntensityPeaks,
  type IvhOptions,
} from './ibsi-intensity.js';
export {
  digitize,
  discretiseFbn,
  discretiseFbs,
  discretisePyradiomics,
  pyradiomicsBinCountEdges,
  pyradiomicsBinWidthEdges,
  type Discretised,
} from './discretise.js';
export { laplacianOfGaussian, logImageName, waveletDecompositions } from './filters.js';
export {
  checkRoi,
  ibsiGrid,
  interpolatorFromName,
  type Interpolator,
  normalizeImage,
  pyradiomicsGrid,
  resegment,
  type ResegmentOptions,
  sampleGrid,
  thresholdMask,
} from './preprocess.js';
export { meshAreaVolume, meshVertices2, type BoxMask, type MeshMeasures } from './mesh.js';
export {
  computeTextureFeatures,
  type DiscretisedImage,
  type FeatureValues,
  type TextureAggregation,
  type TextureFamily,
  type TextureOptions,
} from './texture/index.js';
