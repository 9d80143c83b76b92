/**
 * Texture feature families of radiomics (IBSI chapter 1 §3.6–3.11, and PyRadiomics's classes).
 *
 * CONTRACT between the radiomics pipeline and the texture engine: the pipeline discretises the
 * image and hands over a {@link DiscretisedImage}; this module builds the matrices and returns
 * the features. One file per family (glcm.ts, glrlm.ts, glszm.ts, gldzm.ts, ngtdm.ts, ngldm.ts,
 * gldm.ts); zones.ts labels zones, matrix-features.ts holds the features shared by the
 * grey level × size matrices, grid.ts crops and pads the ROI, directions.ts the direction sets,
 * eigen.ts the symmetric eigenvalues for MCC.
 */
import { MedImgError } from '../../../core/errors.js';
import type { Vec3 } from '../../../core/volume.js';
import { type Offset, angleDistance, ibsiDirections, neighbourhood, pyradiomicsAngles, upTo } from './directions.js';
import {
  GLCM_IBSI,
  GLCM_PYRADIOMICS,
  countGlcm,
  ibsiGlcmFeatures,
  mergeBlocks,
  pyradiomicsGlcmFeatures,
} from './glcm.js';
import { GLRLM_IBSI, GLRLM_PYRADIOMICS, countRuns, runWidth, runFeatures } from './glrlm.js';
import { EPS, FeatureMean, type TextureGrid, buildGrid, roiSlices } from './grid.js';
import { SM_SIZE, named } from './matrix-features.js';
import { GLDM_PYRADIOMICS } from './gldm.js';
import { NGLDM_IBSI, ngldmFeatures } from './ngldm.js';
import { NGTDM_IBSI, NGTDM_PYRADIOMICS, ngtdmSliceFeatures } from './ngtdm.js';
import { GLDZM_IBSI, distanceMap, gldzmFeatures } from './gldzm.js';
import { GLSZM_IBSI, GLSZM_PYRADIOMICS, glszmFeatures } from './glszm.js';
import { zoneScratch } from './zones.js';

/**
 * A discretised ROI: grey levels 1..nLevels inside the (intensity) ROI, 0 outside.
 *
 * Every call scans the whole array once to find the ROI; features do not change when the array
 * is cropped to the ROI's bounding box (that of the morphological mask, when given), so a
 * pipeline that crops first, as PyRadiomics does, keeps that scan proportional to the ROI.
 */
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
  /**
   * PyRadiomics `distances` (Chebyshev norms of the GLCM angles and of the NGTDM/GLDM
   * neighbourhood), convention 'pyradiomics' only. Default `[distance]`.
   */
  distances?: number[];
}

/** Feature values of one family: IBSI code (convention 'ibsi') or PyRadiomics name → value. */
export type FeatureValues = Record<string, number>;

const DIRECTIONAL: readonly TextureAggregation[] = ['2D_avg', '2D_smrg', '2.5D_dmrg', '2.5D_mrg', '3D_avg', '3D_mrg'];
const ZONAL: readonly TextureAggregation[] = ['2D', '2.5D', '3D'];
const FAMILIES: readonly TextureFamily[] = ['glcm', 'glrlm', 'glszm', 'gldzm', 'ngtdm', 'ngldm', 'gldm'];

/** Feature keys a family returns under a convention (in a stable order). */
export function textureFeatureNames(family: TextureFamily, convention: 'ibsi' | 'pyradiomics' = 'ibsi'): string[] {
  const py = convention === 'pyradiomics';
  const list: readonly (string | null)[] = (() => {
    switch (family) {
      case 'glcm':
        return py ? GLCM_PYRADIOMICS : GLCM_IBSI;
      case 'glrlm':
        return py ? GLRLM_PYRADIOMICS : GLRLM_IBSI;
      case 'glszm':
        return py ? GLSZM_PYRADIOMICS : GLSZM_IBSI;
      case 'gldzm':
        return GLDZM_IBSI;
      case 'ngtdm':
        return py ? NGTDM_PYRADIOMICS : NGTDM_IBSI;
      default:
        return py ? GLDM_PYRADIOMICS : NGLDM_IBSI;
    }
  })();
  return list.filter((k): k is string => k !== null);
}

/**
 * Computes all features of a texture family for one aggregation method.
 *
 * Conventions:
 * - 'ibsi': IBSI reference manual definitions, keyed by IBSI code. Ng is `image.nLevels` (levels
 *   absent from the ROI still count where a formula uses Ng). Averaged aggregations ignore NaN
 *   values (e.g. the correlation of a slice with one grey level); a matrix without any entry
 *   (e.g. a direction without voxel pairs) is left out of the average.
 * - 'pyradiomics': PyRadiomics's classes (glcm, glrlm, glszm, gldm, ngtdm; `ngldm` is answered as
 *   `gldm`), names and formulas: levels absent from the ROI removed, Ng = largest level in the ROI,
 *   angles from the ROI bounding box (13 in 3D, 4 in 2D for distance 1), per-angle values
 *   averaged ignoring NaN, `weightingNorm` merging, eps = 2.2e-16. PyRadiomics's default
 *   corresponds to aggregation '3D_avg' (GLCM/GLRLM) or '3D' (others); `force2D` (dimension 0)
 *   to '2.5D_dmrg' or '2.5D'. GLDZM has no PyRadiomics class.
 *
 * Degenerate inputs: one grey level gives PyRadiomics's documented values (Correlation 1, Imc1 0,
 * Imc2 0, MCC 1, NGTDM Coarseness 1e6, Busyness 0, Strength 0, Contrast NaN) and IBSI's (NGTDM
 * contrast 0; GLCM correlation and information correlation 1 NaN as 0/0). A ROI without voxel
 * pairs (one voxel) gives NaN for GLCM and NGTDM (IBSI) features.
 *
 * @throws MedImgError EMPTY_MASK when no voxel has a level > 0; INVALID_ARGUMENT for an unknown
 *   family, an aggregation the family does not have, bad options or inconsistent input.
 *
 * @example
 * ```ts
 * import { computeTextureFeatures, discretiseFbn } from 'medimg/radiomics';
 * const d = discretiseFbn(roiValues, 32); // ROI voxels; outside the ROI the level is 0
 * const glcm = computeTextureFeatures({ levels: d.levels, dims: mask.dims, spacing: mask.spacing, nLevels: d.nLevels }, 'glcm', '3D_mrg');
 * ```
 */
export function computeTextureFeatures(
  image: DiscretisedImage,
  family: TextureFamily,
  aggregation: TextureAggregation,
  options: TextureOptions = {},
): FeatureValues {
  const o = validate(family, aggregation, options);
  return computeOnGrid(buildGrid(image, Math.max(1, ...o.distances)), family, aggregation, o);
}

function validate(family: TextureFamily, aggregation: TextureAggregation, options: TextureOptions): Resolved {
  if (!FAMILIES.includes(family)) {
    throw new MedImgError('INVALID_ARGUMENT', `Unknown texture family '${String(family)}'.`);
  }
  const directional = family === 'glcm' || family === 'glrlm';
  if (!(directional ? DIRECTIONAL : ZONAL).includes(aggregation)) {
    throw new MedImgError(
      'INVALID_ARGUMENT',
      `Aggregation '${String(aggregation)}' does not apply to ${family}; use one of ${(directional ? DIRECTIONAL : ZONAL).join(', ')}.`,
    );
  }
  const convention = options.convention ?? 'ibsi';
  if (convention !== 'ibsi' && convention !== 'pyradiomics') {
    throw new MedImgError('INVALID_ARGUMENT', `Unknown texture convention '${String(convention)}'.`);
  }
  const py = convention === 'pyradiomics';
  if (py && family === 'gldzm') {
    throw new MedImgError('INVALID_ARGUMENT', "GLDZM has no PyRadiomics class; use convention 'ibsi'.");
  }
  const distance = options.distance ?? 1;
  const alpha = options.alpha ?? 0;
  const distances = py ? (options.distances ?? [distance]) : [distance];
  if (![distance, ...distances].every((d) => Number.isInteger(d) && d >= 1 && d <= 64)) {
    throw new MedImgError('INVALID_ARGUMENT', 'Texture distances must be integers from 1 to 64.');
  }
  if (!Number.isInteger(alpha) || alpha < 0) {
    throw new MedImgError('INVALID_ARGUMENT', 'Texture alpha must be a non-negative integer.');
  }
  const weightingNorm = py ? options.weightingNorm : undefined;
  if (weightingNorm !== undefined && !['manhattan', 'euclidean', 'infinity', 'no_weighting'].includes(weightingNorm)) {
    throw new MedImgError('INVALID_ARGUMENT', `Unknown weightingNorm '${String(weightingNorm)}'.`);
  }
  const symmetric = options.symmetric ?? true;
  return { py, symmetric, distance, distances, alpha, weightingNorm };
}

/**
 * Several families and aggregations of one image in one call: the ROI is scanned and cropped
 * once (computeTextureFeatures does that for every call), which matters when a pipeline asks for
 * all families under several aggregations. Same options, results in request order.
 *
 * @throws MedImgError as {@link computeTextureFeatures}.
 */
export function computeTextureFeatureSets(
  image: DiscretisedImage,
  requests: readonly { family: TextureFamily; aggregation: TextureAggregation }[],
  options: TextureOptions = {},
): FeatureValues[] {
  if (requests.length === 0) return [];
  const all = requests.map((r) => validate(r.family, r.aggregation, options));
  const g = buildGrid(image, Math.max(1, ...all[0]!.distances));
  return requests.map((r, k) => computeOnGrid(g, r.family, r.aggregation, all[k]!));
}

interface Resolved {
  py: boolean;
  symmetric: boolean;
  distance: number;
  distances: number[];
  alpha: number;
  weightingNorm: TextureOptions['weightingNorm'];
}

function computeOnGrid(
  g: TextureGrid,
  family: TextureFamily,
  aggregation: TextureAggregation,
  o: Resolved,
): FeatureValues {
  const { py, symmetric, distance, distances, alpha, weightingNorm } = o;
  const eps = py ? EPS : 0;

  switch (family) {
    case 'glcm':
      return glcm(g, aggregation, py, symmetric, distance, distances, weightingNorm);
    case 'glrlm':
      return glrlm(g, aggregation, py, weightingNorm);
    case 'glszm':
    case 'gldzm': {
      const useDistance = family === 'gldzm';
      // One scratch (union-find buffers, distance map in- or through-plane) for all slices.
      const scratch = zoneScratch(g, useDistance ? distanceMap(g, aggregation !== '3D') : null);
      const values = zonal(g, aggregation, (gg, twoD, zFrom, zTo) =>
        useDistance
          ? gldzmFeatures(gg, twoD, zFrom, zTo, scratch, eps)
          : glszmFeatures(gg, twoD, zFrom, zTo, scratch, eps),
      );
      return named(values, useDistance ? GLDZM_IBSI : py ? GLSZM_PYRADIOMICS : GLSZM_IBSI);
    }
    case 'ngtdm': {
      const dists = py ? distances : upTo(distance);
      const values = zonal(g, aggregation, (gg, twoD, zFrom, zTo) =>
        ngtdmSliceFeatures(gg, neighbourhood(dists, twoD), zFrom, zTo, py),
      );
      return named(values, py ? NGTDM_PYRADIOMICS : NGTDM_IBSI);
    }
    default: {
      const dists = py ? distances : upTo(distance);
      const values = zonal(g, aggregation, (gg, twoD, zFrom, zTo) =>
        ngldmFeatures(gg, neighbourhood(dists, twoD), zFrom, zTo, alpha, eps),
      );
      return named(values, py ? GLDM_PYRADIOMICS : NGLDM_IBSI);
    }
  }
}

/**
 * 2D: features per slice, averaged; 2.5D: one matrix from all slices with in-plane
 * neighbourhoods (the merge of the slice matrices); 3D: one matrix, 3D neighbourhoods.
 */
function zonal(
  g: TextureGrid,
  aggregation: TextureAggregation,
  compute: (g: TextureGrid, twoD: boolean, zFrom: number, zTo: number) => Float64Array,
): Float64Array {
  const twoD = aggregation !== '3D';
  if (aggregation !== '2D') return compute(g, twoD, g.z0, g.z1);
  let mean: FeatureMean | null = null;
  for (const z of roiSlices(g)) {
    const v = compute(g, true, z, z + 1);
    mean ??= new FeatureMean(v.length);
    mean.add(v);
  }
  return mean!.result();
}

/** Generic GLCM/GLRLM aggregation over directions and slices. */
function aggregateDirectional(
  g: TextureGrid,
  aggregation: TextureAggregation,
  dirs3D: Offset[],
  dirs2D: Offset[],
  weights3D: Float64Array | null,
  weights2D: Float64Array | null,
  block: number,
  nFeatures: number,
  count: (dirs: Offset[], zFrom: number, zTo: number, out: Float64Array) => void,
  features: (m: Float64Array, offset: number, out: Float64Array) => Float64Array,
): Float64Array {
  const mean = new FeatureMean(nFeatures);
  const tmp = new Float64Array(nFeatures);
  const merged = new Float64Array(block);
  const slices = aggregation === '2D_avg' || aggregation === '2D_smrg';
  const dirs = aggregation.startsWith('3D') ? dirs3D : dirs2D;
  const weights = aggregation.startsWith('3D') ? weights3D : weights2D;
  // 2D_smrg, 2.5D_mrg and 3D_mrg merge directions; 2.5D_dmrg merges slices per direction (by
  // counting in-plane directions over all slices at once), then averages over directions.
  const mergeDirs = aggregation === '2D_smrg' || aggregation === '2.5D_mrg' || aggregation === '3D_mrg';
  const mergeAll = mergeDirs || weights !== null;
  const cells = Math.max(1, dirs.length) * block;
  if (cells > MAX_MATRIX_CELLS) {
    throw new MedImgError(
      'INVALID_ARGUMENT',
      `Texture matrices would need ${cells} cells (too many grey levels); use a larger bin width or fewer bins.`,
      { details: { cells, limit: MAX_MATRIX_CELLS } },
    );
  }
  const m = new Float64Array(cells);
  const run = (zFrom: number, zTo: number): void => {
    count(dirs, zFrom, zTo, m);
    if (mergeAll) {
      merged.fill(0);
      mergeBlocks(m, dirs.length, block, mergeDirs ? null : weights, merged);
      mean.add(features(merged, 0, tmp));
    } else {
      for (let a = 0; a < dirs.length; a++) mean.add(features(m, a * block, tmp));
    }
  };
  if (slices) {
    for (const z of roiSlices(g)) run(z, z + 1);
  } else {
    run(g.z0, g.z1);
  }
  return mean.result();
}

type WeightingNorm = TextureOptions['weightingNorm'];

/** 2^25 float64 cells = 256 MiB: beyond that the discretisation, not the texture, is the problem. */
const MAX_MATRIX_CELLS = 1 << 25;

function directionWeights(
  dirs: Offset[],
  g: TextureGrid,
  norm: WeightingNorm,
  glcmStyle: boolean,
): Float64Array | null {
  if (norm === undefined) return null;
  return Float64Array.from(dirs, (a) => {
    if (norm === 'no_weighting') return 1;
    const d = angleDistance(a, g.spacing, norm);
    return glcmStyle ? Math.exp(-d * d) : d;
  });
}

function glcm(
  g: TextureGrid,
  aggregation: TextureAggregation,
  py: boolean,
  symmetric: boolean,
  distance: number,
  distances: number[],
  norm: WeightingNorm,
): FeatureValues {
  const dirs3D = py ? pyradiomicsAngles(g.roiSize, distances, false) : ibsiDirections(false, distance);
  const dirs2D = py ? pyradiomicsAngles(g.roiSize, distances, true) : ibsiDirections(true, distance);
  const ng = g.nLevels;
  const values = aggregateDirectional(
    g,
    aggregation,
    dirs3D,
    dirs2D,
    directionWeights(dirs3D, g, norm, true),
    directionWeights(dirs2D, g, norm, true),
    ng * ng,
    py ? GLCM_PYRADIOMICS.length : GLCM_IBSI.length,
    (dirs, zFrom, zTo, out) => countGlcm(g, dirs, zFrom, zTo, symmetric, out),
    py
      ? (m, offset, out) => pyradiomicsGlcmFeatures(m, offset, ng, g.presentLevels, g.maxLevel, symmetric, out)
      : (m, offset, out) => ibsiGlcmFeatures(m, offset, ng, out),
  );
  return named(values, py ? GLCM_PYRADIOMICS : GLCM_IBSI);
}

function glrlm(g: TextureGrid, aggregation: TextureAggregation, py: boolean, norm: WeightingNorm): FeatureValues {
  const dirs3D = py ? pyradiomicsAngles(g.roiSize, [1], false) : ibsiDirections(false, 1);
  const dirs2D = py ? pyradiomicsAngles(g.roiSize, [1], true) : ibsiDirections(true, 1);
  const ng = g.nLevels;
  const width = runWidth(g);
  const block = ng * width;
  const eps = py ? EPS : 0;
  const values = aggregateDirectional(
    g,
    aggregation,
    dirs3D,
    dirs2D,
    directionWeights(dirs3D, g, norm, false),
    directionWeights(dirs2D, g, norm, false),
    block,
    SM_SIZE,
    (dirs, zFrom, zTo, out) => {
      const r = { m: out, nDir: dirs.length, width };
      countRuns(g, dirs, zFrom, zTo, r);
    },
    (m, offset, out) => runFeatures(m, offset, ng, width, eps, out),
  );
  return named(values, py ? GLRLM_PYRADIOMICS : GLRLM_IBSI);
}
