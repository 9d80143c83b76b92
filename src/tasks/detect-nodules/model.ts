// detectNodules with a bring-your-own detector: the network's heatmap peaks or boxes say where
// the findings are; each is then measured, typed and categorised exactly as the classical path
// does (measureCandidate, Lung-RADS), so both paths return the same nodule list.
import { runBoxModel } from '../../backends/box-model.js';
import { heatmapPeaks } from '../../backends/heatmap.js';
import { runSegmentationModel } from '../../backends/pipeline.js';
import { assertArg } from '../../core/errors.js';
import { indexToWorld, worldToIndex } from '../../core/geometry.js';
import { Stages } from '../../core/progress.js';
import type { Vec3, Volume } from '../../core/volume.js';
import { assertCtHu, makeProvenance, round, StageTimer } from '../internal/common.js';
import { checkContrast, checkLungCoverage, checkSliceThickness, mediastinalBloodHU } from '../internal/ct-scope.js';
import { addLimitation, type Limitation } from '../internal/limitations.js';
import { modelRecord, modelScopeLimitations, openTaskModel } from '../internal/model-task.js';
import { type SegmentLungsResult, segmentLungs } from '../lung-segmentation/index.js';
import type { LungCrop } from './candidates.js';
import {
  cropLungs,
  type DetectedNodule,
  type DetectNodulesOptions,
  type DetectNodulesResult,
  LUNG_RADS_MAX_SLICE_MM,
  MASS_LONG_AXIS_MM,
} from './index.js';
import { examLungRads, lungRadsCategory } from './lung-rads.js';
import { measureCandidate } from './measure.js';

/** A place the detector points at, on the CT grid. */
interface Finding {
  /** Continuous voxel index on the CT. */
  voxel: Vec3;
  /** Size estimate, mm (heatmap: half-maximum radius; box: half the mean edge). */
  radiusMm: number;
  score: number;
}

const MODEL_STAGES = [
  ['lung segmentation', 25],
  ['model', 55],
  ['measurement', 20],
] as const;

/**
 * The model path of {@link detectNodules} (`options.model` set). A card with output kind
 * 'heatmap' gives findings at the heatmap's local maxima (card `peak_threshold`,
 * `min_peak_distance_mm`); 'boxes' gives one finding per kept box. Each finding inside the lungs'
 * search region is segmented and measured as the classical candidates are (size, solid part,
 * type, Lung-RADS); `probability` is the network's score (clamped to [0, 1]), and
 * `features.response` holds it too (`features.blobness` is 0: the Hessian is not computed).
 */
export async function detectNodulesWithModel(ct: Volume, options: DetectNodulesOptions): Promise<DetectNodulesResult> {
  assertCtHu(ct, 'detectNodules');
  const timer = new StageTimer();
  const minP = options.minProbability ?? 0.5;
  assertArg(minP >= 0 && minP <= 1, 'minProbability must be in [0, 1].');
  const minD = options.minDiameterMm ?? 4;
  const stages = new Stages(options, MODEL_STAGES);
  await stages.start('lung segmentation');
  const lungs: SegmentLungsResult =
    options.lungs ??
    (await segmentLungs(ct, { closingRadiusMm: options.lungClosingRadiusMm ?? 30, ...stages.nested() }));
  timer.mark('lungSegmentation');
  await stages.start('model');
  const m = await openTaskModel(options.model!, 'detectNodules', ['heatmap', 'boxes'], options);
  const warnings: string[] = [...lungs.provenance.warnings];
  let findings: Finding[];
  let modelSettings: Record<string, unknown>;
  try {
    if (m.card.postprocessing?.output_kind === 'boxes') {
      const r = await runBoxModel(ct, m.session, stages.nested());
      modelSettings = { ...r.settings, patches: r.patches };
      findings = r.boxes.map((b) => ({
        voxel: worldToIndex(ct, b.centerMm),
        radiusMm: (b.sizeMm[0] + b.sizeMm[1] + b.sizeMm[2]) / 6,
        score: b.score,
      }));
    } else {
      const r = await runSegmentationModel(ct, m.session, { ...stages.nested(), keepProbabilities: true });
      modelSettings = r.settings;
      findings = heatmapFindings(ct, r, m.card.postprocessing ?? {});
    }
  } finally {
    await m.release();
  }
  timer.mark('model');
  await stages.start('measurement');
  const crop = cropLungs(ct, lungs.lungMask);
  const nodules: DetectedNodule[] = [];
  let outside = 0;
  for (const [k, f] of findings.entries()) {
    await stages.step(k, findings.length);
    const probability = Math.min(1, Math.max(0, f.score));
    if (probability < minP) continue;
    const nd = measureFinding(ct, crop, lungs, f, probability);
    if (nd === 'outside') outside++;
    else if (nd && nd.longAxisMm >= 0.75 * minD) nodules.push(nd);
  }
  if (outside > 0) warnings.push(`${outside} model finding(s) lie outside the lungs' search region and were left out.`);
  nodules.sort((a, b) => b.probability - a.probability);
  const kept: DetectedNodule[] = [];
  for (const nd of nodules) {
    const dup = kept.some(
      (q) =>
        Math.hypot(q.centerMm[0] - nd.centerMm[0], q.centerMm[1] - nd.centerMm[1], q.centerMm[2] - nd.centerMm[2]) <
        0.5 * Math.min(q.longAxisMm, nd.longAxisMm),
    );
    if (!dup) kept.push(nd);
  }
  timer.mark('measurement');
  const limitations: Limitation[] = [];
  modelScopeLimitations(limitations, ct, m.card);
  const exam = examScope(ct, lungs, kept, limitations, !!options.lungRadsOnAnyScan);
  stages.finish();
  return {
    nodules: kept,
    lungMask: lungs.lungMask,
    lungVolumeMl: round(lungs.lungVolumeMl, 1),
    ...exam,
    limitations,
    provenance: makeProvenance(
      'detectNodules',
      {
        mode: 'model',
        minProbability: minP,
        minDiameterMm: minD,
        lungRadsOnAnyScan: options.lungRadsOnAnyScan ?? false,
        findings: findings.length,
        model: modelSettings,
      },
      timer,
      warnings,
      m.session.backend,
      modelRecord(m),
    ),
  };
}

/** Heatmap peaks on the model grid, mapped to CT voxel indices. */
function heatmapFindings(
  ct: Volume,
  r: Awaited<ReturnType<typeof runSegmentationModel>>,
  post: { peak_threshold?: number; min_peak_distance_mm?: number },
): Finding[] {
  const prob = r.probabilities!;
  const dims = prob.dims;
  const n = dims[0] * dims[1] * dims[2];
  const channel = prob.data.subarray((prob.channels - 1) * n, prob.channels * n);
  // probabilities lie on the tensor volume: the model grid itself ('zyx') or its transpose ('xyz')
  const xyz = r.settings.axisOrder === 'xyz';
  const sp = r.modelGrid.spacing;
  const tSpacing: Vec3 = xyz ? [sp[2]!, sp[1]!, sp[0]!] : [sp[0]!, sp[1]!, sp[2]!];
  const peaks = heatmapPeaks(channel, dims, tSpacing, {
    threshold: post.peak_threshold ?? 0.5,
    minDistanceMm: post.min_peak_distance_mm ?? 10,
  });
  return peaks.map((p) => {
    const idx = xyz ? [p.index[2], p.index[1], p.index[0]] : p.index;
    return {
      voxel: worldToIndex(ct, indexToWorld(r.modelGrid, idx)),
      radiusMm: Math.max(p.halfMaxRadiusMm, 1.5 * Math.max(...ct.spacing)),
      score: p.score,
    };
  });
}

/** Segments and measures one finding as the classical path measures its candidates. */
function measureFinding(
  ct: Volume,
  crop: LungCrop,
  lungs: SegmentLungsResult,
  f: Finding,
  probability: number,
): DetectedNodule | null | 'outside' {
  const c = [0, 1, 2].map((a) => Math.round(f.voxel[a]!) - crop.offset[a]!) as Vec3;
  if (c.some((v, a) => v < 0 || v >= crop.dims[a]!)) return 'outside';
  // a region cut by the search sphere is re-measured with a larger one (as the classical path)
  let m = measureCandidate(crop, c[0], c[1], c[2], f.radiusMm);
  for (let grow = 1.6; m && m.leak > 0.15 && grow < 5; grow *= 1.6) {
    const m2 = measureCandidate(crop, c[0], c[1], c[2], f.radiusMm * grow);
    if (!m2) break;
    m = m2;
  }
  if (!m) return null;
  const full: Vec3 = [m.centroid[0] + crop.offset[0], m.centroid[1] + crop.offset[1], m.centroid[2] + crop.offset[2]];
  const diameter = (m.longAxisMm + m.shortAxisMm) / 2;
  const solidD = m.type === 'ground-glass' ? 0 : (m.solidLongAxisMm + m.solidShortAxisMm) / 2;
  const ci = Math.round(full[0]) + ct.dims[0] * (Math.round(full[1]) + ct.dims[1] * Math.round(full[2]));
  const side = lungs.lungLabels.data[ci];
  const cxy = crop.dims[0] * crop.dims[1];
  let atScanEdge = false;
  for (const v of m.voxels) {
    const gz = Math.floor(v / cxy) + crop.offset[2];
    if (gz === 0 || gz === ct.dims[2] - 1) {
      atScanEdge = true;
      break;
    }
  }
  return {
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
      response: round(f.score, 4),
      contrastHU: round(m.peakHU - m.backgroundHU, 1),
      blobness: 0,
      compactness: round(m.compactness, 3),
      leak: round(m.leak, 3),
      lungContact: round(m.lungContact, 3),
      wallContact: round(m.wallContact, 3),
      scaleMm: round(f.radiusMm, 2),
    },
  };
}

/**
 * Scan scope and the exam-level Lung-RADS, by the classical path's rules: thick slices or
 * contrast make it not a screening CT (every category null), lungs cut off make it 0.
 */
function examScope(
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
  checkLungCoverage(limitations, lungs.lungMask);
  const edge = kept.filter((k) => k.atScanEdge).length;
  if (edge > 0)
    addLimitation(limitations, {
      code: 'LESION_AT_SCAN_EDGE',
      message: `${edge} finding(s) reach the first or last slice: size and type may be underestimated.`,
      details: { findings: edge },
    });
  const notScreening = limitations.filter((l) => l.code === 'THICK_SLICES' || l.code === 'CONTRAST_ENHANCED');
  const incomplete = limitations.find((l) => l.code === 'PARTIAL_LUNG_COVERAGE');
  let lungRadsReason: string | null = null;
  let lungRads: DetectNodulesResult['lungRads'] = examLungRads(kept.map((k) => k.lungRads!));
  if (!anyScan && notScreening.length > 0) {
    lungRadsReason = `Lung-RADS v2022 does not apply: ${notScreening.map((l) => l.message).join(' ')}`;
    addLimitation(limitations, {
      code: 'NOT_SCREENING_CT',
      message:
        'Not a thin-slice non-contrast screening CT: no Lung-RADS category, and no findings does not mean a negative exam.',
    });
    for (const k of kept) k.lungRads = null;
    lungRads = null;
  } else if (!anyScan && incomplete) {
    lungRadsReason = `Lung-RADS 0 (incomplete): ${incomplete.message}`;
    lungRads = '0';
  }
  return { lungRads, lungRadsReason, scan: { sliceThicknessMm: round(thickness, 2), bloodHU, contrast } };
}
