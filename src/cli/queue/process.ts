import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MedImgError } from '../../core/errors.js';
import type { LongRunOptions } from '../../core/progress.js';
import { readDicomSeries } from '../../io/dicom/index.js';
import type { DicomWebServer } from '../../io/dicomweb/client.js';
import { searchDicomWebSeries } from '../../io/dicomweb/query.js';
import { storeDicomWebInstances } from '../../io/dicomweb/store.js';
import { type LoadedStudy, loadStudy } from '../analysis/input.js';
import { analyzeLoaded, type StudySummary } from '../analysis/study.js';
import { type AnalysisSettings, checkSettings } from '../analysis/tasks.js';
import { type AnalysisJob, jobUids } from './job.js';

/** What a finished job reports (kept as the BullMQ return value: plain data, no patient data). */
export interface JobResult {
  ok: boolean;
  /** Task name -> error line, for tasks that failed (a task failure does not fail the job). */
  failedTasks: Record<string, string>;
  headlines: string[];
  /** SOP Instance UIDs stored to the PACS, or files written to the folder. */
  stored: string[];
  ms: number;
}

/**
 * The worker's own view of a DICOMweb URL: credentials and limits come from the worker's
 * environment (MEDIMG_DICOMWEB_TOKEN), never from the job in Redis.
 */
export function serverFor(url: string, env: NodeJS.ProcessEnv = process.env): DicomWebServer {
  const s: DicomWebServer = { url };
  if (env.MEDIMG_DICOMWEB_TOKEN) s.token = env.MEDIMG_DICOMWEB_TOKEN;
  if (env.MEDIMG_DICOMWEB_TIMEOUT_MS) s.timeoutMs = Number(env.MEDIMG_DICOMWEB_TIMEOUT_MS);
  return s;
}

const IMAGE_MODALITIES = new Set(['CT', 'MR', 'PT', 'CR', 'DX', 'US', 'MG', 'NM', 'XA']);

async function loadJobStudy(job: AnalysisJob, jobId: string, opts: LongRunOptions): Promise<LoadedStudy> {
  const name = jobId.slice(0, 20);
  if ('path' in job.study) return { ...(await loadStudy(job.study.path, opts)), name };
  const server = serverFor(job.study.dicomweb);
  let seriesInstanceUid = job.study.seriesInstanceUid;
  if (!seriesInstanceUid) {
    // the image series with the most instances (never a SEG/SR, including our own earlier results)
    const call = opts.signal ? { signal: opts.signal } : {};
    const series = (
      await searchDicomWebSeries(server, { ...call, studyInstanceUid: job.study.studyInstanceUid })
    ).filter((s) => IMAGE_MODALITIES.has(s.modality ?? ''));
    series.sort((a, b) => (b.numberOfInstances ?? 0) - (a.numberOfInstances ?? 0));
    if (!series[0]) throw new MedImgError('SERIES_EMPTY', 'The study has no image series on the DICOMweb server.');
    seriesInstanceUid = series[0].seriesInstanceUid;
  }
  const image = await readDicomSeries(
    { dicomweb: server, studyInstanceUid: job.study.studyInstanceUid, seriesInstanceUid },
    opts,
  );
  return { image, kind: 'dicom', name };
}

/**
 * Runs one job: reads the study (DICOMweb or path), runs its tasks, and stores the SEG and SR
 * (deterministic UIDs from the job id) to the PACS or writes all outputs to `<folder>/<jobId>`.
 * Resolves only once the results are stored, so the queue acknowledges stored work only. Task
 * failures are reported in the result; a failure to read or store throws (the queue retries).
 */
export async function processJob(job: AnalysisJob, jobId: string, opts: LongRunOptions = {}): Promise<JobResult> {
  const t0 = performance.now();
  const settings: AnalysisSettings = { tasks: job.tasks };
  if (job.seed) settings.seed = job.seed;
  if (job.box) settings.box = job.box;
  checkSettings(settings);
  const study = await loadJobStudy(job, jobId, opts);
  const toPacs = 'dicomweb' in job.output;
  const outDir = toPacs
    ? await mkdtemp(join(tmpdir(), 'medimg-job-'))
    : join((job.output as { folder: string }).folder, jobId);
  try {
    const summary: StudySummary = await analyzeLoaded(study, settings, outDir, { ...opts, uidFor: jobUids(jobId) });
    let stored: string[] = summary.files;
    if (toPacs) {
      const instances: Uint8Array[] = [];
      for (const f of ['seg.dcm', 'sr.dcm']) {
        if (summary.files.includes(f)) instances.push(new Uint8Array(await readFile(join(outDir, f))));
      }
      stored = [];
      if (instances.length) {
        const call = opts.signal ? { signal: opts.signal } : {};
        const server = serverFor((job.output as { dicomweb: string }).dicomweb);
        stored = (await storeDicomWebInstances(server, instances, call)).stored;
      }
    }
    return {
      ok: summary.ok,
      failedTasks: summary.failedTasks,
      headlines: summary.headlines,
      stored,
      ms: Math.round(performance.now() - t0),
    };
  } finally {
    if (toPacs) await rm(outDir, { recursive: true, force: true });
  }
}
