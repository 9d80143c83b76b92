import { MedImgError } from '../../core/errors.js';
import { decodeDefault, type TextDecodeFn } from './charset.js';

/**
 * The one in-memory DICOM data set model, shared by the image readers, the SEG/SR readers and
 * writers and the de-identifier. Values are views of the file bytes (never copies, except for
 * byte-swapped big-endian values), little endian, so that anything we do not touch (pixel data
 * above all) is written back byte for byte.
 */

/** Tag as one number: (group << 16) | element. */
export type Tag = number;

export interface DicomElement {
  /** Two-letter VR; 'UN' when read from implicit VR and not a sequence. */
  vr: string;
  /** Raw value bytes (little endian), for everything but sequences. */
  value?: Uint8Array;
  /** Items of a sequence (vr 'SQ'). */
  items?: DicomDataset[];
  /** Encapsulated pixel data: the raw bytes after the element header up to and including the sequence delimiter. */
  encapsulated?: Uint8Array;
  /** Encapsulated pixel data: the fragments after the Basic Offset Table item, as views of the file bytes. */
  fragments?: PixelFragment[];
  /** Encapsulated pixel data: the Basic Offset Table (empty when the first item is empty). */
  basicOffsetTable?: number[];
  /**
   * Pixel Data of a header-only parse (value not loaded): where its value starts in the file and
   * its length as the header says (0xFFFFFFFF: encapsulated).
   */
  unread?: { offset: number; length: number };
}

/** One fragment of encapsulated pixel data (PS3.5 A.4). */
export interface PixelFragment {
  /** Byte offset of this fragment's item tag from the first fragment's item tag (what offset tables count). */
  offset: number;
  /** The fragment's bytes (a view of the file). */
  data: Uint8Array;
}

/** Elements by tag. Writers sort by tag when encoding, so insertion order does not matter. */
export type DicomDataset = Map<Tag, DicomElement>;

/** VRs with a 2-byte reserved field and 4-byte length in explicit VR. */
export const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);
export const STRING_VRS = new Set([
  'AE',
  'AS',
  'CS',
  'DA',
  'DS',
  'DT',
  'IS',
  'LO',
  'LT',
  'PN',
  'SH',
  'ST',
  'TM',
  'UC',
  'UI',
  'UR',
  'UT',
]);

export function tag(group: number, element: number): Tag {
  return ((group << 16) | element) >>> 0;
}

export function tagGroup(t: Tag): number {
  return t >>> 16;
}

export function tagHex(t: Tag): string {
  return `(${(t >>> 16).toString(16).padStart(4, '0').toUpperCase()},${(t & 0xffff).toString(16).padStart(4, '0').toUpperCase()})`;
}

const textEncoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

// The Specific Character Set in force for a read data set (its own, or its parent's for items);
// kept beside the Map so that the model stays a plain Map.
const charsets = new WeakMap<DicomDataset, TextDecodeFn>();

/** Sets the text decoder of a read data set (done by the parser from (0008,0005)). */
export function setTextDecoder(ds: DicomDataset, decode: TextDecodeFn): void {
  charsets.set(ds, decode);
}

// ---------------------------------------------------------------------------------------------
// Value constructors
// ---------------------------------------------------------------------------------------------

/** A string element; multiple values joined with backslash, padded to even length. */
export function str(vr: string, ...values: (string | number)[]): DicomElement {
  const text = values.map(String).join('\\');
  return { vr, value: padEven(textEncoder.encode(text), vr === 'UI' ? 0 : 0x20) };
}

/** A decimal string element with each value formatted to fit 16 characters. */
export function ds(...values: number[]): DicomElement {
  return str('DS', ...values.map(formatDS));
}

/** An integer string element. */
export function is(...values: number[]): DicomElement {
  return str('IS', ...values.map((v) => String(Math.round(v))));
}

export function us(...values: number[]): DicomElement {
  const b = new Uint8Array(values.length * 2);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    dv.setUint16(i * 2, v, true);
  }
  return { vr: 'US', value: b };
}

export function ul(...values: number[]): DicomElement {
  const b = new Uint8Array(values.length * 4);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    dv.setUint32(i * 4, v >>> 0, true);
  }
  return { vr: 'UL', value: b };
}

export function fd(...values: number[]): DicomElement {
  const b = new Uint8Array(values.length * 8);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    dv.setFloat64(i * 8, v, true);
  }
  return { vr: 'FD', value: b };
}

export function fl(...values: number[]): DicomElement {
  const b = new Uint8Array(values.length * 4);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    dv.setFloat32(i * 4, v, true);
  }
  return { vr: 'FL', value: b };
}

/** Attribute tag values (VR AT). */
export function at(...tags: Tag[]): DicomElement {
  const b = new Uint8Array(tags.length * 4);
  const dv = new DataView(b.buffer);
  tags.forEach((t, i) => {
    dv.setUint16(i * 4, t >>> 16, true);
    dv.setUint16(i * 4 + 2, t & 0xffff, true);
  });
  return { vr: 'AT', value: b };
}

export function seq(...items: DicomDataset[]): DicomElement {
  return { vr: 'SQ', items };
}

export function bytes(vr: string, value: Uint8Array): DicomElement {
  return { vr, value: padEven(value, 0) };
}

/** Builds a data set from [tag, element] pairs, skipping undefined elements. */
export function dataset(entries: [Tag, DicomElement | undefined][]): DicomDataset {
  const m: DicomDataset = new Map();
  for (const [t, e] of entries) if (e) m.set(t, e);
  return m;
}

/**
 * Formats a number as a DICOM DS (at most 16 characters), keeping as many significant digits as
 * fit; non-finite numbers are rejected.
 */
export function formatDS(v: number): string {
  if (!Number.isFinite(v)) throw new MedImgError('INVALID_ARGUMENT', 'Decimal string values must be finite numbers.');
  if (Object.is(v, -0) || v === 0) return '0';
  for (let p = 16; p >= 1; p--) {
    let s = Number(v.toPrecision(p)).toString();
    if (s.length <= 16) return s;
    s = v.toExponential(Math.max(0, p - 1)).replace('e+', 'e');
    if (s.length <= 16) return s;
  }
  return v.toExponential(6);
}

export function padEven(b: Uint8Array, pad: number): Uint8Array {
  if (b.length % 2 === 0) return b;
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  out[b.length] = pad;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Value accessors (for read data sets; tolerant of implicit VR where vr is 'UN')
// ---------------------------------------------------------------------------------------------

/**
 * The text of a string element in the data set's Specific Character Set, trailing padding
 * removed; undefined when absent.
 */
export function getString(ds: DicomDataset, t: Tag): string | undefined {
  const e = ds.get(t);
  if (!e?.value) return e ? '' : undefined;
  return (charsets.get(ds) ?? decodeDefault)(e.value).replace(/[\0 ]+$/, '');
}

export function getStrings(ds: DicomDataset, t: Tag): string[] {
  const s = getString(ds, t);
  if (s === undefined || s === '') return [];
  return s.split('\\').map((x) => x.trim());
}

export function getNumbers(ds: DicomDataset, t: Tag): number[] {
  return getStrings(ds, t).map(Number);
}

export function getNumber(ds: DicomDataset, t: Tag): number | undefined {
  const v = getNumbers(ds, t)[0];
  return v === undefined || Number.isNaN(v) ? undefined : v;
}

export function getUint16(ds: DicomDataset, t: Tag, index = 0): number | undefined {
  const e = ds.get(t);
  if (!e?.value || e.value.length < (index + 1) * 2) return undefined;
  return new DataView(e.value.buffer, e.value.byteOffset, e.value.byteLength).getUint16(index * 2, true);
}

export function getUint16s(ds: DicomDataset, t: Tag): number[] {
  const e = ds.get(t);
  if (!e?.value) return [];
  const dv = new DataView(e.value.buffer, e.value.byteOffset, e.value.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 1 < e.value.length; i += 2) out.push(dv.getUint16(i, true));
  return out;
}

export function getUint32s(ds: DicomDataset, t: Tag): number[] {
  const e = ds.get(t);
  if (!e?.value) return [];
  const dv = new DataView(e.value.buffer, e.value.byteOffset, e.value.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 3 < e.value.length; i += 4) out.push(dv.getUint32(i, true));
  return out;
}

export function getFloat64s(ds: DicomDataset, t: Tag): number[] {
  const e = ds.get(t);
  if (!e?.value) return [];
  const dv = new DataView(e.value.buffer, e.value.byteOffset, e.value.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 7 < e.value.length; i += 8) out.push(dv.getFloat64(i, true));
  return out;
}

export function getFloat32s(ds: DicomDataset, t: Tag): number[] {
  const e = ds.get(t);
  if (!e?.value) return [];
  const dv = new DataView(e.value.buffer, e.value.byteOffset, e.value.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 3 < e.value.length; i += 4) out.push(dv.getFloat32(i, true));
  return out;
}

/** Items of a sequence element ([] when absent or empty). */
export function getItems(ds: DicomDataset, t: Tag): DicomDataset[] {
  return ds.get(t)?.items ?? [];
}

/** First item of a sequence, if any. */
export function getItem(ds: DicomDataset, t: Tag): DicomDataset | undefined {
  return getItems(ds, t)[0];
}

/** UTF-8 decode for callers that know the text is UTF-8. */
export function utf8(b: Uint8Array): string {
  return utf8Decoder.decode(b);
}

// ---------------------------------------------------------------------------------------------
// Lenient accessors for image headers: never throw, read corrupt or empty values as absent.
// ---------------------------------------------------------------------------------------------

/** A string value with NULs and surrounding spaces removed; undefined when absent or empty. */
export function readText(ds: DicomDataset | undefined, t: Tag): string | undefined {
  const e = ds?.get(t);
  if (!e?.value?.length) return undefined;
  const s = (charsets.get(ds!) ?? decodeDefault)(e.value);
  const v = (s.indexOf('\0') >= 0 ? s.replace(/\0/g, '') : s).trim();
  return v.length ? v : undefined;
}

/** All backslash-separated values of a string element, each trimmed. */
export function readTexts(ds: DicomDataset | undefined, t: Tag): string[] {
  const s = readText(ds, t);
  return s === undefined ? [] : s.split('\\').map((x) => x.trim());
}

const BINARY_SIZE: Record<string, number> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8 };

/**
 * The numbers of a DS/IS element (or of a binary US/SS/UL/SL/FL/FD element, at most 64); [] when
 * absent, empty, or when any value is not a finite number.
 */
export function readNumbers(ds: DicomDataset | undefined, t: Tag): number[] {
  const e = ds?.get(t);
  if (!e?.value?.length) return [];
  const size = BINARY_SIZE[e.vr];
  if (size) {
    const v = e.value;
    const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
    const out: number[] = [];
    for (let i = 0; i < Math.floor(v.length / size) && i < 64; i++) {
      const o = i * size;
      const x =
        e.vr === 'US'
          ? dv.getUint16(o, true)
          : e.vr === 'SS'
            ? dv.getInt16(o, true)
            : e.vr === 'UL'
              ? dv.getUint32(o, true)
              : e.vr === 'SL'
                ? dv.getInt32(o, true)
                : e.vr === 'FL'
                  ? dv.getFloat32(o, true)
                  : dv.getFloat64(o, true);
      if (!Number.isFinite(x)) return [];
      out.push(x);
    }
    return out;
  }
  const s = readText(ds, t);
  if (s === undefined) return [];
  const out: number[] = [];
  for (const p of s.split('\\')) {
    const x = p.trim();
    if (!x) return [];
    const v = Number(x);
    if (!Number.isFinite(v)) return [];
    out.push(v);
  }
  return out;
}

/** The first number of a DS/IS (or binary numeric) element, or undefined. */
export function readNumber(ds: DicomDataset | undefined, t: Tag): number | undefined {
  return readNumbers(ds, t)[0];
}

/** An unsigned short (US, or implicit VR); some writers put IS strings here, which are accepted. */
export function readUint16(ds: DicomDataset | undefined, t: Tag): number | undefined {
  const e = ds?.get(t);
  if (!e?.value || e.value.length < 2) return undefined;
  if (e.vr !== 'US' && e.vr !== 'SS' && e.vr !== 'OW' && e.vr !== 'UN') return readNumber(ds, t);
  return e.value[0]! | (e.value[1]! << 8);
}
