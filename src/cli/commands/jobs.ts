import { EXIT, parseCommandArgs, UsageError } from '../args.js';
import { printJson, printLines } from '../output.js';
import { openQueue, QUEUE_NAME } from '../queue/queue.js';
import type { Command } from './types.js';

const HELP = `Usage: medimg jobs --redis <url> [--retry-failed] [--json]

Prints the queue's job counts (waiting, active, delayed, completed, failed) and every failed job
with its attempts and the reason of its last failure (error codes and messages carry no patient
data). --retry-failed moves the failed jobs back to the queue.

Options:
  --redis <url>      Redis (required)
  --queue <name>     queue name (default ${QUEUE_NAME})
  --retry-failed     requeue the failed jobs
  --json             machine-readable output
  -h, --help         this text`;

export const jobsCommand: Command = {
  name: 'jobs',
  summary: 'show the queue: counts, failed jobs with reasons; requeue failed jobs',
  help: HELP,
  async run(argv) {
    const { values } = parseCommandArgs(
      argv,
      { redis: { type: 'string' }, queue: { type: 'string' }, 'retry-failed': { type: 'boolean' } },
      false,
    );
    if (values.help) {
      printLines([HELP]);
      return EXIT.ok;
    }
    if (!values.redis) throw new UsageError('--redis <url> is required.');
    const queue = await openQueue(values.redis, values.queue);
    try {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
      const failed = (await queue.getFailed(0, 999)).map((j) => ({
        id: String(j.id),
        attempts: j.attemptsMade,
        reason: j.failedReason,
        failedAt: j.finishedOn ? new Date(j.finishedOn).toISOString() : undefined,
      }));
      let retried = 0;
      if (values['retry-failed']) {
        for (const j of await queue.getFailed(0, 999)) {
          await j.retry('failed');
          retried++;
        }
      }
      if (values.json) printJson({ counts, failed, ...(values['retry-failed'] ? { retried } : {}) });
      else {
        printLines([
          Object.entries(counts)
            .map(([k, v]) => `${k} ${v}`)
            .join(', '),
          ...failed.map((f) => `failed ${f.id} after ${f.attempts} attempt(s): ${f.reason}`),
          ...(values['retry-failed'] ? [`requeued ${retried} failed job(s)`] : []),
        ]);
      }
    } finally {
      await queue.close();
    }
    return EXIT.ok;
  },
};
