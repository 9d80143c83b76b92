import { assertArg, MedImgError } from '../../core/errors.js';
import { maskBoundingBox } from '../../core/ops/crop.js';
import { Stages } from '../../core/progress.js';
import type { Mask, Vec3, Volume } from '../../core/volume.js';
import type { TaskOptions, TaskResult } from '../contract.js';
import { assertCtHu, makeProvenance, round, StageTimer } from '../internal/common.js';
import type { Limitation } from '../internal/limitations.js';
import { type SegmentLungsResult, segmentLungs } from '../lung-segmentation/index.js';
import { lungPrefixStore, shareLungIntermediates } from '../lung-segmentation/shared.js';
import { detectBlobsMultiGrid, type LungCrop, mergeCandidates } from './candidates.js';
import type { LungRadsCategory, NoduleKind } from './lung-rads.js';
import type { ModelCache } from '../../backends/model-cache.js';
import type { BackendChoice } from '../../backends/types.js';
import type { TaskModel } from '../internal/model-task.js';
import {
  centreDistanceMm,
  DEFAULT_MIN_PROBABILITY,
  dropDuplicateNodules,
  type FindingRegions,
  examScope,
  measureSettled,
  noduleFromMeasure,
} from './finding.js';
import { detectNodulesWithModel } from './model.js';
import { noduleProbability, SCORE_WEIGHTS } from './score.js';

export type { LungCrop } from './candidates.js';
export { examLungRads, type LungRadsCategory, lungRadsCategory, type NoduleKind } from './lung-rads.js';

/** Lesion type: the attenuation class, or `mass` for a lesion longer than 30 mm (Fleischner glossary). */
export type LesionType = NoduleKind | 'mass';

export { LUNG_RADS_MAX_SLICE_MM, MASS_LONG_AXIS_MM } from './finding.js';

/** Options of {@link detectNodules}. */
export interface DetectNodulesOptions extends TaskOptions {
  /** Smallest nodule diameter searched, mm. Default 4. */
  minDiameterMm?: number;
  /** Largest blob diameter searched, mm (larger masses are still found at the largest scale). Default 80. */
  maxDiameterMm?: number;
  /** Number of LoG scales between the two (geometric). Default 10. */
  scales?: number;
  /** Nodules with a lower probability are left out. Default 0.5; use 0 to get every candidate (FROC). */
  minProbability?: number;
  /** At most this many candidates are analysed. Default 300. */
  maxCandidates?: number;
  /** A lung segmentation to reuse (from {@link segmentLungs}); computed when absent. */
  lungs?: SegmentLungsResult;
  /**
   * Closing radius (mm) of the lung mask searched, when it is computed here: large enough to pull
   * juxtapleural and juxtamediastinal masses into the search region. Default 30.
   */
  lungClosingRadiusMm?: number;
  /**
   * Closing radius (mm) of a second, wider lung mask searched at the large scales only, for masses
   * too large for the first closing to pull in (over about twice its radius, against the chest
   * wall or mediastinum); its findings of at least twice `lungClosingRadiusMm` are added. Default
   * 60; a value not above `lungClosingRadiusMm` turns it off. It also runs when `lungs` is given
   * (segmenting the lungs once more with this radius).
   */
  largeMassClosingRadiusMm?: number;
  /**
   * Assign Lung-RADS categories even on scans outside its scope (thick slices, contrast, partial
   * lung coverage); the `limitations` still say why they may not apply. Default false: on such
   * scans every `lungRads` is null and `lungRadsReason` says why.
   */
  lungRadsOnAnyScan?: boolean;
  /**
   * A detector (path, URL, bytes, `{ onnx, card }` or an open Session) whose card's output kind
   * is 'heatmap' or 'boxes': its findings replace the LoG candidates and are measured and
   * categorised as these are (see docs/models.md). Default none (the classical detector).
   */
  model?: TaskModel;
  /** Model mode: inference backend. Default 'auto'. */
  backend?: BackendChoice;
  /** Model mode: cache for URL models. Default none. */
  cache?: ModelCache | string;
}

/** One detected nodule. */
export interface DetectedNodule {
  /** Centre, LPS mm: the segmented nodule's centroid, or the blob centre when attached vessels pull the centroid away. */
  centerMm: Vec3;
  /** Centre as a (continuous) voxel index. */
  centerVoxel: Vec3;
  /** Mean diameter (long + short axis) / 2, mm: the Lung-RADS size. */
  diameterMm: number;
  /** Longest axial diameter, mm. */
  longAxisMm: number;
  /** Largest axial width perpendicular to the long axis, mm. */
  shortAxisMm: number;
  /** Mean diameter of the solid component, mm (0 for ground-glass). */
  solidDiameterMm: number;
  volumeMm3: number;
  /** `mass` when the long axis exceeds 30 mm, else the attenuation class. */
  type: LesionType;
  /** Attenuation class (also for masses): solid, part-solid or ground-glass. */
  attenuation: NoduleKind;
  /**
   * Detector confidence in [0, 1] that this is a nodule or mass (not a malignancy risk), calibrated
   * on real chest CTs held out per patient (see docs/tasks/detect-nodules.md).
   */
  probability: number;
  /**
   * Lung-RADS v2022 category from size and attenuation (see docs/tasks/detect-nodules.md); null when
   * the scan is outside Lung-RADS scope (see the result's `lungRadsReason`).
   */
  lungRads: LungRadsCategory | null;
  /** True when the lesion reaches the first or last slice or the image's side: it may continue outside the scan. */
  atScanEdge: boolean;
  /** Which lung the centre lies in. */
  lung: 'left' | 'right' | 'unknown';
  meanHU: number;
  /** Features behind the probability. */
  features: {
    response: number;
    contrastHU: number;
    blobness: number;
    compactness: number;
    leak: number;
    /** Fraction of the lesion's outer shell that is aerated lung. */
    lungContact: number;
    /** Fraction of the lesion's outer shell outside the lung mask (mediastinum, chest wall). */
    wallContact: number;
    scaleMm: number;
  };
}

/** Result of {@link detectNodules}. */
export interface DetectNodulesResult extends TaskResult {
  /** Nodules, most probable first. */
  nodules: DetectedNodule[];
  lungMask: Mask;
  lungVolumeMl: number;
  /**
   * Exam-level Lung-RADS: highest nodule category, '1' without nodules; '0' (incomplete) when the
   * lungs are cut off by the scan; null when the scan is not a screening CT (slices thicker than
   * 2.5 mm, contrast): then `lungRadsReason` says why, and an empty nodule list is NOT a negative exam.
   */
  lungRads: '0' | '1' | LungRadsCategory | null;
  /** Why `lungRads` is null or '0', else null. */
  lungRadsReason: string | null;
  /** Scan facts behind the limitations. */
  scan: {
    sliceThicknessMm: number;
    /** Mediastinal blood-pool HU (mode between the lungs); null when not measurable. */
    bloodHU: number | null;
    contrast: 'unenhanced' | 'enhanced' | 'unknown';
  };
  /** Why the result may not be comparable to the validated scope (empty when inside it). */
  limitations: Limitation[];
}

/** @deprecated Use {@link DetectNodulesResult}; this alias goes in the next minor version. */
export type NoduleResult = DetectNodulesResult;

const NODULE_STAGES = [
  ['lung segmentation', 25],
  ['candidates', 45],
  ['measurement', 15],
  ['large masses', 10],
  ['large-mass measurement', 5],
] as const;

/**
 * Detects lung nodules on a chest CT: lung segmentation, multi-scale scale-normalised LoG blob
 * candidates inside the lungs with Hessian blobness, cross-scale merging, local segmentation of
 * each candidate (size, type by HU), a logistic score from the features, and the Lung-RADS v2022
 * category from size and type. A second search on lungs closed with a wider radius reports masses of
 * 60 mm and more that lie against the chest wall or mediastinum (`largeMassClosingRadiusMm`).
 *
 * Guide: [method and validation](../../../docs/tasks/detect-nodules.md).
 *
 * @example
 * ```ts
 * import { detectNodules, readDicomSeries } from 'medimg';
 * const ct = await readDicomSeries('study/ct/');
 * const r = await detectNodules(ct, { minDiameterMm: 4, minProbability: 0.6, signal, onProgress: (e) => console.log(e.stage, e.fraction) });
 * for (const n of r.nodules) console.log(n.centerMm, n.diameterMm.toFixed(1), n.type, n.lungRads);
 * console.log('exam Lung-RADS', r.lungRads, r.limitations.map((l) => l.code));
 * ```
 */
export async function detectNodules(ct: Volume, options: DetectNodulesOptions = {}): Promise<DetectNodulesResult> {
  if (options.model !== undefined) return detectNodulesWithModel(ct, options);
  assertCtHu(ct, 'detectNodules');
  const timer = new StageTimer();
  const minD = options.minDiameterMm ?? 4;
  const maxD = options.maxDiameterMm ?? 80;
  const nScales = options.scales ?? 10;
  const minP = options.minProbability ?? DEFAULT_MIN_PROBABILITY;
  const maxCand = options.maxCandidates ?? 300;
  assertArg(
    minD > 0 && maxD > minD && nScales >= 1 && nScales <= 20,
    'Need 0 < minDiameterMm < maxDiameterMm and 1..20 scales.',
  );
  assertArg(minP >= 0 && minP <= 1, 'minProbability must be in [0, 1].');
  const stages = new Stages(options, NODULE_STAGES);
  await stages.start('lung segmentation');
  const wideR = options.largeMassClosingRadiusMm ?? 60;
  const closeR = options.lungClosingRadiusMm ?? 30;
  // both segmentations share their pre-closing work unless a caller (analyze) already does; with
  // `lungs` given only the wide one runs here, so there is nothing to share
  const releaseShare =
    wideR > closeR && !options.lungs && !lungPrefixStore(ct) ? shareLungIntermediates(ct) : undefined;
  try {
    const lungs = options.lungs ?? (await segmentLungs(ct, { closingRadiusMm: closeR, ...stages.nested() }));
    timer.mark('lungSegmentation');
    await stages.start('candidates');
    const crop = cropLungs(ct, lungs.lungMask);
    const sigmas: number[] = [];
    const s0 = minD / (2 * Math.sqrt(3));
    const s1 = maxD / (2 * Math.sqrt(3));
    for (let k = 0; k < nScales; k++) sigmas.push(nScales === 1 ? s0 : s0 * (s1 / s0) ** (k / (nScales - 1)));
    const floors: number[] = [];
    const raw = await detectBlobsMultiGrid(crop, sigmas, 40, 0.3, 4.5, stages, floors);
    const merged = mergeCandidates(raw, crop.spacing, maxCand);
    timer.mark('candidates');
    await stages.start('measurement');
    const regions: FindingRegions = new Map();
    const nodules = await scoreCandidates(ct, crop, lungs, merged, minD, minP, stages, regions);
    timer.mark('measurement');
    // Masses wider than about twice the closing radius, against the chest wall or mediastinum, stay
    // outside that lung mask (a closing fills indentations up to its radius deep): a second search
    // with a wider closing, at the large scales only, reports them (bench/nodule-implants.ts).
    let found = nodules;
    if (wideR > closeR) {
      await stages.start('large masses');
      const wide = await segmentLungs(ct, { closingRadiusMm: wideR, signal: options.signal });
      const wideCrop = cropLungs(ct, wide.lungMask);
      const bigSigmas = sigmas.filter((sg) => 2 * Math.sqrt(3) * sg >= 1.5 * closeR);
      if (bigSigmas.length) {
        const bigRaw = await detectBlobsMultiGrid(wideCrop, bigSigmas, 40, 0.3, 4.5, stages);
        await stages.start('large-mass measurement');
        const big = await scoreCandidates(
          ct,
          wideCrop,
          wide,
          mergeCandidates(bigRaw, wideCrop.spacing, maxCand),
          minD,
          minP,
          stages,
          regions,
        );
        found = mergeLargeMasses(nodules, big, 2 * closeR);
      }
      timer.mark('largeMasses');
    }
    const kept = dropDuplicateNodules(ct, found, regions);
    const limitations: Limitation[] = [];
    const { lungRads, lungRadsReason, scan } = examScope(ct, lungs, kept, limitations, !!options.lungRadsOnAnyScan);
    stages.finish();
    return {
      nodules: kept,
      lungMask: lungs.lungMask,
      lungVolumeMl: round(lungs.lungVolumeMl, 1),
      lungRads,
      lungRadsReason,
      scan,
      limitations,
      provenance: makeProvenance(
        'detectNodules',
        {
          minDiameterMm: minD,
          maxDiameterMm: maxD,
          scales: nScales,
          sigmasMm: sigmas.map((s) => round(s, 3)),
          responseFloors: floors.map((f) => round(f, 1)),
          minProbability: minP,
          maxCandidates: maxCand,
          weights: SCORE_WEIGHTS,
          lungRadsOnAnyScan: options.lungRadsOnAnyScan ?? false,
          lungClosingRadiusMm: closeR,
          largeMassClosingRadiusMm: wideR,
        },
        timer,
        [...lungs.provenance.warnings],
      ),
    };
  } finally {
    releaseShare?.();
  }
}

/** Measures and scores merged candidates; those under `minP` or smaller than 0.75 `minD` are left out. */
async function scoreCandidates(
  ct: Volume,
  crop: LungCrop,
  lungs: SegmentLungsResult,
  merged: ReturnType<typeof mergeCandidates>,
  minD: number,
  minP: number,
  stages: Stages,
  regions: FindingRegions,
): Promise<DetectedNodule[]> {
  const nodules: DetectedNodule[] = [];
  for (const [k, c] of merged.entries()) {
    await stages.step(k, merged.length);
    const m = measureSettled(crop, c.x, c.y, c.z, c.radiusMm);
    if (!m || m.longAxisMm < 0.75 * minD) continue;
    const [l1, , l3] = c.eig;
    const blobness = l1 < 0 && l3 < 0 ? l3 / l1 : 0;
    const contrast = m.peakHU - m.backgroundHU;
    const diameter = (m.longAxisMm + m.shortAxisMm) / 2;
    const probability = noduleProbability({
      blobness,
      contrastHU: contrast,
      compactness: m.compactness,
      leak: m.leak,
      lungContact: m.lungContact,
      wallContact: m.wallContact,
      diameterMm: diameter,
      response: c.response,
    });
    if (probability < minP) continue;
    // centre: the region's centroid, unless attached vessels pulled it away from the blob centre
    const sp = crop.spacing;
    const shift = Math.hypot(
      (m.centroid[0] - c.x) * sp[0],
      (m.centroid[1] - c.y) * sp[1],
      (m.centroid[2] - c.z) * sp[2],
    );
    const ctr = shift > 0.5 * c.radiusMm + sp[0] ? [c.x, c.y, c.z] : m.centroid;
    nodules.push(
      noduleFromMeasure(
        ct,
        crop,
        lungs,
        m,
        ctr,
        probability,
        { response: c.response, blobness, scaleMm: c.sigmaMm },
        regions,
      ),
    );
  }
  return nodules;
}

/**
 * Adds the wide-closing search's findings of at least `minDiameterMm` (masses the narrow closing
 * cannot hold): one whose centre lies within a first-pass finding, or that holds a first-pass
 * centre, replaces that finding only when it is over 1.5 times as wide (the same mass, measured
 * whole); otherwise the first-pass measurement stands.
 */
function mergeLargeMasses(first: DetectedNodule[], wide: DetectedNodule[], minDiameterMm: number): DetectedNodule[] {
  let out = first.slice();
  for (const w of wide) {
    if (w.diameterMm < minDiameterMm) continue;
    const same = out.filter((f) => centreDistanceMm(f, w) < 0.5 * Math.max(f.longAxisMm, w.longAxisMm));
    if (same.some((f) => w.diameterMm <= 1.5 * f.diameterMm)) continue;
    out = out.filter((f) => !same.includes(f));
    out.push(w);
  }
  return out;
}

/**
 * Crops the lung bounding box (padded 6 mm); outside the lungs the parenchyma HU is painted.
 *
 * Guide: [method and validation](../../../docs/tasks/detect-nodules.md).
 *
 * @example
 * ```ts
 * import { cropLungs, segmentLungs } from 'medimg';
 * const lungs = await segmentLungs(ct);
 * const crop = cropLungs(ct, lungs.lungMask); // the CT inside the lungs' box, outside the lungs set to parenchyma HU
 * console.log(crop.dims, crop.offset, crop.parenchymaHU);
 * ```
 */
export function cropLungs(ct: Volume, lung: Mask): LungCrop {
  const [nx, ny] = ct.dims;
  const box = maskBoundingBox(lung);
  if (!box) throw new MedImgError('NO_LUNGS_FOUND', 'The lung mask is empty.');
  const { min: lo, max: hi } = box;
  const hist = new Int32Array(1001);
  for (let z = lo[2]; z <= hi[2]; z++)
    for (let y = lo[1]; y <= hi[1]; y++)
      for (let x = lo[0], i = lo[0] + nx * (y + ny * z); x <= hi[0]; x++, i++) {
        if (!lung.data[i]) continue;
        // nearest HU: a float CT (interpolated, fractional rescale slope) would otherwise index the
        // histogram off its integers and drop those voxels; integer HU bin as before
        const v = Math.round(ct.data[i]!);
        if (v >= -1000 && v <= 0) hist[v + 1000]!++;
      }
  // median of lung voxels below -500 HU: the parenchyma
  let total = 0;
  for (let h = 0; h <= 500; h++) total += hist[h]!;
  let acc = 0;
  let parenchyma = -850;
  for (let h = 0; h <= 500; h++) {
    acc += hist[h]!;
    if (acc >= total / 2) {
      parenchyma = h - 1000;
      break;
    }
  }
  const pad = ct.spacing.map((s) => Math.ceil(6 / s));
  const o: Vec3 = [0, 1, 2].map((a) => Math.max(0, lo[a]! - pad[a]!)) as Vec3;
  const e = [0, 1, 2].map((a) => Math.min(ct.dims[a]! - 1, hi[a]! + pad[a]!));
  const dims: Vec3 = [e[0]! - o[0] + 1, e[1]! - o[1] + 1, e[2]! - o[2] + 1];
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  const hull = new Uint8Array(data.length);
  for (let z = 0, j = 0; z < dims[2]; z++)
    for (let y = 0; y < dims[1]; y++) {
      const base = o[0] + nx * (y + o[1] + ny * (z + o[2]));
      for (let x = 0; x < dims[0]; x++, j++) {
        const i = base + x;
        if (lung.data[i]) {
          hull[j] = 1;
          const v = ct.data[i]!;
          data[j] = Math.max(-1000, Math.min(150, v));
        } else data[j] = parenchyma;
      }
    }
  return { data, hull, dims, spacing: [...ct.spacing] as Vec3, offset: o, parenchymaHU: parenchyma };
}
