import { stat } from 'node:fs/promises';
import { relative } from 'node:path';
import { MedImgError } from '../../core/errors.js';
import { listDicomSeries } from '../../io/dicom/index.js';
import { EXIT, parseCommandArgs, UsageError } from '../args.js';
import { printJson, printLines } from '../output.js';
import { createProgressBar } from '../progress.js';
import type { Command } from './types.js';

const HELP = `Usage: medimg info <dicom-folder | dicom-file> [--json]

Lists the DICOM image series found (recursively) with their size, spacing, orientation and
problems (uneven spacing, gantry tilt, missing slices, duplicates), and the files skipped.
Prints no patient data: no names, IDs, dates or UIDs (--json adds each series' id, its
SeriesInstanceUID, for 'analyze --series'; the index [n] works as well).

Options:
  --json     machine-readable output
  -h, --help this text

Exit codes: 0 ok, 2 bad input (no such folder, no DICOM series found).`;

export const infoCommand: Command = {
  name: 'info',
  summary: 'list the DICOM series in a folder, with their problems',
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {});
    if (values.help) {
      printLines([HELP]);
      return EXIT.ok;
    }
    if (positionals.length !== 1)
      throw new UsageError("'medimg info' needs one folder or file. Try 'medimg info --help'.");
    const input = positionals[0]!;
    await stat(input).catch(() => {
      throw new UsageError(`Cannot read '${input}': no such file or folder.`);
    });
    const bar = createProgressBar('Scanning', !values.json);
    const list = await listDicomSeries(input, { onProgress: (e) => bar.update(e.fraction, e.stage) });
    bar.done();
    if (list.length === 0) {
      throw new MedImgError('SERIES_EMPTY', `No DICOM image series found in '${input}'.`);
    }
    if (values.json) {
      printJson(
        list.map((s) => ({
          id: s.id,
          modality: s.modality,
          seriesNumber: s.seriesNumber,
          seriesDescription: s.seriesDescription,
          stackLabel: s.stackLabel,
          fileCount: s.fileCount,
          frameCount: s.frameCount,
          sliceCount: s.sliceCount,
          volumeCount: s.volumeCount,
          dims: s.dims,
          spacing: s.spacing,
          orientation: s.orientation,
          uniformSpacing: s.uniformSpacing,
          gantryTiltDeg: s.gantryTiltDeg,
          problems: s.problems,
          skippedFiles: s.skippedFiles.length,
        })),
      );
      return EXIT.ok;
    }
    const skipped = list[0]!.skippedFiles;
    const lines = [`${list.length} series in ${input}`];
    list.forEach((s, i) => {
      lines.push(
        `[${i}] ${s.modality ?? '??'} #${s.seriesNumber ?? '-'} ${s.seriesDescription ? `"${s.seriesDescription}" ` : ''}${s.stackLabel ? `(${s.stackLabel}) ` : ''}`,
        `    ${s.dims.join(' x ')} voxels${s.volumeCount > 1 ? ` x ${s.volumeCount} volumes` : ''}, ${s.spacing.map((v) => v.toFixed(3)).join(' x ')} mm, ${s.orientation}, ${s.fileCount} file(s)`,
        ...(s.problems.length ? s.problems.map((p) => `    problem: ${p}`) : ['    no problems found']),
      );
    });
    if (skipped.length) {
      lines.push(`${skipped.length} file(s) skipped:`);
      for (const f of skipped.slice(0, 10)) lines.push(`    ${relative(input, f.name) || f.name}: ${f.code}`);
      if (skipped.length > 10) lines.push(`    ... and ${skipped.length - 10} more`);
    }
    printLines(lines);
    return EXIT.ok;
  },
};
