/**
 * `medimg/radiomics`: the feature families (first order, shape, morphology, intensity histogram and
 * volume histogram, texture matrices) and discretisation behind `extractRadiomics`, for callers
 * who compute one family on their own preprocessed arrays. `extractRadiomics` itself is in the
 * root entry.
 *
 * @example
 * ```ts
 * import { discretiseFbn, firstOrderFeatures } from 'medimg/radiomics';
 * ```
 *
 * @packageDocumentation
 */
export * from './tasks/radiomics/index.js';
