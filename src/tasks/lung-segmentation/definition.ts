// Registry entry of segmentLungs: a helper task that runs when another needs its lungs (opacity);
// its right and left lungs go into the SEG and SR.
import type { TaskDefinition } from '../definition.js';
import { emptyPresentation, maskOfLabel, r1 } from '../internal/present.js';
import { type SegmentLungsResult, segmentLungs } from './index.js';

export const segmentLungsTask: TaskDefinition<SegmentLungsResult, 'segmentLungs'> = {
  id: 'segmentLungs',
  cliName: 'lungs',
  title: 'Lungs',
  summary: 'right and left lung masks and volumes (CT); runs when another task needs them',
  inAll: false,
  hidden: true,
  optionsSchema: { type: 'object', properties: {} },
  resultType: ['src/tasks/lung-segmentation/index.ts', 'SegmentLungsResult'],
  async run({ image, options }) {
    return { result: await segmentLungs(image, options) };
  },
  headline: (l) => `lungs: right ${r1(l.rightVolumeMl)} mL, left ${r1(l.leftVolumeMl)} mL`,
  present(l, { uidFor }) {
    const p = emptyPresentation();
    for (const [label, side, color, role] of [
      ['Right lung', 1, [80, 160, 255], 'track-right-lung'],
      ['Left lung', 2, [255, 170, 60], 'track-left-lung'],
    ] as const) {
      const trackingUid = uidFor(role);
      p.segments.push({
        mask: maskOfLabel(l.lungLabels, side),
        description: { label, type: 'lung', color: [...color], trackingId: label, trackingUid },
      });
      p.findings.push({
        trackingId: label,
        trackingUid,
        finding: 'lung',
        measurements: [{ kind: 'volume', value: r1(side === 1 ? l.rightVolumeMl : l.leftVolumeMl), unit: 'ml' }],
        segment: p.segments.length - 1,
      });
    }
    return p;
  },
};
