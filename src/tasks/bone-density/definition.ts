// Registry entry of measureBoneDensity: the trabecular ROIs in the SEG, one SR finding per
// vertebra, a sagittal picture and a table.
import { worldToIndex } from '../../core/geometry.js';
import { type Rgb, renderSlicePng } from '../../io/png/index.js';
import type { TaskDefinition } from '../definition.js';
import { emptyPresentation, labelVolume, MAX_PNG, r1 } from '../internal/present.js';
import { type MeasureBoneDensityResult, measureBoneDensity } from './index.js';

export const boneDensityTask: TaskDefinition<MeasureBoneDensityResult, 'measureBoneDensity'> = {
  id: 'measureBoneDensity',
  cliName: 'bone',
  title: 'Bone density (vertebral trabecular bone)',
  summary: 'vertebral trabecular bone density (CT)',
  inAll: true,
  optionsSchema: { type: 'object', properties: {} },
  resultType: ['src/tasks/bone-density/index.ts', 'MeasureBoneDensityResult'],
  validation: {
    auditMetrics: ['meanAbsErrorHU'],
    values: (r) => r.vertebrae.map((v) => ({ centerMm: v.centerMm, value: v.meanHU })),
    valueCount: 'vertebrae',
    valueUnit: 'HU',
  },
  async run({ image, inputs, options }) {
    const model = inputs.vertebraModel ? { vertebraModel: inputs.vertebraModel, backend: inputs.backend ?? 'cpu' } : {};
    return { result: await measureBoneDensity(image, { ...options, ...model, returnRoiMasks: true }) };
  },
  headline: (b) =>
    `bone: ${b.vertebrae.length} vertebrae, ${b.vertebrae
      .map((v, i) => `${v.level ?? `#${i + 1}`} ${Math.round(v.meanHU)} HU`)
      .join(', ')}`,
  present(b, { image }) {
    const p = emptyPresentation();
    if (b.vertebrae.length === 0) return p;
    const roiParts = b.vertebrae.filter((v) => v.roiMask).map((v) => ({ mask: v.roiMask!, label: 1 }));
    const roi = roiParts.length ? labelVolume(image, roiParts) : undefined;
    if (roi) {
      p.segments.push({
        mask: roi,
        description: { label: 'Vertebral trabecular ROI', type: 'vertebra', color: [60, 220, 120] },
      });
    }
    const mid = b.vertebrae[Math.floor(b.vertebrae.length / 2)]!;
    const x = Math.min(image.dims[0] - 1, Math.max(0, Math.round(worldToIndex(image, mid.centerMm)[0])));
    p.pictures.push({
      file: 'bone.png',
      title: 'Sagittal slice through the vertebral ROIs',
      png: renderSlicePng(image, {
        axis: 'sagittal',
        index: x,
        window: 'bone',
        ...(roi ? { overlay: { mask: roi, colors: { 1: [60, 220, 120] }, alpha: 0.5 } } : {}),
        markers: b.vertebrae.map((v, i) => ({ centerMm: v.centerMm, radiusMm: 6, label: v.level ?? `#${i + 1}` })),
        maxSize: MAX_PNG,
        legend: [
          ...(roi ? [{ label: 'trabecular ROI', color: [60, 220, 120] as Rgb }] : []),
          {
            label: b.vertebrae.some((v) => v.level) ? 'vertebra: level' : 'vertebra: number (level unknown)',
            color: [255, 255, 0],
            shape: 'circle',
          },
        ],
      }),
    });
    b.vertebrae.forEach((v, i) => {
      p.findings.push({
        trackingId: `Vertebra ${v.level ?? i + 1}`,
        finding: 'vertebra',
        center: [...v.centerMm],
        measurements: [
          { kind: 'meanHU', value: Math.round(v.meanHU) },
          ...(v.bmdMgCm3 !== undefined ? [{ kind: 'bmd' as const, value: r1(v.bmdMgCm3) }] : []),
        ],
      });
    });
    p.tables.push({
      title: `${b.vertebrae.length} vertebra(e), ${b.method}, calibration ${b.calibration}`,
      columns: ['level', 'mean HU', 'SD HU', 'ROI voxels', 'category', 'BMD mg/cm³', 'partial'],
      rows: b.vertebrae.map((v) => [
        v.level ?? '?',
        Math.round(v.meanHU),
        Math.round(v.sdHU),
        v.roiVoxels,
        v.category,
        v.bmdMgCm3 !== undefined ? r1(v.bmdMgCm3) : '',
        v.partial ? 'yes' : '',
      ]),
      note: 'Category: opportunistic L1 attenuation thresholds (Pickhardt 2013); level labels are estimates unless given.',
    });
    return p;
  },
};
