import { isMedImgError, MedImgError } from '../../core/errors.js';
import { charsetDecoder, decodeLatin1, type TextDecodeFn } from './charset.js';
import {
  type DicomDataset,
  type DicomElement,
  getString,
  LONG_VRS,
  type PixelFragment,
  setTextDecoder,
  type Tag,
  tag,
  tagHex,
} from './ds-model.js';
import { TS } from './transfer-syntax.js';

/** Options of {@link parseDicom}. */
export interface ParseDicomOptions {
  /**
   * Stop at the top-level Pixel Data element and record where its value lies (`unread`) instead of
   * reading it, so that `input` may be just the head of a file. Default false. Not for deflated
   * data sets (DICOM_UNSUPPORTED_TRANSFER_SYNTAX).
   */
  untilPixelData?: boolean;
}

/** A parsed DICOM file: the one parse result of readers, de-identification and rewriting. */
export interface ParsedDicom {
  /** File meta group (0002,xxxx); empty when the file had none. */
  meta: DicomDataset;
  dataset: DicomDataset;
  transferSyntaxUid: string;
  /** True for implicit VR little endian. */
  implicit: boolean;
  /** True for explicit VR big endian: binary values were swapped to little endian while parsing. */
  bigEndian: boolean;
  /** True when the file had no Part 10 preamble/meta header and was parsed as a bare data set. */
  noMetaHeader: boolean;
  /** The 128-byte preamble when present (kept so a rewrite can keep it). */
  preamble?: Uint8Array;
  /** Specific Character Set terms this reader does not know (their text read as UTF-8/Latin-1). */
  unknownCharsets?: string[];
}

const ITEM = 0xfffee000;
const ITEM_DELIM = 0xfffee00d;
const SEQ_DELIM = 0xfffee0dd;
const PIXEL_DATA = 0x7fe00010;
const CHARSET = 0x00080005;

/**
 * Most elements plus sequence items one parse may create. Real objects stay far below (a large
 * SR or RT structure set has some 10^5); a crafted file of 8 M empty items would otherwise run
 * V8 out of memory. The parse is synchronous, so one module-level counter is safe.
 */
export const MAX_DICOM_NODES = 1 << 19;
let nodes = 0;

function countNode(): void {
  if (++nodes > MAX_DICOM_NODES) tooManyNodes();
}

function tooManyNodes(): never {
  throw new MedImgError('DECODE_LIMIT_EXCEEDED', `The data set has more than ${MAX_DICOM_NODES} elements and items.`);
}

// VRs whose values are binary words that big endian stores the other way round, by word size
const SWAP_SIZE: Record<string, number> = {
  US: 2,
  SS: 2,
  OW: 2,
  AT: 2,
  UL: 4,
  SL: 4,
  FL: 4,
  OF: 4,
  OL: 4,
  FD: 8,
  OD: 8,
  SV: 8,
  UV: 8,
  OV: 8,
};

const VRS = new Set(
  'AE AS AT CS DA DS DT FL FD IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(' '),
);

// fflate builds its tables when loaded: load the (bounded) inflater only for deflated files (see prepareDicomBytes)
let inflateRaw: ((bytes: Uint8Array, position: number) => Uint8Array) | undefined;

function hasPreamble(b: Uint8Array): boolean {
  return b.length >= 132 && b[128] === 0x44 && b[129] === 0x49 && b[130] === 0x43 && b[131] === 0x4d;
}

const DEFLATED_UID = Array.from(TS.deflatedLE, (c) => c.charCodeAt(0));

/**
 * True when the Part 10 file meta group names the Deflated Explicit VR Little Endian syntax. A plain
 * byte search over the meta group (its length from (0002,0000), else the first 16 KiB): a false
 * positive only loads the inflater.
 */
export function isDeflatedPart10(bytes: Uint8Array): boolean {
  if (!hasPreamble(bytes)) return false;
  let end = Math.min(bytes.length, 132 + 16384);
  if (bytes.length >= 144 && bytes[132] === 2 && bytes[133] === 0 && bytes[134] === 0 && bytes[135] === 0) {
    const len = (bytes[140]! | (bytes[141]! << 8) | (bytes[142]! << 16) | (bytes[143]! << 24)) >>> 0;
    if (len > 0 && len < 16384) end = Math.min(bytes.length, 144 + len);
  }
  const u = DEFLATED_UID;
  outer: for (let p = 132; p + u.length <= end; p++) {
    if (bytes[p] !== u[0]) continue;
    for (let k = 1; k < u.length; k++) if (bytes[p + k] !== u[k]) continue outer;
    const next = p + u.length < bytes.length ? bytes[p + u.length]! : 0;
    // the UID ends here (padding NUL/space or the next element), not a longer UID with this prefix
    if (next !== 0x2e && (next < 0x30 || next > 0x39)) return true;
  }
  return false;
}

/** Loads what {@link parseDicom} needs for these bytes (the inflater, for deflated files only). */
export async function prepareDicomBytes(bytes: Uint8Array): Promise<void> {
  if (inflateRaw || !(bytes instanceof Uint8Array) || !isDeflatedPart10(bytes)) return;
  inflateRaw = (await import('./inflate.js')).inflateDataSet;
}

/**
 * Data sets without the Part 10 header (old ACR-NEMA style or raw network dumps) start directly with
 * a low group number. Returns 'implicit' / 'explicit' when the first element looks like one.
 */
function bareDataSetKind(b: Uint8Array): 'implicit' | 'explicit' | undefined {
  if (b.length < 8) return undefined;
  const group = b[0]! | (b[1]! << 8);
  if (group === 0 || group > 0x0028 || (group & 1) === 1) return undefined;
  if (VRS.has(String.fromCharCode(b[4]!, b[5]!))) return 'explicit';
  const len = b[4]! | (b[5]! << 8) | (b[6]! << 16) | (b[7]! << 24);
  if (len >= 0 && len < 1 << 16 && 8 + len <= b.length) return 'implicit';
  return undefined;
}

/**
 * Parses a DICOM file (Part 10, or a bare data set in implicit/explicit VR little endian) into the
 * data set model: implicit and explicit VR little endian, explicit VR big endian (binary values
 * swapped to little endian), deflated (inflated here; {@link prepareDicomBytes} must have been
 * awaited for those bytes first), sequences of defined and undefined length. Values, native pixel
 * data and encapsulated fragments are views of `input`, not copies.
 *
 * Throws MedImgError: INVALID_ARGUMENT, NOT_DICOM, DICOM_TRUNCATED, DICOM_INVALID,
 * DICOM_UNSUPPORTED_TRANSFER_SYNTAX (deflated bytes not prepared).
 *
 * @example
 * const { dataset } = parseDicom(bytes);
 * const modality = getString(dataset, tag(0x0008, 0x0060));
 */
export function parseDicom(input: Uint8Array, options: ParseDicomOptions = {}): ParsedDicom {
  if (!(input instanceof Uint8Array))
    throw new MedImgError('INVALID_ARGUMENT', 'Expected the DICOM file as a Uint8Array.');
  let pos = 0;
  let preamble: Uint8Array | undefined;
  let bare: 'implicit' | 'explicit' | undefined;
  if (hasPreamble(input)) {
    preamble = input.subarray(0, 128);
    pos = 132;
  } else {
    bare = bareDataSetKind(input);
    if (!bare) {
      throw new MedImgError('NOT_DICOM', 'Not a DICOM file (no DICM prefix at byte 128 and no data set at byte 0).');
    }
  }
  nodes = 0;
  try {
    const dv = new DataView(input.buffer, input.byteOffset, input.byteLength);
    const meta: DicomDataset = new Map();
    // The file meta group is always explicit VR little endian.
    const metaReader = new Reader(input, dv, false, false);
    while (pos + 8 <= input.length && dv.getUint16(pos, true) === 0x0002) {
      pos = metaReader.element(meta, pos, input.length);
    }
    let tsUid = (getString(meta, tag(0x0002, 0x0010)) ?? '').replace(/\0/g, '').trim();
    // no transfer syntax given: the first data set element tells explicit from implicit VR
    if (!tsUid) tsUid = (pos > 0 ? isVr(input, pos + 4) : bare === 'explicit') ? TS.explicitLE : TS.implicitLE;
    let body = input;
    let bodyView = dv;
    if (tsUid === TS.deflatedLE) {
      if (options.untilPixelData) {
        throw new MedImgError('DICOM_UNSUPPORTED_TRANSFER_SYNTAX', 'A deflated data set has no header-only parse.');
      }
      body = inflate(input, pos);
      bodyView = new DataView(body.buffer, body.byteOffset, body.byteLength);
    }
    const implicit = tsUid === TS.implicitLE;
    const bigEndian = tsUid === TS.explicitBE;
    const reader = new Reader(body, bodyView, implicit, bigEndian, !!options.untilPixelData);
    const dataset = reader.dataset(pos, body.length, false, undefined, true).ds;
    return {
      meta,
      dataset,
      transferSyntaxUid: tsUid,
      implicit,
      bigEndian,
      noMetaHeader: !preamble,
      ...(preamble ? { preamble } : {}),
      ...(reader.unknownCharsets.length ? { unknownCharsets: reader.unknownCharsets } : {}),
    };
  } catch (e) {
    if (e instanceof MedImgError) {
      // bytes that never made a readable first element are not DICOM, not a broken DICOM file
      if (bare && e.code === 'DICOM_INVALID') {
        throw new MedImgError('NOT_DICOM', 'Not a DICOM file (no Part 10 header and no readable data set).', {
          cause: e,
        });
      }
      throw e;
    }
    // Any out-of-range read means the bytes are cut short.
    throw new MedImgError('DICOM_TRUNCATED', 'The DICOM file is truncated or an element length runs past its end.', {
      cause: e,
    });
  }
}

function isVr(b: Uint8Array, p: number): boolean {
  return p + 2 <= b.length && VRS.has(String.fromCharCode(b[p]!, b[p + 1]!));
}

function inflate(input: Uint8Array, pos: number): Uint8Array {
  if (!inflateRaw) {
    throw new MedImgError(
      'DICOM_UNSUPPORTED_TRANSFER_SYNTAX',
      'Deflated data set: await prepareDicomBytes(bytes) before parsing.',
    );
  }
  try {
    // element offsets stay file offsets: the inflated body follows the meta group
    return inflateRaw(input, pos);
  } catch (e) {
    if (isMedImgError(e)) throw e;
    throw new MedImgError('DICOM_TRUNCATED', 'The deflated data set could not be inflated.', { cause: e });
  }
}

/** Walks elements of one transfer syntax; one instance per parse. */
class Reader {
  unknownCharsets: string[] = [];
  private readonly le: boolean;
  constructor(
    private readonly b: Uint8Array,
    private readonly dv: DataView,
    private readonly implicit: boolean,
    bigEndian: boolean,
    private readonly untilPixelData = false,
  ) {
    this.le = !bigEndian;
  }

  private tagAt(pos: number): Tag {
    return ((this.dv.getUint16(pos, this.le) << 16) | this.dv.getUint16(pos + 2, this.le)) >>> 0;
  }

  dataset(
    start: number,
    end: number,
    stopAtItemDelim: boolean,
    inherited: TextDecodeFn | undefined,
    top = false,
  ): { ds: DicomDataset; next: number } {
    const ds: DicomDataset = new Map();
    let decode = inherited;
    if (decode) setTextDecoder(ds, decode);
    let pos = start;
    while (pos + 8 <= end) {
      const t = this.tagAt(pos);
      if (t === ITEM_DELIM) {
        if (stopAtItemDelim) return { ds, next: pos + 8 };
        pos += 8;
        continue;
      }
      // trailing padding (0xFFFC,0xFFFC) ends the data set
      if (t === 0xfffcfffc) break;
      if (top && this.untilPixelData && t === PIXEL_DATA) {
        ds.set(t, this.unreadPixelData(pos));
        return { ds, next: end };
      }
      pos = this.element(ds, pos, end, decode);
      countNode();
      if (t === CHARSET) {
        const { decode: d, unknown } = charsetDecoder(
          decodeLatin1(ds.get(CHARSET)?.value ?? new Uint8Array(0))
            .replace(/\0/g, '')
            .split('\\'),
        );
        for (const u of unknown) if (!this.unknownCharsets.includes(u)) this.unknownCharsets.push(u);
        decode = d;
        setTextDecoder(ds, d);
      }
    }
    if (stopAtItemDelim) throw new MedImgError('DICOM_TRUNCATED', 'A sequence item has no end.');
    return { ds, next: pos };
  }

  /** Reads the element at `pos` into `ds`; returns the position after it. */
  element(ds: DicomDataset, pos: number, end: number, decode?: TextDecodeFn): number {
    const { b, dv, le } = this;
    const t = this.tagAt(pos);
    let vr = 'UN';
    let len: number;
    let hdr: number;
    if (this.implicit) {
      len = dv.getUint32(pos + 4, true);
      hdr = 8;
    } else {
      vr = String.fromCharCode(b[pos + 4]!, b[pos + 5]!);
      if (LONG_VRS.has(vr)) {
        if (pos + 12 > end) throw new MedImgError('DICOM_TRUNCATED', 'The data end inside an element header.');
        len = dv.getUint32(pos + 8, le);
        hdr = 12;
      } else {
        len = dv.getUint16(pos + 6, le);
        hdr = 8;
      }
    }
    const vstart = pos + hdr;
    if (len === 0xffffffff) {
      if (t === PIXEL_DATA) {
        const el = this.encapsulated(vstart, end, vr === 'UN' ? 'OB' : vr);
        ds.set(t, el.element);
        return el.next;
      }
      // Undefined length: a sequence (SQ, or UN holding an implicit VR little endian sequence).
      const inner = vr === 'UN' && !this.implicit ? new Reader(b, dv, true, false) : this;
      const r = inner.sequence(vstart, end, true, decode);
      ds.set(t, { vr: 'SQ', items: r.items });
      return r.next;
    }
    if (vstart + len > end)
      throw new MedImgError('DICOM_TRUNCATED', `Element ${tagHex(t)} runs past the end of the data.`);
    if (vr === 'SQ' || (this.implicit && t !== PIXEL_DATA && len >= 8 && dv.getUint32(vstart, true) === 0xe000fffe)) {
      const r = this.sequence(vstart, vstart + len, false, decode);
      ds.set(t, { vr: 'SQ', items: r.items });
      return vstart + len;
    }
    let value = b.subarray(vstart, vstart + len);
    const size = le ? 0 : SWAP_SIZE[vr];
    if (size && size > 1) value = swapped(value, size);
    ds.set(t, { vr, value });
    return vstart + len;
  }

  private sequence(
    start: number,
    end: number,
    undefinedLength: boolean,
    decode: TextDecodeFn | undefined,
  ): { items: DicomDataset[]; next: number } {
    const items: DicomDataset[] = [];
    const { dv, le } = this;
    let pos = start;
    let counted = start;
    while (pos + 8 <= end) {
      const t = this.tagAt(pos);
      const len = dv.getUint32(pos + 4, le);
      if (t === SEQ_DELIM) return { items, next: pos + 8 };
      if (t !== ITEM) throw new MedImgError('DICOM_INVALID', 'Malformed sequence (expected an item).');
      if (pos >= counted) counted = this.emptyItemRun(pos, end);
      countNode();
      if (len === 0xffffffff) {
        const r = this.dataset(pos + 8, end, true, decode);
        items.push(r.ds);
        pos = r.next;
      } else {
        if (pos + 8 + len > end)
          throw new MedImgError('DICOM_TRUNCATED', 'A sequence item runs past the end of the data.');
        items.push(this.dataset(pos + 8, pos + 8 + len, false, decode).ds);
        pos += 8 + len;
      }
    }
    if (undefinedLength) throw new MedImgError('DICOM_TRUNCATED', 'A sequence has no end.');
    return { items, next: pos };
  }

  /**
   * End of the run of empty items (item of length 0, or an undefined-length item closed at once)
   * starting at `pos`. Counting them costs a few ns each, so a crafted run (8 M empty items) is
   * refused here, against the node budget, before any of them is built.
   */
  private emptyItemRun(pos: number, end: number): number {
    const { dv, le } = this;
    let run = 0;
    while (pos + 8 <= end && this.tagAt(pos) === ITEM) {
      const len = dv.getUint32(pos + 4, le);
      if (len === 0) pos += 8;
      else if (len === 0xffffffff && pos + 16 <= end && this.tagAt(pos + 8) === ITEM_DELIM) pos += 16;
      else break;
      if (nodes + ++run > MAX_DICOM_NODES) tooManyNodes();
    }
    return pos;
  }

  /** The Pixel Data element header only: VR, where the value starts, its length. */
  private unreadPixelData(pos: number): DicomElement {
    const { b, dv, le } = this;
    if (this.implicit) return { vr: 'OW', unread: { offset: pos + 8, length: dv.getUint32(pos + 4, true) } };
    const vr = String.fromCharCode(b[pos + 4]!, b[pos + 5]!);
    if (LONG_VRS.has(vr)) return { vr, unread: { offset: pos + 12, length: dv.getUint32(pos + 8, le) } };
    return { vr, unread: { offset: pos + 8, length: dv.getUint16(pos + 6, le) } };
  }

  /** Encapsulated pixel data: Basic Offset Table, fragments (views) and the raw span, zero-copy. */
  private encapsulated(start: number, end: number, vr: string): { element: DicomElement; next: number } {
    const { b, dv, le } = this;
    let pos = start;
    const fragments: PixelFragment[] = [];
    let basicOffsetTable: number[] | undefined;
    let firstFragment = -1;
    while (pos + 8 <= end) {
      const t = this.tagAt(pos);
      const len = dv.getUint32(pos + 4, le);
      if (t === SEQ_DELIM) {
        return {
          element: {
            vr,
            encapsulated: b.subarray(start, pos + 8),
            fragments,
            basicOffsetTable: basicOffsetTable ?? [],
          },
          next: pos + 8,
        };
      }
      if (t !== ITEM) throw new MedImgError('DICOM_INVALID', 'Malformed encapsulated pixel data.');
      if (pos + 8 + len > end)
        throw new MedImgError('DICOM_TRUNCATED', 'A Pixel Data fragment runs past the end of the file.');
      if (!basicOffsetTable) {
        basicOffsetTable = [];
        for (let o = pos + 8; o + 4 <= pos + 8 + len; o += 4) basicOffsetTable.push(dv.getUint32(o, le));
      } else {
        if (firstFragment < 0) firstFragment = pos;
        fragments.push({ offset: pos - firstFragment, data: b.subarray(pos + 8, pos + 8 + len) });
      }
      pos += 8 + len;
    }
    throw new MedImgError('DICOM_TRUNCATED', 'Encapsulated pixel data has no end.');
  }
}

/** A little-endian copy of big-endian words. */
function swapped(v: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(v.length);
  const n = v.length - (v.length % size);
  for (let i = 0; i < n; i += size) for (let k = 0; k < size; k++) out[i + k] = v[i + size - 1 - k]!;
  for (let i = n; i < v.length; i++) out[i] = v[i]!;
  return out;
}
