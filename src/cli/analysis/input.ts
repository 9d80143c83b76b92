import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { MedImgError } from '../../core/errors.js';
import type { LongRunOptions } from '../../core/progress.js';
import type { Volume } from '../../core/volume.js';
import { listDicomSeries, readDicomSeries, type SeriesInfo } from '../../io/dicom/index.js';
import { readMgh } from '../../io/mgh.js';
import { readNifti } from '../../io/nifti.js';
import { readNrrd } from '../../io/nrrd.js';
import { UsageError } from '../args.js';

/** A loaded study: the image and where it came from. */
export interface LoadedStudy {
  image: Volume;
  kind: 'dicom' | 'nifti' | 'nrrd' | 'mgh' | 'phantom';
  /** Name used for output folders and tables (file or folder name, never patient data). */
  name: string;
  /** The series read, for DICOM input. */
  series?: SeriesInfo;
  /** Other series in the folder that were not analysed. */
  otherSeries?: number;
}

/** True for file names medimg reads as NIfTI, NRRD or FreeSurfer MGH/MGZ volumes. */
export function isVolumeFile(path: string): boolean {
  return /\.(nii|nii\.gz|nrrd|nhdr|mgh|mgz)$/i.test(path);
}

function isMghFile(path: string): boolean {
  return /\.mg[hz]$/i.test(path);
}

/** Study name from a path: the base name without volume extensions. */
export function studyName(path: string): string {
  return basename(path.replace(/[/\\]+$/, '')).replace(/\.(nii\.gz|nii|nrrd|nhdr|mgh|mgz)$/i, '') || 'study';
}

/** Reads a NIfTI, NRRD or MGH/MGZ file. */
export async function readVolumeFile(path: string): Promise<Volume> {
  const p = path.toLowerCase();
  if (p.endsWith('.nrrd') || p.endsWith('.nhdr')) return readNrrd(path);
  if (isMghFile(p)) return readMgh(path);
  return readNifti(path);
}

/**
 * Picks the series to analyse among those found: the one asked for, else the CT (or any) series
 * with the most slices, single-volume stacks first.
 */
export function chooseSeries(list: SeriesInfo[], wanted?: string): SeriesInfo {
  if (wanted !== undefined) {
    const byIndex = /^\d+$/.test(wanted) ? list[Number(wanted)] : undefined;
    const found = byIndex ?? list.find((s) => s.id === wanted || s.seriesInstanceUid === wanted);
    if (!found) throw new UsageError(`No series '${wanted}' here; 'medimg info' lists the ${list.length} found.`);
    return found;
  }
  const score = (s: SeriesInfo): number =>
    (s.modality === 'CT' || s.modality === 'MR' ? 1e9 : 0) +
    (s.sliceCount > 1 ? 1e8 : 0) +
    s.sliceCount * s.dims[0] * s.dims[1];
  return [...list].sort((a, b) => score(b) - score(a))[0]!;
}

/** Loads one study: a NIfTI/NRRD file, or a folder / file of DICOM. */
export async function loadStudy(
  input: string,
  opts: { series?: string; allowGaps?: boolean } & LongRunOptions = {},
): Promise<LoadedStudy> {
  const st = await stat(input).catch(() => {
    throw new UsageError(`Cannot read '${input}': no such file or folder.`);
  });
  const name = studyName(input);
  if (st.isFile() && isVolumeFile(input)) {
    const image = await readVolumeFile(input);
    return {
      image,
      kind: isMghFile(input)
        ? 'mgh'
        : input.toLowerCase().includes('.nrrd') || extname(input) === '.nhdr'
          ? 'nrrd'
          : 'nifti',
      name,
    };
  }
  const list = await listDicomSeries(input, opts.signal ? { signal: opts.signal } : {});
  if (list.length === 0) {
    if (st.isFile()) throw new MedImgError('NOT_DICOM', `'${input}' is not a readable DICOM, NIfTI, NRRD or MGH file.`);
    throw new MedImgError('SERIES_EMPTY', `No DICOM image series found in '${input}'.`);
  }
  const series = chooseSeries(list, opts.series);
  const image = await readDicomSeries(input, {
    series: series.id,
    ...(opts.allowGaps ? { allowGaps: true } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
  return { image, kind: 'dicom', name, series, otherSeries: list.length - 1 };
}

/**
 * The studies of a batch folder: each sub-folder, and each NIfTI/NRRD file, is one study. Returns
 * undefined when the folder itself holds image files (one study), or has fewer than two entries.
 */
export async function batchStudies(dir: string): Promise<string[] | undefined> {
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) return undefined;
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => !e.name.startsWith('.'));
  const subdirs = entries.filter((e) => e.isDirectory()).map((e) => join(dir, e.name));
  const files = entries.filter((e) => e.isFile());
  const volumes = files.filter((e) => isVolumeFile(e.name)).map((e) => join(dir, e.name));
  const otherFiles = files.filter((e) => !isVolumeFile(e.name) && !/^(readme|license|dicomdir)/i.test(e.name));
  if (otherFiles.length > 0) return undefined; // DICOM files at the top: one study
  const studies = [...subdirs, ...volumes].sort();
  return studies.length >= 2 ? studies : undefined;
}
