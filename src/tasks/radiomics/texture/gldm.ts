/**
 * PyRadiomics's grey level dependence matrix (`gldm`): the NGLDM of ngldm.ts (j = 1 + dependent
 * neighbours within `distances`, |difference| ≤ gldm_a) under PyRadiomics's feature names.
 */

/** PyRadiomics GLDM names (GrayLevelNonUniformityNormalized is deprecated there: left out). */
export const GLDM_PYRADIOMICS = [
  'SmallDependenceEmphasis',
  'LargeDependenceEmphasis',
  'LowGrayLevelEmphasis',
  'HighGrayLevelEmphasis',
  'SmallDependenceLowGrayLevelEmphasis',
  'SmallDependenceHighGrayLevelEmphasis',
  'LargeDependenceLowGrayLevelEmphasis',
  'LargeDependenceHighGrayLevelEmphasis',
  'GrayLevelNonUniformity',
  null,
  'DependenceNonUniformity',
  'DependenceNonUniformityNormalized',
  null,
  'GrayLevelVariance',
  'DependenceVariance',
  'DependenceEntropy',
  null,
] as const;
