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
import type { Limitation } from '../internal/limitations.js';
import { modelRecord, modelScopeLimitations, openTaskModel } from '../internal/model-task.js';
import { type SegmentLungsResult, segmentLungs } from '../lung-segmentation/index.js';
import type { LungCrop } from './candidates.js';
import {
  DEFAULT_MIN_PROBABILITY,
  dropDuplicateNodules,
  type FindingRegions,
  examScope,
  measureSettled,
  noduleFromMeasure,
} from './finding.js';
import { cropLungs, type DetectedNodule, type DetectNodulesOptions, type DetectNodulesResult } from './index.js';

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
  const minP = options.minProbability ?? DEFAULT_MIN_PROBABILITY;
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
  const regions: FindingRegions = new Map();
  let outside = 0;
  for (const [k, f] of findings.entries()) {
    await stages.step(k, findings.length);
    const probability = Math.min(1, Math.max(0, f.score));
    if (probability < minP) continue;
    const nd = measureFinding(ct, crop, lungs, f, probability, regions);
    if (nd === 'outside') outside++;
    else if (nd && nd.longAxisMm >= 0.75 * minD) nodules.push(nd);
  }
  if (outside > 0) warnings.push(`${outside} model finding(s) lie outside the lungs' search region and were left out.`);
  const kept = dropDuplicateNodules(ct, nodules, regions);
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
  regions: FindingRegions,
): DetectedNodule | null | 'outside' {
  const c = [0, 1, 2].map((a) => Math.round(f.voxel[a]!) - crop.offset[a]!) as Vec3;
  if (c.some((v, a) => v < 0 || v >= crop.dims[a]!)) return 'outside';
  const m = measureSettled(crop, c[0], c[1], c[2], f.radiusMm);
  if (!m) return null;
  return noduleFromMeasure(
    ct,
    crop,
    lungs,
    m,
    m.centroid,
    probability,
    { response: f.score, blobness: 0, scaleMm: f.radiusMm },
    regions,
  );
}
