/**
 * Radiomics settings: PyRadiomics's setting names and defaults, IBSI-mode options, and parsing
 * of a PyRadiomics parameter file (YAML or JSON) with its `imageType`, `featureClass` and
 * `setting` sections. YAML is read by the `yaml` package as YAML 1.1 (as PyYAML does); bad
 * syntax is an INVALID_ARGUMENT with the line number.
 */
import { parse as parseYaml, YAMLError } from 'yaml';
import { MedImgError } from '../../core/errors.js';
import type { LongRunOptions } from '../../core/progress.js';
import type { TextureAggregation } from './texture/index.js';

/** PyRadiomics feature classes. */
export type FeatureClass = 'firstorder' | 'shape' | 'shape2D' | 'glcm' | 'glrlm' | 'glszm' | 'gldm' | 'ngtdm';

export const ALL_FEATURE_CLASSES: FeatureClass[] = [
  'firstorder',
  'shape',
  'glcm',
  'glrlm',
  'glszm',
  'gldm',
  'ngtdm',
  'shape2D',
];

/** Image types (filters). Keys as in PyRadiomics's `imageType` section. */
export interface ImageTypes {
  Original?: Record<string, unknown>;
  /** Laplacian of Gaussian; `sigma` in mm (required, as PyRadiomics). */
  LoG?: { sigma: number[] };
  /** Stationary wavelet; defaults wavelet 'coif1', start_level 0, level 1. */
  Wavelet?: { wavelet?: string; start_level?: number; level?: number };
}

/** IBSI-mode options (chapter 2 processing and chapter 3 features). */
export interface IbsiSettings {
  /** New voxel spacing in mm; 0 or undefined in an axis keeps it (e.g. [2, 2, 0] = in-plane, config B). */
  resampledSpacing?: [number, number, number] | null;
  /** Image interpolator. Default 'linear'. */
  interpolator?: 'linear' | 'bspline' | 'nearest';
  /** ROI partial-volume threshold after (linear) mask interpolation. Default 0.5. */
  maskThreshold?: number;
  /** Round intensities to integers after interpolation (CT). Default false. */
  roundIntensities?: boolean;
  /** Re-segmentation range [lower, upper]; use Infinity for an open bound. */
  resegmentRange?: [number, number] | null;
  /** Outlier re-segmentation: mean ± k·sd. */
  outlierSigma?: number | null;
  /** Discretisation for texture and the intensity histogram. Default FBN `binCount` when set, else FBS `binWidth` (25). */
  discretisation?: { method: 'FBS' | 'FBN'; value: number };
  /** Discretisation of the intensity-volume histogram. Default { method: 'none' }. */
  ivhDiscretisation?: { method: 'none' | 'FBS' | 'FBN'; value?: number };
  /** Texture aggregation methods; default all 3D ones ('3D_avg', '3D_mrg', '3D'). */
  aggregations?: TextureAggregation[];
  /** Texture families. Default all IBSI ones. */
  textureFamilies?: ('glcm' | 'glrlm' | 'glszm' | 'gldzm' | 'ngtdm' | 'ngldm')[];
  /** Skip Moran's I / Geary's C (O(N²) in the ROI size). Default false. */
  skipAutocorrelation?: boolean;
}

/** Settings of extractRadiomics. Names and defaults are PyRadiomics's unless stated. */
export interface RadiomicsSettings extends LongRunOptions {
  /** 'pyradiomics' (default) or 'ibsi'. */
  mode?: 'pyradiomics' | 'ibsi';
  /** Fixed bin width. Default 25. */
  binWidth?: number;
  /** Fixed bin count (overrides binWidth). Default none. */
  binCount?: number | null;
  /** Shift added in Energy/TotalEnergy/RMS. Default 0. */
  voxelArrayShift?: number;
  /** Mask label. Default 1. */
  label?: number;
  /** Normalise the whole image (z-score). Default false. */
  normalize?: boolean;
  /** Default 1. */
  normalizeScale?: number;
  /** Clip normalised values at ±n sd. Default none. */
  removeOutliers?: number | null;
  /** Resample to this spacing (mm); 0 keeps an axis. Default none. */
  resampledPixelSpacing?: [number, number, number] | null;
  /** 'sitkBSpline' (default), 'sitkLinear', 'sitkNearestNeighbor'. */
  interpolator?: string;
  /** Padding (new voxels) around the ROI when resampling / cropping for filters. Default 5. */
  padDistance?: number;
  /** Re-segmentation thresholds (1 or 2 values). Default none. */
  resegmentRange?: number[] | null;
  /** 'absolute' (default), 'relative', 'sigma'. */
  resegmentMode?: 'absolute' | 'relative' | 'sigma';
  /** Use the re-segmented mask for shape too. Default false. */
  resegmentShape?: boolean;
  /** Texture per slice. Default false. */
  force2D?: boolean;
  /** Axis of the slices for force2D (0 = axial z, 1 = coronal y, 2 = sagittal x). Default 0. */
  force2Ddimension?: number;
  /** Neighbour distances. Default [1]. */
  distances?: number[];
  /** Default true. */
  symmetricalGLCM?: boolean;
  /** Default none. */
  weightingNorm?: 'manhattan' | 'euclidean' | 'infinity' | 'no_weighting' | null;
  /** GLDM coarseness. Default 0. */
  gldm_a?: number;
  /** Default 2 (PyRadiomics checkMask). */
  minimumROIDimensions?: number;
  /** Default none. */
  minimumROISize?: number | null;
  /** Resample a mask on another grid onto the image grid (nearest). Default false. */
  correctMask?: boolean;
  /** Grid comparison tolerance. Default 1e-4 (relative for origin). */
  geometryTolerance?: number;
  /** sha256 of the image and mask in the diagnostics (a whole-image pass). Default true. */
  diagnosticsHashes?: boolean;
  /** Include deprecated features (firstorder StandardDeviation, shape Compactness1/2...). Default false. */
  includeDeprecated?: boolean;
  /** Image types (filters). Default { Original: {} }. */
  imageType?: ImageTypes;
  /** Feature classes → feature names (empty/null = all). Default all classes except shape2D. */
  featureClass?: Partial<Record<FeatureClass, string[] | null>>;
  /** IBSI-mode options. */
  ibsi?: IbsiSettings;
}

/** PyRadiomics defaults (the values `extractRadiomics` uses when a setting is absent). */
export const PYRADIOMICS_DEFAULTS = {
  binWidth: 25,
  voxelArrayShift: 0,
  label: 1,
  normalize: false,
  normalizeScale: 1,
  interpolator: 'sitkBSpline',
  padDistance: 5,
  resegmentMode: 'absolute',
  force2D: false,
  force2Ddimension: 0,
  distances: [1],
  symmetricalGLCM: true,
  gldm_a: 0,
  minimumROIDimensions: 2,
  correctMask: false,
  geometryTolerance: 1e-4,
} as const;

/**
 * Parses a PyRadiomics parameter file (YAML or JSON text) into settings.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { extractRadiomics, parseParameterFile } from 'medimg';
 * const settings = parseParameterFile(readFileSync('Params.yaml', 'utf8')); // a PyRadiomics parameter file
 * const r = await extractRadiomics(ct, mask, settings);
 * ```
 */
export function parseParameterFile(text: string): RadiomicsSettings {
  const trimmed = text.trim();
  let doc: unknown;
  if (trimmed.startsWith('{')) {
    try {
      doc = JSON.parse(trimmed);
    } catch (e) {
      throw new MedImgError('INVALID_ARGUMENT', 'Parameter file is not valid JSON.', { cause: e });
    }
  } else {
    doc = parseParameterYaml(text);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new MedImgError('INVALID_ARGUMENT', 'Parameter file must be a mapping with imageType/featureClass/setting.');
  const d = doc as Record<string, unknown>;
  const known = new Set(['imageType', 'featureClass', 'setting', 'voxelSetting']);
  for (const k of Object.keys(d))
    if (!known.has(k)) throw new MedImgError('INVALID_ARGUMENT', `Unknown parameter file section "${k}".`);
  const out: RadiomicsSettings = {};
  if (d.setting != null) {
    if (typeof d.setting !== 'object') throw new MedImgError('INVALID_ARGUMENT', '"setting" must be a mapping.');
    Object.assign(out, d.setting as Record<string, unknown>);
  }
  if (d.imageType != null) {
    const it: ImageTypes = {};
    for (const [k, v] of Object.entries(d.imageType as Record<string, unknown>)) {
      if (k !== 'Original' && k !== 'LoG' && k !== 'Wavelet')
        throw new MedImgError('INVALID_ARGUMENT', `Unsupported image type "${k}" (supported: Original, LoG, Wavelet).`);
      (it as Record<string, unknown>)[k] = v ?? {};
    }
    out.imageType = it;
  }
  if (d.featureClass != null) {
    const fc: Partial<Record<FeatureClass, string[] | null>> = {};
    for (const [k, v] of Object.entries(d.featureClass as Record<string, unknown>)) {
      if (!ALL_FEATURE_CLASSES.includes(k as FeatureClass))
        throw new MedImgError('INVALID_ARGUMENT', `Unknown feature class "${k}".`);
      fc[k as FeatureClass] = Array.isArray(v) && v.length > 0 ? (v as string[]) : null;
    }
    out.featureClass = fc;
  }
  return out;
}

// ---------------------------------------------------------------- YAML

/**
 * Parses parameter-file YAML with the `yaml` package (maintained, browser-safe) as YAML 1.1, the
 * version PyYAML reads (PyRadiomics loads its files with PyYAML). Syntax errors and documents
 * with more than one YAML document are INVALID_ARGUMENT with the line number.
 */
function parseParameterYaml(text: string): unknown {
  try {
    return parseYaml(text, { version: '1.1', uniqueKeys: true, maxAliasCount: 100 });
  } catch (e) {
    const line = e instanceof YAMLError && e.linePos ? `line ${e.linePos[0].line}: ` : '';
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new MedImgError('INVALID_ARGUMENT', `Parameter file ${line}${msg}`, { cause: e });
  }
}
