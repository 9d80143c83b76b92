import { join } from 'node:path';
import { orientationFromDirection } from '../../core/geometry.js';
import type { Mask } from '../../core/volume.js';
import type { SegmentDescription } from '../../io/dicom/seg-write.js';
import { generateUid, type SrFindingInput, writeDicomSeg, writeDicomSr } from '../../io/index.js';
import { renderMosaicPng } from '../../io/png/index.js';
import { type Caveat, type CaveatInputs, caveatsOf, findCaveats } from '../../tasks/caveats.js';
import type { Limitation } from '../../tasks/contract.js';
import { type ReportTask, toReport } from '../../tasks/report.js';
import { VERSION } from '../../version.js';
import { ensureDir, writeFileAtomic } from '../safe-write.js';
import { type HtmlSection, type HtmlTable, renderSummaryHtml } from './html.js';
import type { LoadedStudy } from './input.js';
import { writeMaskNiftis } from './mask-files.js';
import { type AnalysisSettings, plannedTasks, type TaskOutputs } from './tasks.js';

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
  /** Every figure that looks wrong by rule (findCaveats), also under each task it concerns. */
  caveats: Caveat[];
  results: Record<string, unknown>;
  outputs: { seg?: string; sr?: string; segError?: string; srError?: string; pngs: string[]; masks?: string[] };
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
    'Axial overview (evenly spaced slices, numbered from 1)',
    undefined,
    renderMosaicPng(image, { count: 9, window: isCt ? 'lung' : 'auto', maxSize: 220 }),
  );

  const sections: HtmlSection[] = [];
  const segMasks: Mask[] = [];
  const segments: SegmentDescription[] = [];
  // SR findings; `segmentNumber` links to the SEG written below (its UIDs are known only then).
  const findings: (Omit<SrFindingInput, 'segment'> & { segmentNumber?: number })[] = [];
  const extraFiles: { name: string; data: Uint8Array | string }[] = [];
  const status = (t: string): { status: string; error?: string } => {
    const s = res.status[t];
    if (!s) return { status: 'not run' };
    if (s.skipped) return { status: `skipped: ${s.skipped}` };
    return s.ok
      ? { status: `done in ${(s.ms / 1000).toFixed(1)} s${s.note ? `; ${s.note}` : ''}` }
      : { status: 'failed', error: `${s.error!.code}: ${s.error!.message}` };
  };

  // Rule-based caveats: shown beside the figures they concern (task sections, report parts, CLI lines).
  let caveats: Caveat[] = [];
  let caveatError: string | undefined;
  try {
    caveats = findCaveats(image, res.results as CaveatInputs).caveats;
  } catch (e) {
    caveatError = e instanceof Error ? e.message : String(e);
  }

  // Each task presents its own result: SEG segments, SR findings, pictures, its HTML section.
  for (const def of plannedTasks(settings.tasks)) {
    const result = res.results[def.id];
    const requested = settings.tasks.includes(def.cliName);
    const sec: HtmlSection = { title: def.title, ...status(def.cliName), pictures: [], tables: [] };
    if (result) {
      const p = def.present(result, {
        image,
        results: res.results,
        requested: settings.tasks,
        isCt,
        uidFor,
        ...(res.reportExtra[def.id] ? { reportExtra: res.reportExtra[def.id] } : {}),
      });
      const firstSegment = segments.length;
      for (const s of p.segments) {
        segMasks.push(s.mask);
        segments.push(s.description);
      }
      for (const { segment, ...f } of p.findings) {
        findings.push(segment !== undefined ? { ...f, segmentNumber: firstSegment + segment + 1 } : f);
      }
      for (const pic of p.pictures) addPng(pic.file, pic.title, requested ? sec : undefined, pic.png);
      const mine = caveatsOf(caveats, def.id);
      // first, so it is read before the figures it qualifies
      if (mine.length) sec.tables.push(caveatsTable(mine));
      sec.tables.push(...p.tables);
      // every task's caveats, the same way: a reader sees them next to the figures
      if (result.limitations.length) sec.tables.push(limitationsTable(result.limitations));
      extraFiles.push(...p.files);
    }
    if (requested) sections.push(sec);
  }

  // PNG files.
  for (const p of pngs) {
    await writeAtomic(join(outDir, p.file), p.png);
    files.push(p.file);
  }
  // Other files the tasks asked for (e.g. radiomics.csv).
  for (const f of extraFiles) {
    await writeAtomic(join(outDir, f.name), f.data);
    files.push(f.name);
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
  // Each task's part follows its versioned report schema (schemas/<task>.v2.schema.json), keyed by its CLI name.
  const results: Record<string, unknown> = {};
  for (const def of res.ran) {
    const result = res.results[def.id];
    if (result)
      results[def.cliName] = {
        ...res.reportExtra[def.id],
        ...toReport(def.id as ReportTask, result as never, { caveats: caveatsOf(caveats, def.id) }),
      };
  }

  const report: StudyReport = {
    medimg: VERSION,
    createdAt: new Date().toISOString(),
    input,
    tasks: res.status,
    caveats,
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
  if (caveats.length)
    facts.push([
      'Caveats',
      caveats.map((c) => `${c.code} (${c.tasks.join(', ')})`).join('; ') + ': see the task sections',
    ]);
  if (caveatError) facts.push(['Caveat rules not applied', caveatError]);
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

/** Rule-based caveats of a task's figures as a table. */
function caveatsTable(list: Caveat[]): HtmlTable {
  return {
    title: 'Caveats: these figures look wrong by rule',
    columns: ['code', 'caveat'],
    rows: list.map((c) => [c.code, c.message]),
  };
}

/** The caveats of a task result as a table (code, what it means for the figures). */
function limitationsTable(list: Limitation[]): HtmlTable {
  return { title: 'Limitations', columns: ['code', 'caveat'], rows: list.map((l) => [l.code, l.message]) };
}
