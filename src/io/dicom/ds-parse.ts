import { MedImgError } from '../../core/errors.js';
import {
  type DicomDataset,
  type DicomElement,
  getString,
  LONG_VRS,
  type Tag,
  TS_DEFLATED,
  TS_EXPLICIT_BE,
  TS_EXPLICIT_LE,
  TS_IMPLICIT_LE,
  tag,
  tagHex,
} from './ds-model.js';

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

export interface ParsedDicom {
  /** File meta group (0002,xxxx); empty when the file had none. */
  meta: DicomDataset;
  dataset: DicomDataset;
  transferSyntaxUid: string;
  /** True for implicit VR little endian. */
  implicit: boolean;
  /** The 128-byte preamble when present (kept so a rewrite can keep it). */
  preamble?: Uint8Array;
}

/**
 * Most elements plus sequence items one parse may create. Real objects stay far below (a large
 * SR or RT structure set has some 10^5); a crafted file of 8 M empty items would otherwise run
 * V8 out of memory. The parse is synchronous, so one module-level counter is safe.
 */
export const MAX_DICOM_NODES = 1 << 20;
let nodes = 0;

function countNode(): void {
  if (++nodes > MAX_DICOM_NODES) {
    throw new MedImgError('DECODE_LIMIT_EXCEEDED', `The data set has more than ${MAX_DICOM_NODES} elements and items.`);
  }
}

const ITEM = 0xfffee000;
const ITEM_DELIM = 0xfffee00d;
const SEQ_DELIM = 0xfffee0dd;

/**
 * Parses a Part 10 file (or a bare data set in implicit VR little endian) into our model.
 * Supports implicit and explicit VR little endian; sequences of defined and undefined length;
 * encapsulated pixel data kept raw. Deflate and big endian are rejected.
 */
export function parseDicom(input: Uint8Array): ParsedDicom {
  if (!(input instanceof Uint8Array))
    throw new MedImgError('INVALID_ARGUMENT', 'Expected the DICOM file as a Uint8Array.');
  let pos = 0;
  let preamble: Uint8Array | undefined;
  if (input.length >= 132 && input[128] === 0x44 && input[129] === 0x49 && input[130] === 0x43 && input[131] === 0x4d) {
    preamble = input.subarray(0, 128);
    pos = 132;
  } else if (!(input.length >= 8 && (input[0] === 0x02 || input[0] === 0x08) && input[1] === 0x00)) {
    throw new MedImgError('NOT_DICOM', 'The bytes are not a DICOM file (no DICM prefix).');
  }
  const dv = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const meta: DicomDataset = new Map();
  // The file meta group is always explicit VR little endian.
  while (pos + 8 <= input.length && dv.getUint16(pos, true) === 0x0002) {
    const r = readElement(input, dv, pos, false, input.length);
    meta.set(r.tag, r.element);
    pos = r.next;
  }
  let tsUid = getString(meta, tag(0x0002, 0x0010)) ?? '';
  if (!tsUid) tsUid = guessImplicit(input, dv, pos) ? TS_IMPLICIT_LE : TS_EXPLICIT_LE;
  if (tsUid === TS_EXPLICIT_BE) {
    throw new MedImgError(
      'DICOM_UNSUPPORTED_TRANSFER_SYNTAX',
      'Explicit VR big endian (retired) is not supported here.',
    );
  }
  if (tsUid === TS_DEFLATED) {
    throw new MedImgError('DICOM_UNSUPPORTED_TRANSFER_SYNTAX', 'Deflated transfer syntax is not supported here.');
  }
  const implicit = tsUid === TS_IMPLICIT_LE;
  let dataset: DicomDataset;
  nodes = 0;
  try {
    dataset = readDataset(input, dv, pos, input.length, implicit).ds;
  } catch (e) {
    if (e instanceof MedImgError) throw e;
    // Any out-of-range read means the bytes are cut short or corrupt.
    throw new MedImgError('DICOM_DECODE_FAILED', 'The DICOM data are corrupt or truncated.', { cause: e });
  }
  return { meta, dataset, transferSyntaxUid: tsUid, implicit, preamble };
}

function guessImplicit(input: Uint8Array, _dv: DataView, pos: number): boolean {
  if (pos + 6 > input.length) return true;
  const a = input[pos + 4] ?? 0;
  const b = input[pos + 5] ?? 0;
  return !(a >= 0x41 && a <= 0x5a && b >= 0x41 && b <= 0x5a);
}

function readDataset(
  input: Uint8Array,
  dv: DataView,
  start: number,
  end: number,
  implicit: boolean,
  stopAtItemDelim = false,
): { ds: DicomDataset; next: number } {
  const ds: DicomDataset = new Map();
  let pos = start;
  while (pos + 8 <= end) {
    const t = ((dv.getUint16(pos, true) << 16) | dv.getUint16(pos + 2, true)) >>> 0;
    if (t === ITEM_DELIM) {
      if (stopAtItemDelim) return { ds, next: pos + 8 };
      pos += 8;
      continue;
    }
    if (t === 0xfffcfffc && pos + 8 > end) break;
    const r = readElement(input, dv, pos, implicit, end);
    countNode();
    ds.set(r.tag, r.element);
    pos = r.next;
  }
  if (stopAtItemDelim) throw new MedImgError('DICOM_TRUNCATED', 'A sequence item has no end.');
  return { ds, next: pos };
}

function readElement(
  input: Uint8Array,
  dv: DataView,
  pos: number,
  implicit: boolean,
  end: number,
): { tag: Tag; element: DicomElement; next: number } {
  const t = ((dv.getUint16(pos, true) << 16) | dv.getUint16(pos + 2, true)) >>> 0;
  let vr = 'UN';
  let len: number;
  let hdr: number;
  if (implicit) {
    len = dv.getUint32(pos + 4, true);
    hdr = 8;
  } else {
    vr = String.fromCharCode(input[pos + 4] ?? 0, input[pos + 5] ?? 0);
    if (LONG_VRS.has(vr)) {
      if (pos + 12 > end) throw new MedImgError('DICOM_TRUNCATED', 'The data end inside an element header.');
      len = dv.getUint32(pos + 8, true);
      hdr = 12;
    } else {
      len = dv.getUint16(pos + 6, true);
      hdr = 8;
    }
  }
  const vstart = pos + hdr;
  if (len === 0xffffffff) {
    if (t === 0x7fe00010) {
      // Encapsulated pixel data: keep raw through the sequence delimiter.
      const stop = findSequenceDelimiter(dv, vstart, end);
      return { tag: t, element: { vr: vr === 'UN' ? 'OB' : vr, encapsulated: input.slice(vstart, stop) }, next: stop };
    }
    // Undefined length: a sequence (SQ, or UN holding an implicit VR sequence).
    const sub = implicit || vr === 'UN' ? true : implicit;
    const r = readSequence(input, dv, vstart, end, sub, true);
    return { tag: t, element: { vr: 'SQ', items: r.items }, next: r.next };
  }
  if (vstart + len > end)
    throw new MedImgError('DICOM_TRUNCATED', `Element ${tagHex(t)} runs past the end of the data.`);
  if (vr === 'SQ' || (implicit && len >= 8 && dv.getUint32(vstart, true) === 0xe000fffe && !isKnownNonSequence(t))) {
    const r = readSequence(input, dv, vstart, vstart + len, implicit, false);
    return { tag: t, element: { vr: 'SQ', items: r.items }, next: vstart + len };
  }
  return { tag: t, element: { vr, value: input.subarray(vstart, vstart + len) }, next: vstart + len };
}

function isKnownNonSequence(t: Tag): boolean {
  return t === 0x7fe00010;
}

function readSequence(
  input: Uint8Array,
  dv: DataView,
  start: number,
  end: number,
  implicit: boolean,
  undefinedLength: boolean,
): { items: DicomDataset[]; next: number } {
  const items: DicomDataset[] = [];
  let pos = start;
  while (pos + 8 <= end) {
    const t = ((dv.getUint16(pos, true) << 16) | dv.getUint16(pos + 2, true)) >>> 0;
    const len = dv.getUint32(pos + 4, true);
    if (t === SEQ_DELIM) return { items, next: pos + 8 };
    if (t !== ITEM) throw new MedImgError('DICOM_DECODE_FAILED', 'Malformed sequence (expected an item).');
    countNode();
    if (len === 0xffffffff) {
      const r = readDataset(input, dv, pos + 8, end, implicit, true);
      items.push(r.ds);
      pos = r.next;
    } else {
      if (pos + 8 + len > end)
        throw new MedImgError('DICOM_TRUNCATED', 'A sequence item runs past the end of the data.');
      items.push(readDataset(input, dv, pos + 8, pos + 8 + len, implicit).ds);
      pos += 8 + len;
    }
  }
  if (undefinedLength) throw new MedImgError('DICOM_TRUNCATED', 'A sequence has no end.');
  return { items, next: pos };
}

function findSequenceDelimiter(dv: DataView, start: number, end: number): number {
  let pos = start;
  while (pos + 8 <= end) {
    const t = ((dv.getUint16(pos, true) << 16) | dv.getUint16(pos + 2, true)) >>> 0;
    const len = dv.getUint32(pos + 4, true);
    if (t === SEQ_DELIM) return pos + 8;
    if (t !== ITEM) throw new MedImgError('DICOM_DECODE_FAILED', 'Malformed encapsulated pixel data.');
    pos += 8 + len;
  }
  throw new MedImgError('DICOM_TRUNCATED', 'Encapsulated pixel data has no end.');
}
