// Registry entry of classifyImage: a card-declared classifier on the study image, with its
// occlusion explanation as a picture, the class table and one SR finding per positive class.
import { code } from '../../io/dicom/codes.js';
import { MEDIMG_CODES, MEDIMG_SCHEME } from '../../io/dicom/sr-write.js';
import type { TaskDefinition } from '../definition.js';
import { renderSensitivityPng } from '../explain/picture.js';
import { emptyPresentation } from '../internal/present.js';
import { classifyImage } from './index.js';
import type { ClassifyImageResult } from './types.js';

const pct = (p: number) => `${(100 * p).toFixed(1)} %`;

export const classifyTask: TaskDefinition<ClassifyImageResult, 'classifyImage'> = {
  id: 'classifyImage',
  cliName: 'classify',
  title: 'Image classification',
  summary: 'class probabilities of a card-declared ONNX classifier, with an occlusion map; needs --classify-model',
  inAll: false,
  optionsSchema: {
    type: 'object',
    properties: {
      classifyModel: { description: "Classifier ONNX and card (card output_kind 'classification')." },
      backend: { description: "Inference backend. Default 'cpu'." },
    },
    required: ['classifyModel'],
  },
  resultType: ['src/tasks/classify/types.ts', 'ClassifyImageResult'],
  check: (inputs) =>
    inputs.classifyModel
      ? undefined
      : "Task 'classify' needs --classify-model <X.onnx beside X.card.json> (see docs/tasks/classify.md).",
  async run({ image, inputs, options }) {
    return {
      result: await classifyImage(image, {
        ...options,
        model: { onnx: inputs.classifyModel!.onnx, card: inputs.classifyModel!.card },
        backend: inputs.backend ?? 'cpu',
        explain: true,
      }),
    };
  },
  headline: (r) =>
    `classify: ${r.top.map((c) => `${c.label} ${pct(c.probability)}`).join(', ')}${r.calibrated ? '' : ' (uncalibrated)'}`,
  present(r, { image, isCt }) {
    const p = emptyPresentation();
    const ex = r.explanation;
    if (ex) {
      p.pictures.push({
        file: 'classify-occlusion.png',
        title: `What drove '${ex.target.label}' (occlusion sensitivity, yellow to red)`,
        png: renderSensitivityPng(image, ex.map, isCt ? { window: { center: 40, width: 400 } } : {}),
      });
    }
    p.tables.push({
      title: `Classes (${r.multiLabel ? 'multi-label, sigmoid' : 'one label, softmax'}${r.calibrated ? ', calibrated' : ', not calibrated'})`,
      columns: ['class', 'probability', ...(r.multiLabel ? ['positive'] : [])],
      rows: [...r.classes]
        .sort((a, b) => b.probability - a.probability)
        .map((c) => [c.label, pct(c.probability), ...(r.multiLabel ? [c.positive ? 'yes' : 'no'] : [])]),
      ...(ex ? { note: ex.regions.summary } : {}),
    });
    for (const label of r.positives) {
      const c = r.classes.find((x) => x.label === label)!;
      p.findings.push({
        trackingId: `Class ${label}`,
        finding: code(`CLASS-${c.index}`, MEDIMG_SCHEME, label),
        ...(ex && ex.target.index === c.index && ex.regions.regions[0]
          ? { center: [...ex.regions.regions[0].peakMm] }
          : {}),
        measurements: [{ name: MEDIMG_CODES.classProbability, value: Number(c.probability.toFixed(4)), unit: '1' }],
      });
    }
    return p;
  },
};
