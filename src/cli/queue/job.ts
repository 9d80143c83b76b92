import { sha256, uidFromDigest } from '../../io/dicom/uid.js';
import type { Vec3 } from '../../core/volume.js';
import type { BoxMm } from '../../tasks/segment-tumor/index.js';
import { VERSION } from '../../version.js';
import type { TaskName } from '../analysis/tasks.js';

/**
 * Where a job's study is: a study (optionally one series) on a DICOMweb service, or a path every
 * worker can read (a shared folder). Only the URL travels in the job: credentials stay with the
 * workers (MEDIMG_DICOMWEB_TOKEN), never in Redis.
 */
export type JobStudy = { dicomweb: string; studyInstanceUid: string; seriesInstanceUid?: string } | { path: string };

/** Where a job's SEG and SR go: back to a DICOMweb service (STOW-RS) or into a folder. */
export type JobOutput = { dicomweb: string } | { folder: string };

/** One analysis job as stored in the queue (plain JSON). */
export interface AnalysisJob {
  study: JobStudy;
  tasks: TaskName[];
  /** segmentTumor pointer, LPS mm, when 'tumor' runs. */
  seed?: Vec3;
  box?: BoxMm;
  output: JobOutput;
  /** medimg version that enqueued it (part of the job id). */
  medimgVersion: string;
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/**
 * The job id: a digest of the study, the tasks (sorted), the tumour pointer and the medimg version.
 * Enqueueing the same study again is a no-op while the job is kept; a new medimg version analyses
 * it again. The output target is not part of it (one result per study and version).
 */
export function jobIdOf(job: AnalysisJob): string {
  const study =
    'path' in job.study
      ? { path: job.study.path }
      : {
          dicomweb: job.study.dicomweb.replace(/\/+$/, ''),
          study: job.study.studyInstanceUid,
          series: job.study.seriesInstanceUid ?? '',
        };
  const key = canonical({
    study,
    tasks: [...job.tasks].sort(),
    seed: job.seed ?? null,
    box: job.box ?? null,
    version: job.medimgVersion,
  });
  return `medimg-${hex(sha256(new TextEncoder().encode(key))).slice(0, 40)}`;
}

/**
 * Deterministic UIDs for a job's outputs: the same job (and so its retries) always writes the same
 * SEG/SR Series and SOP Instance UIDs, so storing again overwrites instead of duplicating.
 */
export function jobUids(jobId: string): (role: string) => string {
  return (role) => uidFromDigest(sha256(new TextEncoder().encode(`medimg-job-uid/${jobId}/${role}`)));
}

/** A job for the current medimg version. */
export function makeJob(j: Omit<AnalysisJob, 'medimgVersion'>): AnalysisJob {
  return { ...j, medimgVersion: VERSION };
}
