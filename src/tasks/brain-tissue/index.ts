import { MESHNET_GWM_CARD } from './card.js';
import {
  MedImgError,
  type ModelSource,
  runSegmentationModel,
  type Session,
  VERSION,
  createSession,
  type Volume,
  validateVolume,
  voxelVolumeMm3,
} from './deps.js';
import type { SegmentBrainTissueOptions, SegmentBrainTissueResult } from './types.js';
import { brainAnatomyLimitation, brainVolumeLimitation } from '../internal/brain-volume.js';
import type { Limitation } from '../internal/limitations.js';
import { modelScopeLimitations } from '../internal/model-task.js';

export { MESHNET_GWM_CARD } from './card.js';
export type {
  BrainTissueOptions,
  BrainTissueProvenance,
  BrainTissueResult,
  SegmentBrainTissueOptions,
  SegmentBrainTissueResult,
} from './types.js';

function isSession(m: unknown): m is Session {
  return typeof m === 'object' && m !== null && typeof (m as Session).run === 'function' && 'provenance' in m;
}

/**
 * Grey/white-matter segmentation of a T1 MR with the MeshNet model (brainchop / niivue), and
 * the tissue volumes in mL.
 *
 * The model takes a FreeSurfer-conformed T1: 256×256×256 voxels of 1 mm in LIA (as `mri_convert
 * --conform` writes), fed in NIfTI on-disk order after min-max scaling. Any other T1 is conformed
 * as its card says (one linear resampling centred on the image, 8-bit with FreeSurfer's robust
 * limits); a T1 already on that grid is used as is. Labels come back on the input grid:
 * 0 background, 1 white matter, 2 grey matter.
 *
 * Errors: MODEL_INPUT_MISMATCH, MODEL_INVALID, MODEL_HASH_MISMATCH, MODEL_CARD_INVALID,
 * BACKEND_UNAVAILABLE, INVALID_VOLUME, ABORTED.
 *
 * Guide: [method and validation](../../../docs/tasks/brain-tissue.md).
 *
 * @example
 * ```ts
 * import { readNifti, segmentBrainTissue } from 'medimg';
 * const t1 = await readNifti('t1.nii.gz');
 * // Node: 'cpu' or 'cuda'; browser: 'webgpu' or 'wasm' (a URL or bytes as the model)
 * const r = await segmentBrainTissue(t1, { model: 'models/meshnet-gwm.onnx', backend: 'cpu' });
 * console.log(r.greyMatterMl, r.whiteMatterMl);
 * ```
 */
export async function segmentBrainTissue(
  t1: Volume,
  options: SegmentBrainTissueOptions,
): Promise<SegmentBrainTissueResult> {
  const t0 = performance.now();
  validateVolume(t1, 't1');
  if (!options || options.model === undefined) {
    throw new MedImgError(
      'INVALID_ARGUMENT',
      'segmentBrainTissue needs options.model (path, URL, bytes or Session of the MeshNet ONNX).',
    );
  }
  const owned = !isSession(options.model);
  let session: Session;
  if (isSession(options.model)) {
    session = options.model;
    if (!session.card)
      throw new MedImgError(
        'INVALID_ARGUMENT',
        'The session passed as model has no model card; create it with the MeshNet card.',
      );
  } else {
    const m = options.model as ModelSource;
    const hasCard = typeof m === 'object' && m !== null && 'onnx' in m && (m as { card?: unknown }).card !== undefined;
    session = await createSession(hasCard ? m : { onnx: m as never, card: MESHNET_GWM_CARD }, {
      backend: options.backend ?? 'auto',
      ...(options.cache !== undefined ? { cache: options.cache } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }
  const tLoad = performance.now();
  try {
    const out = Object.values(session.card!.network_data_format.outputs)[0];
    if (out?.num_channels !== 3) {
      throw new MedImgError(
        'MODEL_CARD_INVALID',
        `segmentBrainTissue needs a 3-class model (background, white matter, grey matter); this card's output has ${out?.num_channels} channels.`,
        { details: { field: 'network_data_format.outputs.num_channels' } },
      );
    }
    const warnings: string[] = [];
    if (t1.spacing.some((s) => Math.abs(s - 1) > 0.05)) {
      warnings.push(
        `The model was trained on 1 mm conformed T1; this volume has ${t1.spacing.map((s) => s.toFixed(2)).join('×')} mm voxels, resampled to 1 mm.`,
      );
    }
    const run = await runSegmentationModel(t1, session, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    const labels = run.labels.data;
    const counts = [0, 0, 0];
    for (let i = 0; i < labels.length; i++) counts[labels[i]!]!++;
    const mlPerVoxel = voxelVolumeMm3(t1) / 1000;
    const card = session.card!;
    const limitations: Limitation[] = [];
    modelScopeLimitations(limitations, t1, card);
    brainVolumeLimitation(limitations, (counts[1]! + counts[2]!) * mlPerVoxel);
    brainAnatomyLimitation(limitations, {
      whiteMatterMl: counts[1]! * mlPerVoxel,
      greyMatterMl: counts[2]! * mlPerVoxel,
    });
    const tEnd = performance.now();
    return {
      labels: run.labels,
      whiteMatterMl: counts[1]! * mlPerVoxel,
      greyMatterMl: counts[2]! * mlPerVoxel,
      voxelCounts: { background: counts[0]!, whiteMatter: counts[1]!, greyMatter: counts[2]! },
      limitations,
      provenance: {
        version: VERSION,
        task: 'segmentBrainTissue',
        backend: session.backend,
        runtime: session.provenance.runtime,
        backendAttempts: session.provenance.attempts,
        model: { id: card.id, version: card.version, license: card.license, sha256: session.provenance.model.sha256 },
        settings: run.settings,
        timingsMs: {
          load: owned ? tLoad - t0 : 0,
          preprocess: run.timings.preprocess,
          inference: run.timings.inference,
          run: run.timings.run,
          postprocess: run.timings.postprocess,
          total: tEnd - t0,
        },
        warnings,
      },
    };
  } finally {
    if (owned) await session.release();
  }
}
