// Registry entry of detectNodules: one picture per nodule (up to 6), SR points with Lung-RADS, a table.
import { renderSlicePng, type SliceMarker } from '../../io/png/index.js';
import type { TaskDefinition } from '../definition.js';
import { emptyPresentation, MAX_PNG, r1, r2, sliceOf } from '../internal/present.js';
import { scanEdgeLimitation } from './finding.js';
import { type DetectNodulesResult, detectNodules } from './index.js';

export const detectNodulesTask: TaskDefinition<DetectNodulesResult, 'detectNodules'> = {
  id: 'detectNodules',
  cliName: 'nodules',
  title: 'Lung nodules',
  summary: 'lung nodule detection with Lung-RADS (CT)',
  inAll: true,
  optionsSchema: { type: 'object', properties: {} },
  resultType: ['src/tasks/detect-nodules/index.ts', 'DetectNodulesResult'],
  validation: {
    auditMetrics: ['sensitivity', 'falseFindings'],
    findings: (r) =>
      r.nodules.map((n) => ({
        centerMm: n.centerMm,
        probability: n.probability,
        diameterMm: n.diameterMm,
        label: `${n.type} ${n.longAxisMm} mm`,
      })),
    thresholdOption: 'minProbability',
    // the scan-edge caveat counts the findings reported at the threshold, not every candidate
    limitationsAt: (r, threshold) => {
      const edge = r.nodules.filter((n) => n.probability >= threshold && n.atScanEdge).length;
      return r.limitations.flatMap((l) =>
        l.code !== 'LESION_AT_SCAN_EDGE' ? [l] : edge > 0 ? [scanEdgeLimitation(edge)] : [],
      );
    },
    notes: (r) => ({ examLungRads: r.lungRads ?? null }),
    window: 'lung',
  },
  async run({ image, inputs, options }) {
    // not the shared lung segmentation: detectNodules segments its own with a wide closing that
    // pulls juxtapleural masses into the search region (passing ours would lose them)
    const model = inputs.noduleModel ? { model: inputs.noduleModel, backend: inputs.backend ?? 'cpu' } : {};
    return { result: await detectNodules(image, { ...options, ...model }) };
  },
  headline: (n) =>
    `nodules: ${n.nodules.length} found, ${
      n.lungRads
        ? `exam Lung-RADS ${n.lungRads}${n.lungRads === '0' ? ' (incomplete: lungs cut off by the scan)' : ''}`
        : `no Lung-RADS category (not a screening CT: ${n.limitations.map((l) => l.code).join(', ')})`
    }${
      n.nodules.length
        ? ` (${n.nodules
            .slice(0, 5)
            .map((d) => `${d.diameterMm.toFixed(1)} mm ${d.type}`)
            .join(', ')}${n.nodules.length > 5 ? ', ...' : ''})`
        : ''
    }`,
  present(n, { image, results }) {
    const p = emptyPresentation();
    if (!results.segmentLungs) {
      p.segments.push({
        mask: n.lungMask,
        description: { label: 'Lungs (nodule search region)', type: 'lung', color: [80, 160, 255] },
      });
    }
    const markers: SliceMarker[] = n.nodules.map((d, i) => ({
      centerMm: d.centerMm,
      radiusMm: Math.max(4, d.diameterMm / 2 + 3),
      label: String(i + 1),
    }));
    n.nodules.slice(0, 6).forEach((d, i) => {
      p.pictures.push({
        file: `nodule-${i + 1}.png`,
        title: `Nodule ${i + 1}: ${r1(d.diameterMm)} mm ${d.type}${d.lungRads ? `, Lung-RADS ${d.lungRads}` : ''}`,
        png: renderSlicePng(image, {
          index: sliceOf(image, d.centerMm),
          window: 'lung',
          markers,
          maxSize: MAX_PNG,
          legend: [{ label: 'nodule (number as in the table)', color: [255, 255, 0], shape: 'circle' }],
        }),
      });
      p.findings.push({
        trackingId: `Nodule ${i + 1}`,
        finding: 'nodule',
        findingSite: 'lung',
        center: [...d.centerMm],
        ...(d.lungRads ? { lungRads: d.lungRads } : {}),
        measurements: [
          { kind: 'diameter', value: r1(d.diameterMm) },
          { kind: 'longAxis', value: r1(d.longAxisMm) },
          { kind: 'shortAxis', value: r1(d.shortAxisMm) },
          { kind: 'volume', value: r1(d.volumeMm3), unit: 'mm3' },
          { kind: 'meanHU', value: Math.round(d.meanHU) },
        ],
      });
    });
    p.tables.push({
      title: `${n.nodules.length} nodule(s); ${n.lungRads ? `exam Lung-RADS ${n.lungRads}${n.lungRads === '0' ? ' (incomplete: lungs cut off)' : ''}` : 'no Lung-RADS category (not a screening CT, see limitations)'}; lung volume ${r1(n.lungVolumeMl)} mL`,
      columns: [
        '#',
        'type',
        'diameter mm',
        'long mm',
        'short mm',
        'volume mm³',
        'mean HU',
        'lung',
        'Lung-RADS',
        'probability',
        'centre LPS mm',
      ],
      rows: n.nodules.map((d, i) => [
        i + 1,
        d.type,
        r1(d.diameterMm),
        r1(d.longAxisMm),
        r1(d.shortAxisMm),
        Math.round(d.volumeMm3),
        Math.round(d.meanHU),
        d.lung,
        d.lungRads ?? 'n/a',
        r2(d.probability),
        d.centerMm.map(r1).join(', '),
      ]),
      note: 'Probability is the detector confidence that the finding is a nodule, not a malignancy risk.',
    });
    return p;
  },
};
