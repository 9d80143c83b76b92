import dicomParser from 'dicom-parser';
import { isMedImgError, MedImgError } from '../../core/errors.js';

/** A parsed DICOM data set (dicom-parser's), referencing the file bytes without copying them. */
export type DataSet = dicomParser.DataSet;
/** One element of a {@link DataSet}. */
export type Element = dicomParser.Element;

/** Transfer syntax UIDs (PS3.5 section 10 and annex A) this reader knows. */
export const TS = {
  implicitLE: '1.2.840.10008.1.2',
  explicitLE: '1.2.840.10008.1.2.1',
  deflatedLE: '1.2.840.10008.1.2.1.99',
  explicitBE: '1.2.840.10008.1.2.2',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
  jpegExtended: '1.2.840.10008.1.2.4.51',
  jpegLossless14: '1.2.840.10008.1.2.4.57',
  jpegLosslessSV1: '1.2.840.10008.1.2.4.70',
  jpegLsLossless: '1.2.840.10008.1.2.4.80',
  jpegLsNear: '1.2.840.10008.1.2.4.81',
  j2kLossless: '1.2.840.10008.1.2.4.90',
  j2k: '1.2.840.10008.1.2.4.91',
  rle: '1.2.840.10008.1.2.5',
} as const;

/** Tag keys in dicom-parser's `xGGGGEEEE` form. */
export const TAG = {
  transferSyntax: 'x00020010',
  sopClassUid: 'x00080016',
  sopInstanceUid: 'x00080018',
  imageType: 'x00080008',
  modality: 'x00080060',
  manufacturer: 'x00080070',
  model: 'x00081090',
  seriesDescription: 'x0008103e',
  patientSex: 'x00100040',
  patientName: 'x00100010',
  patientId: 'x00100020',
  patientBirthDate: 'x00100030',
  studyDate: 'x00080020',
  studyTime: 'x00080030',
  studyId: 'x00200010',
  accessionNumber: 'x00080050',
  referringPhysicianName: 'x00080090',
  patientAge: 'x00101010',
  sliceThickness: 'x00180050',
  spacingBetweenSlices: 'x00180088',
  kernel: 'x00181210',
  gantryTilt: 'x00181120',
  echoNumbers: 'x00180086',
  studyUid: 'x0020000d',
  seriesUid: 'x0020000e',
  seriesNumber: 'x00200011',
  acquisitionNumber: 'x00200012',
  instanceNumber: 'x00200013',
  ipp: 'x00200032',
  iop: 'x00200037',
  frameOfReferenceUid: 'x00200052',
  temporalPositionId: 'x00200100',
  samplesPerPixel: 'x00280002',
  photometric: 'x00280004',
  planarConfiguration: 'x00280006',
  numberOfFrames: 'x00280008',
  rows: 'x00280010',
  columns: 'x00280011',
  pixelSpacing: 'x00280030',
  imagerPixelSpacing: 'x00181164',
  bitsAllocated: 'x00280100',
  bitsStored: 'x00280101',
  highBit: 'x00280102',
  pixelRepresentation: 'x00280103',
  rescaleIntercept: 'x00281052',
  rescaleSlope: 'x00281053',
  rescaleType: 'x00281054',
  extendedOffsetTable: 'x7fe00001',
  pixelData: 'x7fe00010',
  floatPixelData: 'x7fe00008',
  doubleFloatPixelData: 'x7fe00009',
  sharedFG: 'x52009229',
  perFrameFG: 'x52009230',
  pixelMeasuresSeq: 'x00289110',
  planePositionSeq: 'x00209113',
  planeOrientationSeq: 'x00209116',
  pixelValueTransformSeq: 'x00289145',
  frameContentSeq: 'x00209111',
  stackId: 'x00209056',
  inStackPosition: 'x00209057',
  temporalPositionIndex: 'x00209128',
  dimensionIndexValues: 'x00209157',
  mrFrameTypeSeq: 'x00189226',
  ctFrameTypeSeq: 'x00189329',
  frameType: 'x00089007',
  mrEchoSeq: 'x00189114',
  effectiveEchoTime: 'x00189082',
  frameAcquisitionDateTime: 'x00189074',
} as const;

/** How a file was parsed. */
export interface ParsedDicom {
  dataSet: DataSet;
  transferSyntax: string;
  /** True when the file had no Part 10 preamble/meta header and was parsed as a bare data set. */
  noMetaHeader: boolean;
}

// fflate builds its tables when loaded: load it only for deflated files (see prepareDicomBytes)
let inflateRaw: ((bytes: Uint8Array, position: number) => Uint8Array) | undefined;

function inflater(bytes: Uint8Array, position: number): Uint8Array {
  if (!inflateRaw) {
    throw new MedImgError('DICOM_DECODE_FAILED', 'Deflated data set: call prepareDicomBytes before parsing.');
  }
  try {
    return inflateRaw(bytes, position);
  } catch (e) {
    if (isMedImgError(e)) throw e;
    throw new MedImgError('DICOM_TRUNCATED', 'The deflated data set could not be inflated.', { cause: e });
  }
}

const DEFLATED_UID = Array.from(TS.deflatedLE, (c) => c.charCodeAt(0));

/**
 * True when the Part 10 file meta group names the Deflated Explicit VR Little Endian syntax. A plain
 * byte search over the whole meta group (its length from (0002,0000), else the first 16 KiB): a
 * false positive only loads the inflater.
 */
export function isDeflatedPart10(bytes: Uint8Array): boolean {
  if (!hasPreamble(bytes)) return false;
  let end = Math.min(bytes.length, 132 + 16384);
  if (bytes.length >= 144 && bytes[132] === 2 && bytes[133] === 0 && bytes[134] === 0 && bytes[135] === 0) {
    const len = (bytes[140]! | (bytes[141]! << 8) | (bytes[142]! << 16) | (bytes[143]! << 24)) >>> 0;
    if (len > 0 && len < 16384) end = Math.min(bytes.length, 144 + len);
  }
  const u = DEFLATED_UID;
  const first = u[0]!;
  outer: for (let p = 132; p + u.length <= end; p++) {
    if (bytes[p] !== first) continue;
    for (let k = 1; k < u.length; k++) if (bytes[p + k] !== u[k]) continue outer;
    const next = p + u.length < bytes.length ? bytes[p + u.length]! : 0;
    // the UID ends here (padding NUL/space or the next element), not a longer UID with this prefix
    if (next !== 0x2e && (next < 0x30 || next > 0x39)) return true;
  }
  return false;
}

/** Loads what {@link parseDicomBytes} needs for these bytes (the inflater, for deflated files only). */
export async function prepareDicomBytes(bytes: Uint8Array): Promise<void> {
  if (inflateRaw || !(bytes instanceof Uint8Array) || !isDeflatedPart10(bytes)) return;
  inflateRaw = (await import('./inflate.js')).inflateDataSet;
}

function errorText(e: unknown): string {
  if (typeof e === 'string') return e;
  if (e && typeof e === 'object') {
    const ex = (e as { exception?: unknown }).exception;
    if (ex !== undefined) return errorText(ex);
    if (e instanceof Error) return e.message;
  }
  return String(e);
}

function hasPreamble(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d
  );
}

const VRS = new Set(
  'AE AS AT CS DA DS DT FL FD IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(' '),
);

/**
 * Data sets without the Part 10 header (old ACR-NEMA style or raw network dumps) start directly with
 * a low group number. Returns 'implicit' / 'explicit' when the first element looks like one.
 */
function bareDataSetKind(bytes: Uint8Array): 'implicit' | 'explicit' | undefined {
  if (bytes.length < 8) return undefined;
  const group = bytes[0]! | (bytes[1]! << 8);
  if (group === 0 || group > 0x0028 || (group & 1) === 1) return undefined;
  const vr = String.fromCharCode(bytes[4]!, bytes[5]!);
  if (VRS.has(vr)) return 'explicit';
  const len = bytes[4]! | (bytes[5]! << 8) | (bytes[6]! << 16) | (bytes[7]! << 24);
  if (len >= 0 && len < 1 << 16 && 8 + len <= bytes.length) return 'implicit';
  return undefined;
}

/**
 * Parses a DICOM file (Part 10, or a bare data set in implicit/explicit little endian) without
 * copying pixel data. Deflated files need {@link prepareDicomBytes} awaited first. Throws NOT_DICOM, DICOM_TRUNCATED or DICOM_INVALID as MedImgError.
 */
export function parseDicomBytes(bytes: Uint8Array): ParsedDicom {
  if (!(bytes instanceof Uint8Array)) throw new MedImgError('INVALID_ARGUMENT', 'Expected DICOM bytes.');
  if (hasPreamble(bytes)) {
    let ds: DataSet;
    try {
      ds = dicomParser.parseDicom(bytes, { inflater } as dicomParser.ParseDicomOptions);
    } catch (e) {
      throw mapParseError(e);
    }
    const ts = (ds.string(TAG.transferSyntax) ?? '').replace(/\0/g, '').trim();
    return { dataSet: ds, transferSyntax: ts, noMetaHeader: false };
  }
  const kind = bareDataSetKind(bytes);
  if (!kind) {
    throw new MedImgError('NOT_DICOM', 'Not a DICOM file (no DICM prefix at byte 128 and no data set at byte 0).');
  }
  try {
    const parser = dicomParser.littleEndianByteArrayParser;
    const stream = new dicomParser.ByteStream(parser, bytes, 0);
    const DataSetCtor = (dicomParser as unknown as { DataSet: new (p: unknown, b: Uint8Array, e: object) => DataSet })
      .DataSet;
    const ds = new DataSetCtor(parser, bytes, {});
    ds.warnings = stream.warnings;
    if (kind === 'explicit') dicomParser.parseDicomDataSetExplicit(ds, stream, bytes.length);
    else dicomParser.parseDicomDataSetImplicit(ds, stream, bytes.length);
    return {
      dataSet: ds,
      transferSyntax: kind === 'explicit' ? TS.explicitLE : TS.implicitLE,
      noMetaHeader: true,
    };
  } catch (e) {
    const err = mapParseError(e);
    if (err.code === 'DICOM_INVALID') {
      throw new MedImgError('NOT_DICOM', 'Not a DICOM file (no Part 10 header and no readable data set).', {
        cause: e,
      });
    }
    throw err;
  }
}

function mapParseError(e: unknown): MedImgError {
  if (e instanceof MedImgError) return e;
  const text = errorText(e);
  if (/DICM prefix not found/.test(text)) return new MedImgError('NOT_DICOM', 'Not a DICOM file (no DICM prefix).');
  if (/past end|overr|eof|outside|buffer|length cannot be less/i.test(text)) {
    return new MedImgError('DICOM_TRUNCATED', 'The DICOM file is truncated or an element length runs past its end.', {
      cause: e,
      details: { parser: text.slice(0, 200) },
    });
  }
  return new MedImgError('DICOM_INVALID', 'The DICOM file could not be parsed.', {
    cause: e,
    details: { parser: text.slice(0, 200) },
  });
}

// ---- element access helpers (never throw: corrupt values read as undefined) ----

function clean(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  const t = s.replace(/\0/g, '').trim();
  return t.length ? t : undefined;
}

/** A string value (trimmed, NULs removed), or undefined. */
export function str(ds: DataSet, tag: string): string | undefined {
  try {
    const el = ds.elements[tag];
    if (!el || el.length <= 0) return undefined;
    return clean(dicomParser.readFixedString(ds.byteArray, el.dataOffset, el.length));
  } catch {
    return undefined;
  }
}

/** All backslash-separated values of a string element. */
export function strs(ds: DataSet, tag: string): string[] {
  const s = str(ds, tag);
  return s === undefined ? [] : s.split('\\').map((x) => x.trim());
}

/** Numbers of a DS/IS element (or binary US/SS/FL/FD when the VR says so). Non-finite values dropped => []. */
export function nums(ds: DataSet, tag: string): number[] {
  const el = ds.elements[tag];
  if (!el || el.length <= 0) return [];
  try {
    const vr = el.vr;
    if (vr === 'US' || vr === 'SS' || vr === 'UL' || vr === 'SL' || vr === 'FL' || vr === 'FD') {
      const size = vr === 'FD' ? 8 : vr === 'US' || vr === 'SS' ? 2 : 4;
      const out: number[] = [];
      for (let i = 0; i < Math.floor(el.length / size) && i < 64; i++) {
        const v =
          vr === 'US'
            ? ds.uint16(tag, i)
            : vr === 'SS'
              ? ds.int16(tag, i)
              : vr === 'UL'
                ? ds.uint32(tag, i)
                : vr === 'SL'
                  ? ds.int32(tag, i)
                  : vr === 'FL'
                    ? ds.float(tag, i)
                    : ds.double(tag, i);
        if (v === undefined || !Number.isFinite(v)) return [];
        out.push(v);
      }
      return out;
    }
    const s = str(ds, tag);
    if (s === undefined) return [];
    const parts = s.split('\\');
    const out: number[] = [];
    for (const p of parts) {
      const t = p.trim();
      if (!t) return [];
      const v = Number(t);
      if (!Number.isFinite(v)) return [];
      out.push(v);
    }
    return out;
  } catch {
    return [];
  }
}

/** First number of a DS/IS element, or undefined. */
export function num(ds: DataSet, tag: string): number | undefined {
  return nums(ds, tag)[0];
}

/** An unsigned short (US), or undefined. */
export function us(ds: DataSet, tag: string): number | undefined {
  const el = ds.elements[tag];
  if (!el || el.length < 2) return undefined;
  try {
    if (el.vr && el.vr !== 'US' && el.vr !== 'SS' && el.vr !== 'OW' && el.vr !== 'UN' && el.vr !== 'xs') {
      // some writers put IS strings here; accept them
      return num(ds, tag);
    }
    return ds.uint16(tag);
  } catch {
    return undefined;
  }
}

/** First item data set of a sequence element, or undefined. */
export function firstItem(ds: DataSet | undefined, tag: string): DataSet | undefined {
  return ds?.elements[tag]?.items?.[0]?.dataSet;
}

/** All item data sets of a sequence element. */
export function items(ds: DataSet | undefined, tag: string): DataSet[] {
  const its = ds?.elements[tag]?.items;
  if (!its) return [];
  const out: DataSet[] = [];
  for (const it of its) if (it.dataSet) out.push(it.dataSet);
  return out;
}
