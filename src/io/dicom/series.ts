import { MedImgError } from '../../core/errors.js';
import { orientationFromDirection } from '../../core/geometry.js';
import { type LongRunOptions, ProgressTracker, throwIfAborted, yieldToEventLoop } from '../../core/progress.js';
import type { Vec3, Volume, VolumeMeta, VolumeMetaKey } from '../../core/volume.js';
import { getFileSystem } from '../fs.js';
import { type ParsedDicom, parseDicom, prepareDicomBytes } from './ds-parse.js';
import { decodeFrame, nativeFrameView, rawNorm, type StoredArray, storedCtor } from './pixel.js';
import { resampleStack } from './resample.js';
import { type DicomWebSeriesRef, isDicomWebSeriesRef, withDicomWebSeries } from '../dicomweb/retrieve.js';
import type { DicomSeriesInput } from './sources.js';
import { TS } from './transfer-syntax.js';
import {
  analyzeStack,
  groupStacks,
  isDicomDir,
  type ScannedFile,
  type SkippedFile,
  type StackAnalysis,
  type StackGroup,
  scanSources,
} from './stack.js';
import {
  chooseValueCtor,
  storedRange,
  type ValueArray,
  type ValueCtor,
  widerCtor,
  writeModalityFrame,
} from './values.js';

/** One image stack found by {@link listDicomSeries}. */
export interface SeriesInfo {
  /** Identifier to pass as `series` to {@link readDicomSeries}: the SeriesInstanceUID, with `#n` appended when the series holds several stacks. */
  id: string;
  seriesInstanceUid?: string;
  studyInstanceUid?: string;
  frameOfReferenceUid?: string;
  sopClassUid?: string;
  modality?: string;
  seriesNumber?: number;
  seriesDescription?: string;
  /** What sets this stack apart inside its series (frame type, echo), '' when nothing. */
  stackLabel: string;
  fileCount: number;
  frameCount: number;
  /** Slice positions (nz). */
  sliceCount: number;
  /** Repeated acquisitions of the same positions (time points); 1 for a plain 3D series. */
  volumeCount: number;
  dims: Vec3;
  /** [x, y, z] mm; z is the mean slice gap from ImagePositionPatient. */
  spacing: Vec3;
  /** Orientation code of the index axes, e.g. 'LPS' for axial head-first supine. */
  orientation: string;
  /**
   * LPS mm of the first voxel's centre (the first slice's ImagePositionPatient), as the
   * {@link Volume} read from this stack will have it; [0, 0, 0] when the stack could not be analysed.
   */
  origin: Vec3;
  /** Row-major 3x3 whose columns are the index axes in LPS, as in the {@link Volume} read from this stack. */
  direction: number[];
  imageOrientationPatient: number[];
  uniformSpacing: boolean;
  gantryTiltDeg: number;
  /** Problems in this stack (uneven spacing, tilt, duplicates, fallbacks, unreadable stack). */
  problems: string[];
  /** Input files that were skipped (not DICOM, no pixels, unreadable), for the whole input. */
  skippedFiles: SkippedFile[];
}

/** Options of {@link readDicomSeries}. */
export interface ReadDicomSeriesOptions extends LongRunOptions {
  /**
   * Which stack to read when the input holds several: a {@link SeriesInfo.id}, a SeriesInstanceUID
   * (when it has one stack), or an index into {@link listDicomSeries}'s result. Default: the only
   * one; SERIES_MULTIPLE when there are several.
   */
  series?: string | number | Pick<SeriesInfo, 'id'>;
  /** For 4D stacks, the repeated acquisition to read (0-based). Default 0, with a warning in meta. */
  volumeIndex?: number;
  /**
   * Resample uneven slice spacing and gantry tilt onto a uniform grid orthogonal to the slices (as
   * dcm2niix does), linearly. Default false: the geometry stays exact (a tilted stack gets a
   * sheared direction matrix) and the problems are reported in `meta.warnings`.
   */
  resampleToUniform?: boolean;
  /** Invert MONOCHROME1 so that higher values are brighter. Default true. */
  invertMonochrome1?: boolean;
  /**
   * Accept a series with a hole: DICOM files in the input that could not be read (they may be
   * its slices), or slices missing from an evenly spaced stack. Default false: `SERIES_INCOMPLETE`,
   * since a volume with a silent gap gives wrong volumes and distances. With true, the volume is
   * read, `meta.gaps` counts what is missing and `meta.warnings` says so.
   */
  allowGaps?: boolean;
}

function stackId(group: StackGroup, all: StackGroup[]): string {
  const uid = group.frames[0]!.file.meta.seriesInstanceUid ?? '';
  const same = all.filter((g) => (g.frames[0]!.file.meta.seriesInstanceUid ?? '') === uid);
  if (same.length === 1) return uid;
  return `${uid}#${same.indexOf(group) + 1}`;
}

function sortGroups(groups: StackGroup[]): StackGroup[] {
  return [...groups].sort((a, b) => {
    const ma = a.frames[0]!.file.meta;
    const mb = b.frames[0]!.file.meta;
    return (
      (ma.seriesNumber ?? 0) - (mb.seriesNumber ?? 0) ||
      (ma.seriesInstanceUid ?? '').localeCompare(mb.seriesInstanceUid ?? '') ||
      (a.frames[0]!.rec.instanceNumber ?? 0) - (b.frames[0]!.rec.instanceNumber ?? 0) ||
      a.frames[0]!.rec.frameIndex - b.frames[0]!.rec.frameIndex ||
      a.frames[0]!.rec.stackLabel.localeCompare(b.frames[0]!.rec.stackLabel)
    );
  });
}

function directionOf(a: StackAnalysis, tilted: boolean): { direction: number[]; zSpacing: number } {
  let zdir: Vec3 = a.normal;
  let zSpacing = a.meanGap;
  const n = a.positions.length;
  if (n > 1 && tilted) {
    const p0 = a.positions[0]!;
    const p1 = a.positions[n - 1]!;
    const d: Vec3 = [(p1[0] - p0[0]) / (n - 1), (p1[1] - p0[1]) / (n - 1), (p1[2] - p0[2]) / (n - 1)];
    zSpacing = Math.hypot(d[0], d[1], d[2]);
    zdir = [d[0] / zSpacing, d[1] / zSpacing, d[2] / zSpacing];
  }
  return {
    // row-major 3x3 with columns = index axis directions
    direction: [
      a.rowDir[0],
      a.colDir[0],
      zdir[0],
      a.rowDir[1],
      a.colDir[1],
      zdir[1],
      a.rowDir[2],
      a.colDir[2],
      zdir[2],
    ],
    zSpacing,
  };
}

function zSpacingFallback(group: StackGroup): number {
  const t = group.frames[0]!.rec.sliceThickness;
  return t && t > 0 ? t : 1;
}

function infoOf(group: StackGroup, all: StackGroup[], skipped: SkippedFile[]): SeriesInfo {
  const f0 = group.frames[0]!;
  const m = f0.file.meta;
  const files = new Set(group.frames.map((f) => f.file));
  const base = {
    id: stackId(group, all),
    ...(m.seriesInstanceUid ? { seriesInstanceUid: m.seriesInstanceUid } : {}),
    ...(m.studyInstanceUid ? { studyInstanceUid: m.studyInstanceUid } : {}),
    ...(m.frameOfReferenceUid ? { frameOfReferenceUid: m.frameOfReferenceUid } : {}),
    ...(m.sopClassUid ? { sopClassUid: m.sopClassUid } : {}),
    ...(m.modality ? { modality: m.modality } : {}),
    ...(m.seriesNumber !== undefined ? { seriesNumber: m.seriesNumber } : {}),
    ...(m.seriesDescription ? { seriesDescription: m.seriesDescription } : {}),
    stackLabel: f0.rec.stackLabel,
    fileCount: files.size,
    frameCount: group.frames.length,
    skippedFiles: skipped,
  };
  try {
    const a = analyzeStack(group);
    const tilted = a.tiltDeg > 0;
    const { direction, zSpacing } = directionOf(a, tilted);
    return {
      ...base,
      sliceCount: a.positions.length,
      volumeCount: a.volumes.length,
      dims: [a.columns, a.rows, a.positions.length],
      spacing: [a.pixelSpacing[0], a.pixelSpacing[1], a.positions.length > 1 ? zSpacing : zSpacingFallback(group)],
      orientation: orientationFromDirection(direction),
      origin: [a.positions[0]![0], a.positions[0]![1], a.positions[0]![2]],
      direction,
      imageOrientationPatient: [...a.rowDir, ...a.colDir],
      uniformSpacing: a.uniform,
      gantryTiltDeg: a.tiltDeg,
      problems: a.problems,
    };
  } catch (e) {
    const msg = e instanceof MedImgError ? `${e.code}: ${e.message}` : 'stack could not be analysed';
    return {
      ...base,
      sliceCount: 0,
      volumeCount: 0,
      dims: [f0.file.info.columns, f0.file.info.rows, 0],
      spacing: [f0.rec.pixelSpacing?.[1] ?? 1, f0.rec.pixelSpacing?.[0] ?? 1, 0],
      orientation: '',
      origin: f0.rec.position ? [f0.rec.position[0], f0.rec.position[1], f0.rec.position[2]] : [0, 0, 0],
      direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
      imageOrientationPatient: f0.rec.orientation ? [...f0.rec.orientation] : [],
      uniformSpacing: false,
      gantryTiltDeg: 0,
      problems: [msg],
    };
  }
}

function usableFiles(files: ScannedFile[], skipped: SkippedFile[]): ScannedFile[] {
  const out: ScannedFile[] = [];
  for (const f of files) {
    if (isDicomDir(f)) skipped.push({ name: f.name, code: 'NOT_AN_IMAGE', reason: 'DICOMDIR' });
    else out.push(f);
  }
  return out;
}

/**
 * Lists the image stacks in a set of DICOM files: grouped by SeriesInstanceUID and split where a
 * series mixes orientations, image sizes, pixel spacings or frame types/echoes. Files that are not
 * DICOM images are reported in `skippedFiles`, never thrown.
 *
 * @example
 * ```ts
 * import { listDicomSeries, readDicomSeries } from 'medimg';
 * const series = await listDicomSeries('/data/study'); // Node: a folder; browser: File[] or bytes[]
 * for (const s of series) console.log(s.seriesInstanceUid, s.modality, s.problems);
 * const ct = await readDicomSeries('/data/study', { series: series[0] });
 * ```
 */
export async function listDicomSeries(
  input: DicomSeriesInput | DicomWebSeriesRef,
  opts: LongRunOptions = {},
): Promise<SeriesInfo[]> {
  // a DICOMweb series: its instances' bytes take the byte-array path
  if (isDicomWebSeriesRef(input)) return withDicomWebSeries(input, opts, listDicomSeries);
  const { files, skipped } = await scanSources(input, opts, [0, 1], false);
  const groups = sortGroups(groupStacks(usableFiles(files, skipped)));
  return groups.map((g) => infoOf(g, groups, skipped));
}

/**
 * Reads one DICOM series into an LPS {@link Volume} (x fastest) of modality values (CT in HU via
 * RescaleSlope/Intercept, per frame where the file says so). Slices are ordered by position along
 * the slice normal; the z spacing comes from ImagePositionPatient. Problems (uneven spacing,
 * tilt, fallbacks, several volumes) are listed in `meta.warnings`.
 *
 * Memory: paths are scanned header-only and native little-endian frames are read from disk
 * straight into the output volume (other files are read whole when first needed); in-memory inputs
 * are decoded from the bytes given. A second array only with `resampleToUniform`, or when values
 * overflow Int16. Headers are parsed once per file and cached for later calls (see
 * `clearDicomHeaderCache`), so `listDicomSeries` then `readDicomSeries` parses each file once.
 *
 * @example
 * ```ts
 * import { listDicomSeries, readDicomSeries } from 'medimg';
 * // Node: a folder path; browser: the File objects of an <input webkitdirectory> or bytes
 * const [first] = await listDicomSeries('/data/study');
 * const volume = await readDicomSeries('/data/study', { series: first, signal });
 * ```
 */
export async function readDicomSeries(
  input: DicomSeriesInput | DicomWebSeriesRef,
  options: ReadDicomSeriesOptions = {},
): Promise<Volume> {
  if (isDicomWebSeriesRef(input)) return withDicomWebSeries(input, options, readDicomSeries);
  const { files, skipped } = await scanSources(input, options, [0, 0.5]);
  const usable = usableFiles(files, skipped);
  if (usable.length === 0) {
    const reasons: Record<string, number> = {};
    for (const s of skipped) reasons[s.code] = (reasons[s.code] ?? 0) + 1;
    const only = Object.keys(reasons).length === 1 ? Object.keys(reasons)[0] : undefined;
    // a single bad file keeps its own code, so a caller sees why
    if (skipped.length === 1 && only && only !== 'NOT_AN_IMAGE' && only !== 'IO_READ_FAILED') {
      throw new MedImgError(only as never, `No readable DICOM image: ${skipped[0]!.reason}`, { details: { reasons } });
    }
    throw new MedImgError('SERIES_EMPTY', `No readable DICOM image among ${skipped.length} file(s).`, {
      details: { reasons },
    });
  }
  const groups = sortGroups(groupStacks(usable));
  const pickWarnings: string[] = [];
  const group = pickGroup(groups, options.series, pickWarnings);
  const a = analyzeStack(group);
  const warnings: string[] = [...pickWarnings, ...a.problems];
  // DICOM files that could not be read may have been slices of this series: say so
  const broken = skipped.filter((f) => !['NOT_DICOM', 'NOT_AN_IMAGE', 'DICOM_NO_PIXEL_DATA'].includes(f.code));
  if (broken.length) {
    const codes = [...new Set(broken.map((f) => f.code))].join(', ');
    warnings.push(`${broken.length} DICOM file(s) in the input could not be read (${codes}) and were left out.`);
  }
  if ((broken.length || a.missingSlices) && !options.allowGaps) {
    throw new MedImgError(
      'SERIES_INCOMPLETE',
      `The series is incomplete: ${broken.length} DICOM file(s) could not be read, ${a.missingSlices} slice(s) missing from the stack; pass allowGaps to read it anyway.`,
      { details: { unreadableFiles: broken.length, missingSlices: a.missingSlices } },
    );
  }
  const nVol = a.volumes.length;
  let vi = options.volumeIndex ?? 0;
  if (!Number.isInteger(vi) || vi < 0 || vi >= nVol) {
    throw new MedImgError('INVALID_ARGUMENT', `volumeIndex ${options.volumeIndex} is out of range (0..${nVol - 1}).`);
  }
  if (nVol > 1 && options.volumeIndex === undefined)
    warnings.push(`Read volume 0 of ${nVol}; pass volumeIndex to read another.`);
  vi = Math.trunc(vi);
  const slices = a.volumes[vi]!;
  const nz = slices.length;
  const nx = a.columns;
  const ny = a.rows;
  const plane = nx * ny;
  const info0 = slices[0]!.file.info;
  for (const s of slices) {
    const i = s.file.info;
    if (i.pixelRepresentation !== info0.pixelRepresentation || i.bitsStored !== info0.bitsStored) {
      // different value encodings are fine (each frame is decoded with its own), noted only
      warnings.push('Slices differ in BitsStored/PixelRepresentation.');
      break;
    }
  }
  const colour = info0.samplesPerPixel === 3;
  if (colour)
    warnings.push('Colour images: read as luminance (0.299 R + 0.587 G + 0.114 B); use readDicomFile for RGB.');
  const invertMono1 = options.invertMonochrome1 ?? true;
  if (invertMono1 && slices.some((s) => s.file.info.photometric === 'MONOCHROME1')) {
    warnings.push('MONOCHROME1: values inverted so that higher means brighter.');
  }
  let ctor: ValueCtor = colour
    ? info0.bitsAllocated <= 8
      ? Uint8Array
      : Uint16Array
    : chooseValueCtor(
        info0,
        slices.map((s) => s.rec),
      );
  // slices from files with other encodings may need a wider type
  if (!colour) for (const s of slices) if (chooseValueCtor(s.file.info, [s.rec]) === Float32Array) ctor = Float32Array;

  let data: ValueArray | undefined;
  const tmpByFile = new Map<number, StoredArray>();
  const frames = new FrameReader(colour);
  for (;;) {
    const out = new ctor(plane * nz);
    const tracker = new ProgressTracker(options, 'decode', nz, [0.5, resampleNeeded(a, options) ? 0.9 : 1]);
    let ok = true;
    for (let z0 = 0; z0 < nz && ok; z0 += READ_AHEAD) {
      const z1 = Math.min(nz, z0 + READ_AHEAD);
      // frames on disk go straight into their place in the volume, several reads at once
      const direct = await Promise.all(slices.slice(z0, z1).map((s, k) => frames.readInPlace(s, out, z0 + k, k)));
      for (let z = z0; z < z1 && ok; z++) {
        tracker.step(z);
        const s = slices[z]!;
        const info = s.file.info;
        const inv = invertMono1 && info.photometric === 'MONOCHROME1' ? storedRange(info) : undefined;
        const parsed = direct[z - z0] ? undefined : await frames.parsed(s.file);
        const view = direct[z - z0] ?? (colour ? undefined : nativeFrameView(parsed!, info, s.rec.frameIndex));
        if (view) {
          // native data: raw words to modality values in one pass (in place for frames read into `out`)
          ok = writeModalityFrame(view, plane, out, z * plane, s.rec.slope, s.rec.intercept, inv, rawNorm(info));
          continue;
        }
        const len = info.frameLength;
        const key = len * 8 + info.bitsAllocated + (info.pixelRepresentation << 6);
        let tmp = tmpByFile.get(key);
        if (!tmp) {
          tmp = new (storedCtor(info))(len);
          tmpByFile.set(key, tmp);
        }
        await decodeFrame(parsed!, info, s.rec.frameIndex, tmp, options.signal);
        if (colour) {
          for (let i = 0, o = z * plane; i < plane; i++, o++) {
            out[o] = Math.round(0.299 * tmp[3 * i]! + 0.587 * tmp[3 * i + 1]! + 0.114 * tmp[3 * i + 2]!);
          }
        } else {
          ok = writeModalityFrame(tmp, plane, out, z * plane, s.rec.slope, s.rec.intercept, inv);
        }
      }
      // in-memory slices decode synchronously: let abort signals and UI events through now and then
      if (z1 % 32 < READ_AHEAD) await yieldToEventLoop();
    }
    tracker.step(nz);
    if (ok) {
      data = out;
      break;
    }
    const wider = widerCtor(ctor);
    if (wider === ctor) throw new MedImgError('DICOM_DECODE_FAILED', 'Modality values do not fit any output type.');
    ctor = wider;
  }
  throwIfAborted(options.signal);

  const tilted = a.tiltDeg > 0;
  let { direction, zSpacing } = directionOf(a, tilted);
  if (nz === 1) zSpacing = zSpacingFallback(group);
  if (resampleNeeded(a, options)) {
    let fill = Number.POSITIVE_INFINITY;
    for (let i = 0; i < data.length; i++) if (data[i]! < fill) fill = data[i]!;
    data = resampleStack(data, nx, ny, a.positions, a.distances, a.rowDir, a.colDir, a.pixelSpacing, a.meanGap, fill);
    ({ direction } = directionOf(a, false));
    zSpacing = a.meanGap;
    warnings.push(
      `Resampled to a uniform${tilted ? ', untilted' : ''} grid (${zSpacing.toFixed(4)} mm slices); voxel values are interpolated.`,
    );
  }
  const f0 = slices[0]!.file;
  const meta = buildMeta(f0, slices, warnings, a, nVol, vi, group);
  if (broken.length || a.missingSlices) meta.gaps = { unreadableFiles: broken.length, missingSlices: a.missingSlices };
  if (resampleNeeded(a, options)) {
    // the grid no longer holds the source slices; keep their positions for reference
    meta.sourceSlicePositions = meta.slicePositions;
    meta.slicePositions = Array.from({ length: nz }, (_, k) => k * zSpacing);
    meta.resampledToUniform = true;
  }
  if (meta.modality === 'CT' && !colour) meta.units = 'HU';
  const origin = a.positions[0]!;
  return {
    data,
    dims: [nx, ny, nz],
    spacing: [a.pixelSpacing[0], a.pixelSpacing[1], zSpacing > 0 ? zSpacing : 1],
    origin: [origin[0], origin[1], origin[2]],
    direction,
    meta,
  };
}

/** Frames read ahead (and in parallel) from disk while decoding a series. */
const READ_AHEAD = 8;

/**
 * Pixel data of the scanned files while a series is decoded: frames of native little-endian files
 * scanned header-only are read from disk straight into the output volume; other files are read
 * and parsed once, when their first frame is needed.
 */
class FrameReader {
  private readonly whole = new Map<ScannedFile, Promise<ParsedDicom>>();
  private readonly slots: Uint8Array[] = [];
  constructor(private readonly colour: boolean) {}

  /** The whole file parsed: the scan's parse, or the file read and parsed again. */
  parsed(file: ScannedFile): Promise<ParsedDicom> {
    if (file.parsed) return Promise.resolve(file.parsed);
    let p = this.whole.get(file);
    if (!p) {
      p = (async () => {
        if (!file.source) throw new MedImgError('DICOM_INVALID', 'The file of a slice is no longer available.');
        const bytes = await file.source.read();
        await prepareDicomBytes(bytes);
        return parseDicom(bytes);
      })();
      this.whole.set(file, p);
    }
    return p;
  }

  /**
   * Reads the raw words of a native frame into the slice's place in `out` (or a scratch buffer
   * when `out` has another element size) and returns a view of them; undefined when the frame is
   * not read this way.
   */
  async readInPlace(
    s: { file: ScannedFile; rec: { frameIndex: number } },
    out: ValueArray,
    z: number,
    slot: number,
  ): Promise<Uint8Array | Uint16Array | undefined> {
    const { file } = s;
    const info = file.info;
    const path = file.source?.path;
    if (this.colour || file.parsed || file.pixelOffset === undefined || path === undefined) return undefined;
    if (info.transferSyntax !== TS.explicitLE && info.transferSyntax !== TS.implicitLE) return undefined;
    if (info.samplesPerPixel !== 1 || (info.bitsAllocated !== 8 && info.bitsAllocated !== 16)) return undefined;
    const fs = getFileSystem();
    if (!fs.readInto) return undefined;
    const bpv = info.bitsAllocated / 8;
    const n = info.frameLength;
    const bytes = n * bpv;
    let target: Uint8Array;
    if (out.BYTES_PER_ELEMENT === bpv) target = new Uint8Array(out.buffer, out.byteOffset + z * n * bpv, bytes);
    else {
      if (!this.slots[slot] || this.slots[slot]!.length < bytes) this.slots[slot] = new Uint8Array(bytes);
      target = this.slots[slot]!.subarray(0, bytes);
    }
    let got: number;
    try {
      got = await fs.readInto(path, file.pixelOffset + s.rec.frameIndex * bytes, target);
    } catch (e) {
      throw new MedImgError('IO_READ_FAILED', 'A slice file could not be read again.', { cause: e });
    }
    if (got < bytes) throw new MedImgError('DICOM_TRUNCATED', 'Pixel Data runs past the end of the file.');
    return bpv === 1 ? target : new Uint16Array(target.buffer, target.byteOffset, n);
  }
}

function resampleNeeded(a: StackAnalysis, o: ReadDicomSeriesOptions): boolean {
  return !!o.resampleToUniform && a.positions.length > 2 && (!a.uniform || a.tiltDeg > 0);
}

function pickGroup(
  groups: StackGroup[],
  choice: string | number | Pick<SeriesInfo, 'id'> | undefined,
  warnings: string[],
): StackGroup {
  const which = typeof choice === 'object' && choice !== null ? choice.id : choice;
  if (which === undefined) {
    if (groups.length === 1) return groups[0]!;
    // one series with a main stack plus a few stray images (localizers, a reformat): read the main
    // stack and say so; stacks of equal size or from different series need a choice
    const uids = new Set(groups.map((g) => g.frames[0]!.file.meta.seriesInstanceUid ?? ''));
    const sorted = [...groups].sort((a, b) => b.frames.length - a.frames.length);
    if (uids.size === 1 && sorted[0]!.frames.length > 2 * sorted[1]!.frames.length) {
      const rest = sorted.slice(1).reduce((a, g) => a + g.frames.length, 0);
      warnings.push(
        `The series also holds ${groups.length - 1} other stack(s) (${rest} image(s), other orientation/size/type); read the largest. See listDicomSeries.`,
      );
      return sorted[0]!;
    }
    if (uids.size === 1) {
      // one series whose images disagree on size, orientation or pixel spacing
      const geometry = new Set(groups.map((g) => g.key.split('|').slice(1, 5).join('|')));
      if (geometry.size > 1) {
        throw new MedImgError(
          'SERIES_INCONSISTENT',
          `The series mixes ${groups.length} stacks of different image size, orientation or pixel spacing; choose one with the 'series' option (see listDicomSeries).`,
          { details: { stacks: groups.length } },
        );
      }
    }
    throw new MedImgError(
      'SERIES_MULTIPLE',
      `The input holds ${groups.length} image stacks; choose one with the 'series' option (see listDicomSeries).`,
      { details: { stacks: groups.length } },
    );
  }
  if (typeof which === 'number') {
    const g = groups[which];
    if (!g)
      throw new MedImgError('INVALID_ARGUMENT', `series index ${which} is out of range (0..${groups.length - 1}).`);
    return g;
  }
  const byId = groups.find((g) => stackId(g, groups) === which);
  if (byId) return byId;
  const byUid = groups.filter((g) => g.frames[0]!.file.meta.seriesInstanceUid === which);
  if (byUid.length === 1) return byUid[0]!;
  if (byUid.length > 1) {
    throw new MedImgError(
      'SERIES_MULTIPLE',
      `That series holds ${byUid.length} stacks; pass the stack id from listDicomSeries.`,
    );
  }
  throw new MedImgError('INVALID_ARGUMENT', 'No stack with that series id in the input.');
}

/** The keys VolumeMeta declares, without its `[key: string]` catch-all. */

function buildMeta(
  f0: ScannedFile,
  slices: { file: ScannedFile; rec: { frameIndex: number; sliceThickness?: number } }[],
  warnings: string[],
  a: StackAnalysis,
  nVol: number,
  vi: number,
  group: StackGroup,
): VolumeMeta {
  const m = f0.meta;
  const meta: VolumeMeta = { source: 'dicom' };
  // declared keys only (not the index signature); empty strings and undefined stay out
  const put = <K extends VolumeMetaKey>(k: K, v: VolumeMeta[K] | undefined) => {
    if (v !== undefined && v !== '') meta[k] = v;
  };
  put('modality', m.modality);
  put('studyInstanceUid', m.studyInstanceUid);
  put('seriesInstanceUid', m.seriesInstanceUid);
  put('frameOfReferenceUid', m.frameOfReferenceUid);
  put('sopClassUid', m.sopClassUid);
  meta.sopInstanceUids = slices.map((s) => s.file.meta.sopInstanceUid ?? '');
  if (slices.some((s) => s.file.info.frames > 1)) meta.frameNumbers = slices.map((s) => s.rec.frameIndex + 1);
  put('seriesDescription', m.seriesDescription);
  put('seriesNumber', m.seriesNumber);
  put('manufacturer', m.manufacturer);
  put('manufacturerModelName', m.manufacturerModelName);
  put('convolutionKernel', m.convolutionKernel);
  put('protocolName', m.protocolName);
  // dose facts of the first slice (tube-current modulation varies them per slice; CTDIvol is
  // usually the series' value)
  put('ctdiVolMGy', m.ctdiVolMGy);
  put('exposureMAs', m.exposureMAs);
  put('kvp', m.kvp);
  put('patientSex', m.patientSex);
  put('patientAgeYears', m.patientAgeYears);
  if (m.identity) Object.assign(meta, m.identity);
  put('transferSyntaxUid', m.transferSyntaxUid);
  put('stackLabel', group.frames[0]!.rec.stackLabel);
  put('sliceThickness', slices[0]!.rec.sliceThickness);
  meta.volumeCount = nVol;
  meta.volumeIndex = vi;
  meta.uniformSpacing = a.uniform;
  meta.gantryTiltDeg = a.tiltDeg;
  meta.slicePositions = a.distances.map((d) => d - a.distances[0]!);
  if (a.geometryFallback) meta.geometryFallback = true;
  const fileWarnings = new Set<string>();
  for (const s of slices) for (const w of s.file.meta.warnings) fileWarnings.add(w);
  meta.warnings = [...warnings, ...fileWarnings];
  return meta;
}
