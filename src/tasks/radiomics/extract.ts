/**
 * extractRadiomics: PyRadiomics-compatible (default) or IBSI-mode radiomics of one ROI.
 *
 * PyRadiomics mode follows featureextractor.py: label mask → (normalise) → (resample) → mask
 * checks → shape on the (non re-segmented) mask → re-segmentation → for each image type
 * (Original, LoG sigmas, Wavelet sub-bands) first-order and texture classes, keyed
 * `<imageType>_<class>_<Feature>` (e.g. `original_glcm_Contrast`).
 *
 * IBSI mode follows IBSI chapter 2 (interpolation with centre-aligned grids, rounding,
 * partial-volume ROI threshold, range and outlier re-segmentation, FBS/FBN discretisation) and
 * returns chapter 3 features keyed `<family>.<IBSI code>` (texture: `<family>.<aggregation>.<code>`).
 *
 * Bad input: EMPTY_MASK (label absent), GRID_MISMATCH (mask on another grid, unless correctMask),
 * ROI_TOO_SMALL (one voxel, too few dimensions or voxels, as PyRadiomics's checkMask),
 * INVALID_VOLUME for NaN/infinite voxels inside the ROI (PyRadiomics would return NaN features).
 */
import { MedImgError } from '../../core/errors.js';
import { worldToIndexFn } from '../../core/geometry.js';
import { throwIfAborted, yieldToEventLoop } from '../../core/progress.js';
import { type Mask, type Vec3, type Volume, sameGrid, validateVolume } from '../../core/volume.js';
import { VERSION } from '../../version.js';
import type { TaskProvenance, TaskResult } from '../contract.js';
import { type Diagnostics, imageDiagnostics, maskDiagnostics, versionDiagnostics } from './diagnostics.js';
import { discretiseFbn, discretiseFbs, discretisePyradiomics } from './discretise.js';
import { laplacianOfGaussian, logImageName, waveletDecompositions } from './filters.js';
import { firstOrderFeatures } from './firstorder.js';
import {
  intensityHistogram,
  intensityStatistics,
  intensityVolumeHistogram,
  localIntensityPeaks,
} from './ibsi-intensity.js';
import { morphologyFeatures } from './morphology.js';
import {
  checkRoi,
  ibsiGrid,
  interpolatorFromName,
  normalizeImage,
  pyradiomicsGrid,
  resegment,
  roundHalfEven,
  sampleGrid,
  thresholdMask,
} from './preprocess.js';
import { type BBox, boundingBox, boxDims, boxMask, cropArray } from './roi.js';
import {
  ALL_FEATURE_CLASSES,
  type FeatureClass,
  PYRADIOMICS_DEFAULTS,
  type RadiomicsSettings,
  parseParameterFile,
} from './settings.js';
import { shape2DFeatures, shapeFeatures } from './shape.js';
import {
  type DiscretisedImage,
  type TextureAggregation,
  type TextureFamily,
  computeTextureFeatures,
} from './texture/index.js';

/** Provenance of a radiomics result. */
export interface RadiomicsProvenance extends TaskProvenance {
  task: 'extractRadiomics';
  /** Which definitions the features follow. */
  mode: 'pyradiomics' | 'ibsi';
}

/** Result of {@link extractRadiomics}. */
export interface ExtractRadiomicsResult extends TaskResult<RadiomicsProvenance> {
  features: Record<string, number>;
  diagnostics: Diagnostics;
  /** Feature groups that could not be computed here (e.g. a texture family not available), with reasons. */
  unavailable: string[];
}

/** @deprecated Use {@link ExtractRadiomicsResult}; this alias goes in the next minor version. */
export type RadiomicsResult = ExtractRadiomicsResult;

/** Options of {@link extractRadiomics}: PyRadiomics settings plus `signal` and `onProgress`. */
export type ExtractRadiomicsOptions = RadiomicsSettings;

const TEXTURE_CLASSES: FeatureClass[] = ['glcm', 'glrlm', 'glszm', 'gldm', 'ngtdm'];

/**
 * Extracts radiomics features of the ROI `mask == label` in `image`.
 *
 * Guide: [method and validation](../../../docs/tasks/radiomics.md).
 *
 * @param settings PyRadiomics settings, or the text of a PyRadiomics parameter file (YAML/JSON).
 *
 * @example
 * ```ts
 * import { extractRadiomics, readNifti } from 'medimg';
 * const image = await readNifti('ct.nii.gz');
 * const roi = await readNifti('tumour.nii.gz');
 * const r = await extractRadiomics(image, roi, { binWidth: 25, featureClass: { firstorder: null, shape: null, glcm: null } });
 * console.log(r.features['original_firstorder_Mean']);
 * ```
 */
export async function extractRadiomics(
  image: Volume,
  mask: Mask | Volume,
  settings: ExtractRadiomicsOptions | string = {},
): Promise<ExtractRadiomicsResult> {
  const s: RadiomicsSettings = typeof settings === 'string' ? parseParameterFile(settings) : settings;
  validateVolume(image, 'image');
  validateVolume(mask, 'mask');
  const label = s.label ?? PYRADIOMICS_DEFAULTS.label;
  let roi: Uint8Array = new Uint8Array(mask.data.length);
  let any = false;
  for (let i = 0; i < roi.length; i++)
    if (mask.data[i] === label) {
      roi[i] = 1;
      any = true;
    }
  if (!any) throw new MedImgError('EMPTY_MASK', `The mask has no voxel with label ${label}.`, { details: { label } });
  if (!sameGrid(image, mask, s.geometryTolerance ?? PYRADIOMICS_DEFAULTS.geometryTolerance)) {
    if (!s.correctMask)
      throw new MedImgError(
        'GRID_MISMATCH',
        `The mask is not on the image grid (image ${image.dims.join('x')}, mask ${mask.dims.join('x')}); resample it or set correctMask.`,
      );
    roi = resampleMaskOnto(roi, mask, image);
    if (!roi.some((v) => v)) throw new MedImgError('EMPTY_MASK', 'The corrected mask has no voxel inside the image.');
  }
  let nonFinite = 0;
  for (let i = 0; i < roi.length; i++) if (roi[i] && !Number.isFinite(image.data[i]!)) nonFinite++;
  if (nonFinite > 0)
    throw new MedImgError('INVALID_VOLUME', `The image has ${nonFinite} NaN or infinite voxel(s) inside the ROI.`, {
      details: { nonFiniteVoxels: nonFinite },
    });
  return s.mode === 'ibsi' ? extractIbsi(image, roi, s) : extractPyradiomics(image, roi, s);
}

function resampleMaskOnto(roi: Uint8Array, mask: Volume, image: Volume): Uint8Array {
  const out = new Uint8Array(image.data.length);
  const toMask = worldToIndexFn(mask);
  const [nx, ny, nz] = image.dims;
  const [mx, my, mz] = mask.dims;
  const d = image.direction;
  const sp = image.spacing;
  let i = 0;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) {
        const w: Vec3 = [0, 0, 0];
        for (let r = 0; r < 3; r++)
          w[r] = image.origin[r]! + d[3 * r]! * sp[0] * x + d[3 * r + 1]! * sp[1] * y + d[3 * r + 2]! * sp[2] * z;
        const [a, b, c] = toMask(w);
        const ia = Math.round(a);
        const ib = Math.round(b);
        const ic = Math.round(c);
        if (ia < 0 || ib < 0 || ic < 0 || ia >= mx || ib >= my || ic >= mz) continue;
        out[i] = roi[ia + mx * (ib + my * ic)]!;
      }
  return out;
}

function countOf(m: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < m.length; i++) n += m[i]!;
  return n;
}

function valuesIn(data: ArrayLike<number>, m: Uint8Array): Float64Array {
  const out = new Float64Array(countOf(m));
  let k = 0;
  for (let i = 0; i < m.length; i++) if (m[i]) out[k++] = data[i]!;
  return out;
}

/** Discretised texture input on the ROI bounding box. */
function texInput(
  levelsFull: Int32Array,
  dims: Vec3,
  spacing: Vec3,
  bb: BBox,
  nLevels: number,
  morph?: Uint8Array,
): DiscretisedImage {
  const img: DiscretisedImage = { levels: cropArray(levelsFull, dims, bb), dims: boxDims(bb), spacing, nLevels };
  if (morph) img.morphMask = cropArray(morph, dims, bb);
  return img;
}

// ------------------------------------------------------------------ PyRadiomics mode

async function extractPyradiomics(
  image: Volume,
  roiIn: Uint8Array,
  s: RadiomicsSettings,
): Promise<ExtractRadiomicsResult> {
  const t0 = performance.now();
  const timings: Record<string, number> = {};
  const unavailable: string[] = [];
  const lap = (k: string, since: number) => {
    timings[k] = (timings[k] ?? 0) + performance.now() - since;
  };
  const classes: Partial<Record<FeatureClass, string[] | null>> =
    s.featureClass ?? Object.fromEntries(ALL_FEATURE_CLASSES.filter((c) => c !== 'shape2D').map((c) => [c, null]));
  const imageTypes = s.imageType ?? { Original: {} };
  const diagnostics: Diagnostics = versionDiagnostics(sanitize(s), Object.keys(imageTypes));
  let data: ArrayLike<number> = image.data;
  let dims: Vec3 = [...image.dims];
  let spacing: Vec3 = [...image.spacing];
  let roi = roiIn;
  Object.assign(
    diagnostics,
    await imageDiagnostics('original', image.data as never, dims, spacing, s.diagnosticsHashes ?? true),
  );
  let bb = boundingBox(roi, dims)!;
  Object.assign(
    diagnostics,
    await maskDiagnostics('original', roi, dims, spacing, bb, null, s.diagnosticsHashes ?? true),
  );
  if (s.normalize) data = normalizeImage(data, s.normalizeScale ?? 1, s.removeOutliers ?? null);
  throwIfAborted(s.signal);
  if (s.resampledPixelSpacing) {
    const t = performance.now();
    const g = pyradiomicsGrid(
      dims,
      spacing,
      s.resampledPixelSpacing,
      bb,
      s.padDistance ?? PYRADIOMICS_DEFAULTS.padDistance,
    );
    const method = interpolatorFromName(s.interpolator);
    data = itkCast(sampleGrid(data, dims, g.start, g.step, g.size, method), image.data, dims, g);
    const m = sampleGrid(roi, dims, g.start, g.step, g.size, 'nearest');
    roi = new Uint8Array(m.length);
    for (let i = 0; i < m.length; i++) roi[i] = m[i]! >= 0.5 ? 1 : 0;
    dims = g.size;
    spacing = g.spacing;
    bb = boundingBox(roi, dims) ?? bb;
    if (!roi.some((v) => v)) throw new MedImgError('EMPTY_MASK', 'The ROI vanished after resampling.');
    Object.assign(diagnostics, await imageDiagnostics('interpolated', Float64Array.from(data), dims, spacing, false));
    Object.assign(diagnostics, await maskDiagnostics('interpolated', roi, dims, spacing, bb, data, false));
    lap('resample', t);
  }
  checkRoi(bb, countOf(roi), s.minimumROIDimensions ?? PYRADIOMICS_DEFAULTS.minimumROIDimensions, s.minimumROISize);
  // crop to bbox + padDistance (PyRadiomics preCrop), keeps filters' context
  const pad = s.padDistance ?? PYRADIOMICS_DEFAULTS.padDistance;
  const cb: BBox = [
    Math.max(0, bb[0] - pad),
    Math.min(dims[0] - 1, bb[1] + pad),
    Math.max(0, bb[2] - pad),
    Math.min(dims[1] - 1, bb[3] + pad),
    Math.max(0, bb[4] - pad),
    Math.min(dims[2] - 1, bb[5] + pad),
  ];
  const full = data instanceof Float64Array ? data : Float64Array.from(data);
  const cdata = cropArray(full, dims, cb);
  const croi = cropArray(roi, dims, cb);
  const cdims = boxDims(cb);
  const rbb = boundingBox(croi, cdims)!;
  const voxelVolume = spacing[0] * spacing[1] * spacing[2];
  const features: Record<string, number> = {};
  const pick = (prefix: string, cls: FeatureClass, vals: Record<string, number>) => {
    const only = classes[cls];
    for (const [k, v] of Object.entries(vals)) if (!only || only.includes(k)) features[`${prefix}_${cls}_${k}`] = v;
  };
  // shape on the mask before re-segmentation (unless resegmentShape)
  let fmask = croi;
  if (s.resegmentRange && s.resegmentRange.length > 0) {
    fmask = resegment(cdata, croi, { range: s.resegmentRange, mode: s.resegmentMode ?? 'absolute' });
    const n = countOf(fmask);
    if (n <= 1)
      throw new MedImgError('ROI_TOO_SMALL', `Re-segmentation left ${n} voxel(s); features cannot be extracted.`, {
        details: { voxels: n },
      });
    const fbb = boundingBox(fmask, cdims)!;
    Object.assign(diagnostics, await maskDiagnostics('resegmented', fmask, cdims, spacing, fbb, cdata, false));
  }
  const shapeMask = s.resegmentShape ? fmask : croi;
  if ('shape' in classes) {
    const t = performance.now();
    const sbb = boundingBox(shapeMask, cdims)!;
    pick(
      'original',
      'shape',
      shapeFeatures(boxMask(shapeMask, cdims, spacing, sbb), { includeDeprecated: s.includeDeprecated }),
    );
    lap('shape', t);
  }
  if ('shape2D' in classes) {
    const t = performance.now();
    const r = shape2D(shapeMask, cdims, spacing, s);
    if (typeof r === 'string') unavailable.push(`shape2D: ${r}`);
    else pick('original', 'shape2D', r);
    lap('shape2D', t);
  }
  s.onProgress?.({ stage: 'radiomics', fraction: 0.1 });
  await yieldToEventLoop();
  // image types
  const jobs: { name: string; make: () => Float64Array }[] = [];
  if (imageTypes.Original) jobs.push({ name: 'original', make: () => cdata });
  if (imageTypes.LoG) {
    const sig = imageTypes.LoG.sigma ?? [];
    for (const sg of sig) {
      if (!(sg > 0)) continue;
      if (Math.min(...cdims) < 4 || !cdims.every((d, a) => d >= Math.ceil(sg / spacing[a]!) + 1)) {
        unavailable.push(`${logImageName(sg)}: image too small for sigma ${sg}`);
        continue;
      }
      jobs.push({
        name: logImageName(sg),
        make: () => {
          // PyRadiomics filters the whole (or resampled) image: the recursive filter's response
          // decays as exp(-1.37 k/sigma), so 10 sigma of context is exact to ~1e-6
          const lb: BBox = [0, 0, 0, 0, 0, 0];
          for (let a = 0; a < 3; a++) {
            const m = Math.max(pad, Math.ceil((10 * sg) / spacing[a]!) + 1);
            lb[2 * a] = Math.max(0, bb[2 * a]! - m);
            lb[2 * a + 1] = Math.min(dims[a]! - 1, bb[2 * a + 1]! + m);
          }
          const ldims = boxDims(lb);
          const log = laplacianOfGaussian(cropArray(full, dims, lb), ldims, spacing, sg);
          const back: BBox = [cb[0] - lb[0], cb[1] - lb[0], cb[2] - lb[2], cb[3] - lb[2], cb[4] - lb[4], cb[5] - lb[4]];
          return cropArray(log, ldims, back);
        },
      });
    }
  }
  let waveletBands: Map<string, Float64Array> | null = null;
  if (imageTypes.Wavelet) {
    const names = ['LLH', 'LHL', 'LHH', 'HLL', 'HLH', 'HHL', 'HHH', 'LLL'];
    for (const nm of names)
      jobs.push({
        name: `wavelet-${nm}`,
        make: () => {
          if (!waveletBands) {
            // PyRadiomics's swtn wraps around the whole image: where the padded box reaches an image
            // border, take that whole axis so the periodic extension is the same
            const wo = imageTypes.Wavelet ?? {};
            const wm = Math.max(pad, 3 * 2 ** ((wo.start_level ?? 0) + (wo.level ?? 1)) + 2);
            const wb: BBox = [0, 0, 0, 0, 0, 0];
            for (let a = 0; a < 3; a++) {
              const lo = bb[2 * a]! - wm;
              const hi = bb[2 * a + 1]! + wm;
              const whole = lo <= 0 || hi >= dims[a]! - 1;
              wb[2 * a] = whole ? 0 : lo;
              wb[2 * a + 1] = whole ? dims[a]! - 1 : hi;
            }
            const wdims = boxDims(wb);
            const bands = waveletDecompositions(cropArray(full, dims, wb), wdims, wo);
            const back: BBox = [
              cb[0] - wb[0],
              cb[1] - wb[0],
              cb[2] - wb[2],
              cb[3] - wb[2],
              cb[4] - wb[4],
              cb[5] - wb[4],
            ];
            waveletBands = new Map([...bands].map(([k, v]) => [k, cropArray(v, wdims, back)]));
          }
          return waveletBands.get(nm)!;
        },
      });
  }
  const fo = 'firstorder' in classes;
  const tex = TEXTURE_CLASSES.filter((c) => c in classes);
  const distances = s.distances ?? [...PYRADIOMICS_DEFAULTS.distances];
  for (let j = 0; j < jobs.length; j++) {
    throwIfAborted(s.signal);
    const job = jobs[j]!;
    let t = performance.now();
    const img = job.make();
    lap('filters', t);
    const vals = valuesIn(img, fmask);
    if (fo) {
      t = performance.now();
      pick(
        job.name,
        'firstorder',
        firstOrderFeatures(vals, {
          binWidth: s.binWidth ?? PYRADIOMICS_DEFAULTS.binWidth,
          binCount: s.binCount ?? null,
          voxelArrayShift: s.voxelArrayShift ?? 0,
          voxelVolume,
          includeDeprecated: s.includeDeprecated,
        }),
      );
      lap('firstorder', t);
    }
    if (tex.length) {
      t = performance.now();
      const d = discretisePyradiomics(vals, {
        binWidth: s.binWidth ?? PYRADIOMICS_DEFAULTS.binWidth,
        binCount: s.binCount ?? null,
      });
      const full = new Int32Array(fmask.length);
      let k = 0;
      for (let i = 0; i < fmask.length; i++) if (fmask[i]) full[i] = d.levels[k++]!;
      const tin = texInput(full, cdims, spacing, rbb, d.nLevels);
      lap('discretise', t);
      for (const cls of tex) {
        t = performance.now();
        const family = cls as TextureFamily;
        const agg: TextureAggregation = s.force2D
          ? cls === 'glcm' || cls === 'glrlm'
            ? '2.5D_dmrg'
            : '2.5D'
          : cls === 'glcm' || cls === 'glrlm'
            ? '3D_avg'
            : '3D';
        const r = computeTextureFeatures(tin, family, agg, {
          distance: distances[0] ?? 1,
          distances,
          alpha: s.gldm_a ?? 0,
          symmetric: s.symmetricalGLCM ?? true,
          convention: 'pyradiomics',
          ...(s.weightingNorm ? { weightingNorm: s.weightingNorm } : {}),
        });
        pick(job.name, cls, r);
        lap(cls, t);
      }
    }
    s.onProgress?.({
      stage: 'radiomics',
      fraction: 0.1 + (0.9 * (j + 1)) / jobs.length,
      done: j + 1,
      total: jobs.length,
    });
    if (jobs.length > 1) await yieldToEventLoop();
  }
  timings.total = performance.now() - t0;
  return {
    features,
    diagnostics,
    provenance: {
      version: VERSION,
      task: 'extractRadiomics',
      backend: 'cpu-js',
      model: null,
      mode: 'pyradiomics',
      settings: sanitize(s),
      timingsMs: timings,
      warnings: [],
    },
    limitations: [],
    unavailable,
  };
}

/**
 * What SimpleITK's ResampleImageFilter does after interpolating: points outside the input buffer
 * (continuous index beyond [-0.5, n - 0.5]) get the default value 0, and an integer output pixel
 * type (PyRadiomics keeps the input's) clamps to its range and truncates toward zero.
 */
function itkCast(
  out: Float64Array,
  src: ArrayLike<number>,
  dims: Vec3,
  g: { start: Vec3; step: Vec3; size: Vec3 },
): Float64Array {
  const [sx, sy, sz] = g.size;
  const inside = [0, 1, 2].map((a) => {
    const f = new Uint8Array(g.size[a]!);
    for (let j = 0; j < f.length; j++) {
      const p = g.start[a]! + j * g.step[a]!;
      f[j] = p >= -0.5 && p <= dims[a]! - 0.5 ? 1 : 0;
    }
    return f;
  });
  const range: Record<string, [number, number]> = {
    Int8Array: [-128, 127],
    Uint8Array: [0, 255],
    Int16Array: [-32768, 32767],
    Uint16Array: [0, 65535],
    Int32Array: [-2147483648, 2147483647],
    Uint32Array: [0, 4294967295],
  };
  const r = range[(src as object).constructor.name];
  let i = 0;
  for (let z = 0; z < sz; z++)
    for (let y = 0; y < sy; y++)
      for (let x = 0; x < sx; x++, i++) {
        if (!(inside[0]![x] && inside[1]![y] && inside[2]![z])) {
          out[i] = 0;
          continue;
        }
        if (r) {
          const v = out[i]!;
          out[i] = v <= r[0] ? r[0] : v >= r[1] ? r[1] : Math.trunc(v);
        }
      }
  return out;
}

function shape2D(m: Uint8Array, dims: Vec3, spacing: Vec3, s: RadiomicsSettings): Record<string, number> | string {
  if (!s.force2D) return 'force2D must be true for shape2D';
  const ax = s.force2Ddimension ?? 0;
  // force2Ddimension 0 = z (axial), 1 = y, 2 = x (PyRadiomics numpy order)
  const axis = 2 - ax;
  const bb = boundingBox(m, dims)!;
  if (bb[2 * axis + 1]! !== bb[2 * axis]!) return 'the ROI spans more than one slice along force2Ddimension';
  const [u, v] = axis === 2 ? [0, 1] : axis === 1 ? [0, 2] : [1, 2];
  const du = dims[u]!;
  const dv = dims[v]!;
  const sl = new Uint8Array(du * dv);
  const c = bb[2 * axis]!;
  for (let j = 0; j < dv; j++)
    for (let i = 0; i < du; i++) {
      const p: number[] = [0, 0, 0];
      p[u] = i;
      p[v] = j;
      p[axis] = c;
      sl[i + du * j] = m[p[0]! + dims[0] * (p[1]! + dims[1] * p[2]!)]!;
    }
  return shape2DFeatures(sl, du, dv, spacing[u]!, spacing[v]!, { includeDeprecated: s.includeDeprecated });
}

function sanitize(s: RadiomicsSettings): Record<string, unknown> {
  const { signal: _s, onProgress: _p, ...rest } = s;
  return JSON.parse(
    JSON.stringify(rest, (_k, v) =>
      v === Number.POSITIVE_INFINITY ? 'Infinity' : v === Number.NEGATIVE_INFINITY ? '-Infinity' : v,
    ),
  );
}

// ------------------------------------------------------------------ IBSI mode

const IBSI_TEXTURE: ('glcm' | 'glrlm' | 'glszm' | 'gldzm' | 'ngtdm' | 'ngldm')[] = [
  'glcm',
  'glrlm',
  'glszm',
  'gldzm',
  'ngtdm',
  'ngldm',
];

async function extractIbsi(image: Volume, roiIn: Uint8Array, s: RadiomicsSettings): Promise<ExtractRadiomicsResult> {
  const t0 = performance.now();
  const o = s.ibsi ?? {};
  const timings: Record<string, number> = {};
  const unavailable: string[] = [];
  const diagnostics: Diagnostics = versionDiagnostics(sanitize(s), ['Original']);
  let dims: Vec3 = [...image.dims];
  let spacing: Vec3 = [...image.spacing];
  let data: Float64Array = Float64Array.from(image.data as ArrayLike<number>);
  let morph = roiIn;
  Object.assign(diagnostics, await imageDiagnostics('original', image.data as never, dims, spacing, true));
  Object.assign(
    diagnostics,
    await maskDiagnostics('original', morph, dims, spacing, boundingBox(morph, dims)!, data, true),
  );
  if (o.resampledSpacing) {
    const t = performance.now();
    const g = ibsiGrid(dims, spacing, o.resampledSpacing);
    data = sampleGrid(data, dims, g.start, g.step, g.size, o.interpolator ?? 'linear');
    const m = sampleGrid(morph, dims, g.start, g.step, g.size, 'linear');
    morph = thresholdMask(m, o.maskThreshold ?? 0.5);
    spacing = spacing.map((sp, a) => sp * g.step[a]!) as Vec3;
    dims = g.size;
    timings.interpolate = performance.now() - t;
  }
  if (o.roundIntensities) roundHalfEven(data);
  if (!morph.some((v) => v)) throw new MedImgError('EMPTY_MASK', 'The ROI vanished after interpolation.');
  const intensity = resegment(data, morph, { range: o.resegmentRange ?? null, outlierSigma: o.outlierSigma ?? null });
  const nInt = countOf(intensity);
  if (nInt < 1) throw new MedImgError('ROI_TOO_SMALL', 'Re-segmentation removed every ROI voxel.');
  const bb = boundingBox(morph, dims)!;
  Object.assign(diagnostics, await imageDiagnostics('interpolated', data, dims, spacing, false));
  Object.assign(diagnostics, await maskDiagnostics('interpolated', morph, dims, spacing, bb, data, false));
  Object.assign(
    diagnostics,
    await maskDiagnostics('resegmented', intensity, dims, spacing, boundingBox(intensity, dims)!, data, false),
  );
  throwIfAborted(s.signal);
  const features: Record<string, number> = {};
  const put = (family: string, vals: Record<string, number>) => {
    for (const [k, v] of Object.entries(vals)) features[`${family}.${k}`] = v;
  };
  let t = performance.now();
  const bm = boxMask(morph, dims, spacing, bb);
  put(
    'morphology',
    morphologyFeatures({
      morph: bm,
      intensityMask: cropArray(intensity, dims, bb),
      image: cropArray(data, dims, bb),
      skipAutocorrelation: o.skipAutocorrelation ?? false,
    }),
  );
  timings.morphology = performance.now() - t;
  s.onProgress?.({ stage: 'radiomics', fraction: 0.3 });
  await yieldToEventLoop();
  throwIfAborted(s.signal);
  t = performance.now();
  put('local_intensity', localIntensityPeaks(data, intensity, dims, spacing));
  timings.local_intensity = performance.now() - t;
  const vals = valuesIn(data, intensity);
  put('intensity_statistics', intensityStatistics(vals));
  // default: the PyRadiomics-style settings (binCount → FBN, else FBS with binWidth, 25)
  const disc =
    o.discretisation ??
    (s.binCount != null
      ? { method: 'FBN' as const, value: s.binCount }
      : { method: 'FBS' as const, value: s.binWidth ?? 25 });
  const lower = o.resegmentRange && Number.isFinite(o.resegmentRange[0]) ? o.resegmentRange[0] : undefined;
  const d = disc.method === 'FBS' ? discretiseFbs(vals, disc.value, lower) : discretiseFbn(vals, disc.value);
  put('intensity_histogram', intensityHistogram(d.levels, d.nLevels));
  const ivh = o.ivhDiscretisation ?? { method: 'none' };
  const range =
    o.resegmentRange && Number.isFinite(o.resegmentRange[0]) && Number.isFinite(o.resegmentRange[1])
      ? ([o.resegmentRange[0], o.resegmentRange[1]] as [number, number])
      : undefined;
  put(
    'intensity_volume_histogram',
    intensityVolumeHistogram(vals, {
      method: ivh.method,
      ...(ivh.value !== undefined ? { value: ivh.value } : {}),
      ...(lower !== undefined ? { min: lower } : {}),
      ...(range && ivh.method !== 'FBN' ? { range } : {}),
    }),
  );
  s.onProgress?.({ stage: 'radiomics', fraction: 0.4 });
  // texture
  const full = new Int32Array(intensity.length);
  let k = 0;
  for (let i = 0; i < intensity.length; i++) if (intensity[i]) full[i] = d.levels[k++]!;
  const tin = texInput(full, dims, spacing, bb, d.nLevels, morph);
  const aggs = o.aggregations ?? ['3D_avg', '3D_mrg', '3D'];
  const fams = o.textureFamilies ?? IBSI_TEXTURE;
  for (let f = 0; f < fams.length; f++) {
    const fam = fams[f]!;
    const own =
      fam === 'glcm' || fam === 'glrlm' ? aggs.filter((a) => a.includes('_')) : aggs.filter((a) => !a.includes('_'));
    for (const agg of own) {
      throwIfAborted(s.signal);
      t = performance.now();
      put(
        `${fam}.${agg}`,
        computeTextureFeatures(tin, fam, agg, { distance: 1, alpha: 0, symmetric: true, convention: 'ibsi' }),
      );
      timings[fam] = (timings[fam] ?? 0) + performance.now() - t;
    }
    s.onProgress?.({ stage: 'radiomics', fraction: 0.4 + (0.6 * (f + 1)) / fams.length });
    await yieldToEventLoop();
  }
  timings.total = performance.now() - t0;
  return {
    features,
    diagnostics,
    provenance: {
      version: VERSION,
      task: 'extractRadiomics',
      backend: 'cpu-js',
      model: null,
      mode: 'ibsi',
      settings: sanitize(s),
      timingsMs: timings,
      warnings: [],
    },
    limitations: [],
    unavailable,
  };
}
