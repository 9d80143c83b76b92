import { isMedImgError, MedImgError, type MedImgErrorCode } from '../../core/errors.js';
import { type LongRunOptions, ProgressTracker, yieldToEventLoop } from '../../core/progress.js';
import type { Vec3 } from '../../core/volume.js';
import { getFileSystem } from '../fs.js';
import { tag } from './ds-model.js';
import { isDeflatedPart10, type ParsedDicom, parseDicom, prepareDicomBytes } from './ds-parse.js';
import { openParsed } from './file.js';
import { type DicomObjectMeta, type FrameRecord, readFrameRecords } from './header.js';
import type { PixelInfo } from './pixel.js';
import { type DicomSource, type DicomSeriesInput, gatherSources } from './sources.js';

/** A file that was not used, and why. */
export interface SkippedFile {
  name: string;
  code: MedImgErrorCode | 'NOT_AN_IMAGE';
  reason: string;
}

/** One parsed input file. */
export interface ScannedFile {
  name: string;
  /** The parsed file (holding its bytes); absent after a headers-only scan. */
  parsed?: ParsedDicom;
  /** Where to read the file again when `parsed` was not kept. */
  source?: DicomSource;
  /** Native pixel data of a header-only scan: where its value starts in the file. */
  pixelOffset?: number;
  info: PixelInfo;
  meta: DicomObjectMeta;
  records: FrameRecord[];
}

/** One frame of a stack, with its file. */
export interface StackFrame {
  file: ScannedFile;
  rec: FrameRecord;
}

/** Frames that can form one 3D (or, with repeats, 4D) image. */
export interface StackGroup {
  key: string;
  frames: StackFrame[];
}

/** Geometry and problems of a stack, frames sorted into slices and volumes. */
export interface StackAnalysis {
  /** `slices[v][z]`: frame of volume v at slice z (z ascending along the normal). */
  volumes: StackFrame[][];
  rows: number;
  columns: number;
  /** Unit row direction (increasing column index), column direction, and their cross product. */
  rowDir: Vec3;
  colDir: Vec3;
  normal: Vec3;
  /** [column spacing, row spacing] mm, i.e. x then y. */
  pixelSpacing: [number, number];
  /** Per-slice position (LPS) of volume 0, z order. */
  positions: Vec3[];
  /** Per-slice distance along the normal. */
  distances: number[];
  /** Mean slice gap along the normal (0 for one slice). */
  meanGap: number;
  uniform: boolean;
  /** Slices missing from a stack whose gaps are whole multiples of the smallest one. */
  missingSlices: number;
  /** Angle between the slice stacking direction and the normal, degrees. */
  tiltDeg: number;
  /** Geometry could not be derived from the files; a fallback was used. */
  geometryFallback: boolean;
  problems: string[];
}

// SOP classes that carry pixel data but are not images to stack (segmentations, RT dose is fine).
const NON_IMAGE_SOP = new Set(['1.2.840.10008.5.1.4.1.1.66.4', '1.2.840.10008.5.1.4.1.1.66.7']);
const DICOMDIR_SOP = '1.2.840.10008.1.3.10';
const PIXEL_DATA = tag(0x7fe0, 0x0010);

/** Reads and parses every input file, in parallel batches; files that fail are skipped with their reason. */
export async function scanSources(
  input: DicomSeriesInput,
  opts: LongRunOptions = {},
  range: [number, number] = [0, 0.5],
  keepPixels = true,
): Promise<{ files: ScannedFile[]; skipped: SkippedFile[] }> {
  const sources = await gatherSources(input);
  const tracker = new ProgressTracker(opts, 'read', sources.length, range);
  tracker.step(0);
  // a sliding window of reads keeps the I/O threads busy while earlier files are parsed
  const results: (Awaited<ReturnType<typeof scanOne>> | undefined)[] = new Array(sources.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < sources.length) {
      const i = next++;
      results[i] = await scanOne(sources[i]!, keepPixels);
      done++;
      tracker.step(done);
      // in-memory inputs never wait on I/O: let abort signals and the UI through now and then
      if (done % 32 === 0) await yieldToEventLoop();
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, sources.length) }, worker));
  const files: ScannedFile[] = [];
  const skipped: SkippedFile[] = [];
  for (const r of results) {
    if (!r) continue;
    if ('skip' in r) skipped.push(r.skip);
    else files.push(r.file);
  }
  return { files, skipped };
}

type ScanResult = { file: ScannedFile } | { skip: SkippedFile };

// Header caches shared by listDicomSeries and readDicomSeries: by path (valid while size and
// mtime stay the same; the oldest entries go past PATH_CACHE_ENTRIES) and by the bytes object given.
const PATH_CACHE_ENTRIES = 8192;
const byPath = new Map<string, { size: number; mtimeMs: number; result: ScanResult }>();
const byBytes = new WeakMap<object, ScanResult>();

/**
 * Forgets every cached DICOM header (the caches also drop entries whose file changed).
 *
 * @example
 * ```ts
 * import { clearDicomHeaderCache } from 'medimg/dicom';
 * clearDicomHeaderCache(); // files changed on disk under the same paths: read their headers again
 * ```
 */
export function clearDicomHeaderCache(): void {
  byPath.clear();
}

function skipOf(name: string, e: unknown): { skip: SkippedFile } {
  if (isMedImgError(e)) {
    const reason = e.code === 'DICOM_NO_PIXEL_DATA' ? 'no Pixel Data (not an image)' : e.message;
    return { skip: { name, code: e.code, reason } };
  }
  return { skip: { name, code: 'DICOM_INVALID', reason: 'could not be parsed' } };
}

function scanned(name: string, parsed: ParsedDicom, keep: boolean): ScanResult {
  const { info, meta } = openParsed(parsed);
  if (meta.sopClassUid && NON_IMAGE_SOP.has(meta.sopClassUid)) {
    return { skip: { name, code: 'NOT_AN_IMAGE', reason: 'segmentation object, not an image' } };
  }
  const records = readFrameRecords(parsed, info.frames);
  const unread = parsed.dataset.get(PIXEL_DATA)?.unread;
  return {
    file: {
      name,
      ...(keep ? { parsed } : {}),
      ...(unread && unread.length !== 0xffffffff ? { pixelOffset: unread.offset } : {}),
      info,
      meta,
      records,
    },
  };
}

async function scanOne(src: DicomSource, keepPixels: boolean): Promise<ScanResult> {
  const fs = src.path !== undefined ? getFileSystem() : undefined;
  if (src.path !== undefined && fs?.stat && fs.readInto) {
    let st: { size: number; mtimeMs: number };
    try {
      st = await fs.stat(src.path);
    } catch {
      return { skip: { name: src.name, code: 'IO_READ_FAILED', reason: 'could not be read' } };
    }
    const hit = byPath.get(src.path);
    if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return withSource(hit.result, src);
    const result = await scanHead(src, src.path, st.size, fs.readInto.bind(fs));
    if (byPath.size >= PATH_CACHE_ENTRIES) byPath.delete(byPath.keys().next().value!);
    byPath.set(src.path, { size: st.size, mtimeMs: st.mtimeMs, result });
    return withSource(result, src);
  }
  const cached = src.key ? byBytes.get(src.key) : undefined;
  if (cached && ('skip' in cached || cached.file.parsed || !keepPixels)) return cached;
  let bytes: Uint8Array;
  try {
    bytes = await src.read();
  } catch (e) {
    if (isMedImgError(e) && e.code === 'UNSUPPORTED_ENVIRONMENT') throw e;
    return {
      skip: { name: src.name, code: isMedImgError(e) ? e.code : 'IO_READ_FAILED', reason: 'could not be read' },
    };
  }
  let result: ScanResult;
  try {
    await prepareDicomBytes(bytes);
    // bytes given in memory: the parse is views of them, so keeping it costs nothing
    result = scanned(src.name, parseDicom(bytes), true);
  } catch (e) {
    result = skipOf(src.name, e);
  }
  if (src.key) byBytes.set(src.key, result);
  if ('file' in result && !keepPixels) {
    const { parsed: _, ...rest } = result.file;
    return { file: rest };
  }
  return result;
}

function withSource(r: ScanResult, src: DicomSource): ScanResult {
  return 'file' in r ? { file: { ...r.file, source: src } } : r;
}

const HEAD_BYTES = 16 * 1024;

/**
 * Header-only scan of a file on disk: reads its head (16 KiB, more while the header runs on) and
 * parses up to Pixel Data, whose place in the file is kept for reading frames later. Deflated
 * files are read whole (their header is compressed).
 */
async function scanHead(
  src: DicomSource,
  path: string,
  size: number,
  readInto: (path: string, offset: number, into: Uint8Array) => Promise<number>,
): Promise<ScanResult> {
  let want = Math.min(size, HEAD_BYTES);
  for (;;) {
    let head: Uint8Array;
    try {
      head = new Uint8Array(want);
      head = head.subarray(0, await readInto(path, 0, head));
    } catch {
      return { skip: { name: src.name, code: 'IO_READ_FAILED', reason: 'could not be read' } };
    }
    const whole = head.length >= size;
    try {
      if (isDeflatedPart10(head)) {
        const bytes = whole ? head : await src.read();
        await prepareDicomBytes(bytes);
        return scanned(src.name, parseDicom(bytes), false);
      }
      const parsed = parseDicom(head, { untilPixelData: true });
      const unread = parsed.dataset.get(PIXEL_DATA)?.unread;
      if (!unread && !whole) throw new MedImgError('DICOM_TRUNCATED', 'The header runs past the bytes read.');
      if (unread && unread.length !== 0xffffffff && unread.offset + unread.length > size) {
        throw new MedImgError('DICOM_TRUNCATED', 'Pixel Data runs past the end of the file.');
      }
      return scanned(src.name, parsed, false);
    } catch (e) {
      // a header longer than the head read: read more (the whole file at last) and parse again
      if (!whole && isMedImgError(e) && e.code === 'DICOM_TRUNCATED') {
        want = Math.min(size, want * 8);
        continue;
      }
      return skipOf(src.name, e);
    }
  }
}

/** True for a DICOMDIR (media directory), which carries no image. */
export function isDicomDir(f: ScannedFile): boolean {
  return f.meta.sopClassUid === DICOMDIR_SOP;
}

const r3 = (v: number) => (Math.abs(v) < 5e-4 ? 0 : v).toFixed(3);

/**
 * Groups frames into stacks: same series, image size, samples, bits, orientation, pixel spacing and
 * frame type/echo; enhanced files contribute one frame per functional-group item.
 */
export function groupStacks(files: ScannedFile[]): StackGroup[] {
  // Orientation and spacing are compared with a tolerance, not as rounded strings, so values
  // written with different precision (or straddling a rounding boundary) stay in one stack.
  const groups: (StackGroup & { base: string; ori?: number[]; ps?: number[] })[] = [];
  const byBase = new Map<string, typeof groups>();
  for (const file of files) {
    const i = file.info;
    for (const rec of file.records) {
      const base = [
        file.meta.seriesInstanceUid ?? '(no series UID)',
        `${i.columns}x${i.rows}x${i.samplesPerPixel}`,
        `ba${i.bitsAllocated}`,
      ].join('|');
      let list = byBase.get(base);
      if (!list) {
        list = [];
        byBase.set(base, list);
      }
      let g = list.find(
        (x) =>
          x.frames[0]!.rec.stackLabel === rec.stackLabel &&
          close(x.ori, rec.orientation, 1e-3) &&
          close(x.ps, rec.pixelSpacing, 1e-3),
      );
      if (!g) {
        const key = [
          base,
          rec.orientation ? rec.orientation.map(r3).join(',') : 'no orientation',
          rec.pixelSpacing ? rec.pixelSpacing.map(r3).join(',') : 'no spacing',
          rec.stackLabel,
        ].join('|');
        g = {
          key,
          base,
          frames: [],
          ...(rec.orientation ? { ori: rec.orientation } : {}),
          ...(rec.pixelSpacing ? { ps: rec.pixelSpacing } : {}),
        };
        list.push(g);
        groups.push(g);
      }
      g.frames.push({ file, rec });
    }
  }
  return groups.map((g) => ({ key: g.key, frames: g.frames }));
}

function close(a: readonly number[] | undefined, b: readonly number[] | undefined, tol: number): boolean {
  if (!a || !b) return a === b;
  for (let k = 0; k < a.length; k++) if (Math.abs(a[k]! - b[k]!) > tol * Math.max(1, Math.abs(a[k]!))) return false;
  return true;
}

/** Tolerance (mm) under which two slice positions along the normal are the same. */
const SAME_POSITION_MM = 0.01;

/**
 * Sorts a stack's frames by position along the slice normal (not InstanceNumber or file name),
 * separates repeated acquisitions of the same positions (4D) into volumes, and measures spacing,
 * uniformity and gantry tilt. Throws SERIES_DUPLICATE_POSITION when positions repeat unevenly.
 */
export function analyzeStack(group: StackGroup): StackAnalysis {
  const problems: string[] = [];
  const first = group.frames[0]!;
  const rows = first.file.info.rows;
  const columns = first.file.info.columns;
  // drop exact duplicates (same SOP instance and frame given twice)
  const seen = new Set<string>();
  let frames: StackFrame[] = [];
  let dupFiles = 0;
  for (const f of group.frames) {
    const uid = f.file.meta.sopInstanceUid;
    const k = uid ? `${uid}#${f.rec.frameIndex}` : undefined;
    if (k && seen.has(k)) {
      dupFiles++;
      continue;
    }
    if (k) seen.add(k);
    frames.push(f);
  }
  if (dupFiles) problems.push(`${dupFiles} frame(s) given twice (same SOP Instance UID) were ignored.`);

  let geometryFallback = false;
  let ori = first.rec.orientation;
  if (!ori) {
    geometryFallback = true;
    ori = [1, 0, 0, 0, 1, 0];
    problems.push('ImageOrientationPatient missing: identity orientation assumed.');
  }
  const rowDir: Vec3 = [ori[0], ori[1], ori[2]];
  const colDir: Vec3 = [ori[3], ori[4], ori[5]];
  const normal = normalize(cross(rowDir, colDir));
  const ps = first.rec.pixelSpacing;
  const pixelSpacing: [number, number] = ps ? [ps[1], ps[0]] : [1, 1];
  if (!ps) problems.push('PixelSpacing missing: 1 mm assumed.');

  if (frames.some((f) => f.rec.derivedPosition)) {
    geometryFallback = true;
    problems.push(
      'Multi-frame object without per-frame positions: frames stacked along the normal by SpacingBetweenSlices/SliceThickness.',
    );
  }
  const missingPos = frames.some((f) => !f.rec.position);
  let keyed: { f: StackFrame; d: number; pos: Vec3 }[];
  if (missingPos) {
    geometryFallback = true;
    const step = first.rec.sliceThickness && first.rec.sliceThickness > 0 ? first.rec.sliceThickness : 1;
    problems.push(
      `ImagePositionPatient missing: slices ordered by InstanceNumber/frame and spaced by SliceThickness (${step} mm).`,
    );
    frames = [...frames].sort(
      (a, b) => (a.rec.instanceNumber ?? 0) - (b.rec.instanceNumber ?? 0) || a.rec.frameIndex - b.rec.frameIndex,
    );
    const origin = first.rec.position ?? [0, 0, 0];
    keyed = frames.map((f, i) => {
      const pos: Vec3 = [
        origin[0] + normal[0] * step * i,
        origin[1] + normal[1] * step * i,
        origin[2] + normal[2] * step * i,
      ];
      return { f, d: dot(pos, normal), pos };
    });
  } else {
    keyed = frames.map((f) => ({ f, d: dot(f.rec.position!, normal), pos: f.rec.position! }));
  }
  keyed.sort((a, b) => a.d - b.d || cmpTemporal(a.f.rec.temporal, b.f.rec.temporal));
  // cluster equal positions
  const clusters: (typeof keyed)[] = [];
  for (const k of keyed) {
    const last = clusters[clusters.length - 1];
    if (last && Math.abs(k.d - last[0]!.d) < SAME_POSITION_MM) last.push(k);
    else clusters.push([k]);
  }
  const counts = new Set(clusters.map((c) => c.length));
  if (counts.size > 1) {
    throw new MedImgError(
      'SERIES_DUPLICATE_POSITION',
      `Slices repeat unevenly: ${clusters.length} positions hold between ${Math.min(...counts)} and ${Math.max(...counts)} frames each.`,
      { details: { positions: clusters.length, frames: keyed.length } },
    );
  }
  const nVol = clusters[0]!.length;
  if (nVol > 1) {
    // a repeated position with the same in-plane offset and identical temporal keys is a duplicate, not 4D
    for (const c of clusters) {
      c.sort((a, b) => cmpTemporal(a.f.rec.temporal, b.f.rec.temporal));
      for (let i = 1; i < c.length; i++) {
        if (cmpTemporal(c[i - 1]!.f.rec.temporal, c[i]!.f.rec.temporal) === 0) {
          throw new MedImgError(
            'SERIES_DUPLICATE_POSITION',
            'Two different images share a slice position and cannot be told apart by time or acquisition.',
          );
        }
      }
    }
    problems.push(`${nVol} volumes (repeated acquisitions of the same ${clusters.length} positions).`);
  }
  const volumes: StackFrame[][] = [];
  for (let v = 0; v < nVol; v++) volumes.push(clusters.map((c) => c[v]!.f));
  const positions = clusters.map((c) => c[0]!.pos);
  const distances = clusters.map((c) => c[0]!.d);
  const n = clusters.length;
  let meanGap = 0;
  let uniform = true;
  let missingSlices = 0;
  let tiltDeg = 0;
  if (n > 1) {
    meanGap = (distances[n - 1]! - distances[0]!) / (n - 1);
    let minGap = Number.POSITIVE_INFINITY;
    let maxGap = 0;
    for (let i = 1; i < n; i++) {
      const g = distances[i]! - distances[i - 1]!;
      minGap = Math.min(minGap, g);
      maxGap = Math.max(maxGap, g);
    }
    const tol = Math.max(0.01, 0.01 * meanGap);
    if (maxGap - minGap > tol) {
      uniform = false;
      // gaps that are whole multiples of the smallest one mean slices are missing
      let missing = 0;
      let multiples = minGap > 0;
      for (let i = 1; i < n && multiples; i++) {
        const k = (distances[i]! - distances[i - 1]!) / minGap;
        if (Math.abs(k - Math.round(k)) > 0.05) multiples = false;
        else missing += Math.round(k) - 1;
      }
      if (multiples) missingSlices = missing;
      problems.push(
        `Uneven slice spacing: gaps from ${minGap.toFixed(3)} to ${maxGap.toFixed(3)} mm${multiples && missing > 0 ? ` (${missing} slice(s) missing)` : ''}.`,
      );
    }
    const last = positions[n - 1]!;
    const p0 = positions[0]!;
    const delta: Vec3 = [last[0] - p0[0], last[1] - p0[1], last[2] - p0[2]];
    const along = dot(delta, normal);
    const inPlane = Math.hypot(
      delta[0] - along * normal[0],
      delta[1] - along * normal[1],
      delta[2] - along * normal[2],
    );
    tiltDeg = (Math.atan2(inPlane, Math.abs(along)) * 180) / Math.PI;
    if (inPlane > 0.01 && tiltDeg > 0.01) {
      problems.push(`Gantry tilt / sheared stack: slices shift ${tiltDeg.toFixed(3)} degrees off the slice normal.`);
    } else tiltDeg = 0;
  }
  return {
    volumes,
    rows,
    columns,
    rowDir,
    colDir,
    normal,
    pixelSpacing,
    positions,
    distances,
    meanGap,
    uniform,
    missingSlices,
    tiltDeg,
    geometryFallback,
    problems,
  };
}

function cmpTemporal(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

export function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

export function dot(a: readonly number[], b: readonly number[]): number {
  return a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
}

function normalize(a: Vec3): Vec3 {
  const n = Math.hypot(a[0], a[1], a[2]) || 1;
  return [a[0] / n, a[1] / n, a[2] / n];
}
