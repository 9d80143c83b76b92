/**
 * Texture feature families of radiomics (IBSI chapter 1 §3.6–3.11, and PyRadiomics's classes).
 *
 * CONTRACT between the radiomics pipeline and the texture engine: the pipeline discretises the
 * image and hands over a {@link DiscretisedImage}; this module builds the matrices and returns
 * the features. The bodies below are placeholders until the texture engine lands.
 */
import { MedImgError } from '../../../core/errors.js';
import type { Vec3 } from '../../../core/volume.js';

/** A discretised ROI: grey levels 1..nLevels inside the (intensity) ROI, 0 outside. */
export interface DiscretisedImage {
  /** Grey level per voxel, x fastest; 0 = outside the ROI. */
  levels: Int32Array;
  dims: Vec3;
  /** mm; used where distances matter (not by IBSI's Chebyshev neighbourhoods). */
  spacing: Vec3;
  /** Number of grey levels Ng of the discretisation (IBSI: levels not present still count). */
  nLevels: number;
  /**
   * Morphological mask (before re-segmentation) for GLDZM's distance map; defaults to the
   * intensity ROI (`levels > 0`).
   */
  morphMask?: Uint8Array;
}

/** Texture families. `gldm` is PyRadiomics's grey level dependence matrix (≈ IBSI NGLDM). */
export type TextureFamily = 'glcm' | 'glrlm' | 'glszm' | 'gldzm' | 'ngtdm' | 'ngldm' | 'gldm';

/**
 * IBSI texture aggregation. GLCM/GLRLM: '2D_avg' (BTW3), '2D_smrg' (SUJT), '2.5D_dmrg' (JJUI),
 * '2.5D_mrg' (ZW7Z), '3D_avg' (ITBB), '3D_mrg' (IAZD). Zone/neighbourhood families
 * (GLSZM, GLDZM, NGTDM, NGLDM, GLDM): '2D' (8QNN), '2.5D' (62GR), '3D' (KOBO).
 * 2D means per axial slice (z), as IBSI and PyRadiomics's force2Ddimension 0.
 */
export type TextureAggregation =
  | '2D_avg'
  | '2D_smrg'
  | '2.5D_dmrg'
  | '2.5D_mrg'
  | '3D_avg'
  | '3D_mrg'
  | '2D'
  | '2.5D'
  | '3D';

/** Options of {@link computeTextureFeatures}. */
export interface TextureOptions {
  /** Neighbour distance (Chebyshev, voxels) for GLCM/NGTDM/NGLDM/GLDM. Default 1. */
  distance?: number;
  /** NGLDM/GLDM coarseness parameter alpha (PyRadiomics `gldm_a`). Default 0. */
  alpha?: number;
  /** GLCM symmetric (IBSI always; PyRadiomics `symmetricalGLCM`). Default true. */
  symmetric?: boolean;
  /**
   * Naming and formulas: 'ibsi' keys by IBSI code (e.g. 'cm_joint_max' → code key 'GYBY'), and
   * 'pyradiomics' keys by PyRadiomics feature name (e.g. 'Contrast', 'JointEnergy') with
   * PyRadiomics's formulas (empty grey levels removed, its own normalisations). Default 'ibsi'.
   */
  convention?: 'ibsi' | 'pyradiomics';
  /** PyRadiomics `weightingNorm` for GLCM/GLRLM direction weighting: undefined = none. */
  weightingNorm?: 'manhattan' | 'euclidean' | 'infinity' | 'no_weighting';
}

/** Feature values of one family: IBSI code (convention 'ibsi') or PyRadiomics name → value. */
export type FeatureValues = Record<string, number>;

/**
 * Computes all features of a texture family for one aggregation method.
 *
 * @throws MedImgError EMPTY_MASK when no voxel has a level > 0.
 */
export function computeTextureFeatures(
  _image: DiscretisedImage,
  family: TextureFamily,
  _aggregation: TextureAggregation,
  _options: TextureOptions = {},
): FeatureValues {
  throw new MedImgError('NOT_IMPLEMENTED', `Texture family ${family} is not implemented yet.`);
}
