// Registry entry of quantifyLungOpacity: runs on the shared lung segmentation; a lung mosaic and
// the HU-band table.
import { renderMosaicPng } from '../../io/png/index.js';
import type { TaskDefinition } from '../definition.js';
import { emptyPresentation, labelledSlices, r1 } from '../internal/present.js';
import type { SegmentLungsResult } from '../lung-segmentation/index.js';
import { type QuantifyLungOpacityResult, quantifyLungOpacity } from './index.js';

export const lungOpacityTask: TaskDefinition<QuantifyLungOpacityResult, 'quantifyLungOpacity'> = {
  id: 'quantifyLungOpacity',
  cliName: 'opacity',
  title: 'Lung opacity (HU bands)',
  summary: 'lung volume by HU band: emphysema, ground glass, consolidation (CT)',
  inAll: true,
  needs: ['segmentLungs'],
  optionsSchema: { type: 'object', properties: {} },
  resultType: ['src/tasks/lung-opacity/index.ts', 'QuantifyLungOpacityResult'],
  async run({ image, results, options }) {
    const lungs = results.segmentLungs as SegmentLungsResult | undefined;
    return { result: await quantifyLungOpacity(image, { ...options, ...(lungs ? { lungs } : {}) }) };
  },
  headline: (o) =>
    `opacity: lungs ${o.lungs.total.volumeMl.toFixed(0)} mL, ${Object.entries(o.lungs.total.bands)
      .map(([k, v]) => `${k} ${v.percent.toFixed(1)}%`)
      .join(', ')}`,
  present(o, { image, results }) {
    const p = emptyPresentation();
    const lungs = results.segmentLungs as SegmentLungsResult | undefined;
    if (!lungs) return p;
    const indices = labelledSlices(lungs.lungLabels, 6);
    p.pictures.push({
      file: 'lungs.png',
      title: 'Lungs (right blue, left orange)',
      png: renderMosaicPng(image, {
        ...(indices ? { indices } : { count: 6 }),
        window: 'lung',
        overlay: { mask: lungs.lungLabels, colors: { 1: [80, 160, 255], 2: [255, 170, 60] }, alpha: 0.3 },
        maxSize: 260,
        legend: [
          { label: 'right lung', color: [80, 160, 255] },
          { label: 'left lung', color: [255, 170, 60] },
        ],
      }),
    });
    const bands = Object.keys(o.lungs.total.bands);
    p.tables.push({
      title: 'Volume by HU band',
      columns: ['lung', 'volume mL', 'mean HU', ...bands.map((b) => `${b} %`)],
      rows: (['right', 'left', 'total'] as const).map((side) => [
        side,
        r1(o.lungs[side].volumeMl),
        Math.round(o.lungs[side].meanHU),
        ...bands.map((b) => r1(o.lungs[side].bands[b]!.percent)),
      ]),
    });
    return p;
  },
};
