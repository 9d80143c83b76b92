import { assertArg, MedImgError } from '../../core/errors.js';
import { indexToWorld, worldToIndex } from '../../core/geometry.js';
import { Stages } from '../../core/progress.js';
import { createVolumeLike, type Mask, type Vec3, type Volume, assertSameGrid } from '../../core/volume.js';
import type { TaskOptions, TaskResult } from '../contract.js';
import { assertCtHu, makeProvenance, round, StageTimer } from '../internal/common.js';
import { aortaHUBesideSpine, checkContrast, checkSliceThickness } from '../internal/ct-scope.js';
import { addLimitation, type Limitation } from '../internal/limitations.js';
import { type AttenuationCategory, attenuationCategory, type QctCategory, qctCategory } from './categories.js';
import type { ModelCache } from '../../backends/model-cache.js';
import type { BackendChoice } from '../../backends/types.js';
import { modelRecord, type TaskModel } from '../internal/model-task.js';
import { type ModelVertebrae, vertebraeFromModel } from './model.js';
import { findVertebrae } from './vertebrae.js';

export * from './categories.js';

/** A calibration rod the user marks: a cylinder along z (or a sphere when `heightMm` is 0). */
export interface CalibrationRod {
  centerMm: Vec3;
  radiusMm: number;
  /** Length along z, mm. Default 10. */
  heightMm?: number;
  /** Known mineral density of the rod, mg/cm³ (e.g. K2HPO4 or hydroxyapatite). */
  mgPerCm3: number;
}

/** A manual ROI: a cylinder along z (or a mask on the CT grid). */
export interface ManualRoi {
  centerMm: Vec3;
  radiusMm: number;
  /** Default 10 mm. */
  heightMm?: number;
}

/** Options of {@link measureBoneDensity}. */
export interface MeasureBoneDensityOptions extends TaskOptions {
  /** QCT calibration: rods with known density, or 'internal' (air, fat, muscle). Default none (HU only). */
  calibration?: { rods: CalibrationRod[] } | 'internal';
  /**
   * Internal calibration only: HU per mg/cm³ of bone mineral after the HU scale is corrected with
   * air/fat/muscle. Default 1.0 (an approximation at 120 kVp; rods are the accurate way).
   */
  internalHUPerMg?: number;
  /** Manual ROI(s) instead of the automatic vertebra search. */
  roi?: ManualRoi | ManualRoi[] | Mask;
  /**
   * Label of the lowest complete vertebra found, e.g. 'L1', when the user knows it; levels are
   * counted upward from it. Default none: no automatic labelling (no rule could be validated).
   */
  lowestLevel?: string;
  /** Bone threshold (HU) for the cortical shell. Default 250. */
  boneThresholdHU?: number;
  /** Return each vertebra's ROI mask. Default false. */
  returnRoiMasks?: boolean;
  /**
   * A vertebra label model (path, URL, bytes, `{ onnx, card }` or an open Session; card output
   * kind 'probabilities' or 'labels') instead of the automatic vertebra search: each labelled
   * vertebra gives the ROI (the core of its body) and the level named in the card's channel_def
   * (see docs/models.md). Default none.
   */
  vertebraModel?: TaskModel;
  /** Model mode: inference backend. Default 'auto'. */
  backend?: BackendChoice;
  /** Model mode: cache for URL models. Default none. */
  cache?: ModelCache | string;
}

/** One measured vertebra (or manual ROI). */
export interface VertebraMeasurement {
  /** Anatomical level ('T12', 'L1', ...) when it can be told. */
  level?: string;
  /** Confidence of the level label in [0, 1] (1 = given by the user). */
  levelConfidence?: number;
  /** Centre of the trabecular ROI, LPS mm. */
  centerMm: Vec3;
  meanHU: number;
  sdHU: number;
  /** Voxels in the ROI. */
  roiVoxels: number;
  roiMask?: Mask;
  /** Opportunistic category from the L1 attenuation thresholds (Pickhardt 2013). */
  category: AttenuationCategory;
  /** Volumetric BMD (QCT mode), mg/cm³. */
  bmdMgCm3?: number;
  /** ACR QCT category (QCT mode). */
  qctCategory?: QctCategory;
  /** True when the vertebra is cut by the edge of the field of view. */
  partial: boolean;
  /** Automatic mode: how sure the detection and ROI are, and why. */
  quality?: VertebraQuality;
}

/** Why an automatic vertebra measurement can be trusted (plain data). */
export interface VertebraQuality {
  /** 'high': every check passed; 'medium': one failed; 'low': two or more, or the vertebra is cut by the FOV. */
  confidence: 'high' | 'medium' | 'low';
  /** On at least half of the ROI slices, 8 rays from the body centre all meet cortex (>= 0.8 × boneThresholdHU) inside the body. */
  shellClosed: boolean;
  /** A bone-enclosed low-HU hole (spinal canal) was found directly behind the body on one of its slices. */
  canalFound: boolean;
  /** Largest distance (mm) of the vertebra's per-slice body centres from the smoothed spine curve. */
  curveDeviationMm: number;
  /** z distance (mm) of the ROI centre to the neighbouring vertebrae's (above, below; those that exist). */
  neighbourSpacingMm?: number[];
  /** Axial slices the ROI spans. */
  slices: number;
  /** The failed checks, or a line saying all passed. */
  reasons: string[];
}

/** Result of {@link measureBoneDensity}. */
export interface MeasureBoneDensityResult extends TaskResult {
  /** Vertebrae top (superior) to bottom. */
  vertebrae: VertebraMeasurement[];
  /** 'automatic', 'manual-roi', or 'model' (a vertebra label model gave the ROIs and levels). */
  method: 'automatic' | 'manual-roi' | 'model';
  calibration: 'none' | 'phantom-rods' | 'internal';
  /** HU = intercept + slope · BMD, when calibrated. */
  calibrationFit?: { slopeHUPerMg: number; interceptHU: number; points: { hu: number; mgPerCm3: number }[] };
  /** Scan facts behind the limitations. */
  scan: {
    sliceThicknessMm: number;
    /** Descending-aorta HU beside the measured vertebrae (automatic mode); null when not found. */
    aortaHU: number | null;
    contrast: 'unenhanced' | 'enhanced' | 'unknown';
    /** Level labels of the measured vertebrae (empty when unlabelled: see `lowestLevel`). */
    levelsSeen: string[];
  };
  /**
   * Why the figures may not be comparable to the published thresholds (Pickhardt L1 HU, ACR QCT
   * BMD): contrast phase, slice thickness, levels seen. Empty when inside that scope.
   */
  limitations: Limitation[];
}

/** @deprecated Use {@link MeasureBoneDensityOptions}; this alias goes in the next minor version. */
export type BoneDensityOptions = MeasureBoneDensityOptions;

/** @deprecated Use {@link MeasureBoneDensityResult}; this alias goes in the next minor version. */
export type BoneDensityResult = MeasureBoneDensityResult;

/** The attenuation and QCT thresholds were published on CT this thin or thinner (mm). */
export const BONE_MAX_SLICE_MM = 5;

/** Mean |HU error| of the vertebrae on the 8 mm chest phantom (npm run validate; 0.44/0.53/0.78 HU at 1/2.5/5 mm). */
const BONE_HU_ERROR_8MM = 52;

const LEVELS = [
  'C7',
  'T1',
  'T2',
  'T3',
  'T4',
  'T5',
  'T6',
  'T7',
  'T8',
  'T9',
  'T10',
  'T11',
  'T12',
  'L1',
  'L2',
  'L3',
  'L4',
  'L5',
];

const BONE_STAGES = [
  ['vertebrae', 90],
  ['calibration', 10],
] as const;

/**
 * Trabecular bone density of the vertebral bodies on CT. Automatic: per axial slice the bony ring
 * is filled with the spinal canal kept open, the vertebral body is the thickest bony region in
 * front of the canal near the midline; candidates off a smooth spine curve are rejected; disc levels
 * (open canal, dark core, ~25 mm pitch) split the column into vertebrae; the ROI is the central part
 * of each body's height, away from the cortex, the pedicles and the basivertebral vein. Each
 * vertebra carries a `quality` record (closed shell, canal, continuity, spacing → confidence).
 * Reports mean/SD HU, the Pickhardt category, and BMD with the ACR QCT category when calibrated
 * (phantom rods, or internal air/fat/muscle). Level labels only from `lowestLevel`.
 *
 * Guide: [method and validation](../../../docs/tasks/measure-bone-density.md).
 *
 * @example
 * ```ts
 * import { measureBoneDensity, readDicomSeries } from 'medimg';
 * const ct = await readDicomSeries('study/ct/');
 * const r = await measureBoneDensity(ct, { calibration: 'internal', returnRoiMasks: true, signal });
 * for (const v of r.vertebrae) console.log(v.level, v.meanHU.toFixed(0), v.category);
 * ```
 */
export async function measureBoneDensity(
  ct: Volume,
  options: MeasureBoneDensityOptions = {},
): Promise<MeasureBoneDensityResult> {
  assertCtHu(ct, 'measureBoneDensity');
  const timer = new StageTimer();
  const warnings: string[] = [];
  const boneT = options.boneThresholdHU ?? 250;
  const stages = new Stages(options, BONE_STAGES);

  let vertebrae: VertebraMeasurement[];
  let method: MeasureBoneDensityResult['method'];
  await stages.start('vertebrae');
  let fromModel: ModelVertebrae | undefined;
  if (options.roi) {
    method = 'manual-roi';
    vertebrae = manualRois(ct, options.roi, !!options.returnRoiMasks);
  } else if (options.vertebraModel !== undefined) {
    method = 'model';
    fromModel = await vertebraeFromModel(ct, options.vertebraModel, { ...options, ...stages.nested() });
    await fromModel.model.release();
    vertebrae = fromModel.vertebrae;
    if (fromModel.missing.length > 0)
      warnings.push(
        `The vertebra model labelled ${fromModel.missing.length} of the vertebrae its card names nowhere in this scan.`,
      );
    if (vertebrae.length === 0) {
      throw new MedImgError('EMPTY_MASK', 'The vertebra model labelled no vertebra in this scan.');
    }
  } else {
    method = 'automatic';
    vertebrae = await findVertebrae(ct, boneT, !!options.returnRoiMasks, warnings, stages);
    if (vertebrae.length === 0) {
      throw new MedImgError(
        'EMPTY_MASK',
        'No vertebral body found: no bony ring near the body midline in the posterior half.',
      );
    }
    labelLevels(vertebrae, options.lowestLevel);
  }
  timer.mark('vertebrae');

  // Calibration.
  await stages.start('calibration');
  let calibration: MeasureBoneDensityResult['calibration'] = 'none';
  let fit: MeasureBoneDensityResult['calibrationFit'];
  if (options.calibration === 'internal') {
    calibration = 'internal';
    const huPerMg = options.internalHUPerMg ?? 1.0;
    assertArg(huPerMg > 0, 'internalHUPerMg must be > 0.');
    const t = internalReferences(ct);
    // measured = a + b * true (air -1000, fat -100, muscle +50): correct the HU scale, then convert
    const lin = linearFit([-1000, -100, 50], [t.air, t.fat, t.muscle]);
    const slope = lin.slope * huPerMg;
    fit = {
      slopeHUPerMg: round(slope, 4),
      interceptHU: round(lin.intercept, 2),
      points: [
        { hu: round(t.air, 1), mgPerCm3: -1000 / huPerMg },
        { hu: round(t.fat, 1), mgPerCm3: -100 / huPerMg },
        { hu: round(t.muscle, 1), mgPerCm3: 50 / huPerMg },
      ],
    };
  } else if (options.calibration) {
    calibration = 'phantom-rods';
    const rods = options.calibration.rods;
    assertArg(Array.isArray(rods) && rods.length >= 2, 'QCT calibration needs at least two rods of different density.');
    const pts = rods.map((r) => {
      const s = cylinderStats(ct, r.centerMm, r.radiusMm, r.heightMm ?? 10);
      if (s.count === 0) throw new MedImgError('EMPTY_MASK', 'A calibration rod lies outside the image.');
      return { hu: s.mean, mgPerCm3: r.mgPerCm3 };
    });
    const lin = linearFit(
      pts.map((p) => p.mgPerCm3),
      pts.map((p) => p.hu),
    );
    assertArg(Number.isFinite(lin.slope) && lin.slope > 0, 'Calibration rods must differ in density and HU.');
    fit = {
      slopeHUPerMg: round(lin.slope, 4),
      interceptHU: round(lin.intercept, 2),
      points: pts.map((p) => ({ hu: round(p.hu, 1), mgPerCm3: p.mgPerCm3 })),
    };
  }
  if (fit) {
    for (const v of vertebrae) {
      const bmd = (v.meanHU - fit.interceptHU) / fit.slopeHUPerMg;
      v.bmdMgCm3 = round(bmd, 1);
      v.qctCategory = qctCategory(bmd);
    }
  }
  timer.mark('calibration');
  const limitations: Limitation[] = [];
  const thickness = checkSliceThickness(limitations, ct, BONE_MAX_SLICE_MM, 'the L1 attenuation and QCT thresholds');
  if (thickness > BONE_MAX_SLICE_MM + 1e-6)
    addLimitation(limitations, {
      code: 'OUTSIDE_VALIDATED_SCOPE',
      message:
        `On thicker slices the vertebral ROI takes in cortex and disc: on the validation phantom the mean HU error was ` +
        `${BONE_HU_ERROR_8MM} HU at 8 mm (under 1 HU at 1 to 5 mm), so these HU and BMD figures are not comparable to the thresholds.`,
      details: { sliceThicknessMm: round(thickness, 2), phantomMeanHUErrorAt8mm: BONE_HU_ERROR_8MM },
    });
  const aortaHU =
    method !== 'manual-roi'
      ? aortaHUBesideSpine(
          ct,
          vertebrae.map((v) => v.centerMm),
        )
      : null;
  const contrast = checkContrast(
    limitations,
    aortaHU,
    'descending aorta beside the spine',
    'iodine raises trabecular HU, so HU and BMD read higher than on the non-contrast scans the QCT categories assume.',
  );
  const levelsSeen = vertebrae.flatMap((v) => (v.level ? [v.level] : []));
  if (!levelsSeen.includes('L1'))
    addLimitation(limitations, {
      code: 'LEVELS_NOT_SEEN',
      message: levelsSeen.length
        ? `L1, the level of the published attenuation thresholds, is not among the measured levels (${levelsSeen.join(', ')}).`
        : 'Vertebral levels are not labelled (pass lowestLevel): the L1 attenuation thresholds are applied to vertebrae of unknown level.',
      details: { levelsSeen: levelsSeen.join(',') },
    });
  const cut = vertebrae.filter((v) => v.partial).length;
  if (cut > 0)
    addLimitation(limitations, {
      code: 'LESION_AT_SCAN_EDGE',
      message: `${cut} vertebra(e) are cut by the edge of the scan: their ROI is smaller than intended.`,
      details: { vertebrae: cut },
    });
  stages.finish();
  return {
    vertebrae,
    method,
    calibration,
    ...(fit ? { calibrationFit: fit } : {}),
    scan: {
      sliceThicknessMm: round(thickness, 2),
      aortaHU: aortaHU === null ? null : round(aortaHU, 1),
      contrast,
      levelsSeen,
    },
    limitations,
    provenance: makeProvenance(
      'measureBoneDensity',
      {
        boneThresholdHU: boneT,
        calibration,
        lowestLevel: options.lowestLevel ?? null,
        internalHUPerMg: options.internalHUPerMg ?? 1.0,
        ...(fromModel ? { vertebraModel: fromModel.settings } : {}),
      },
      timer,
      warnings,
      fromModel ? fromModel.model.session.backend : undefined,
      fromModel ? modelRecord(fromModel.model) : undefined,
    ),
  };
}

/**
 * Level labels, counted upward from the lowest complete vertebra when the user names it
 * (confidence 1). Automatic labelling (ribs, sacrum) was tried and found unreliable on 5 mm chest
 * CT, and no reference exists here to validate a rule, so without `lowestLevel` no labels are given.
 */
function labelLevels(vs: VertebraMeasurement[], lowest?: string): void {
  if (vs.length === 0 || !lowest) return;
  const full = vs.filter((v) => !v.partial);
  const li = LEVELS.indexOf(lowest.toUpperCase());
  assertArg(li >= 0, `Unknown vertebra level ${lowest}.`);
  const list = full.length ? full : vs;
  for (let j = 0; j < list.length; j++) {
    const idx = li - (list.length - 1 - j);
    if (idx >= 0) {
      list[j]!.level = LEVELS[idx]!;
      list[j]!.levelConfidence = 1;
    }
  }
}

function manualRois(ct: Volume, roi: ManualRoi | ManualRoi[] | Mask, withMasks: boolean): VertebraMeasurement[] {
  const list: (ManualRoi | Mask)[] = Array.isArray(roi) ? roi : [roi];
  return list.map((r) => {
    let mask: Uint8Array;
    if ('data' in r) {
      assertSameGrid(ct, r, 'roi');
      mask = r.data;
    } else {
      assertArg(r.radiusMm > 0, 'ROI radius must be > 0.');
      mask = cylinderMask(ct, r.centerMm, r.radiusMm, r.heightMm ?? 10);
    }
    let s = 0;
    let s2 = 0;
    let cnt = 0;
    let gx = 0;
    let gy = 0;
    let gz = 0;
    const [nx, ny] = ct.dims;
    for (let i = 0; i < mask.length; i++) {
      if (!mask[i]) continue;
      const v = ct.data[i]!;
      s += v;
      s2 += v * v;
      cnt++;
      gx += i % nx;
      gy += Math.floor(i / nx) % ny;
      gz += Math.floor(i / (nx * ny));
    }
    if (cnt === 0) throw new MedImgError('EMPTY_MASK', 'The ROI holds no voxel of the image.');
    const mean = s / cnt;
    const m: VertebraMeasurement = {
      centerMm: indexToWorld(ct, [gx / cnt, gy / cnt, gz / cnt]).map((v) => round(v, 2)) as Vec3,
      meanHU: round(mean, 1),
      sdHU: round(Math.sqrt(Math.max(0, s2 / cnt - mean * mean)), 1),
      roiVoxels: cnt,
      category: attenuationCategory(mean),
      partial: false,
    };
    if (withMasks) {
      const mk = createVolumeLike(ct, Uint8Array);
      mk.data.set(mask);
      m.roiMask = mk;
    }
    return m;
  });
}

/** Voxels whose centre lies in a z-aligned cylinder (a sphere when height is 0). */
function cylinderMask(ct: Volume, c: Vec3, r: number, h: number): Uint8Array {
  const [nx, ny, nz] = ct.dims;
  const out = new Uint8Array(nx * ny * nz);
  const ci = worldToIndex(ct, c);
  const ext = [r / ct.spacing[0], r / ct.spacing[1], Math.max(r, h / 2) / ct.spacing[2]];
  for (let z = Math.max(0, Math.floor(ci[2] - ext[2]!)); z <= Math.min(nz - 1, Math.ceil(ci[2] + ext[2]!)); z++)
    for (let y = Math.max(0, Math.floor(ci[1] - ext[1]!)); y <= Math.min(ny - 1, Math.ceil(ci[1] + ext[1]!)); y++)
      for (let x = Math.max(0, Math.floor(ci[0] - ext[0]!)); x <= Math.min(nx - 1, Math.ceil(ci[0] + ext[0]!)); x++) {
        const p = indexToWorld(ct, [x, y, z]);
        const dxy = (p[0] - c[0]) ** 2 + (p[1] - c[1]) ** 2;
        const dz = p[2] - c[2];
        const inside = h > 0 ? dxy <= r * r && Math.abs(dz) <= h / 2 : dxy + dz * dz <= r * r;
        if (inside) out[x + nx * (y + ny * z)] = 1;
      }
  return out;
}

function cylinderStats(ct: Volume, c: Vec3, r: number, h: number): { mean: number; count: number } {
  const m = cylinderMask(ct, c, r, h);
  let s = 0;
  let cnt = 0;
  for (let i = 0; i < m.length; i++) {
    if (m[i]) {
      s += ct.data[i]!;
      cnt++;
    }
  }
  return { mean: cnt ? s / cnt : Number.NaN, count: cnt };
}

/** Internal references: air outside the body, subcutaneous-range fat and muscle-range tissue (medians). */
function internalReferences(ct: Volume): { air: number; fat: number; muscle: number } {
  const d = ct.data;
  const air: number[] = [];
  const fat: number[] = [];
  const muscle: number[] = [];
  const step = Math.max(1, Math.floor(d.length / 400000));
  for (let i = 0; i < d.length; i += step) {
    const v = d[i]!;
    if (v < -900 && v > -1024) air.push(v);
    else if (v >= -150 && v <= -50) fat.push(v);
    else if (v >= 0 && v <= 100) muscle.push(v);
  }
  if (air.length < 10 || fat.length < 10 || muscle.length < 10) {
    throw new MedImgError('EMPTY_MASK', 'Internal calibration needs air, fat and muscle in the field of view.');
  }
  return { air: median(air), fat: median(fat), muscle: median(muscle) };
}

function linearFit(x: number[], y: number[]): { slope: number; intercept: number } {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : Number.NaN;
  return { slope, intercept: my - slope * mx };
}

function median(a: number[]): number {
  const s = Float64Array.from(a).sort();
  return s.length ? s[s.length >> 1]! : Number.NaN;
}
