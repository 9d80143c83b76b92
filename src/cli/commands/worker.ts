import { MedImgError } from '../../core/errors.js';
import { EXIT, parseCommandArgs, parsePositiveInt } from '../args.js';
import { printLines } from '../output.js';
import { processJob } from '../queue/process.js';
import { QUEUE_NAME, startWorker } from '../queue/queue.js';
import type { Command } from './types.js';

const HELP = `Usage: medimg worker --redis <redis://host:port> [options]

Takes analysis jobs from the queue (BullMQ on Redis) and runs them: reads the study (DICOMweb or
a path this machine can read), runs its tasks, stores the SEG and SR back to the PACS (STOW-RS)
or writes all outputs to <folder>/<job id>, and only then acknowledges the job. Run any number of
workers on any number of machines against the same Redis. A failed read or store is retried
with exponential backoff ('medimg enqueue' sets the attempts); a worker that dies loses its job
to another after --lock-ms. SIGTERM/SIGINT: stop taking jobs and finish the active ones (a second
signal releases them to other workers at once).

DICOMweb credentials come from this machine's environment, never from the queue:
  MEDIMG_DICOMWEB_TOKEN       bearer token for the PACS
  MEDIMG_DICOMWEB_TIMEOUT_MS  per-request timeout (default 60000)

Options:
  --redis <url>          Redis (required), e.g. redis://127.0.0.1:6379
  --queue <name>         queue name (default ${QUEUE_NAME})
  --concurrency <n>      jobs at once in this process (default 1; one per core is the most useful)
  --lock-ms <n>          job lock, ms (default 30000)
  --json                 one JSON object per event line
  -h, --help             this text`;

export const workerCommand: Command = {
  name: 'worker',
  summary: 'take analysis jobs from a Redis queue and store results to the PACS or a folder',
  help: HELP,
  async run(argv) {
    const { values } = parseCommandArgs(
      argv,
      {
        redis: { type: 'string' },
        queue: { type: 'string' },
        concurrency: { type: 'string' },
        'lock-ms': { type: 'string' },
      },
      false,
    );
    if (values.help) {
      printLines([HELP]);
      return EXIT.ok;
    }
    if (!values.redis) throw new MedImgError('INVALID_ARGUMENT', '--redis <url> is required.');
    const concurrency = parsePositiveInt(values.concurrency, '--concurrency', 1);
    const lockMs = parsePositiveInt(values['lock-ms'], '--lock-ms', 30_000);
    const log = (line: string): void => {
      process.stderr.write(
        values.json
          ? `${JSON.stringify({ time: new Date().toISOString(), pid: process.pid, event: line })}\n`
          : `${new Date().toISOString()} worker ${process.pid}: ${line}\n`,
      );
    };
    const worker = await startWorker({
      redisUrl: values.redis,
      ...(values.queue ? { queue: values.queue } : {}),
      concurrency,
      lockMs,
      onEvent: log,
      process: async (job) => {
        let last = -1;
        return processJob(job.data, String(job.id), {
          onProgress: (e) => {
            const pct = Math.floor(e.fraction * 100);
            if (pct === last) return;
            last = pct;
            void job.updateProgress({ fraction: e.fraction, stage: e.stage }).catch(() => {});
          },
        });
      },
    });
    log(`ready (concurrency ${concurrency})`);
    return new Promise<number>((resolve) => {
      let closingAt = 0;
      const stop = (sig: string): void => {
        // the CLI's temp-file sweeper re-raises the first signal at once: only a signal that comes
        // later is a person's (or supervisor's) second request
        if (closingAt && Date.now() - closingAt < 1000) return;
        if (closingAt) {
          log(`${sig} again: releasing the active jobs`);
          void worker.close(true).then(() => resolve(EXIT.ok));
          return;
        }
        closingAt = Date.now();
        log(`${sig}: finishing the active jobs, taking no new ones`);
        void worker.close().then(() => {
          log('stopped');
          resolve(EXIT.ok);
        });
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });
  },
};
