import { MedImgError } from '../../core/errors.js';
import {
  type DicomDataset,
  type DicomElement,
  getString,
  LONG_VRS,
  padEven,
  STRING_VRS,
  str,
  type Tag,
  tag,
  tagHex,
  ul,
} from './ds-model.js';
import { TS } from './transfer-syntax.js';

/**
 * DICOM data set encoder: explicit (or implicit) VR little endian, sequences and items with
 * defined lengths, values padded to even length (space for text, NUL for UI and binary), and Part 10
 * files with preamble, DICM and a file meta group carrying its group length.
 */

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

class ByteSink {
  private chunks: Uint8Array[] = [];
  length = 0;
  push(b: Uint8Array): void {
    this.chunks.push(b);
    this.length += b.length;
  }
  concat(): Uint8Array {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

function header(t: Tag, vr: string, len: number, implicit: boolean): Uint8Array {
  if (implicit) {
    const h = new Uint8Array(8);
    const dv = new DataView(h.buffer);
    dv.setUint16(0, t >>> 16, true);
    dv.setUint16(2, t & 0xffff, true);
    dv.setUint32(4, len >>> 0, true);
    return h;
  }
  const long = LONG_VRS.has(vr);
  const h = new Uint8Array(long ? 12 : 8);
  const dv = new DataView(h.buffer);
  dv.setUint16(0, t >>> 16, true);
  dv.setUint16(2, t & 0xffff, true);
  h[4] = vr.charCodeAt(0);
  h[5] = vr.charCodeAt(1);
  if (long) dv.setUint32(8, len >>> 0, true);
  else {
    if (len > 0xffff) throw new MedImgError('INVALID_ARGUMENT', `Value of ${tagHex(t)} is too long for VR ${vr}.`);
    dv.setUint16(6, len, true);
  }
  return h;
}

function encodeInto(sink: ByteSink, ds: DicomDataset, implicit: boolean): void {
  const tags = [...ds.keys()].sort((a, b) => a - b);
  for (const t of tags) {
    const e = ds.get(t) as DicomElement;
    if (e.encapsulated) {
      sink.push(header(t, e.vr === 'UN' ? 'OB' : e.vr, 0xffffffff, implicit));
      sink.push(e.encapsulated);
      continue;
    }
    if (e.vr === 'SQ' || e.items) {
      const inner = new ByteSink();
      for (const item of e.items ?? []) {
        const body = new ByteSink();
        encodeInto(body, item, implicit);
        const ih = new Uint8Array(8);
        const idv = new DataView(ih.buffer);
        idv.setUint16(0, 0xfffe, true);
        idv.setUint16(2, 0xe000, true);
        idv.setUint32(4, body.length, true);
        inner.push(ih);
        inner.push(body.concat());
      }
      sink.push(header(t, 'SQ', inner.length, implicit));
      sink.push(inner.concat());
      continue;
    }
    let v = e.value ?? new Uint8Array(0);
    if (v.length % 2 === 1) v = padEven(v, STRING_VRS.has(e.vr) && e.vr !== 'UI' ? 0x20 : 0);
    let vr = e.vr;
    if (!implicit && vr === 'UN' && v.length === 0) vr = 'UN';
    sink.push(header(t, vr, v.length, implicit));
    sink.push(v);
  }
}

/** Encodes a data set (no meta group) in explicit or implicit VR little endian. */
export function encodeDataset(ds: DicomDataset, implicit = false): Uint8Array {
  const sink = new ByteSink();
  encodeInto(sink, ds, implicit);
  return sink.concat();
}

export const IMPLEMENTATION_CLASS_UID = '2.25.237016846468117232435346207693127358081';
export const IMPLEMENTATION_VERSION_NAME = 'MEDIMG_0_1';

/**
 * Writes a Part 10 file: 128-byte preamble, DICM, file meta group (with group length) in
 * explicit VR little endian, then the data set in the given transfer syntax.
 */
export function writePart10(
  ds: DicomDataset,
  options: { transferSyntaxUid?: string; meta?: DicomDataset; preamble?: Uint8Array } = {},
): Uint8Array {
  const ts = options.transferSyntaxUid ?? TS.explicitLE;
  if (ts === TS.explicitBE || ts === TS.deflatedLE) {
    // the encoder writes little endian, uncompressed: never label such bytes as another syntax
    throw new MedImgError(
      'DICOM_UNSUPPORTED_TRANSFER_SYNTAX',
      'Writing big endian or deflated DICOM is not supported; write explicit VR little endian instead.',
      { details: { transferSyntax: ts } },
    );
  }
  const sopClass = getString(ds, tag(0x0008, 0x0016)) ?? '';
  const sopInstance = getString(ds, tag(0x0008, 0x0018)) ?? '';
  const meta: DicomDataset = new Map(options.meta ?? []);
  meta.delete(tag(0x0002, 0x0000));
  meta.set(tag(0x0002, 0x0001), { vr: 'OB', value: new Uint8Array([0, 1]) });
  meta.set(tag(0x0002, 0x0002), str('UI', sopClass));
  meta.set(tag(0x0002, 0x0003), str('UI', sopInstance));
  meta.set(tag(0x0002, 0x0010), str('UI', ts));
  // We wrote this file, so the implementation identifiers are ours.
  meta.set(tag(0x0002, 0x0012), str('UI', IMPLEMENTATION_CLASS_UID));
  meta.set(tag(0x0002, 0x0013), str('SH', IMPLEMENTATION_VERSION_NAME));
  const metaBytes = encodeDataset(meta, false);
  const groupLength = encodeDataset(new Map([[tag(0x0002, 0x0000), ul(metaBytes.length)]]), false);
  const body = encodeDataset(ds, ts === TS.implicitLE);
  const out = new Uint8Array(132 + groupLength.length + metaBytes.length + body.length);
  if (options.preamble && options.preamble.length === 128) out.set(options.preamble, 0);
  out.set([0x44, 0x49, 0x43, 0x4d], 128);
  out.set(groupLength, 132);
  out.set(metaBytes, 132 + groupLength.length);
  out.set(body, 132 + groupLength.length + metaBytes.length);
  return out;
}
