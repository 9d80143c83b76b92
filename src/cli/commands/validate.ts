import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { MedImgError } from '../../core/errors.js';
import { validate } from '../../validation/index.js';
import { fmt } from '../../validation/html.js';
import { EXIT, parseCommandArgs, UsageError } from '../args.js';
import { printJson, printLines } from '../output.js';
import type { Command } from './types.js';

const HELP = `Usage: medimg validate <manifest.json|yaml> --out <dir> [options]

Runs every task of every case of a validation manifest (schemas/validationManifest.v1.schema.json)
against its ground truth and writes <dir>/validation.json (schemas/validation.v1.schema.json) and a
self-contained <dir>/validation.html. Results are cached per case and run in <dir>/cases, so a run
that was stopped (Ctrl-C) resumes where it stopped.

Options:
  --out <dir>         output folder (required)
  --data-root <dir>   folder for manifest paths with root "data" (default: the manifest's folder)
  --case <id>         only this case (repeatable)
  --fresh             ignore cached results
  --json              print the summary as JSON
  -q, --quiet         no per-run lines on stderr
  -h, --help          this text

Exit codes: 0 ok, 1 internal error, 2 bad input (manifest), 3 some runs failed.`;

export const validateCommand: Command = {
  name: 'validate',
  summary: 'run a validation manifest: per-case metrics, bootstrap intervals, subgroup audit, HTML',
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        out: { type: 'string', short: 'o' },
        'data-root': { type: 'string' },
        case: { type: 'string', multiple: true },
        fresh: { type: 'boolean' },
      },
      true,
    );
    if (values.help) {
      printLines([HELP]);
      return EXIT.ok;
    }
    const manifestPath = positionals[0];
    if (!manifestPath) throw new UsageError("'medimg validate' needs a manifest file. Try --help.");
    if (!values.out) throw new UsageError("'medimg validate' needs --out <dir>.");
    const text = await readFile(manifestPath, 'utf8').catch(() => {
      throw new UsageError(`Cannot read the manifest '${manifestPath}'.`);
    });
    const controller = new AbortController();
    const onSigint = (): void => controller.abort();
    process.once('SIGINT', onSigint);
    try {
      const { report, cachedRuns, files } = await validate(text, {
        manifestDir: dirname(resolve(manifestPath)),
        ...(values['data-root'] ? { dataRoot: resolve(values['data-root']) } : {}),
        outDir: resolve(values.out),
        resume: !values.fresh,
        ...(values.case ? { cases: values.case } : {}),
        signal: controller.signal,
        onRun: (r, cached) =>
          !values.quiet &&
          process.stderr.write(
            `${r.caseId}/${r.runId}: ${r.status === 'ok' ? 'ok' : `${r.error?.code}`}${cached ? ' (cached)' : ` ${fmt(r.seconds, 1)} s`} ${Object.entries(
              r.metrics,
            )
              .slice(0, 4)
              .map(([k, v]) => `${k} ${fmt(v)}`)
              .join(', ')}\n`,
          ),
      });
      if (values.json) printJson(report.summary);
      else {
        const lines: string[] = [];
        for (const s of report.summary) {
          lines.push(`${s.group}: ${s.cases} case(s), ${s.runs} run(s), ${s.failedRuns} failed`);
          for (const [k, c] of Object.entries(s.metrics))
            lines.push(
              `  ${k}: ${fmt(c.estimate)}${c.low !== null ? ` [${fmt(c.low)}, ${fmt(c.high)}]` : ''} (n=${c.n})`,
            );
        }
        lines.push(`${cachedRuns} run(s) from the cache. Wrote ${files.join(', ')}`);
        printLines(lines);
      }
      const failed = report.cases.some((c) => c.error || c.runs.some((r) => r.status !== 'ok'));
      return failed ? EXIT.partial : EXIT.ok;
    } catch (e) {
      if (e instanceof MedImgError && e.code === 'ABORTED') {
        process.stderr.write('medimg: stopped; finished runs are cached, run the same command again to resume.\n');
        return 130;
      }
      throw e;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};
