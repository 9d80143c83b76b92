/**
 * BullMQ on Redis for `medimg worker`, `enqueue`, `jobs` and `watch`. bullmq and ioredis are
 * Node-only and loaded lazily here, so neither entry of the library (nor other commands) pays for
 * them.
 */
import type { ConnectionOptions, Job, Queue, Worker } from 'bullmq';
import { UsageError } from '../args.js';
import type { AnalysisJob } from './job.js';
import type { JobResult } from './process.js';

/** Default queue name. */
export const QUEUE_NAME = 'medimg-analysis';

/** Retry policy of enqueued jobs. */
export interface RetryPolicy {
  /** Attempts in all (1 = no retry). Default 5. */
  attempts: number;
  /** First retry delay, ms, doubled each time. Default 5000. */
  backoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, backoffMs: 5000 };

/** Redis connection options from a redis:// URL (password and db number supported). */
export function redisConnection(url: string): ConnectionOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--redis must be a redis:// URL, got '${url}'.`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new UsageError(`--redis must be a redis:// URL.`);
  return {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 6379),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    // BullMQ workers block on Redis: ioredis must retry for ever (through a Redis restart)
    maxRetriesPerRequest: null,
  };
}

async function bullmq(): Promise<typeof import('bullmq')> {
  return import('bullmq');
}

/** Opens the queue. */
export async function openQueue(redisUrl: string, name = QUEUE_NAME): Promise<Queue<AnalysisJob, JobResult>> {
  const { Queue } = await bullmq();
  return new Queue<AnalysisJob, JobResult>(name, { connection: redisConnection(redisUrl) });
}

/**
 * Adds a job under its idempotent id. Resolves to false when a job with that id is already in
 * the queue (waiting, active, completed or failed and kept): nothing is added then.
 */
export async function enqueueJob(
  queue: Queue<AnalysisJob, JobResult>,
  jobId: string,
  data: AnalysisJob,
  retry: RetryPolicy = DEFAULT_RETRY,
): Promise<boolean> {
  const existing = await queue.getJob(jobId);
  if (existing) return false;
  await queue.add('analyze', data, {
    jobId,
    attempts: retry.attempts,
    backoff: { type: 'exponential', delay: retry.backoffMs },
    // completed jobs stay a week (so re-enqueueing the same study is a no-op), failed ones until handled
    removeOnComplete: { age: 7 * 24 * 3600 },
    removeOnFail: false,
  });
  return true;
}

/** Options of {@link startWorker}. */
export interface WorkerOptions {
  redisUrl: string;
  queue?: string;
  /** Jobs at once in this process. Default 1. */
  concurrency?: number;
  /** Lock of an active job, ms: a worker that dies loses its job to another after about this. Default 30000. */
  lockMs?: number;
  process: (job: Job<AnalysisJob, JobResult>) => Promise<JobResult>;
  onEvent?: (line: string) => void;
}

/** Starts a BullMQ worker; `close()` lets the active jobs finish (or `close(true)` releases them). */
export async function startWorker(o: WorkerOptions): Promise<Worker<AnalysisJob, JobResult>> {
  const { Worker } = await bullmq();
  const lockDuration = o.lockMs ?? 30_000;
  const w = new Worker<AnalysisJob, JobResult>(o.queue ?? QUEUE_NAME, o.process, {
    connection: redisConnection(o.redisUrl),
    concurrency: o.concurrency ?? 1,
    lockDuration,
    stalledInterval: Math.max(1000, Math.round(lockDuration / 2)),
    // a job whose worker died twice is failed with a reason rather than tried for ever
    maxStalledCount: 2,
    autorun: true,
  });
  const log = o.onEvent ?? (() => {});
  w.on('active', (j) => log(`job ${j.id} started (attempt ${j.attemptsMade + 1})`));
  w.on('completed', (j, r) => log(`job ${j.id} stored ${r.stored.length} object(s) in ${(r.ms / 1000).toFixed(1)} s`));
  w.on('failed', (j, e) => log(`job ${j?.id} failed (attempt ${j?.attemptsMade}): ${e.message}`));
  w.on('stalled', (id) => log(`job ${id} stalled: its worker stopped renewing the lock; it runs again`));
  w.on('error', (e) => log(`queue connection: ${e.message}`));
  return w;
}
