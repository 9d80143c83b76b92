import { EXIT, parseCommandArgs, parsePositiveInt, UsageError } from '../args.js';
import { parseTasks, TASK_NAMES } from '../analysis/tasks.js';
import { printLines } from '../output.js';
import { jobIdOf, makeJob } from '../queue/job.js';
import { enqueueJob, openQueue, QUEUE_NAME } from '../queue/queue.js';
import { type SeriesRule, watchOrthanc } from '../queue/watch-orthanc.js';
import type { Command } from './types.js';

const HELP = `Usage: medimg watch --redis <url> --orthanc <url> --tasks <list> [rule] [options]

Polls Orthanc's changes feed (/changes) for studies that became stable (no new instance for
Orthanc's StableAge seconds), and enqueues each study with a series matching the rule, for
'medimg worker'. Results go back to the same Orthanc over DICOMweb. Job ids are idempotent, so a
study seen again (e.g. when medimg's own SEG/SR arrive in it) is not analysed twice.

Rule (all given parts must match one series of the study):
  --modality <CT|MR|..>          Modality
  --body-part <text>             BodyPartExamined, case-insensitive
  --series-description <regex>   SeriesDescription, case-insensitive regular expression

Options:
  --redis <url>          Redis (required)
  --orthanc <url>        Orthanc REST root (required), e.g. http://127.0.0.1:8042
  --dicomweb-root <path> Orthanc's DICOMweb root (default /dicom-web)
  --tasks <list>         ${TASK_NAMES.join(', ')} or all (required)
  --queue <name>         queue name (default ${QUEUE_NAME})
  --interval-ms <n>      poll interval (default 5000)
  --since <n>            start after this change number (default: from the start of the feed)
  --once                 read the feed up to now, enqueue, and exit
  -h, --help             this text

Orthanc credentials: MEDIMG_ORTHANC_USER and MEDIMG_ORTHANC_PASSWORD (HTTP basic), from the environment.`;

export const watchCommand: Command = {
  name: 'watch',
  summary: "enqueue Orthanc's newly stable studies that match a rule",
  help: HELP,
  async run(argv) {
    const { values } = parseCommandArgs(
      argv,
      {
        redis: { type: 'string' },
        orthanc: { type: 'string' },
        'dicomweb-root': { type: 'string' },
        tasks: { type: 'string', short: 't' },
        queue: { type: 'string' },
        modality: { type: 'string' },
        'body-part': { type: 'string' },
        'series-description': { type: 'string' },
        'interval-ms': { type: 'string' },
        since: { type: 'string' },
        once: { type: 'boolean' },
      },
      false,
    );
    if (values.help) {
      printLines([HELP]);
      return EXIT.ok;
    }
    if (!values.redis || !values.orthanc || !values.tasks) {
      throw new UsageError('--redis, --orthanc and --tasks are required.');
    }
    const tasks = parseTasks(values.tasks);
    const rule: SeriesRule = {};
    if (values.modality) rule.modality = values.modality.toUpperCase();
    if (values['body-part']) rule.bodyPart = values['body-part'];
    if (values['series-description']) {
      try {
        rule.seriesDescription = new RegExp(values['series-description'], 'i');
      } catch {
        throw new UsageError('--series-description is not a valid regular expression.');
      }
    }
    const orthanc = values.orthanc.replace(/\/+$/, '');
    const dicomweb = `${orthanc}${values['dicomweb-root'] ?? '/dicom-web'}`;
    const queue = await openQueue(values.redis, values.queue);
    const ac = new AbortController();
    const stop = (): void => ac.abort();
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    const log = (line: string): void => {
      process.stderr.write(`${new Date().toISOString()} watch: ${line}\n`);
    };
    try {
      await watchOrthanc({
        orthanc,
        rule,
        intervalMs: parsePositiveInt(values['interval-ms'], '--interval-ms', 5000),
        since: values.since ? Number(values.since) : 0,
        once: Boolean(values.once),
        signal: ac.signal,
        auth:
          process.env.MEDIMG_ORTHANC_USER !== undefined
            ? { username: process.env.MEDIMG_ORTHANC_USER, password: process.env.MEDIMG_ORTHANC_PASSWORD ?? '' }
            : undefined,
        onLog: log,
        onStudy: async (s) => {
          const job = makeJob({
            study: { dicomweb, studyInstanceUid: s.studyInstanceUid, seriesInstanceUid: s.seriesInstanceUid },
            tasks,
            output: { dicomweb },
          });
          const id = jobIdOf(job);
          const added = await enqueueJob(queue, id, job);
          log(added ? `queued ${id}` : `${id} already queued or done`);
        },
      });
    } finally {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      await queue.close();
    }
    return EXIT.ok;
  },
};
