import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { jobIdOf, jobUids, makeJob } from '../../src/cli/queue/job.js';
import { processJob } from '../../src/cli/queue/process.js';
import { redisConnection } from '../../src/cli/queue/queue.js';
import { readDicomSeg, readDicomSeries, retrieveDicomWebSeries } from '../../src/index.js';
import { orthancSeriesByModality, phantomStudy, runMedimg, spawnMedimg, waitExit } from '../helpers/queue.js';
import { describeService, hasRedis, type RedisServer, startRedis, uploadToOrthanc } from '../helpers/services.js';

// The job queue end to end: `medimg enqueue`, `medimg worker` (a real process), `medimg jobs` and
// `medimg watch` on a real Redis and the test run's Orthanc, with small chest phantoms as studies.
const orthanc = inject('orthanc');
const missing = orthanc.missing || (hasRedis() || process.env.MEDIMG_REDIS_URL ? '' : 'redis-server is not installed');

describeService('job queue on Redis with Orthanc', missing, () => {
  let redis: RedisServer | undefined;
  let redisUrl = '';
  const queueName = `medimg-test-${process.pid}`;
  const studies: { study: string; series: string }[] = [];
  let out = '';

  beforeAll(async () => {
    if (process.env.MEDIMG_REDIS_URL) redisUrl = process.env.MEDIMG_REDIS_URL;
    else {
      redis = await startRedis();
      redisUrl = redis.url;
    }
    out = mkdtempSync(join(tmpdir(), 'medimg-queue-out-'));
    for (const seed of [11, 12, 13]) {
      const files = await phantomStudy(seed);
      await uploadToOrthanc(orthanc.url, files);
      const v = await readDicomSeries([files[0]!]);
      studies.push({ study: v.meta!.studyInstanceUid!, series: v.meta!.seriesInstanceUid! });
    }
  });
  afterAll(async () => {
    const q = new Queue(queueName, { connection: redisConnection(redisUrl) });
    await q.obliterate({ force: true }).catch(() => {});
    await q.close();
    await redis?.stop();
    rmSync(out, { recursive: true, force: true });
  });

  const enqueue = (study: { study: string; series?: string }, extra: string[] = []) =>
    runMedimg([
      'enqueue',
      '--redis',
      redisUrl,
      '--queue',
      queueName,
      '--tasks',
      'opacity',
      '--dicomweb',
      orthanc.dicomweb,
      '--study',
      study.study,
      ...(study.series ? ['--series', study.series] : []),
      '--json',
      ...extra,
    ]);

  it('enqueue is idempotent; a worker stores one SEG and one SR per study in the PACS and acks after', async () => {
    const a = await enqueue(studies[0]!);
    expect(a.code).toBe(0);
    const first = JSON.parse(a.stdout) as { jobId: string; added: boolean };
    expect(first.added).toBe(true);
    const again = JSON.parse((await enqueue(studies[0]!)).stdout) as { jobId: string; added: boolean };
    expect(again).toEqual({ jobId: first.jobId, added: false });
    // without --series the worker picks the image series itself
    const b = JSON.parse((await enqueue({ study: studies[1]!.study })).stdout) as { jobId: string };

    const lines: string[] = [];
    const worker = spawnMedimg(['worker', '--redis', redisUrl, '--queue', queueName, '--lock-ms', '10000'], (l) =>
      lines.push(l),
    );
    const q = new Queue(queueName, { connection: redisConnection(redisUrl) });
    try {
      const end = Date.now() + 150_000;
      let counts: Record<string, number> = {};
      while (Date.now() < end) {
        counts = await q.getJobCounts('completed', 'failed');
        if ((counts.completed ?? 0) + (counts.failed ?? 0) >= 2) break;
        await new Promise((r) => setTimeout(r, 300));
      }
      expect(counts).toMatchObject({ completed: 2, failed: 0 });
      const done = await q.getJob(first.jobId);
      expect(done!.returnvalue.stored).toHaveLength(2);
      expect(done!.returnvalue.ok).toBe(true);
      expect(done!.progress).toMatchObject({ fraction: expect.any(Number) });
    } finally {
      worker.kill('SIGTERM');
      expect(await waitExit(worker, 60_000)).toBe(0);
      await q.close();
    }
    expect(lines.some((l) => l.includes('SIGTERM: finishing the active jobs'))).toBe(true);
    // no patient data in the worker's log: no UIDs
    for (const l of lines) expect(l).not.toContain(studies[0]!.study);

    for (const [s, jobId] of [
      [studies[0]!, first.jobId],
      [studies[1]!, b.jobId],
    ] as const) {
      const bySeries = await orthancSeriesByModality(orthanc.url, s.study);
      expect(bySeries.SEG).toHaveLength(1);
      expect(bySeries.SR).toHaveLength(1);
      // the SEG carries the job's deterministic UIDs and references the CT series
      const uid = jobUids(jobId);
      expect(bySeries.SEG![0]).toBe(uid('seg-series'));
      expect(bySeries.SR![0]).toBe(uid('sr-series'));
      const [seg] = await retrieveDicomWebSeries({
        dicomweb: { url: orthanc.dicomweb },
        studyInstanceUid: s.study,
        seriesInstanceUid: uid('seg-series'),
      });
      const parsed = readDicomSeg(seg!);
      expect(parsed.sopInstanceUid).toBe(uid('seg-instance'));
      expect(parsed.referencedSeriesInstanceUid).toBe(s.series);
    }
  });

  it('running a job again (a retry) overwrites its SEG and SR instead of adding copies', async () => {
    const job = makeJob({
      study: { dicomweb: orthanc.dicomweb, studyInstanceUid: studies[0]!.study, seriesInstanceUid: studies[0]!.series },
      tasks: ['opacity'],
      output: { dicomweb: orthanc.dicomweb },
    });
    const id = jobIdOf(job);
    const r = await processJob(job, id);
    expect(r.stored).toEqual([jobUids(id)('seg-instance'), jobUids(id)('sr-instance')]);
    const bySeries = await orthancSeriesByModality(orthanc.url, studies[0]!.study);
    expect(bySeries.SEG).toHaveLength(1);
    expect(bySeries.SR).toHaveLength(1);
    // and into a folder: all outputs under <folder>/<job id>
    const toFolder = await processJob({ ...job, output: { folder: out } }, id);
    expect(toFolder.stored).toEqual(expect.arrayContaining(['seg.dcm', 'sr.dcm', 'report.json']));
  });

  it('a job that cannot be read fails after its attempts and is listed with its reason', async () => {
    const r = await enqueue({ study: '1.2.826.0.1.3680043.2.1125.999.1' }, ['--attempts', '2', '--backoff-ms', '100']);
    const { jobId } = JSON.parse(r.stdout) as { jobId: string };
    const worker = spawnMedimg(['worker', '--redis', redisUrl, '--queue', queueName]);
    const q = new Queue(queueName, { connection: redisConnection(redisUrl) });
    try {
      const end = Date.now() + 60_000;
      while (Date.now() < end && !(await q.getJob(jobId))?.failedReason) await new Promise((x) => setTimeout(x, 200));
      const end2 = Date.now() + 60_000;
      while (Date.now() < end2 && (await q.getJobState(jobId)) !== 'failed')
        await new Promise((x) => setTimeout(x, 200));
    } finally {
      worker.kill('SIGTERM');
      await waitExit(worker);
      await q.close();
    }
    const jobs = await runMedimg(['jobs', '--redis', redisUrl, '--queue', queueName, '--json']);
    const listed = JSON.parse(jobs.stdout) as { failed: { id: string; attempts: number; reason: string }[] };
    const f = listed.failed.find((x) => x.id === jobId);
    expect(f).toMatchObject({ attempts: 2 });
    expect(f!.reason).toMatch(/no image series/);
  });

  it('watch enqueues stable studies that match the rule, once', async () => {
    // Orthanc marks a study stable 2 s after its last instance (the test configuration)
    await new Promise((r) => setTimeout(r, 3000));
    const args = ['watch', '--redis', redisUrl, '--queue', queueName, '--orthanc', orthanc.url, '--tasks', 'opacity'];
    const mr = await runMedimg([...args, '--modality', 'MR', '--once']);
    expect(mr.code).toBe(0);
    expect(mr.stderr).not.toMatch(/queued/);
    const rule = ['--modality', 'CT', '--series-description', 'phantom', '--once'];
    const ct = await runMedimg([...args, ...rule]);
    expect(ct.code).toBe(0);
    const q = new Queue(queueName, { connection: redisConnection(redisUrl) });
    try {
      const job = makeJob({
        study: {
          dicomweb: orthanc.dicomweb,
          studyInstanceUid: studies[2]!.study,
          seriesInstanceUid: studies[2]!.series,
        },
        tasks: ['opacity'],
        output: { dicomweb: orthanc.dicomweb },
      });
      expect(await q.getJob(jobIdOf(job))).toBeDefined();
      // seen again (e.g. after our own SEG/SR arrived in the study): nothing new is queued
      const again = await runMedimg([...args, ...rule]);
      expect(again.code).toBe(0);
      expect(again.stderr).not.toMatch(/watch: queued /);
      expect(again.stderr).toMatch(/already queued or done/);
    } finally {
      await q.close();
    }
  });
});
