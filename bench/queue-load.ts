/**
 * Fault and load test of the job queue: N small chest phantom studies (64x64x32) in a throw-away
 * Orthanc, two `medimg worker` processes on a throw-away Redis; one worker is SIGKILLed in the
 * middle of a job (and started again, as a supervisor would) and Redis is restarted once. At the
 * end every study must hold exactly one SEG and one SR: none lost, none duplicated. Prints
 * studies/minute and the retry and stall counts.
 *
 *   npx tsx bench/queue-load.ts [studies=100]
 *
 * Also run (as a long test) by test/cli/queue-load.test.ts under CI.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { writePhantomDicom } from '../src/cli/analysis/phantom-dicom.js';
import { type AnalysisJob, jobIdOf, makeJob } from '../src/cli/queue/job.js';
import type { JobResult } from '../src/cli/queue/process.js';
import { enqueueJob, redisConnection } from '../src/cli/queue/queue.js';
import { readDicomSeries } from '../src/index.js';
import { makeChestCtPhantom } from '../src/testing.js';
import { spawnMedimg, waitExit } from '../test/helpers/queue.js';
import { startOrthanc, startRedis, uploadToOrthanc } from '../test/helpers/services.js';

/** What the run measured. */
export interface QueueLoadFigures {
  studies: number;
  workers: number;
  wallSeconds: number;
  /** Completed studies per minute, from the first enqueue to the last completion. */
  studiesPerMinute: number;
  /** Attempts beyond the first, over all jobs (failed attempts that were retried). */
  retries: number;
  /** Jobs taken over from a dead worker (lock expired). */
  stalledRecoveries: number;
  completed: number;
  failed: number;
  /** Studies without exactly one SEG and one SR (each with one instance). */
  studiesWrong: number;
  segTotal: number;
  srTotal: number;
  killedWorkerMidJob: boolean;
  redisRestarted: boolean;
  uploadSeconds: number;
}

export async function runQueueLoad(
  opts: { studies?: number; log?: (line: string) => void; timeoutS?: number } = {},
): Promise<QueueLoadFigures> {
  const n = opts.studies ?? 100;
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const orthanc = await startOrthanc({ stableAgeS: 60 });
  const redis = await startRedis();
  const queueName = 'medimg-load';
  const workers: ChildProcess[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'medimg-load-'));
  const queue = new Queue<AnalysisJob, JobResult>(queueName, { connection: redisConnection(redis.url) });
  try {
    // N studies: one phantom, written N times with fresh UIDs
    const t0 = performance.now();
    const { image } = makeChestCtPhantom({ dims: [64, 64, 32], spacing: [5.5, 5.5, 10], nodules: 0, seed: 7 });
    const refs: { study: string; series: string }[] = [];
    for (let i = 0; i < n; i++) {
      const dir = join(tmp, `s${i}`);
      await writePhantomDicom(image, dir);
      const files = readdirSync(dir)
        .sort()
        .map((f) => new Uint8Array(readFileSync(join(dir, f))));
      rmSync(dir, { recursive: true, force: true });
      await uploadToOrthanc(orthanc.url, files);
      const v = await readDicomSeries([files[0]!]);
      refs.push({ study: v.meta!.studyInstanceUid!, series: v.meta!.seriesInstanceUid! });
    }
    const uploadSeconds = (performance.now() - t0) / 1000;
    log(`${n} phantom studies (64x64x32) in Orthanc in ${uploadSeconds.toFixed(1)} s`);

    const tStart = performance.now();
    for (const r of refs) {
      const job = makeJob({
        study: { dicomweb: orthanc.dicomweb, studyInstanceUid: r.study, seriesInstanceUid: r.series },
        tasks: ['opacity'],
        output: { dicomweb: orthanc.dicomweb },
      });
      await enqueueJob(queue, jobIdOf(job), job, { attempts: 5, backoffMs: 1000 });
    }
    let killed = false;
    let started = 0;
    const lockMs = '6000';
    const spawnWorker = (name: string): ChildProcess => {
      const w = spawnMedimg(['worker', '--redis', redis.url, '--queue', queueName, '--lock-ms', lockMs], (line) => {
        if (/ stalled| failed|SIGTERM|connection/.test(line)) log(`[${name}] ${line}`);
        if (line.includes(' started (attempt')) started++;
      });
      workers.push(w);
      return w;
    };
    const a = spawnWorker('A');
    spawnWorker('B');

    // SIGKILL worker A in the middle of a job, once the run is under way; start it again
    const killA = async (): Promise<void> => {
      const until = Date.now() + 120_000;
      while (Date.now() < until) {
        const active = await queue.getActive();
        if (started >= 6 && active.length > 0) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      a.kill('SIGKILL');
      await waitExit(a, 10_000);
      killed = true;
      log('worker A killed with SIGKILL mid-job; starting A2');
      spawnWorker('A2');
    };
    await killA();

    // restart Redis once, when about 40 % is done
    let restarted = false;
    const deadline = Date.now() + (opts.timeoutS ?? 900) * 1000;
    let counts: Record<string, number> = {};
    while (Date.now() < deadline) {
      counts = await queue.getJobCounts('completed', 'failed', 'active', 'waiting', 'delayed');
      if (!restarted && (counts.completed ?? 0) >= n * 0.4) {
        log(`restarting Redis at ${counts.completed} completed`);
        await redis.restart(); // the queue's and the workers' connections reconnect by themselves
        restarted = true;
        continue;
      }
      if ((counts.completed ?? 0) + (counts.failed ?? 0) >= n) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const wallSeconds = (performance.now() - tStart) / 1000;
    const jobs = [...(await queue.getCompleted(0, n)), ...(await queue.getFailed(0, n))];
    const retries = jobs.reduce((s, j) => s + Math.max(0, j.attemptsMade - 1), 0);
    const stalledRecoveries = jobs.reduce((s, j) => s + ((j as { stalledCounter?: number }).stalledCounter ?? 0), 0);

    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => waitExit(w, 60_000)));

    // what the PACS holds, per study
    const all = (await (await fetch(`${orthanc.url}/series?expand`)).json()) as {
      ParentStudy: string;
      MainDicomTags: { Modality: string };
      Instances: string[];
    }[];
    const per = new Map<string, { seg: number; sr: number; segInst: number; srInst: number }>();
    for (const s of all) {
      const e = per.get(s.ParentStudy) ?? { seg: 0, sr: 0, segInst: 0, srInst: 0 };
      if (s.MainDicomTags.Modality === 'SEG') {
        e.seg++;
        e.segInst += s.Instances.length;
      }
      if (s.MainDicomTags.Modality === 'SR') {
        e.sr++;
        e.srInst += s.Instances.length;
      }
      per.set(s.ParentStudy, e);
    }
    const values = [...per.values()];
    const studiesWrong =
      values.filter((e) => e.seg !== 1 || e.sr !== 1 || e.segInst !== 1 || e.srInst !== 1).length + (n - per.size);
    const completed = counts.completed ?? 0;
    return {
      studies: n,
      workers: 2,
      wallSeconds: Number(wallSeconds.toFixed(1)),
      studiesPerMinute: Number(((completed / wallSeconds) * 60).toFixed(1)),
      retries,
      stalledRecoveries,
      completed,
      failed: counts.failed ?? 0,
      studiesWrong,
      segTotal: values.reduce((s, e) => s + e.segInst, 0),
      srTotal: values.reduce((s, e) => s + e.srInst, 0),
      killedWorkerMidJob: killed,
      redisRestarted: restarted,
      uploadSeconds: Number(uploadSeconds.toFixed(1)),
    };
  } finally {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    await queue.close().catch(() => {});
    await redis.stop();
    await orthanc.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const studies = Number(process.argv[2] ?? 100);
  const f = await runQueueLoad({ studies });
  console.log(JSON.stringify(f, null, 2));
  console.log(
    `${f.completed}/${f.studies} studies in ${f.wallSeconds} s with 2 workers: ${f.studiesPerMinute} studies/min; ` +
      `${f.retries} retries, ${f.stalledRecoveries} stalled job(s) recovered; ${f.studiesWrong} studies without exactly one SEG and one SR`,
  );
  process.exit(f.studiesWrong === 0 && f.completed === f.studies ? 0 : 1);
}
