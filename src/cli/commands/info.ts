import { stat } from 'node:fs/promises';
import { relative } from 'node:path';
import { MedImgError } from '../../core/errors.js';
import { listDicomSeries } from '../../io/dicom/index.js';
import { EXIT, parseCommandArgs, UsageError } from '../args.js';
import { printJson, printLines } from '../output.js';
import { createProgressBar } from '../progress.js';
import type { Command } from './types.js';
import { indexToWorld, worldBoundingBox } from '../../core/geometry.js';
import type { Vec3 } from '../../core/volume.js';
import type { SeriesInfo } from '../../io/dicom/index.js';

const HELP = `Usage: medimg info <dicom-folder | dicom-file> [--json]

Lists the DICOM image series found (recursively) with their size, spacing, orientation and
problems (uneven spacing, gantry tilt, missing slices, duplicates), and the files skipped.
For each series it prints the world extent of its voxel centres and its centre in LPS mm (x grows
to the patient's left, y to posterior, z to head), with the voxel index of that centre: the
coordinates 'analyze --seed' (LPS mm), '--seed-voxel' (0-based i,j,k) and '--seed-slice' (slice
number 1..n, in the order listed here, and pixel column,row) take.
Prints no patient data: no names, IDs, dates or UIDs (--json adds each series' id, its
SeriesInstanceUID, for 'analyze --series'; the index [n] works as well).

Options:
  --json     machine-readable output
  -q, --quiet  no progress lines on stderr
  -h, --help this text

Exit codes: 0 ok, 2 bad input (no such folder, no DICOM series found).`;

/** World extent of the voxel centres, the centre in LPS mm and its voxel index. */
function extentOf(s: SeriesInfo): { extentMm: { min: Vec3; max: Vec3 }; centerMm: Vec3; centerVoxel: Vec3 } {
  const g = { dims: s.dims, spacing: s.spacing, origin: s.origin, direction: s.direction };
  const centerVoxel: Vec3 = [(s.dims[0] - 1) / 2, (s.dims[1] - 1) / 2, (s.dims[2] - 1) / 2];
  return { extentMm: worldBoundingBox(g), centerMm: indexToWorld(g, centerVoxel), centerVoxel };
}

function extentLines(s: SeriesInfo): string[] {
  const { extentMm, centerMm, centerVoxel } = extentOf(s);
  const mm = (v: number): string => v.toFixed(1);
  const axes = ['x (R->L)', 'y (A->P)', 'z (F->H)'].map(
    (a, i) => `${a} ${mm(extentMm.min[i]!)}..${mm(extentMm.max[i]!)}`,
  );
  const k = Math.round(centerVoxel[2]);
  return [
    `    extent LPS mm: ${axes.join(', ')}`,
    `    centre LPS mm: ${centerMm.map(mm).join(',')}, nearest voxel ${centerVoxel.map((v) => Math.round(v)).join(',')} (slice ${k + 1} of ${s.dims[2]}, pixel ${Math.round(centerVoxel[0])},${Math.round(centerVoxel[1])})`,
  ];
}

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
    const bar = createProgressBar('Scanning', !values.quiet);
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
          origin: s.origin,
          direction: s.direction,
          ...(s.sliceCount > 0 ? extentOf(s) : {}),
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
        ...(s.sliceCount > 0 ? extentLines(s) : []),
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
