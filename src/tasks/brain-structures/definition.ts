// Registry entry of segmentBrainStructures: structures of a T1 with their volumes, ICV fractions
// and asymmetry; one SEG segment and SR volume per structure (key structures first).
import type { TaskDefinition } from '../definition.js';
import { modelWithCard } from '../internal/card-model.js';
import { r1, r2 } from '../internal/present.js';
import { presentStructures } from '../segment-structures/present.js';
import { segmentBrainStructures } from './index.js';
import type { SegmentBrainStructuresResult } from './types.js';

/** The structures a neurodegenerative follow-up reads first. */
const KEY =
  /hippocamp|thalam|caudate|putamen|pallid|amygdala|lateral-ventricle|^ventricle$|cerebral-white|cerebral-cortex/i;

export const brainStructuresTask: TaskDefinition<SegmentBrainStructuresResult, 'segmentBrainStructures'> = {
  id: 'segmentBrainStructures',
  cliName: 'brain-structures',
  title: 'Brain structures',
  summary:
    'brain structure volumes, fraction of intracranial volume and asymmetry (T1 MR, MeshNet), needs --model [--card] [--brain-mask-model]',
  inAll: false,
  optionsSchema: {
    type: 'object',
    properties: {
      brainModel: { description: 'MeshNet structure model ONNX (path).' },
      modelCard: {
        description: "Its card: 'brainchop-subcortical18' (default), 'brainchop-aparc50', 'brainchop-dk104' or a path.",
      },
      brainMaskModel: { description: 'MindGrab ONNX (path) for the intracranial volume.' },
      backend: { description: "Inference backend. Default 'cpu'." },
    },
    required: ['brainModel'],
  },
  resultType: ['src/tasks/brain-structures/types.ts', 'SegmentBrainStructuresResult'],
  check: (inputs) =>
    inputs.brainModel
      ? undefined
      : "Task 'brain-structures' needs --model <MeshNet .onnx> (see docs/tasks/brain-structures.md).",
  async run({ image, inputs, options }) {
    const backend = inputs.backend ?? 'cpu';
    return {
      result: await segmentBrainStructures(image, {
        ...options,
        model: modelWithCard(inputs.brainModel!, inputs.modelCard),
        ...(inputs.brainMaskModel ? { brainMaskModel: inputs.brainMaskModel } : {}),
        backend,
      }),
    };
  },
  headline: (r) => {
    const h = r.structures.find((s) => /hippocamp/i.test(s.name));
    return `brain structures: ${r.structures.length} (${r.model.id}), ICV ${r1(r.icv.ml)} mL (${r.icv.source})${h ? `, hippocampus ${r2(h.volumeMl)} mL` : ''}`;
  },
  present: (r, { image, uidFor }) =>
    presentStructures(
      image,
      r.labels,
      r.structures.map((s) => ({
        name: s.name,
        labels: s.labels,
        volumeMl: s.volumeMl,
        cells: [
          s.name,
          r2(s.volumeMl),
          Math.round(s.icvFraction * 1e5) / 1e3,
          s.leftMl === null ? '' : r2(s.leftMl),
          s.rightMl === null ? '' : r2(s.rightMl),
          s.asymmetryIndex === null ? '' : r1(s.asymmetryIndex),
        ],
      })),
      {
        title: `Brain structures (${r.model.id})`,
        file: 'brain-structures.png',
        columns: ['structure', 'volume mL', '% of ICV', 'left mL', 'right mL', 'asymmetry %'],
        first: KEY,
        uidFor,
        note: `ICV ${r1(r.icv.ml)} mL (${r.icv.source}); sides by ${r.hemisphereMethod === 'labels' ? "the model's left/right labels" : 'the mid-sagittal plane'}; asymmetry = (L - R) / mean(L, R).`,
      },
    ),
};
