import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, type Worker, workerData } from 'node:worker_threads';
import { MedImgError } from '../../core/errors.js';
import { startModuleWorker } from '../../core/module-worker.js';
import { watchOutputDirs } from '../safe-write.js';
import { studyName } from './input.js';
import { analyzeStudy, type StudySummary } from './study.js';
import type { AnalysisSettings } from './tasks.js';

/** One job for a worker. */
interface BatchJob {
  input: string;
  outDir: string;
  settings: AnalysisSettings;
  series?: string;
}

type WorkerReply = { ok: true; summary: StudySummary } | { ok: false; error: { code: string; message: string } };

const WORKER_FLAG = 'medimgBatchWorker';

/** Default concurrency: 1 on machines with 2 cores or fewer, else half the cores (at most 4). */
export function defaultJobs(): number {
  const n = availableParallelism();
  return n <= 2 ? 1 : Math.min(4, Math.floor(n / 2));
}

/** True inside a batch worker thread started by {@link runBatch}. */
export function isBatchWorker(): boolean {
  return !isMainThread && Boolean((workerData as Record<string, unknown> | null)?.[WORKER_FLAG]);
}

/** The worker loop: one study at a time, errors returned as data (the thread never dies on bad input). */
export function runBatchWorker(): void {
  parentPort!.on('message', async (job: BatchJob) => {
    let reply: WorkerReply;
    try {
      const summary = await analyzeStudy(job.input, job.settings, job.outDir, job.series ? { series: job.series } : {});
      reply = { ok: true, summary };
    } catch (e) {
      reply = {
        ok: false,
        error: {
          code: e instanceof MedImgError ? e.code : 'INTERNAL',
          message: e instanceof Error ? e.message : String(e),
        },
      };
    }
    parentPort!.postMessage(reply);
  });
}

/** Starts a worker on the CLI entry (a module worker; through tsx when running the sources). */
function startWorker(url: URL): Worker {
  return startModuleWorker(url, { workerData: { [WORKER_FLAG]: true } });
}

export interface BatchOptions {
  jobs: number;
  force: boolean;
  series?: string;
  /** Module that starts the worker loop when loaded in a worker (the CLI entry). */
  workerUrl: URL;
  onStudyDone?: (s: StudySummary, done: number, total: number) => void;
}

/**
 * Analyses many studies with a pool of `jobs` worker threads. Each study goes to `<out>/<name>/`;
 * a study whose report.json exists is skipped unless `force`. A failing study (bad input, or a
 * worker that crashed, e.g. out of memory) is reported and the pool goes on with a fresh worker.
 * Results already written are never touched by another study's failure.
 */
export async function runBatch(
  studies: string[],
  outRoot: string,
  settings: AnalysisSettings,
  opts: BatchOptions,
): Promise<StudySummary[]> {
  const names = new Map<string, number>();
  const jobs: BatchJob[] = studies.map((input) => {
    let name = studyName(input);
    const seen = names.get(name) ?? 0;
    names.set(name, seen + 1);
    if (seen) name = `${name}-${seen + 1}`;
    return { input, outDir: join(outRoot, name), settings, ...(opts.series ? { series: opts.series } : {}) };
  });
  // an interrupted batch leaves no temporary output files (workers are threads: swept from here)
  watchOutputDirs(jobs.map((j) => j.outDir));
  const results: StudySummary[] = new Array(jobs.length);
  let done = 0;
  const finish = (i: number, s: StudySummary): void => {
    results[i] = s;
    done++;
    opts.onStudyDone?.(s, done, jobs.length);
  };
  const pending: number[] = [];
  jobs.forEach((job, i) => {
    if (!opts.force && existsSync(join(job.outDir, 'report.json'))) {
      finish(i, {
        name: studyName(job.outDir),
        outDir: job.outDir,
        ok: true,
        skipped: true,
        ms: 0,
        failedTasks: {},
        headlines: [],
        files: [],
      });
    } else pending.push(i);
  });

  const failed = (i: number, code: string, message: string, ms: number): StudySummary => ({
    name: studyName(jobs[i]!.outDir),
    outDir: jobs[i]!.outDir,
    ok: false,
    ms,
    failedTasks: {},
    headlines: [],
    files: [],
    error: { code, message },
  });

  const lane = async (): Promise<void> => {
    let worker: Worker | undefined;
    try {
      for (let i = pending.shift(); i !== undefined; i = pending.shift()) {
        const t0 = performance.now();
        worker ??= startWorker(opts.workerUrl);
        const w = worker;
        const reply = await new Promise<WorkerReply | { crashed: string }>((resolve) => {
          const onMsg = (m: WorkerReply): void => {
            cleanup();
            resolve(m);
          };
          const onErr = (e: Error): void => {
            cleanup();
            resolve({ crashed: e.message });
          };
          const onExit = (code: number): void => {
            cleanup();
            resolve({ crashed: `the worker exited with code ${code}` });
          };
          const cleanup = (): void => {
            w.off('message', onMsg);
            w.off('error', onErr);
            w.off('exit', onExit);
          };
          w.on('message', onMsg);
          w.on('error', onErr);
          w.on('exit', onExit);
          w.postMessage(jobs[i]!);
        });
        const ms = Math.round(performance.now() - t0);
        if ('crashed' in reply) {
          worker = undefined;
          await w.terminate().catch(() => undefined);
          finish(i, failed(i, 'WORKER_CRASHED', reply.crashed, ms));
        } else if (reply.ok) finish(i, reply.summary);
        else finish(i, failed(i, reply.error.code, reply.error.message, ms));
      }
    } finally {
      await worker?.terminate();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.jobs, pending.length)) }, lane));
  return results;
}
