import { MedImgError } from '../../core/errors.js';

/**
 * A small in-memory DICOM data set model shared by our writers (SEG, SR), readers and the
 * de-identifier. Values stay as raw little-endian bytes so that anything we do not touch
 * (pixel data above all) is written back byte for byte.
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
}

/** Elements by tag. Writers sort by tag when encoding, so insertion order does not matter. */
export type DicomDataset = Map<Tag, DicomElement>;

export const TS_IMPLICIT_LE = '1.2.840.10008.1.2';
export const TS_EXPLICIT_LE = '1.2.840.10008.1.2.1';
export const TS_DEFLATED = '1.2.840.10008.1.2.1.99';
export const TS_EXPLICIT_BE = '1.2.840.10008.1.2.2';

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
const latin1Decoder = new TextDecoder('latin1');
const utf8Decoder = new TextDecoder('utf-8');

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

/** The text of a string element, trailing padding removed; undefined when absent. */
export function getString(ds: DicomDataset, t: Tag): string | undefined {
  const e = ds.get(t);
  if (!e?.value) return e ? '' : undefined;
  return decodeText(e.value).replace(/[\0 ]+$/, '');
}

/** Decodes element text; we read UTF-8 (a superset of ASCII) and fall back to Latin-1 when invalid. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeText(b: Uint8Array): string {
  try {
    return strictUtf8.decode(b);
  } catch {
    return latin1Decoder.decode(b);
  }
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
