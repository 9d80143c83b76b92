import { resolve } from 'node:path';
import { MedImgError } from '../../core/errors.js';
import { EXIT, parseCommandArgs, parsePositiveInt, parseTriple, UsageError } from '../args.js';
import { parseTasks, TASK_NAMES } from '../analysis/tasks.js';
import { printJson, printLines } from '../output.js';
import { type AnalysisJob, type JobOutput, type JobStudy, jobIdOf, makeJob } from '../queue/job.js';
import { DEFAULT_RETRY, enqueueJob, openQueue, QUEUE_NAME } from '../queue/queue.js';
import type { Command } from './types.js';

const HELP = `Usage: medimg enqueue --redis <url> --tasks <list> (--dicomweb <url> --study <uid> [--series <uid>] | <path>) [options]

Adds one analysis job to the queue for 'medimg worker'. The job id derives from the study, the
tasks, the tumour pointer and the medimg version: enqueueing the same study again does nothing
while the job is kept (completed jobs are kept a week), and the SEG/SR UIDs derive from it, so a
retried job overwrites its results in the PACS instead of adding copies. Prints the job id.

Study:
  --dicomweb <url>       DICOMweb root of the PACS (e.g. http://127.0.0.1:8042/dicom-web)
  --study <uid>          StudyInstanceUID
  --series <uid>         SeriesInstanceUID (default: the image series with the most instances)
  <path>                 or a DICOM folder / NIfTI file every worker can read (shared storage)

Results (default: back to the PACS of a DICOMweb study; required for a path):
  --store-dicomweb <url> store SEG and SR to this DICOMweb root (STOW-RS)
  --out <folder>         write all outputs to <folder>/<job id> (a folder every worker can write)

Options:
  --redis <url>          Redis (required)
  --queue <name>         queue name (default ${QUEUE_NAME})
  --tasks <list>         ${TASK_NAMES.join(', ')} or all (required)
  --seed <x,y,z>         tumour seed, LPS mm
  --attempts <n>         attempts in all for failed reads/stores (default ${DEFAULT_RETRY.attempts})
  --backoff-ms <n>       first retry delay, doubled each time (default ${DEFAULT_RETRY.backoffMs})
  --json                 print {jobId, added} as JSON
  -h, --help             this text`;

export const enqueueCommand: Command = {
  name: 'enqueue',
  summary: "add an analysis job (study + tasks) to the queue for 'medimg worker'",
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      redis: { type: 'string' },
      queue: { type: 'string' },
      tasks: { type: 'string', short: 't' },
      dicomweb: { type: 'string' },
      study: { type: 'string' },
      series: { type: 'string' },
      'store-dicomweb': { type: 'string' },
      out: { type: 'string', short: 'o' },
      seed: { type: 'string' },
      attempts: { type: 'string' },
      'backoff-ms': { type: 'string' },
    });
    if (values.help) {
      printLines([HELP]);
      return EXIT.ok;
    }
    if (!values.redis) throw new UsageError('--redis <url> is required.');
    if (!values.tasks) throw new UsageError(`--tasks is required (${TASK_NAMES.join(', ')}, or all).`);
    let study: JobStudy;
    if (values.dicomweb) {
      if (!values.study) throw new UsageError('--dicomweb needs --study <StudyInstanceUID>.');
      if (positionals.length) throw new UsageError('Give either --dicomweb or a path, not both.');
      study = {
        dicomweb: values.dicomweb,
        studyInstanceUid: values.study,
        ...(values.series ? { seriesInstanceUid: values.series } : {}),
      };
    } else {
      if (positionals.length !== 1) throw new UsageError('Give --dicomweb <url> --study <uid>, or one path.');
      study = { path: resolve(positionals[0]!) };
    }
    let output: JobOutput;
    if (values.out) output = { folder: resolve(values.out) };
    else if (values['store-dicomweb']) output = { dicomweb: values['store-dicomweb'] };
    else if ('dicomweb' in study) output = { dicomweb: study.dicomweb };
    else throw new UsageError('A path study needs --out <folder> or --store-dicomweb <url>.');
    const job: AnalysisJob = makeJob({
      study,
      tasks: parseTasks(values.tasks),
      output,
      ...(values.seed ? { seed: parseTriple(values.seed, '--seed') } : {}),
    });
    if (job.tasks.includes('tumor') && !job.seed) {
      throw new MedImgError('INVALID_ARGUMENT', "Task 'tumor' in a job needs --seed x,y,z (LPS mm).");
    }
    const attempts = parsePositiveInt(values.attempts, '--attempts', DEFAULT_RETRY.attempts);
    const backoffMs = parsePositiveInt(values['backoff-ms'], '--backoff-ms', DEFAULT_RETRY.backoffMs);
    const jobId = jobIdOf(job);
    const queue = await openQueue(values.redis, values.queue);
    try {
      const added = await enqueueJob(queue, jobId, job, { attempts, backoffMs });
      if (values.json) printJson({ jobId, added });
      else printLines([added ? `queued ${jobId}` : `${jobId} is already queued or done: nothing added`]);
    } finally {
      await queue.close();
    }
    return EXIT.ok;
  },
};
