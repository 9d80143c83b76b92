// What both detection paths (LoG candidates and a model's findings) share: a measured region
// becomes a nodule record, duplicates are merged, and the scan's scope sets the exam's Lung-RADS.
import { indexToWorld } from '../../core/geometry.js';
import type { Vec3, Volume } from '../../core/volume.js';
import { round } from '../internal/common.js';
import {
  checkContrast,
  checkDose,
  checkLungCoverage,
  checkSliceThickness,
  mediastinalBloodHU,
} from '../internal/ct-scope.js';
import { addLimitation, type Limitation } from '../internal/limitations.js';
import type { SegmentLungsResult } from '../lung-segmentation/index.js';
import type { LungCrop } from './candidates.js';
import type { DetectedNodule, DetectNodulesResult } from './index.js';
import { examLungRads, lungRadsCategory } from './lung-rads.js';
import { type CandidateMeasure, measureCandidate } from './measure.js';

/** Lesions whose long axis exceeds this (mm) are masses, not nodules. */
export const MASS_LONG_AXIS_MM = 30;

/** Default `minProbability`: a finding at or above it is reported. */
export const DEFAULT_MIN_PROBABILITY = 0.5;

/** Lung-RADS v2022 is defined for screening CT reconstructed this thin or thinner (mm). */
export const LUNG_RADS_MAX_SLICE_MM = 2.5;

/**
 * Each finding's segmented region, as sorted voxel indices of the whole CT, kept beside the public
 * records for one detection run (so that duplicates can be told by the regions themselves) and
 * dropped with it: the plain-data result does not hold them.
 */
export type FindingRegions = Map<DetectedNodule, Int32Array>;

/**
 * The nodule record of a measured region: `centre` is its crop voxel index, `features` the
 * detector's own (response, blobness, scale); size, type, Lung-RADS, side and scan edge follow
 * from the measurement. `regions`, when given, receives the finding's region (for
 * {@link dropDuplicateNodules}).
 */
export function noduleFromMeasure(
  ct: Volume,
  crop: LungCrop,
  lungs: Pick<SegmentLungsResult, 'lungLabels'>,
  m: CandidateMeasure,
  centre: readonly number[],
  probability: number,
  detector: { response: number; blobness: number; scaleMm: number },
  regions?: FindingRegions,
): DetectedNodule {
  const full: Vec3 = [centre[0]! + crop.offset[0], centre[1]! + crop.offset[1], centre[2]! + crop.offset[2]];
  const diameter = (m.longAxisMm + m.shortAxisMm) / 2;
  const solidD = m.type === 'ground-glass' ? 0 : (m.solidLongAxisMm + m.solidShortAxisMm) / 2;
  const ci = Math.round(full[0]) + ct.dims[0] * (Math.round(full[1]) + ct.dims[1] * Math.round(full[2]));
  const side = lungs.lungLabels.data[ci];
  const [cx, cy] = crop.dims;
  const [gx, gy, gz] = ct.dims;
  // the region's voxels on the whole grid; one on the scan's first or last slice, or on the side of
  // a field of view that cuts the lungs, puts the finding at the scan's edge
  const region = new Int32Array(m.voxels.length);
  let atScanEdge = false;
  for (let k = 0; k < region.length; k++) {
    const v = m.voxels[k]!;
    const x = (v % cx) + crop.offset[0];
    const y = (Math.floor(v / cx) % cy) + crop.offset[1];
    const z = Math.floor(v / (cx * cy)) + crop.offset[2];
    if (z === 0 || z === gz - 1 || x === 0 || x === gx - 1 || y === 0 || y === gy - 1) atScanEdge = true;
    region[k] = x + gx * (y + gy * z);
  }
  const nodule: DetectedNodule = {
    centerMm: indexToWorld(ct, full).map((v) => round(v, 2)) as Vec3,
    centerVoxel: full.map((v) => round(v, 2)) as Vec3,
    diameterMm: round(diameter, 1),
    longAxisMm: round(m.longAxisMm, 1),
    shortAxisMm: round(m.shortAxisMm, 1),
    solidDiameterMm: round(solidD, 1),
    volumeMm3: round(m.volumeMm3, 1),
    type: m.longAxisMm > MASS_LONG_AXIS_MM ? 'mass' : m.type,
    attenuation: m.type,
    probability: round(probability, 4),
    lungRads: lungRadsCategory(m.type, diameter, solidD),
    atScanEdge,
    lung: side === 1 ? 'right' : side === 2 ? 'left' : 'unknown',
    meanHU: round(m.meanHU, 1),
    features: {
      response: round(detector.response, 1),
      contrastHU: round(m.peakHU - m.backgroundHU, 1),
      blobness: round(detector.blobness, 3),
      compactness: round(m.compactness, 3),
      leak: round(m.leak, 3),
      lungContact: round(m.lungContact, 3),
      wallContact: round(m.wallContact, 3),
      scaleMm: round(detector.scaleMm, 2),
    },
  };
  regions?.set(nodule, region.sort());
  return nodule;
}

/** Whether `b`'s centre voxel lies inside `a`'s segmented region (false when a has none). */
function centreInRegion(
  ct: Pick<Volume, 'dims'>,
  regions: FindingRegions | undefined,
  a: DetectedNodule,
  b: DetectedNodule,
): boolean {
  const r = regions?.get(a);
  if (!r) return false;
  const [x, y, z] = b.centerVoxel.map(Math.round) as [number, number, number];
  const want = x + ct.dims[0] * (y + ct.dims[1] * z);
  let lo = 0;
  let hi = r.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = r[mid]!;
    if (v === want) return true;
    if (v < want) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * Measures a finding at crop voxel (x, y, z) with a search radius; a region cut by the search
 * sphere is re-measured with a larger sphere (nodules larger than their scale settle, vessels keep
 * leaking).
 */
export function measureSettled(
  crop: LungCrop,
  x: number,
  y: number,
  z: number,
  radiusMm: number,
): CandidateMeasure | null {
  let m = measureCandidate(crop, x, y, z, radiusMm);
  for (let grow = 1.6; m && m.leak > 0.15 && grow < 5; grow *= 1.6) {
    const m2 = measureCandidate(crop, x, y, z, radiusMm * grow);
    if (!m2) break;
    m = m2;
  }
  return m;
}

/** Distance between two findings' centres, mm. */
export function centreDistanceMm(a: DetectedNodule, b: DetectedNodule): number {
  return Math.hypot(a.centerMm[0] - b.centerMm[0], a.centerMm[1] - b.centerMm[1], a.centerMm[2] - b.centerMm[2]);
}

/**
 * A lesion found twice: two findings whose centres lie within half the smaller long axis, or one
 * whose centre lies inside the other's segmented region (a mass found at two scales, or a piece of
 * it found on its own). The more probable is kept, except that a finding whose region holds the
 * other's centre (and not the reverse) replaces that piece, so that the lesion is measured whole,
 * when it would be reported at the default threshold itself (a faint region that spills over a
 * nodule must not take its place: with `minProbability` 0 on the phantom it would). Without
 * `regions` only the centre distance counts.
 */
export function dropDuplicateNodules(
  ct: Pick<Volume, 'dims'>,
  nodules: DetectedNodule[],
  regions?: FindingRegions,
): DetectedNodule[] {
  nodules.sort((a, b) => b.probability - a.probability);
  const same = (a: DetectedNodule, b: DetectedNodule) =>
    centreDistanceMm(a, b) < 0.5 * Math.min(a.longAxisMm, b.longAxisMm) ||
    centreInRegion(ct, regions, a, b) ||
    centreInRegion(ct, regions, b, a);
  // a lesion is every finding that matched any of its findings, so that replacing the kept one
  // by a whole measurement does not let the other pieces through
  const lesions: { kept: DetectedNodule; all: DetectedNodule[] }[] = [];
  for (const nd of nodules) {
    const l = lesions.find((g) => g.all.some((m) => same(m, nd)));
    if (!l) lesions.push({ kept: nd, all: [nd] });
    else {
      l.all.push(nd);
      const whole = centreInRegion(ct, regions, nd, l.kept) && !centreInRegion(ct, regions, l.kept, nd);
      if (whole && nd.probability >= DEFAULT_MIN_PROBABILITY) l.kept = nd;
    }
  }
  return lesions.map((l) => l.kept).sort((a, b) => b.probability - a.probability);
}

/**
 * Honest scope: Lung-RADS v2022 is for thin-slice, non-contrast, low-dose screening CT of the whole
 * lungs. Thick slices, contrast or a diagnostic dose (CTDIvol from DICOM) make it not a screening CT
 * (every category null, NOT_SCREENING_CT);
 * lungs cut off on an otherwise screening-like scan make it 0 (incomplete), never 1.
 */
export function examScope(
  ct: Volume,
  lungs: SegmentLungsResult,
  kept: DetectedNodule[],
  limitations: Limitation[],
  anyScan: boolean,
): Pick<DetectNodulesResult, 'lungRads' | 'lungRadsReason' | 'scan'> {
  const thickness = checkSliceThickness(limitations, ct, LUNG_RADS_MAX_SLICE_MM, 'Lung-RADS v2022 (screening CT)');
  const bloodHU = mediastinalBloodHU(ct, lungs.lungLabels.data);
  const contrast = checkContrast(
    limitations,
    bloodHU,
    'mediastinal blood pool',
    'Lung-RADS is defined for non-contrast low-dose screening CT.',
  );
  checkDose(limitations, ct, 'Lung-RADS is defined for low-dose screening CT.');
  checkLungCoverage(limitations, lungs.lungMask);
  const edge = kept.filter((k) => k.atScanEdge).length;
  if (edge > 0) addLimitation(limitations, scanEdgeLimitation(edge));
  const notScreening = limitations.filter(
    (l) => l.code === 'THICK_SLICES' || l.code === 'CONTRAST_ENHANCED' || l.code === 'NOT_LOW_DOSE',
  );
  const incomplete = limitations.find((l) => l.code === 'PARTIAL_LUNG_COVERAGE');
  let lungRadsReason: string | null = null;
  let lungRads: DetectNodulesResult['lungRads'] = examLungRads(kept.map((k) => k.lungRads!));
  if (!anyScan && notScreening.length > 0) {
    lungRadsReason = `Lung-RADS v2022 does not apply: ${notScreening.map((l) => l.message).join(' ')}`;
    addLimitation(limitations, {
      code: 'NOT_SCREENING_CT',
      message:
        'Not a thin-slice non-contrast low-dose screening CT: no Lung-RADS category, and no findings does not mean a negative exam.',
    });
    for (const k of kept) k.lungRads = null;
    lungRads = null;
  } else if (!anyScan && incomplete) {
    lungRadsReason = `Lung-RADS 0 (incomplete): ${incomplete.message}`;
    lungRads = '0';
  }
  return { lungRads, lungRadsReason, scan: { sliceThicknessMm: round(thickness, 2), bloodHU, contrast } };
}

/** The limitation of `count` (> 0) findings that reach the first or last slice or the image's side. */
export function scanEdgeLimitation(count: number): Limitation {
  return {
    code: 'LESION_AT_SCAN_EDGE',
    message: `${count} finding(s) reach the edge of the scan (its first or last slice, or the side of the field of view): size and type may be underestimated.`,
    details: { findings: count },
  };
}
