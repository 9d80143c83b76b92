// Registry entry of segmentTumor: seeded from the user's pointer or the largest detected nodule;
// its mask goes into the SEG with a linked SR finding, one contour picture and a lesion table.
import { geometryOf } from '../../core/geometry.js';
import { renderSlicePng } from '../../io/png/index.js';
import type { TaskDefinition } from '../definition.js';
import type { DetectNodulesResult } from '../detect-nodules/index.js';
import { emptyPresentation, MAX_PNG, r1, r2, sliceOf } from '../internal/present.js';
import { type SegmentTumorResult, segmentTumor } from './index.js';
import { resolvePointer } from './pointer.js';

const POINTERS = ['seed', 'box', 'seedVoxel', 'boxVoxel'] as const;

export const segmentTumorTask: TaskDefinition<SegmentTumorResult, 'segmentTumor'> = {
  id: 'segmentTumor',
  cliName: 'tumor',
  title: 'Tumour',
  summary:
    "lesion segmentation from a seed or a box; without one, and with 'nodules' (as in 'all'), seeded at the largest detected lesion, else skipped",
  inAll: true,
  uses: ['detectNodules'],
  optionsSchema: {
    type: 'object',
    properties: {
      seed: { description: 'Seed point, LPS mm.' },
      box: { description: 'Box around the lesion, LPS mm.' },
      seedVoxel: { description: 'Seed as a voxel index of the image read.' },
      boxVoxel: { description: 'Box as voxel indices of the image read.' },
    },
  },
  resultType: ['src/tasks/segment-tumor/index.ts', 'SegmentTumorResult'],
  check(inputs, requested) {
    const pointers = POINTERS.filter((k) => inputs[k] !== undefined).length;
    if (pointers === 0 && !requested.includes('nodules') && !inputs.tumorModel) {
      return "Task 'tumor' needs --seed x,y,z or --box (LPS mm), --seed-voxel i,j,k or --seed-slice n:x,y ('medimg info' shows the extent), or 'nodules' with it to seed at the largest detected lesion.";
    }
    return undefined;
  },
  validation: {
    auditMetrics: ['dice', 'meanBoxIoU', 'volumeErrorPct'],
    mask: (r) => ({
      mask: r.mask,
      volumeMl: r.lesions[0]?.volumeMl ?? 0,
      longAxisMm: r.lesions[0]?.longAxisMm ?? null,
    }),
    needsPrompt: true,
  },
  async run({ image, inputs, results, options }) {
    const model = inputs.tumorModel ? { model: inputs.tumorModel, backend: inputs.backend ?? 'cpu' } : undefined;
    if (model && !POINTERS.some((k) => inputs[k] !== undefined)) {
      // a model without a pointer: every lesion it finds
      return {
        result: await segmentTumor(image, { ...options, ...model }),
        note: 'automatic: every lesion the model labels',
      };
    }
    const nodules = (results.detectNodules as DetectNodulesResult | undefined)?.nodules;
    const p = resolvePointer(geometryOf(image), inputs, nodules);
    if (p.skip !== undefined) return { skipped: p.skip };
    const result = await segmentTumor(image, {
      ...options,
      ...model,
      ...(p.seed ? { seed: p.seed } : {}),
      ...(p.box ? { box: p.box } : {}),
    });
    return { result, ...(p.note ? { note: p.note } : {}) };
  },
  headline(t) {
    const l = t.lesions[0];
    return l
      ? `tumour: ${l.volumeMl.toFixed(2)} mL, ${l.longAxisMm.toFixed(1)} x ${l.shortAxisMm.toFixed(1)} mm`
      : 'tumour: no lesion';
  },
  present(t, { image, isCt, uidFor }) {
    const p = emptyPresentation();
    const les = t.lesions[0];
    if (!les) return p;
    const trackingUid = uidFor('track-tumor');
    p.segments.push({
      mask: t.mask,
      description: {
        label: 'Tumor',
        type: 'tumor',
        algorithmType: 'SEMIAUTOMATIC',
        color: [255, 40, 40],
        trackingId: 'Tumor 1',
        trackingUid,
      },
    });
    p.findings.push({
      trackingId: 'Tumor 1',
      trackingUid,
      finding: 'tumor',
      segment: 0,
      measurements: [
        { kind: 'volume', value: r2(les.volumeMl), unit: 'ml' },
        { kind: 'longAxis', value: r1(les.longAxisMm) },
        { kind: 'shortAxis', value: r1(les.shortAxisMm) },
        { kind: 'meanHU', value: Math.round(les.meanHU) },
      ],
    });
    const k = sliceOf(image, les.centroidMm);
    p.pictures.push({
      file: 'tumor.png',
      title: `Tumour, axial slice ${k + 1} of ${image.dims[2]}`,
      png: renderSlicePng(image, {
        index: k,
        window: isCt ? 'soft-tissue' : 'auto',
        overlay: { mask: t.mask, mode: 'contour', colors: { 1: [255, 40, 40] }, lineWidth: 2 },
        maxSize: MAX_PNG,
        legend: [{ label: 'tumour outline', color: [255, 40, 40], shape: 'outline' }],
      }),
    });
    p.tables.push({
      title: 'Lesions (largest first)',
      columns: ['#', 'volume mL', 'long axis mm', 'short axis mm', 'mean HU', 'SD HU', 'centroid LPS mm'],
      rows: t.lesions.map((l, i) => [
        i + 1,
        r2(l.volumeMl),
        r1(l.longAxisMm),
        r1(l.shortAxisMm),
        Math.round(l.meanHU),
        Math.round(l.sdHU),
        l.centroidMm.map(r1).join(', '),
      ]),
    });
    return p;
  },
};
