// What compareStudies contributes to outputs: side-by-side pictures of both time points aligned in
// baseline space (nodule marked, structure outlined), SR findings carrying the measurements of both
// time points (TID 1500 measurement groups per time point with the TID 1502 time point context),
// and a table.
import type { Volume } from '../../core/volume.js';
import type { Code } from '../../io/dicom/codes.js';
import { type SrFindingInput, type SrMeasurementInput, TIME_POINT_TYPES } from '../../io/dicom/sr-write.js';
import { generateUid } from '../../io/dicom/uid.js';
import { encodePng, renderSlice, type SliceMarker } from '../../io/png/index.js';
import type { PresentedFinding, Presentation } from '../definition.js';
import { emptyPresentation, MAX_PNG, r1, r2, sliceOf } from '../internal/present.js';
import { brainStructureCode } from '../brain-structures/codes.js';
import { worldXSteps } from './brain.js';
import type { CompareStudiesResult } from './index.js';
import type { NoduleAtTimePoint, NoduleChange } from './nodules.js';

const GAP = 6;

function sideBySide(a: ReturnType<typeof renderSlice>, b: ReturnType<typeof renderSlice>): Uint8Array {
  const width = a.width + GAP + b.width;
  const height = Math.max(a.height, b.height);
  const data = new Uint8Array(width * height * 3);
  for (const [img, x0] of [
    [a, 0],
    [b, a.width + GAP],
  ] as const) {
    for (let y = 0; y < img.height; y++) {
      data.set(img.data.subarray(y * img.width * 3, (y + 1) * img.width * 3), (y * width + x0) * 3);
    }
  }
  return encodePng({ width, height, data });
}

const DAY: Code = { value: 'd', scheme: 'UCUM', meaning: 'day' };
const PCT_YEAR: Code = { value: '%/a', scheme: 'UCUM', meaning: 'percent per year' };

const measure = (id: string, meaning: string, value: number, unit: string | Code): SrMeasurementInput => ({
  name: { value: id, scheme: '99MEDIMG', meaning } as Code,
  value,
  unit,
});

function changeMeasures(n: NoduleChange): SrMeasurementInput[] {
  const m: SrMeasurementInput[] = [];
  if (n.diameterChangeMm !== null) m.push(measure('MI-DD', 'Mean diameter change', n.diameterChangeMm, 'mm'));
  if (n.volumeChangePct !== null) m.push(measure('MI-VPCT', 'Volume change since baseline', n.volumeChangePct, '%'));
  if (n.volumeDoublingTimeDays !== null)
    m.push(measure('MI-VDT', 'Volume doubling time', n.volumeDoublingTimeDays, DAY));
  return m;
}

function changeStatus(n: NoduleChange): NonNullable<SrFindingInput['qualitative']> {
  return [
    { name: { value: 'MI-STATUS', scheme: '99MEDIMG', meaning: 'Change status' }, value: n.status },
    ...(n.lungRadsGrowth === null
      ? []
      : [
          {
            name: { value: 'MI-GROWTH', scheme: '99MEDIMG', meaning: 'Lung-RADS growth' },
            value: n.lungRadsGrowth ? 'yes' : 'no',
          },
        ]),
  ];
}

/**
 * Side-by-side pictures, SR findings with both time points and a table of a comparison.
 *
 * @example
 * ```ts
 * import { compareStudies, presentComparison } from 'medimg';
 * declare const baselineCt: typeof ct, followUpCt: typeof ct;
 * const cmp = await compareStudies(baselineCt, followUpCt);
 * const { pictures, findings } = presentComparison(cmp, baselineCt); // PNGs, SR findings, tables
 * ```
 */
export function presentComparison(r: CompareStudiesResult, baseline: Volume): Presentation {
  const p = emptyPresentation();
  const fu = r.followUpInBaseline;
  if (r.nodules) {
    const lung = 'lung' as const;
    r.nodules.slice(0, 6).forEach((n) => {
      const c = n.baseline?.centerMm ?? n.followUp!.centerInBaselineMm;
      const index = sliceOf(baseline, c);
      const marker = (at: typeof n.baseline): SliceMarker[] =>
        at
          ? [{ centerMm: at.centerInBaselineMm, radiusMm: Math.max(4, at.diameterMm / 2 + 3), label: String(n.id) }]
          : [];
      const a = renderSlice(baseline, {
        index,
        window: lung,
        markers: marker(n.baseline),
        maxSize: MAX_PNG,
        sliceLabel: 'BASELINE',
      });
      const b = renderSlice(fu, {
        index,
        window: lung,
        markers: marker(n.followUp),
        maxSize: MAX_PNG,
        sliceLabel: 'FOLLOW-UP',
      });
      p.pictures.push({
        file: `compare-nodule-${n.id}.png`,
        title: `Nodule ${n.id} (${n.status}): ${n.baseline ? `${r1(n.baseline.diameterMm)} mm` : '-'} -> ${n.followUp ? `${r1(n.followUp.diameterMm)} mm` : '-'}`,
        png: sideBySide(a, b),
      });
    });
    // Per nodule one TID 1500 group per time point it was seen at (TID 1502 time point context),
    // sharing the tracking identifier and UID: diameter, long and short axis and volume (SCT) at
    // each; the change, doubling time, status and Lung-RADS growth (no standard concepts: private
    // codes) with the follow-up group, or with the baseline group of a resolved nodule.
    for (const n of r.nodules) {
      const trackingUid = generateUid();
      const group = (at: NoduleAtTimePoint, baseline: boolean, last: boolean): PresentedFinding => ({
        trackingId: `Nodule ${n.id}`,
        trackingUid,
        finding: 'nodule',
        findingSite: 'lung',
        center: [...at.centerInBaselineMm],
        timePoint: baseline
          ? { label: 'baseline', type: TIME_POINT_TYPES.baseline, order: 1 }
          : { label: 'follow-up', order: 2 },
        measurements: [
          { kind: 'diameter', value: r1(at.diameterMm) },
          { kind: 'longAxis', value: r1(at.longAxisMm) },
          { kind: 'shortAxis', value: r1(at.shortAxisMm) },
          { kind: 'volume', value: r1(at.volumeMm3), unit: 'mm3' },
          ...(last ? changeMeasures(n) : []),
        ],
        ...(at.lungRads ? { lungRads: at.lungRads } : {}),
        ...(last ? { qualitative: changeStatus(n) } : {}),
      });
      if (n.baseline) p.findings.push(group(n.baseline, true, !n.followUp));
      if (n.followUp) p.findings.push(group(n.followUp, false, true));
    }
    p.tables.push({
      title: `Nodules over ${r.intervalDays ?? '?'} days`,
      columns: ['#', 'status', 'baseline mm', 'follow-up mm', 'change mm', 'volume %', 'VDT days', 'Lung-RADS growth'],
      rows: r.nodules.map((n) => [
        n.id,
        n.status,
        n.baseline ? r1(n.baseline.diameterMm) : '-',
        n.followUp ? r1(n.followUp.diameterMm) : '-',
        n.diameterChangeMm ?? '-',
        n.volumeChangePct ?? '-',
        n.volumeDoublingTimeDays ?? '-',
        n.lungRadsGrowth === null ? 'n/a' : n.lungRadsGrowth ? 'yes' : 'no',
      ]),
    });
  }
  if (r.structures && r.labels) {
    // The structure that changed most (relative to its detectable change), outlined at both time points.
    const ranked = [...r.structures].filter((s) => s.changePct !== null);
    ranked.sort(
      (x, y) =>
        Math.abs(y.changePct!) / (y.smallestDetectableChangePct ?? 1) -
        Math.abs(x.changePct!) / (x.smallestDetectableChangePct ?? 1),
    );
    const top = ranked[0];
    if (top) {
      const set = new Set(top.labels);
      // One side of the mid-sagittal plane only when the structure is a side of an unsplit label.
      const sign = top.side && r.midlineXMm !== null ? (top.side === 'left' ? 1 : -1) : 0;
      const outline = (labels: Volume): Volume<Uint8Array> => {
        const m = new Uint8Array(labels.data.length);
        let sz = 0;
        let count = 0;
        const [nx, ny] = labels.dims;
        const [ax, ay, az] = worldXSteps(labels);
        for (let i = 0; i < m.length; i++) {
          if (!set.has(labels.data[i] as number)) continue;
          const k = Math.floor(i / (nx * ny));
          if (sign) {
            const x = labels.origin[0] + ax * (i % nx) + ay * (Math.floor(i / nx) % ny) + az * k;
            if (sign * (x - r.midlineXMm!) <= 0) continue;
          }
          m[i] = 1;
          sz += k;
          count++;
        }
        return { ...labels, data: m, meta: { centreSlice: count ? Math.round(sz / count) : 0 } };
      };
      const a0 = outline(r.labels.baseline);
      const b0 = outline(r.labels.followUp);
      const index = Number(a0.meta?.centreSlice ?? 0);
      const overlay = (mask: Volume<Uint8Array>) => ({
        mask,
        mode: 'contour' as const,
        colors: { 1: [255, 200, 0] as [number, number, number] },
      });
      const a = renderSlice(baseline, { index, overlay: overlay(a0), maxSize: MAX_PNG, sliceLabel: 'BASELINE' });
      const b = renderSlice(fu, { index, overlay: overlay(b0), maxSize: MAX_PNG, sliceLabel: 'FOLLOW-UP' });
      p.pictures.push({
        file: 'compare-structure.png',
        title: `${top.name}: ${top.changePct} %`,
        png: sideBySide(a, b),
      });
    }
    // Per structure two TID 1500 groups, one per time point (TID 1502 time point context), sharing
    // the tracking identifier and UID: the volume (SCT Volume) at each, the change (no standard
    // concept: private codes) with the follow-up. Finding: the CID 7140 structure with laterality.
    for (const s of r.structures) {
      const coded = brainStructureCode(s.name);
      const side = s.side ?? coded?.side ?? undefined;
      const finding = coded
        ? { finding: coded.code, findingSite: 'brain', ...(side ? { laterality: side } : {}) }
        : { finding: { value: 'MI-STRUCT', scheme: '99MEDIMG', meaning: s.name } as Code, findingSite: 'brain' };
      const trackingUid = generateUid();
      p.findings.push({
        trackingId: s.name,
        trackingUid,
        ...finding,
        timePoint: { label: 'baseline', type: TIME_POINT_TYPES.baseline, order: 1 },
        measurements: [{ kind: 'volume', value: r2(s.baselineMl), unit: 'ml' }],
      });
      p.findings.push({
        trackingId: s.name,
        trackingUid,
        ...finding,
        timePoint: { label: 'follow-up', order: 2 },
        measurements: [
          { kind: 'volume', value: r2(s.followUpMl), unit: 'ml' },
          ...(s.changePct === null ? [] : [measure('MI-PCT', 'Volume change since baseline', s.changePct, '%')]),
          ...(s.annualisedPctPerYear === null
            ? []
            : [measure('MI-PCTY', 'Annualised volume change', s.annualisedPctPerYear, PCT_YEAR)]),
        ],
        ...(s.detectable === null
          ? {}
          : {
              qualitative: [
                {
                  name: { value: 'MI-SDC', scheme: '99MEDIMG', meaning: 'Above smallest detectable change' },
                  value: s.detectable ? 'yes' : 'no',
                },
              ],
            }),
      });
    }
    p.tables.push({
      title: `Brain structures over ${r.intervalDays ?? '?'} days (follow-up measured in baseline space)`,
      columns: ['structure', 'baseline mL', 'follow-up mL', 'change mL', 'change %', '%/year', 'SDC %', 'detectable'],
      rows: r.structures.map((s) => [
        s.name,
        r2(s.baselineMl),
        r2(s.followUpMl),
        r2(s.changeMl),
        s.changePct ?? '-',
        s.annualisedPctPerYear ?? '-',
        s.smallestDetectableChangePct ?? '-',
        s.detectable === null ? 'n/a' : s.detectable ? 'yes' : 'no',
      ]),
    });
  }
  return p;
}
