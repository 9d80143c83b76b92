import { MedImgError } from '../../core/errors.js';
import { throwIfAborted } from '../../core/progress.js';
import { toBytes } from '../fs.js';
import { type DicomObjectMeta, readFrameRecords, readObjectMeta } from './header.js';
import { type ParsedDicom, parseDicom, prepareDicomBytes } from './ds-parse.js';
import {
  nativeFrameView,
  rawNorm,
  checkNativeLength,
  decodeFrame,
  isEncapsulatedSyntax,
  type PixelInfo,
  readPixelInfo,
  type StoredArray,
  storedCtor,
} from './pixel.js';
import {
  chooseValueCtor,
  storedRange,
  type ValueArray,
  type ValueCtor,
  widerCtor,
  writeModalityFrame,
} from './values.js';

/** Anything a single DICOM file can be given as. */
export type DicomFileInput = string | Uint8Array | ArrayBuffer | ArrayBufferView | Blob;

/** Options of {@link readDicomFile}. */
export interface ReadDicomFileOptions {
  /**
   * `true`: `pixels` holds stored values (masked to BitsStored, sign-extended when signed) in the
   * array BitsAllocated/PixelRepresentation imply (Uint8, Uint16, Int16; Uint32/Int32 for 32-bit).
   * `false` (default): modality values, stored * RescaleSlope + RescaleIntercept per frame.
   */
  raw?: boolean;
  /**
   * Modality values of MONOCHROME1 images are inverted (lo + hi - stored) so that higher values
   * are brighter, as in MONOCHROME2. Default true. Never applied with `raw`.
   */
  invertMonochrome1?: boolean;
  /**
   * Stops the read (`ABORTED`): checked between frames, and in Node a compressed frame being
   * decoded is stopped too (its codec worker is terminated).
   */
  signal?: AbortSignal;
}

/** Per-frame position and orientation as the file gives them. */
export interface DicomFrameGeometry {
  position?: [number, number, number];
  orientation?: [number, number, number, number, number, number];
  pixelSpacing?: [number, number];
  sliceThickness?: number;
}

/** One decoded DICOM file. */
export interface DicomImage {
  rows: number;
  columns: number;
  frames: number;
  samplesPerPixel: number;
  /** Frame after frame, row after row, samples interleaved (colour as RGB). */
  pixels: StoredArray | ValueArray;
  /** Whether `pixels` are stored values (true) or modality values (false). */
  raw: boolean;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  pixelRepresentation: number;
  /** Photometric interpretation of the file (YBR_* are delivered converted to RGB). */
  photometricInterpretation: string;
  transferSyntaxUid: string;
  /** Per-frame rescale (applied unless `raw`). */
  rescaleSlope: number[];
  rescaleIntercept: number[];
  /** Units of modality values: 'HU' for CT, else undefined. */
  units?: string;
  frameGeometry: DicomFrameGeometry[];
  meta: DicomObjectMeta;
}

/** Parses bytes and reads the pixel module; shared by the file and series readers. */
export function openDicom(bytes: Uint8Array): { parsed: ParsedDicom; info: PixelInfo; meta: DicomObjectMeta } {
  return openParsed(parseDicom(bytes));
}

/** Object facts and the pixel module of a parsed file (a full or a header-only parse). */
export function openParsed(parsed: ParsedDicom): { parsed: ParsedDicom; info: PixelInfo; meta: DicomObjectMeta } {
  const meta = readObjectMeta(parsed);
  const info = readPixelInfo(parsed);
  if (!isEncapsulatedSyntax(info.transferSyntax)) {
    const w = checkNativeLength(parsed, info);
    if (w) meta.warnings.push(w);
  }
  return { parsed, info, meta };
}

/**
 * Reads one DICOM file (single- or multi-frame) and decodes every frame.
 * Throws MedImgError: NOT_DICOM, DICOM_TRUNCATED, DICOM_INVALID, DICOM_MISSING_TAG,
 * DICOM_NO_PIXEL_DATA, DICOM_PIXEL_LENGTH_MISMATCH, DICOM_UNSUPPORTED_TRANSFER_SYNTAX, DICOM_DECODE_FAILED.
 *
 * @example
 * ```ts
 * import { readDicomFile } from 'medimg';
 * const img = await readDicomFile('IM0001.dcm'); // Node path; bytes or a File in a browser
 * console.log(img.rows, img.columns, img.frames, img.photometricInterpretation);
 * const stored = await readDicomFile(bytes, { raw: true }); // stored values, no rescale
 * ```
 */
export async function readDicomFile(input: DicomFileInput, options: ReadDicomFileOptions = {}): Promise<DicomImage> {
  const bytes = await toBytes(input);
  await prepareDicomBytes(bytes);
  const { parsed, info, meta } = openDicom(bytes);
  const records = readFrameRecords(parsed, info.frames);
  const raw = !!options.raw;
  const n = info.frameLength;
  const total = n * info.frames;
  let pixels: StoredArray | ValueArray;
  if (raw || info.samplesPerPixel !== 1) {
    const out = new (storedCtor(info))(total);
    for (let f = 0; f < info.frames; f++) {
      throwIfAborted(options.signal);
      await decodeFrame(parsed, info, f, out.subarray(f * n, (f + 1) * n) as StoredArray, options.signal);
    }
    pixels = out;
  } else {
    pixels = await decodeModality(parsed, info, records, options.invertMonochrome1 ?? true, meta, options.signal);
  }
  const isColour = info.samplesPerPixel !== 1;
  return {
    rows: info.rows,
    columns: info.columns,
    frames: info.frames,
    samplesPerPixel: info.samplesPerPixel,
    pixels,
    raw: raw || isColour,
    bitsAllocated: info.bitsAllocated,
    bitsStored: info.bitsStored,
    highBit: info.highBit,
    pixelRepresentation: info.pixelRepresentation,
    photometricInterpretation: info.photometric,
    transferSyntaxUid: info.transferSyntax,
    rescaleSlope: records.map((r) => r.slope),
    rescaleIntercept: records.map((r) => r.intercept),
    ...(meta.modality === 'CT' && !raw ? { units: 'HU' } : {}),
    frameGeometry: records.map((r) => ({
      ...(r.position ? { position: r.position } : {}),
      ...(r.orientation ? { orientation: r.orientation } : {}),
      ...(r.pixelSpacing ? { pixelSpacing: r.pixelSpacing } : {}),
      ...(r.sliceThickness !== undefined ? { sliceThickness: r.sliceThickness } : {}),
    })),
    meta,
  };
}

async function decodeModality(
  parsed: ParsedDicom,
  info: PixelInfo,
  records: { slope: number; intercept: number }[],
  invertMono1: boolean,
  meta: DicomObjectMeta,
  signal: AbortSignal | undefined,
): Promise<ValueArray> {
  const invert = invertMono1 && info.photometric === 'MONOCHROME1' ? storedRange(info) : undefined;
  if (invert) meta.warnings.push('MONOCHROME1: values inverted so that higher means brighter.');
  const n = info.frameLength;
  const tmp = new (storedCtor(info))(n);
  let ctor: ValueCtor = chooseValueCtor(info, records);
  for (;;) {
    const out = new ctor(n * info.frames);
    let ok = true;
    for (let f = 0; f < info.frames && ok; f++) {
      const view = nativeFrameView(parsed, info, f);
      if (view) {
        ok = writeModalityFrame(view, n, out, f * n, records[f]!.slope, records[f]!.intercept, invert, rawNorm(info));
        continue;
      }
      throwIfAborted(signal);
      await decodeFrame(parsed, info, f, tmp, signal);
      ok = writeModalityFrame(tmp, n, out, f * n, records[f]!.slope, records[f]!.intercept, invert);
    }
    if (ok) return out;
    const wider = widerCtor(ctor);
    if (wider === ctor) throw new MedImgError('DICOM_DECODE_FAILED', 'Modality values do not fit any output type.');
    ctor = wider;
  }
}
