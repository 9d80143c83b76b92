// Registry entry of extractRadiomics: on the tumour mask when the tumour task ran, else on the
// given mask; a table of shape and first-order features and radiomics.csv (PyRadiomics batch style).
import { MedImgError } from '../../core/errors.js';
import type { TaskDefinition } from '../definition.js';
import type { SegmentTumorResult } from '../segment-tumor/index.js';
import { emptyPresentation } from '../internal/present.js';
import { type ExtractRadiomicsResult, extractRadiomics } from './extract.js';
import { parseParameterFile } from './settings.js';

export const radiomicsTask: TaskDefinition<ExtractRadiomicsResult, 'extractRadiomics'> = {
  id: 'extractRadiomics',
  cliName: 'radiomics',
  title: 'Radiomics',
  summary: 'PyRadiomics-compatible features on the tumour mask, or on --mask',
  inAll: true,
  uses: ['segmentTumor'],
  optionsSchema: {
    type: 'object',
    properties: {
      radiomicsMask: { description: 'ROI on the image grid when the tumour task does not run.' },
      radiomicsParams: { description: 'PyRadiomics parameter file text (YAML/JSON).' },
    },
  },
  resultType: ['src/tasks/radiomics/extract.ts', 'ExtractRadiomicsResult'],
  check(inputs, requested) {
    if (!requested.includes('tumor') && !inputs.radiomicsMask) {
      return "Task 'radiomics' needs a mask: run it with 'tumor', or give --mask <nifti|nrrd>.";
    }
    return undefined;
  },
  async run({ image, inputs, results, skipped, options }) {
    const tumour = (results.segmentTumor as SegmentTumorResult | undefined)?.mask;
    const mask = tumour ?? inputs.radiomicsMask;
    if (!mask && skipped.includes('segmentTumor')) return { skipped: 'no ROI: the tumour task was skipped' };
    if (!mask) throw new MedImgError('EMPTY_MASK', 'No ROI for radiomics: the tumour segmentation did not succeed.');
    const settings = inputs.radiomicsParams ? parseParameterFile(inputs.radiomicsParams) : {};
    return {
      result: await extractRadiomics(image, mask, { ...settings, ...options }),
      reportExtra: { maskSource: tumour ? 'tumor' : 'file' },
    };
  },
  headline: (r, extra) => `radiomics: ${Object.keys(r.features).length} features on the ${extra?.maskSource} mask`,
  present(r, { reportExtra }) {
    const p = emptyPresentation();
    const entries = Object.entries(r.features);
    const pick = entries.filter(([k]) => /^original_(shape|firstorder)_/.test(k));
    p.tables.push({
      title: `${entries.length} features on the ${reportExtra?.maskSource === 'tumor' ? 'tumour mask' : 'given mask'} (shape and first order shown; all in report.json and radiomics.csv)`,
      columns: ['feature', 'value'],
      rows: pick.map(([k, v]) => [k, Number(v.toPrecision(6))]),
    });
    const keys = Object.keys(r.features);
    p.files.push({
      name: 'radiomics.csv',
      data: `${keys.join(',')}\n${keys.map((k) => String(r.features[k])).join(',')}\n`,
    });
    return p;
  },
};
