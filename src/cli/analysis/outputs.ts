import { join } from 'node:path';
import { orientationFromDirection, worldToIndex } from '../../core/geometry.js';
import { createVolumeLike, type Mask, type Volume } from '../../core/volume.js';
import type { SegmentDescription } from '../../io/dicom/seg-write.js';
import { generateUid, writeDicomSeg, writeDicomSr, type SrFindingInput } from '../../io/index.js';
import { renderMosaicPng, renderSlicePng, type SliceMarker } from '../../io/png/index.js';
import { VERSION } from '../../version.js';
import { ensureDir, writeFileAtomic } from '../safe-write.js';
import { type HtmlSection, type HtmlTable, renderSummaryHtml } from './html.js';
import type { LoadedStudy } from './input.js';
import { writeMaskNiftis } from './mask-files.js';
import { toReport } from '../../tasks/report.js';
import type { Limitation } from '../../tasks/internal/limitations.js';
import type { AnalysisSettings, TaskOutputs } from './tasks.js';

/** What {@link writeStudyOutputs} wrote. */
export interface WrittenOutputs {
  outDir: string;
  files: string[];
  report: StudyReport;
}

/** report.json: plain data only. */
export interface StudyReport {
  medimg: string;
  createdAt: string;
  input: Record<string, unknown>;
  tasks: TaskOutputs['status'];
  results: Record<string, unknown>;
  outputs: { seg?: string; sr?: string; segError?: string; srError?: string; pngs: string[]; masks?: string[] };
}

const MAX_PNG = 512;
const r1 = (x: number): number => Math.round(x * 10) / 10;
const r2 = (x: number): number => Math.round(x * 100) / 100;

function sliceOf(image: Volume, centerMm: readonly number[]): number {
  const k = Math.round(worldToIndex(image, centerMm)[2]);
  return Math.min(image.dims[2] - 1, Math.max(0, k));
}

function labelVolume(image: Volume, parts: { mask: Mask; label: number }[]): Volume<Uint8Array> {
  const out = createVolumeLike(image, Uint8Array);
  for (const { mask, label } of parts) {
    const d = mask.data;
    for (let i = 0; i < d.length; i++) if (d[i]) out.data[i] = label;
  }
  return out;
}

/** `count` evenly spaced axial slice indices among the slices where `labels` is non-zero. */
function labelledSlices(labels: Volume, count: number): number[] | undefined {
  const [nx, ny, nz] = labels.dims;
  const d = labels.data;
  let lo = -1;
  let hi = -1;
  for (let k = 0; k < nz; k++) {
    const off = k * nx * ny;
    for (let p = 0; p < nx * ny; p++) {
      if (d[off + p]) {
        if (lo < 0) lo = k;
        hi = k;
        break;
      }
    }
  }
  if (lo < 0) return undefined;
  const n = Math.min(count, hi - lo + 1);
  return Array.from({ length: n }, (_, i) => Math.round(lo + ((i + 0.5) * (hi - lo + 1)) / n - 0.5));
}

/** Writes through a temporary name (a crash never leaves a half file) and never into an input. */
const writeAtomic = writeFileAtomic;

/**
 * Writes everything about one analysed study into `outDir`: PNG overlays, DICOM SEG and SR (when
 * the source has DICOM identity), summary.html and, last, report.json (its presence marks the study
 * as done for batch skipping).
 */
export async function writeStudyOutputs(
  outDir: string,
  study: LoadedStudy,
  settings: AnalysisSettings,
  res: TaskOutputs,
  /**
   * UIDs of the written objects by role ('seg-series', 'seg-instance', 'sr-series', 'sr-instance',
   * 'track-...'). Default new random UIDs; a queue job passes deterministic ones so that a retried
   * job overwrites its SEG and SR in the PACS instead of adding copies.
   */
  uidFor: (role: string) => string = () => generateUid(),
): Promise<WrittenOutputs> {
  await ensureDir(outDir);
  const { image } = study;
  const files: string[] = [];
  const pngs: { file: string; title: string; png: Uint8Array }[] = [];
  const addPng = (file: string, title: string, section: HtmlSection | undefined, png: Uint8Array): void => {
    pngs.push({ file, title, png });
    section?.pictures.push({ title, png });
  };
  const isCt = (image.meta?.modality ?? 'CT') === 'CT' || image.meta?.units === 'HU';

  // Overview mosaic.
  addPng(
    'overview.png',
    'Axial overview (every n-th slice)',
    undefined,
    renderMosaicPng(image, { count: 9, window: isCt ? 'lung' : 'auto', maxSize: 220 }),
  );

  // Nodules: one picture per nodule (up to 6) with every nodule marked.
  const sections: HtmlSection[] = [];
  const segMasks: Mask[] = [];
  const segments: SegmentDescription[] = [];
  // SR findings; `segmentNumber` links to the SEG written below (its UIDs are known only then).
  const findings: (Omit<SrFindingInput, 'segment'> & { segmentNumber?: number })[] = [];
  const pushSegment = (mask: Mask, seg: SegmentDescription): number => {
    segMasks.push(mask);
    segments.push(seg);
    return segments.length;
  };
  const status = (t: string): { status: string; error?: string } => {
    const s = res.status[t];
    if (!s) return { status: 'not run' };
    if (s.skipped) return { status: `skipped: ${s.skipped}` };
    return s.ok
      ? { status: `done in ${(s.ms / 1000).toFixed(1)} s${s.note ? `; ${s.note}` : ''}` }
      : { status: 'failed', error: `${s.error!.code}: ${s.error!.message}` };
  };

  if (res.lungs) {
    const l = res.lungs;
    const rightMask = createVolumeLike(image, Uint8Array);
    const leftMask = createVolumeLike(image, Uint8Array);
    for (let i = 0; i < l.lungLabels.data.length; i++) {
      const v = l.lungLabels.data[i];
      if (v === 1) rightMask.data[i] = 1;
      else if (v === 2) leftMask.data[i] = 1;
    }
    const trackR = uidFor('track-right-lung');
    const trackL = uidFor('track-left-lung');
    const nR = pushSegment(rightMask, {
      label: 'Right lung',
      type: 'lung',
      color: [80, 160, 255],
      trackingId: 'Right lung',
      trackingUid: trackR,
    });
    const nL = pushSegment(leftMask, {
      label: 'Left lung',
      type: 'lung',
      color: [255, 170, 60],
      trackingId: 'Left lung',
      trackingUid: trackL,
    });
    findings.push(
      {
        trackingId: 'Right lung',
        trackingUid: trackR,
        finding: 'lung',
        measurements: [{ kind: 'volume', value: r1(l.rightVolumeMl), unit: 'ml' }],
        segmentNumber: nR,
      },
      {
        trackingId: 'Left lung',
        trackingUid: trackL,
        finding: 'lung',
        measurements: [{ kind: 'volume', value: r1(l.leftVolumeMl), unit: 'ml' }],
        segmentNumber: nL,
      },
    );
  }

  if (settings.tasks.includes('nodules')) {
    const n = res.nodules;
    const sec: HtmlSection = { title: 'Lung nodules', ...status('nodules'), pictures: [], tables: [] };
    if (n && !res.lungs)
      pushSegment(n.lungMask, { label: 'Lungs (nodule search region)', type: 'lung', color: [80, 160, 255] });
    if (n) {
      const markers: SliceMarker[] = n.nodules.map((d, i) => ({
        centerMm: d.centerMm,
        radiusMm: Math.max(4, d.diameterMm / 2 + 3),
        label: String(i + 1),
      }));
      n.nodules.slice(0, 6).forEach((d, i) => {
        addPng(
          `nodule-${i + 1}.png`,
          `Nodule ${i + 1}: ${r1(d.diameterMm)} mm ${d.type}${d.lungRads ? `, Lung-RADS ${d.lungRads}` : ''}`,
          sec,
          renderSlicePng(image, { index: sliceOf(image, d.centerMm), window: 'lung', markers, maxSize: MAX_PNG }),
        );
        findings.push({
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
      sec.tables.push({
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
      if (n.limitations.length) sec.tables.push(limitationsTable(n.limitations));
    }
    sections.push(sec);
  }

  if (settings.tasks.includes('tumor')) {
    const t = res.tumor;
    const sec: HtmlSection = { title: 'Tumour', ...status('tumor'), pictures: [], tables: [] };
    if (t && t.lesions.length > 0) {
      const les = t.lesions[0]!;
      const track = uidFor('track-tumor');
      const segNo = pushSegment(t.mask, {
        label: 'Tumor',
        type: 'tumor',
        algorithmType: 'SEMIAUTOMATIC',
        color: [255, 40, 40],
        trackingId: 'Tumor 1',
        trackingUid: track,
      });
      findings.push({
        trackingId: 'Tumor 1',
        trackingUid: track,
        finding: 'tumor',
        segmentNumber: segNo,
        measurements: [
          { kind: 'volume', value: r2(les.volumeMl), unit: 'ml' },
          { kind: 'longAxis', value: r1(les.longAxisMm) },
          { kind: 'shortAxis', value: r1(les.shortAxisMm) },
          { kind: 'meanHU', value: Math.round(les.meanHU) },
        ],
      });
      const k = sliceOf(image, les.centroidMm);
      addPng(
        'tumor.png',
        `Tumour, axial slice ${k}`,
        sec,
        renderSlicePng(image, {
          index: k,
          window: isCt ? 'soft-tissue' : 'auto',
          overlay: { mask: t.mask, mode: 'contour', colors: { 1: [255, 40, 40] }, lineWidth: 2 },
          maxSize: MAX_PNG,
        }),
      );
      sec.tables.push({
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
    }
    sections.push(sec);
  }

  if (settings.tasks.includes('bone')) {
    const b = res.bone;
    const sec: HtmlSection = {
      title: 'Bone density (vertebral trabecular bone)',
      ...status('bone'),
      pictures: [],
      tables: [],
    };
    if (b && b.vertebrae.length > 0) {
      const roiParts = b.vertebrae.filter((v) => v.roiMask).map((v) => ({ mask: v.roiMask!, label: 1 }));
      const roi = roiParts.length ? labelVolume(image, roiParts) : undefined;
      if (roi) pushSegment(roi, { label: 'Vertebral trabecular ROI', type: 'vertebra', color: [60, 220, 120] });
      const mid = b.vertebrae[Math.floor(b.vertebrae.length / 2)]!;
      const x = Math.min(image.dims[0] - 1, Math.max(0, Math.round(worldToIndex(image, mid.centerMm)[0])));
      addPng(
        'bone.png',
        'Sagittal slice through the vertebral ROIs',
        sec,
        renderSlicePng(image, {
          axis: 'sagittal',
          index: x,
          window: 'bone',
          ...(roi ? { overlay: { mask: roi, colors: { 1: [60, 220, 120] }, alpha: 0.5 } } : {}),
          markers: b.vertebrae.map((v) => ({ centerMm: v.centerMm, radiusMm: 6, label: v.level ?? '' })),
          maxSize: MAX_PNG,
        }),
      );
      b.vertebrae.forEach((v, i) => {
        findings.push({
          trackingId: `Vertebra ${v.level ?? i + 1}`,
          finding: 'vertebra',
          center: [...v.centerMm],
          measurements: [
            { kind: 'meanHU', value: Math.round(v.meanHU) },
            ...(v.bmdMgCm3 !== undefined ? [{ kind: 'bmd' as const, value: r1(v.bmdMgCm3) }] : []),
          ],
        });
      });
      sec.tables.push({
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
    }
    sections.push(sec);
  }

  if (settings.tasks.includes('opacity')) {
    const o = res.opacity;
    const sec: HtmlSection = { title: 'Lung opacity (HU bands)', ...status('opacity'), pictures: [], tables: [] };
    if (o && res.lungs) {
      addPng(
        'lungs.png',
        'Lungs (right blue, left orange)',
        sec,
        renderMosaicPng(image, {
          ...(labelledSlices(res.lungs.lungLabels, 6)
            ? { indices: labelledSlices(res.lungs.lungLabels, 6)! }
            : { count: 6 }),
          window: 'lung',
          overlay: { mask: res.lungs.lungLabels, colors: { 1: [80, 160, 255], 2: [255, 170, 60] }, alpha: 0.3 },
          maxSize: 260,
        }),
      );
      const bands = Object.keys(o.lungs.total.bands);
      sec.tables.push({
        title: 'Volume by HU band',
        columns: ['lung', 'volume mL', 'mean HU', ...bands.map((b) => `${b} %`)],
        rows: (['right', 'left', 'total'] as const).map((side) => [
          side,
          r1(o.lungs[side].volumeMl),
          Math.round(o.lungs[side].meanHU),
          ...bands.map((b) => r1(o.lungs[side].bands[b]!.percent)),
        ]),
      });
    }
    sections.push(sec);
  }

  if (settings.tasks.includes('radiomics')) {
    const rr = res.radiomics;
    const sec: HtmlSection = { title: 'Radiomics', ...status('radiomics'), pictures: [], tables: [] };
    if (rr) {
      const entries = Object.entries(rr.features);
      const pick = entries.filter(([k]) => /^original_(shape|firstorder)_/.test(k));
      sec.tables.push({
        title: `${entries.length} features on the ${res.radiomicsMaskSource === 'tumor' ? 'tumour mask' : 'given mask'} (shape and first order shown; all in report.json and radiomics.csv)`,
        columns: ['feature', 'value'],
        rows: pick.map(([k, v]) => [k, Number(v.toPrecision(6))]),
      });
    }
    sections.push(sec);
  }

  if (settings.tasks.includes('brain')) {
    const b = res.brain;
    const sec: HtmlSection = { title: 'Brain tissue', ...status('brain'), pictures: [], tables: [] };
    if (b) {
      const wm = createVolumeLike(image, Uint8Array);
      const gm = createVolumeLike(image, Uint8Array);
      for (let i = 0; i < b.labels.data.length; i++) {
        if (b.labels.data[i] === 1) wm.data[i] = 1;
        else if (b.labels.data[i] === 2) gm.data[i] = 1;
      }
      pushSegment(wm, { label: 'White matter', type: 'brain', color: [240, 240, 240] });
      pushSegment(gm, { label: 'Grey matter', type: 'brain', color: [120, 120, 255] });
      addPng(
        'brain.png',
        'Brain tissue (white matter, grey matter)',
        sec,
        renderMosaicPng(image, {
          ...(labelledSlices(b.labels, 9) ? { indices: labelledSlices(b.labels, 9)! } : { count: 9 }),
          overlay: { mask: b.labels, alpha: 0.35 },
          maxSize: 220,
        }),
      );
      sec.tables.push({
        title: 'Tissue volumes',
        columns: ['tissue', 'volume mL'],
        rows: [
          ['white matter', r1(b.whiteMatterMl)],
          ['grey matter', r1(b.greyMatterMl)],
        ],
      });
    }
    sections.push(sec);
  }

  // PNG files.
  for (const p of pngs) {
    await writeAtomic(join(outDir, p.file), p.png);
    files.push(p.file);
  }

  // Radiomics CSV (PyRadiomics batch style: one header row, one value row).
  if (res.radiomics) {
    const keys = Object.keys(res.radiomics.features);
    await writeAtomic(
      join(outDir, 'radiomics.csv'),
      `${keys.join(',')}\n${keys.map((k) => String(res.radiomics!.features[k])).join(',')}\n`,
    );
    files.push('radiomics.csv');
  }

  // DICOM SEG and SR, when the source has DICOM identity.
  const outputs: StudyReport['outputs'] = { pngs: pngs.map((p) => p.file) };
  const hasDicomIdentity = Boolean(image.meta?.studyInstanceUid && image.meta?.sopInstanceUids?.length);
  let segRef: { sopInstanceUid: string; seriesInstanceUid: string } | undefined;
  if (hasDicomIdentity && segMasks.length > 0) {
    try {
      const sopInstanceUid = uidFor('seg-instance');
      const seriesInstanceUid = uidFor('seg-series');
      const seg = writeDicomSeg(segMasks, image, segments, {
        sopInstanceUid,
        seriesInstanceUid,
        seriesDescription: 'medimg segmentation',
      });
      await writeAtomic(join(outDir, 'seg.dcm'), seg);
      files.push('seg.dcm');
      outputs.seg = 'seg.dcm';
      segRef = { sopInstanceUid, seriesInstanceUid };
    } catch (e) {
      outputs.segError = e instanceof Error ? e.message : String(e);
    }
  }
  // every mask also as NIfTI (any input, DICOM or not), numbered as the SEG's segments
  const maskFiles = await writeMaskNiftis(
    outDir,
    segMasks,
    segments.map((s) => s.label),
  );
  if (maskFiles.length) {
    files.push(...maskFiles);
    outputs.masks = maskFiles;
  }
  if (hasDicomIdentity && findings.length > 0) {
    try {
      const linked: SrFindingInput[] = findings.map(({ segmentNumber, ...f }) =>
        segRef && segmentNumber !== undefined ? { ...f, segment: { ...segRef, segmentNumber } } : f,
      );
      const sr = writeDicomSr({ findings: linked }, image, {
        seriesDescription: 'medimg measurements',
        seriesInstanceUid: uidFor('sr-series'),
        sopInstanceUid: uidFor('sr-instance'),
      });
      await writeAtomic(join(outDir, 'sr.dcm'), sr);
      files.push('sr.dcm');
      outputs.sr = 'sr.dcm';
    } catch (e) {
      outputs.srError = e instanceof Error ? e.message : String(e);
    }
  }

  const m = image.meta ?? {};
  const input: Record<string, unknown> = {
    name: study.name,
    kind: study.kind,
    modality: m.modality,
    dims: image.dims,
    spacingMm: image.spacing.map((v) => Number(v.toPrecision(6))),
    orientation: orientationFromDirection(image.direction),
    ...(study.series
      ? { seriesDescription: study.series.seriesDescription, seriesProblems: study.series.problems }
      : {}),
    ...(study.otherSeries ? { otherSeriesNotAnalysed: study.otherSeries } : {}),
    warnings: m.warnings ?? [],
  };
  const results: Record<string, unknown> = {};
  if (res.lungs)
    results.lungs = {
      rightVolumeMl: r1(res.lungs.rightVolumeMl),
      leftVolumeMl: r1(res.lungs.leftVolumeMl),
      lungVolumeMl: r1(res.lungs.lungVolumeMl),
    };
  // Each task's part follows its versioned report schema (schemas/<task>.v2.schema.json).
  if (res.nodules) results.nodules = toReport('detectNodules', res.nodules);
  if (res.tumor) results.tumor = toReport('segmentTumor', res.tumor);
  if (res.bone) results.bone = toReport('measureBoneDensity', res.bone);
  if (res.opacity) results.opacity = toReport('quantifyLungOpacity', res.opacity);
  if (res.radiomics)
    results.radiomics = { maskSource: res.radiomicsMaskSource, ...toReport('extractRadiomics', res.radiomics) };
  if (res.brain) results.brain = toReport('segmentBrainTissue', res.brain);

  const report: StudyReport = {
    medimg: VERSION,
    createdAt: new Date().toISOString(),
    input,
    tasks: res.status,
    results,
    outputs,
  };

  const facts: [string, string][] = [
    ['Input', `${study.name} (${study.kind})`],
    ['Modality', String(m.modality ?? 'unknown')],
    [
      'Grid',
      `${image.dims.join(' × ')} voxels, ${image.spacing.map((v) => v.toFixed(2)).join(' × ')} mm, ${input.orientation}`,
    ],
    ['Tasks', settings.tasks.join(', ')],
  ];
  if ((m.warnings ?? []).length) facts.push(['Reader warnings', (m.warnings ?? []).join('; ')]);
  if (outputs.segError) facts.push(['SEG not written', outputs.segError]);
  if (outputs.srError) facts.push(['SR not written', outputs.srError]);
  if (!hasDicomIdentity) facts.push(['DICOM outputs', 'not written: the input is not DICOM (no series to reference)']);
  const overview = pngs.find((p) => p.file === 'overview.png')!;
  const html = renderSummaryHtml({
    title: `medimg analysis: ${study.name}`,
    facts,
    sections: [
      { title: 'Overview', status: '', pictures: [{ title: overview.title, png: overview.png }], tables: [] },
      ...sections,
    ],
    files: [...files, 'report.json'],
    footer: `medimg ${VERSION}. Research use only: not a medical device. No data left this machine.`,
  });
  await writeAtomic(join(outDir, 'summary.html'), html);
  files.push('summary.html');
  files.push('report.json');
  await writeAtomic(join(outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  return { outDir, files, report };
}

export type { HtmlTable };

/** The caveats of a task result as a table (code, what it means for the figures). */
function limitationsTable(list: Limitation[]): HtmlTable {
  return { title: 'Limitations', columns: ['code', 'caveat'], rows: list.map((l) => [l.code, l.message]) };
}
