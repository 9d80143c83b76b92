// segmentTumor with a bring-your-own model: the network's label map gives the lesions; a seed or
// box picks the lesion the user pointed at out of it.
import { runSegmentationModel } from '../../backends/pipeline.js';
import { MedImgError } from '../../core/errors.js';
import { worldToIndex } from '../../core/geometry.js';
import { connectedComponents } from '../../core/ops/labels.js';
import { Stages } from '../../core/progress.js';
import { createVolumeLike, type Vec3, type Volume, validateVolume } from '../../core/volume.js';
import { makeProvenance, round, StageTimer } from '../internal/common.js';
import { addLimitation, type Limitation } from '../internal/limitations.js';
import { labelsNamed, modelRecord, modelScopeLimitations, openTaskModel } from '../internal/model-task.js';
import type { SegmentTumorOptions, SegmentTumorResult } from './index.js';
import { lesionStats } from './index.js';

/** Channel names taken as lesions when `lesionLabels` is not given. */
const LESION_NAME = /tumou?r|lesion|mass|nodule|cancer|carcinoma|metasta|neoplasm|sarcoma/i;

const MODEL_STAGES = [
  ['model', 85],
  ['lesions', 15],
] as const;

/** Seed mode: a lesion whose nearest voxel lies within this distance (mm) of the click is taken. */
export const SEED_TOLERANCE_MM = 10;

/**
 * The model path of {@link segmentTumor} (`options.model` set): runs the network as its card says
 * (sliding window when the image is larger than its patch), keeps the labels named like a lesion
 * (or `lesionLabels`), and returns every connected lesion; with a `seed` only the lesion holding
 * it (or the nearest within 10 mm), with a `box` only the lesions that reach into the box.
 */
export async function segmentTumorWithModel(image: Volume, options: SegmentTumorOptions): Promise<SegmentTumorResult> {
  validateVolume(image);
  const timer = new StageTimer();
  const stages = new Stages(options, MODEL_STAGES);
  await stages.start('model');
  const m = await openTaskModel(options.model!, 'segmentTumor', ['probabilities', 'labels'], options);
  try {
    const named = labelsNamed(m.card, LESION_NAME);
    const lesionLabels = options.lesionLabels ?? named.labels;
    if (lesionLabels.length === 0 || lesionLabels.some((l) => !Number.isInteger(l) || l < 1 || l > 255)) {
      throw new MedImgError('INVALID_ARGUMENT', 'lesionLabels must be labels 1..255 of the model output.');
    }
    const run = await runSegmentationModel(image, m.session, stages.nested());
    timer.mark('model');
    await stages.start('lesions');
    const isLesion = new Uint8Array(256);
    for (const l of lesionLabels) isLesion[l] = 1;
    const labels = run.labels.data;
    const n = labels.length;
    let mask: Uint8Array = new Uint8Array(n);
    for (let i = 0; i < n; i++) mask[i] = isLesion[labels[i]!]!;
    const limitations: Limitation[] = [];
    let mode: 'model' | 'model+seed' | 'model+box' = 'model';
    if (options.seed || options.box) {
      mode = options.seed ? 'model+seed' : 'model+box';
      mask = pointedLesions(image, mask, options);
      if (!mask.some((v) => v)) {
        addLimitation(limitations, {
          code: 'NO_LESION_AT_POINTER',
          message: options.seed
            ? `The model found no lesion within ${SEED_TOLERANCE_MM} mm of the seed.`
            : 'The model found no lesion inside the box.',
        });
      }
    } else if (!mask.some((v) => v)) {
      addLimitation(limitations, {
        code: 'NO_LESION_FOUND',
        message: 'The model found no lesion in this image; this is not proof that there is none.',
      });
    }
    await stages.step(1, 2);
    modelScopeLimitations(limitations, image, m.card);
    if (image.spacing[2] > 2.5) {
      addLimitation(limitations, {
        code: 'THICK_SLICES',
        message:
          'Slices are thicker than 2.5 mm: the lesion top and bottom are blurred, so volume and extent are approximate.',
        details: { sliceSpacingMm: round(image.spacing[2], 2) },
      });
    }
    if (touchesEdge(mask, image.dims)) {
      addLimitation(limitations, {
        code: 'LESION_AT_SCAN_EDGE',
        message: 'A lesion reaches the edge of the scan and may continue outside it; its volume is a lower bound.',
      });
    }
    const out = createVolumeLike(image, Uint8Array);
    out.data.set(mask);
    const lesions = lesionStats(image, mask);
    timer.mark('lesions');
    stages.finish();
    return {
      mask: out,
      lesions,
      intensityRange: percentileRange(image.data, mask),
      limitations,
      provenance: makeProvenance(
        'segmentTumor',
        {
          mode,
          lesionLabels,
          lesionNames: lesionLabels.map((l) => named.names[l] ?? String(l)),
          seedToleranceMm: options.seed ? SEED_TOLERANCE_MM : null,
          model: run.settings,
        },
        timer,
        [],
        m.session.backend,
        modelRecord(m),
      ),
    };
  } finally {
    await m.release();
  }
}

/** The lesions of `mask` the seed or box points at (whole connected lesions). */
function pointedLesions(image: Volume, mask: Uint8Array, options: SegmentTumorOptions): Uint8Array {
  const { dims, spacing } = image;
  const [nx, ny, nz] = dims;
  const comps = connectedComponents({ data: mask, dims, spacing }, { connectivity: 6, stats: false });
  const keep = new Set<number>();
  if (options.seed) {
    const s = worldToIndex(image, options.seed);
    const r = [0, 1, 2].map((a) => Math.ceil(SEED_TOLERANCE_MM / spacing[a]!));
    let best = Infinity;
    let bestLabel = 0;
    for (let z = Math.max(0, Math.round(s[2]) - r[2]!); z <= Math.min(nz - 1, Math.round(s[2]) + r[2]!); z++)
      for (let y = Math.max(0, Math.round(s[1]) - r[1]!); y <= Math.min(ny - 1, Math.round(s[1]) + r[1]!); y++)
        for (let x = Math.max(0, Math.round(s[0]) - r[0]!); x <= Math.min(nx - 1, Math.round(s[0]) + r[0]!); x++) {
          const l = comps.labels.data[x + nx * (y + ny * z)]!;
          if (!l) continue;
          const d = Math.hypot((x - s[0]) * spacing[0], (y - s[1]) * spacing[1], (z - s[2]) * spacing[2]);
          if (d < best) {
            best = d;
            bestLabel = l;
          }
        }
    if (bestLabel && best <= SEED_TOLERANCE_MM) keep.add(bestLabel);
  } else if (options.box) {
    const a = worldToIndex(image, options.box.min);
    const b = worldToIndex(image, options.box.max);
    const lo = [0, 1, 2].map((k) => Math.max(0, Math.round(Math.min(a[k]!, b[k]!))));
    const hi = [0, 1, 2].map((k) => Math.min(dims[k]! - 1, Math.round(Math.max(a[k]!, b[k]!))));
    for (let z = lo[2]!; z <= hi[2]!; z++)
      for (let y = lo[1]!; y <= hi[1]!; y++)
        for (let x = lo[0]!; x <= hi[0]!; x++) {
          const l = comps.labels.data[x + nx * (y + ny * z)]!;
          if (l) keep.add(l);
        }
  }
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < out.length; i++) out[i] = keep.has(comps.labels.data[i]!) ? 1 : 0;
  return out;
}

function touchesEdge(mask: Uint8Array, dims: Vec3): boolean {
  const [nx, ny, nz] = dims;
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) {
        if (!mask[i]) continue;
        if (x === 0 || y === 0 || x === nx - 1 || y === ny - 1 || (nz > 1 && (z === 0 || z === nz - 1))) return true;
      }
  return false;
}

/** 5th and 95th percentile of the image inside the mask ([0, 0] for an empty mask). */
function percentileRange(data: ArrayLike<number>, mask: Uint8Array): [number, number] {
  const vals: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i]) vals.push(data[i]!);
  if (vals.length === 0) return [0, 0];
  const s = Float64Array.from(vals).sort();
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return [round(at(0.05), 1), round(at(0.95), 1)];
}
