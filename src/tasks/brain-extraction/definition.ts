// Registry entry of extractBrain (MindGrab): the brain mask in the SEG, its volume (ICV) in the SR.
import { renderMosaicPng } from '../../io/png/index.js';
import type { TaskDefinition } from '../definition.js';
import { modelWithCard } from '../internal/card-model.js';
import { emptyPresentation, labelledSlices, r1 } from '../internal/present.js';
import { type ExtractBrainResult, extractBrain } from './index.js';

export const extractBrainTask: TaskDefinition<ExtractBrainResult, 'extractBrain'> = {
  id: 'extractBrain',
  cliName: 'brain-mask',
  title: 'Brain extraction',
  summary: 'brain mask and intracranial volume with the MindGrab model (T1 MR), needs --model',
  inAll: false,
  optionsSchema: {
    type: 'object',
    properties: {
      brainModel: { description: 'MindGrab ONNX (path).' },
      modelCard: { description: "Its card (default the shipped 'brainchop-mindgrab')." },
      backend: { description: "Inference backend. Default 'cpu'." },
    },
    required: ['brainModel'],
  },
  resultType: ['src/tasks/brain-extraction/index.ts', 'ExtractBrainResult'],
  check: (inputs) =>
    inputs.brainModel
      ? undefined
      : "Task 'brain-mask' needs --model <MindGrab .onnx> (see docs/tasks/brain-structures.md).",
  async run({ image, inputs, options }) {
    return {
      result: await extractBrain(image, {
        ...options,
        model: modelWithCard(inputs.brainModel!, inputs.modelCard),
        backend: inputs.backend ?? 'cpu',
      }),
    };
  },
  headline: (b) => `brain mask: intracranial volume ${r1(b.icvMl)} mL`,
  present(b, { image, uidFor }) {
    const p = emptyPresentation();
    const trackingUid = uidFor('track-brain-mask');
    p.segments.push({
      mask: b.mask,
      description: { label: 'Brain', type: 'brain', color: [255, 200, 80], trackingId: 'Brain', trackingUid },
    });
    p.findings.push({
      trackingId: 'Brain',
      trackingUid,
      finding: 'brain',
      measurements: [{ kind: 'volume', value: r1(b.icvMl), unit: 'ml' }],
      segment: 0,
    });
    const indices = labelledSlices(b.mask, 9);
    p.pictures.push({
      file: 'brain-mask.png',
      title: 'Brain mask (MindGrab)',
      png: renderMosaicPng(image, {
        ...(indices ? { indices } : { count: 9 }),
        overlay: { mask: b.mask, alpha: 0.35, colors: { 1: [255, 200, 80] } },
        maxSize: 220,
        legend: [{ label: 'brain mask', color: [255, 200, 80] }],
      }),
    });
    p.tables.push({
      title: 'Brain extraction',
      columns: ['measure', 'value'],
      rows: [['intracranial volume mL', r1(b.icvMl)]],
    });
    return p;
  },
};
