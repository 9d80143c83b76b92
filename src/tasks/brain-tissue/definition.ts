// Registry entry of segmentBrainTissue (MeshNet on T1 MR): white and grey matter in the SEG, a
// mosaic and the volumes.
import { DEFAULT_LABEL_COLORS, renderMosaicPng } from '../../io/png/index.js';
import type { TaskDefinition } from '../definition.js';
import { emptyPresentation, labelledSlices, maskOfLabel, r1 } from '../internal/present.js';
import { segmentBrainTissue } from './index.js';
import type { SegmentBrainTissueResult } from './types.js';

export const brainTissueTask: TaskDefinition<SegmentBrainTissueResult, 'segmentBrainTissue'> = {
  id: 'segmentBrainTissue',
  cliName: 'brain',
  title: 'Brain tissue',
  summary: 'grey/white matter with the MeshNet model (T1 MR), needs --model',
  inAll: false,
  optionsSchema: {
    type: 'object',
    properties: {
      brainModel: { description: 'MeshNet ONNX model (path).' },
      backend: { description: "Inference backend. Default 'cpu'." },
    },
    required: ['brainModel'],
  },
  resultType: ['src/tasks/brain-tissue/types.ts', 'SegmentBrainTissueResult'],
  check: (inputs) =>
    inputs.brainModel ? undefined : "Task 'brain' needs --model <MeshNet .onnx> (see docs/models.md).",
  async run({ image, inputs, options }) {
    // 'cpu' by default: probing GPUs prints driver noise on machines without them
    return {
      result: await segmentBrainTissue(image, {
        ...options,
        model: inputs.brainModel!,
        backend: inputs.backend ?? 'cpu',
      }),
    };
  },
  headline: (b) => `brain: white matter ${b.whiteMatterMl.toFixed(1)} mL, grey matter ${b.greyMatterMl.toFixed(1)} mL`,
  present(b, { image }) {
    const p = emptyPresentation();
    p.segments.push(
      {
        mask: maskOfLabel(b.labels, 1),
        description: { label: 'White matter', type: 'brain', color: [240, 240, 240] },
      },
      { mask: maskOfLabel(b.labels, 2), description: { label: 'Grey matter', type: 'brain', color: [120, 120, 255] } },
    );
    const indices = labelledSlices(b.labels, 9);
    p.pictures.push({
      file: 'brain.png',
      title: 'Brain tissue (white matter, grey matter)',
      png: renderMosaicPng(image, {
        ...(indices ? { indices } : { count: 9 }),
        overlay: { mask: b.labels, alpha: 0.35 },
        maxSize: 220,
        legend: [
          { label: 'white matter', color: DEFAULT_LABEL_COLORS[0]! },
          { label: 'grey matter', color: DEFAULT_LABEL_COLORS[1]! },
        ],
      }),
    });
    p.tables.push({
      title: 'Tissue volumes',
      columns: ['tissue', 'volume mL'],
      rows: [
        ['white matter', r1(b.whiteMatterMl)],
        ['grey matter', r1(b.greyMatterMl)],
      ],
    });
    return p;
  },
};
