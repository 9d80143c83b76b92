import { primaryTensors } from '../../backends/model-card.js';
import { runSegmentationModel } from '../../backends/pipeline.js';
import { MedImgError } from '../../core/errors.js';
import { Stages } from '../../core/progress.js';
import { validateVolume } from '../../core/volume.js';
import type { Volume } from '../../core/volume.js';
import { VERSION } from '../../version.js';
import type { Limitation } from '../contract.js';
import { modelRecord, modelScopeLimitations, openTaskModel } from '../internal/model-task.js';
import { measureLabels } from './measure.js';
import type { SegmentStructuresOptions, SegmentStructuresResult } from './types.js';

export type {
  ModelTaskProvenance,
  SegmentStructuresOptions,
  SegmentStructuresResult,
  StructureMeasurement,
} from './types.js';

/**
 * Runs any label-map or per-class probability model that has a card, and measures each of its
 * labels: a label map on the input grid plus, per label, the voxel count, volume (mL), and the
 * mean and SD of the input intensity. Label names come from the card's `channel_def`.
 *
 * The card drives the preprocessing (conform, orientation, spacing, normalisation, tensor order),
 * the inference (whole volume or sliding window) and the labels (argmax or threshold); labels go
 * back to the input grid by nearest neighbour.
 *
 * Errors: INVALID_ARGUMENT (no model or no card), MODEL_CARD_INVALID (an output kind other than
 * probabilities or labels, or more than 256 labels), MODEL_INPUT_MISMATCH, MODEL_HASH_MISMATCH,
 * BACKEND_UNAVAILABLE, INVALID_VOLUME, ABORTED.
 *
 * Guide: [method and validation](../../../docs/tasks/brain-structures.md).
 *
 * @example
 * ```ts
 * import { BRAINCHOP_SUBCORTICAL18_CARD, segmentStructures } from 'medimg';
 * const r = await segmentStructures(t1, { model: { onnx: 'model.onnx', card: BRAINCHOP_SUBCORTICAL18_CARD } });
 * for (const s of r.structures) console.log(s.name, s.volumeMl.toFixed(2), 'mL');
 * ```
 */
export async function segmentStructures(
  image: Volume,
  options: SegmentStructuresOptions,
): Promise<SegmentStructuresResult> {
  const t0 = performance.now();
  validateVolume(image);
  if (!options || options.model === undefined) {
    throw new MedImgError('INVALID_ARGUMENT', 'segmentStructures needs options.model ({ onnx, card } or a Session).');
  }
  const stages = new Stages(options, [
    ['load', 1],
    ['model', 20],
    ['measure', 1],
  ]);
  await stages.start('load');
  const m = await openTaskModel(options.model, 'segmentStructures', ['probabilities', 'labels'], {
    ...(options.backend ? { backend: options.backend } : {}),
    ...(options.cache !== undefined ? { cache: options.cache } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  try {
    const { output } = primaryTensors(m.card);
    const names: Record<number, string> = {};
    for (const [k, v] of Object.entries(output.channel_def)) names[Number(k)] = v;
    if (Object.keys(names).some((k) => Number(k) > 255)) {
      throw new MedImgError('MODEL_CARD_INVALID', 'segmentStructures reads at most 256 labels (0..255).', {
        details: { field: 'network_data_format.outputs.channel_def' },
      });
    }
    await stages.start('model');
    const run = await runSegmentationModel(image, m.session, stages.nested());
    await stages.start('measure');
    const tMeasure = performance.now();
    const structures = measureLabels(run.labels, image, names);
    const limitations: Limitation[] = [];
    modelScopeLimitations(limitations, image, m.card);
    const tEnd = performance.now();
    await stages.step(1, 1);
    return {
      labels: run.labels,
      structures,
      model: {
        id: m.card.id,
        name: m.card.name ?? null,
        labelNames: Object.fromEntries(Object.entries(names).map(([k, v]) => [k, v])),
      },
      limitations,
      provenance: {
        version: VERSION,
        task: 'segmentStructures',
        backend: m.session.backend,
        runtime: m.session.provenance.runtime,
        backendAttempts: m.session.provenance.attempts,
        model: modelRecord(m),
        settings: run.settings,
        timingsMs: {
          load: m.loadMs,
          preprocess: run.timings.preprocess,
          inference: run.timings.inference,
          run: run.timings.run,
          postprocess: run.timings.postprocess,
          measure: tEnd - tMeasure,
          total: tEnd - t0,
        },
        warnings: [],
      },
    };
  } finally {
    await m.release();
  }
}
