// Registry entry of segmentStructures: any label model with a card; every label's volume, mean
// and SD, its segments in the SEG and volumes in the SR.
import type { TaskDefinition } from '../definition.js';
import { modelWithCard } from '../internal/card-model.js';
import { r1, r2 } from '../internal/present.js';
import { segmentStructures } from './index.js';
import { presentStructures } from './present.js';
import type { SegmentStructuresResult } from './types.js';

const rn = (v: number | null): number | string => (v === null ? '' : r2(v));

export const segmentStructuresTask: TaskDefinition<SegmentStructuresResult, 'segmentStructures'> = {
  id: 'segmentStructures',
  cliName: 'structures',
  title: 'Structures',
  summary: 'label map and per-label volume, mean and SD of any label model with a card; needs --model and --card',
  inAll: false,
  optionsSchema: {
    type: 'object',
    properties: {
      brainModel: { description: 'Label model ONNX (path).' },
      modelCard: { description: 'Its card: a shipped card id or a card JSON path.' },
      backend: { description: "Inference backend. Default 'cpu'." },
    },
    required: ['brainModel', 'modelCard'],
  },
  resultType: ['src/tasks/segment-structures/types.ts', 'SegmentStructuresResult'],
  check: (inputs) =>
    inputs.brainModel && inputs.modelCard
      ? undefined
      : "Task 'structures' needs --model <file.onnx> and --card <id|card.json> (see docs/models.md).",
  async run({ image, inputs, options }) {
    return {
      result: await segmentStructures(image, {
        ...options,
        model: modelWithCard(inputs.brainModel!, inputs.modelCard),
        backend: inputs.backend ?? 'cpu',
      }),
    };
  },
  headline: (r) =>
    `structures: ${r.structures.filter((s) => s.voxels > 0).length} labels, ${r1(r.structures.reduce((a, s) => a + s.volumeMl, 0))} mL labelled (${r.model.id})`,
  present: (r, { image, uidFor }) =>
    presentStructures(
      image,
      r.labels,
      r.structures.map((s) => ({
        name: s.name,
        labels: [s.label],
        volumeMl: s.volumeMl,
        cells: [s.label, s.name, r2(s.volumeMl), rn(s.mean), rn(s.sd)],
      })),
      {
        title: `Structures (${r.model.id})`,
        file: 'structures.png',
        columns: ['label', 'structure', 'volume mL', 'mean', 'SD'],
        uidFor,
      },
    ),
};
