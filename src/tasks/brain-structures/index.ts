import {
  BRAINCHOP_APARC50_CARD,
  BRAINCHOP_DK104_CARD,
  BRAINCHOP_SUBCORTICAL18_CARD,
} from '../../backends/cards/brainchop.js';
import type { ModelCard } from '../../backends/model-card.js';
import { MedImgError } from '../../core/errors.js';
import { type Volume, validateVolume } from '../../core/volume.js';
import { extractBrain } from '../brain-extraction/index.js';
import { withDefaultCard } from '../internal/card-model.js';
import { brainAnatomyLimitation, brainVolumeLimitation } from '../internal/brain-volume.js';
import { addLimitation } from '../internal/limitations.js';
import { segmentStructures } from '../segment-structures/index.js';
import { brainStructureTable } from './hemispheres.js';
import type { BrainModelId, SegmentBrainStructuresOptions, SegmentBrainStructuresResult } from './types.js';

export { asymmetryIndex, type Side, sideOfName } from './hemispheres.js';
export type {
  BrainModelId,
  BrainStructureVolume,
  SegmentBrainStructuresOptions,
  SegmentBrainStructuresResult,
} from './types.js';

const CARDS: Record<BrainModelId, ModelCard> = {
  'brainchop-subcortical18': BRAINCHOP_SUBCORTICAL18_CARD,
  'brainchop-aparc50': BRAINCHOP_APARC50_CARD,
  'brainchop-dk104': BRAINCHOP_DK104_CARD,
};

function cardOf(card: SegmentBrainStructuresOptions['card']): ModelCard {
  if (card === undefined) return BRAINCHOP_SUBCORTICAL18_CARD;
  if (typeof card === 'string') {
    const c = CARDS[card as BrainModelId];
    if (!c) {
      throw new MedImgError(
        'INVALID_ARGUMENT',
        `Unknown brain model card '${card}'; use one of ${Object.keys(CARDS).join(', ')}.`,
      );
    }
    return c;
  }
  return card;
}

/**
 * Brain structures of a T1 MR with a MeshNet label model (brainchop subcortical, 50-class or
 * 104-class): the label map on the input grid and, per structure, its volume (mL), its fraction
 * of the intracranial volume, and left/right volumes with an asymmetry index.
 *
 * Any T1 is conformed as the card says (256³ voxels of 1 mm in LIA, centred on the input; an
 * input already so is used as is, which reproduces the reference run bit for bit) and the labels
 * come back by nearest neighbour. The intracranial volume comes from `icvMl`, else from the
 * brain-extraction model `brainMaskModel` (MindGrab), else from the labelled tissue (limitation
 * ICV_FROM_LABELS). Sides come from the labels when the model splits them (DK-104), else from the
 * mid-sagittal plane through the labelled voxels' centroid (limitation HEMISPHERES_BY_MIDLINE).
 *
 * Errors: INVALID_ARGUMENT, MODEL_CARD_INVALID, MODEL_HASH_MISMATCH, BACKEND_UNAVAILABLE,
 * INVALID_VOLUME, ABORTED.
 *
 * Guide: [method and validation](../../../docs/tasks/brain-structures.md).
 *
 * @example
 * ```ts
 * import { segmentBrainStructures } from 'medimg';
 * const r = await segmentBrainStructures(t1, {
 *   model: 'models/subcortical18.onnx',
 *   brainMaskModel: 'models/mindgrab.onnx',
 *   backend: 'cpu',
 * });
 * const hippo = r.structures.find((s) => s.name === 'Hippocampus');
 * console.log(hippo?.volumeMl, hippo?.icvFraction, hippo?.asymmetryIndex);
 * ```
 */
export async function segmentBrainStructures(
  t1: Volume,
  options: SegmentBrainStructuresOptions,
): Promise<SegmentBrainStructuresResult> {
  const t0 = performance.now();
  validateVolume(t1, 't1');
  if (!options || options.model === undefined) {
    throw new MedImgError(
      'INVALID_ARGUMENT',
      'segmentBrainStructures needs options.model (a MeshNet structure model).',
    );
  }
  if (options.icvMl !== undefined && !(Number.isFinite(options.icvMl) && options.icvMl > 0)) {
    throw new MedImgError('INVALID_ARGUMENT', 'icvMl must be a positive number of mL.');
  }
  const model = withDefaultCard(options.model, cardOf(options.card));
  const common = {
    ...(options.backend ? { backend: options.backend } : {}),
    ...(options.cache !== undefined ? { cache: options.cache } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const withMask = options.icvMl === undefined && options.brainMaskModel !== undefined;
  const progress = (from: number, to: number) =>
    options.onProgress
      ? {
          onProgress: (e: { stage: string; fraction: number }) =>
            options.onProgress!({ stage: e.stage, fraction: from + (to - from) * e.fraction }),
        }
      : {};
  const r = await segmentStructures(t1, { ...common, ...progress(0, withMask ? 0.5 : 1), model });
  const limitations = [...r.limitations];
  const labelledMl = r.structures.reduce((a, st) => a + st.volumeMl, 0);
  let icv: SegmentBrainStructuresResult['icv'];
  let brainMask: Volume<Uint8Array> | null = null;
  let maskMs = 0;
  if (options.icvMl !== undefined) icv = { ml: options.icvMl, source: 'given' };
  else if (options.brainMaskModel !== undefined) {
    const tm = performance.now();
    const b = await extractBrain(t1, { ...common, ...progress(0.5, 1), model: options.brainMaskModel });
    maskMs = performance.now() - tm;
    brainMask = b.mask;
    icv = { ml: b.icvMl, source: 'extractBrain' };
    for (const l of b.limitations) addLimitation(limitations, l);
  } else {
    icv = { ml: labelledMl, source: 'labelled' };
    addLimitation(limitations, {
      code: 'ICV_FROM_LABELS',
      message:
        'No intracranial volume was given and no brain-extraction model ran: fractions divide by the labelled tissue volume, which leaves out the CSF around the brain.',
    });
  }
  const tTable = performance.now();
  const table = brainStructureTable(r.labels, r.structures, icv.ml);
  if (table.hemisphereMethod === 'midline') {
    addLimitation(limitations, {
      code: 'HEMISPHERES_BY_MIDLINE',
      message:
        'The model does not label left and right: sides are split at the mid-sagittal plane through the brain centroid, which a tilted head or a midline shift biases.',
    });
  }
  if (t1.spacing.some((s) => s > 1.5)) {
    addLimitation(limitations, {
      code: 'THICK_SLICES',
      message: `The model was trained on 1 mm T1; this scan has ${Math.max(...t1.spacing).toFixed(1)} mm voxels, so small structures are approximate.`,
      details: { maxSpacingMm: Math.max(...t1.spacing) },
    });
  }
  brainVolumeLimitation(limitations, labelledMl);
  const thalamus = r.structures.filter((st) => /thalamus/i.test(st.name));
  if (thalamus.length)
    brainAnatomyLimitation(limitations, { thalamusMl: thalamus.reduce((a, st) => a + st.volumeMl, 0) });
  const tEnd = performance.now();
  return {
    labels: r.labels,
    structures: table.structures,
    perLabel: r.structures,
    icv,
    brainMask,
    hemisphereMethod: table.hemisphereMethod,
    midlineXMm: table.midlineXMm,
    model: r.model,
    limitations,
    provenance: {
      ...r.provenance,
      task: 'segmentBrainStructures',
      settings: { ...r.provenance.settings, icvSource: icv.source, hemisphereMethod: table.hemisphereMethod },
      timingsMs: { ...r.provenance.timingsMs, brainMask: maskMs, table: tEnd - tTable, total: tEnd - t0 },
    },
  };
}
