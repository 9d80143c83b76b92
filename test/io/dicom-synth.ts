import { deflateSync } from 'fflate';

/** A data element for the synthetic writer: tag as 0xGGGGEEEE, VR, and a value. */
export type El = [number, string, string | number[] | Uint8Array | El[][]];

export type Syntax = 'explicitLE' | 'implicitLE' | 'explicitBE' | 'deflate' | 'rle' | 'j2k';

const TS_UID: Record<Syntax, string> = {
  explicitLE: '1.2.840.10008.1.2.1',
  implicitLE: '1.2.840.10008.1.2',
  explicitBE: '1.2.840.10008.1.2.2',
  deflate: '1.2.840.10008.1.2.1.99',
  rle: '1.2.840.10008.1.2.5',
  j2k: '1.2.840.10008.1.2.4.91',
};

const LONG_VR = new Set(['OB', 'OW', 'OF', 'SQ', 'UT', 'UN', 'OD', 'OL', 'UC', 'UR']);

class Writer {
  parts: number[] = [];
  constructor(
    readonly explicit: boolean,
    readonly le: boolean,
  ) {}
  u16(v: number) {
    if (this.le) this.parts.push(v & 255, (v >> 8) & 255);
    else this.parts.push((v >> 8) & 255, v & 255);
  }
  u32(v: number) {
    const b = [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];
    this.parts.push(...(this.le ? b : b.reverse()));
  }
  bytes(b: ArrayLike<number>) {
    for (let i = 0; i < b.length; i++) this.parts.push(b[i]!);
  }
}

function valueBytes(vr: string, v: El[2], le: boolean): Uint8Array {
  if (v instanceof Uint8Array) return v.length % 2 ? concat([v, new Uint8Array(1)]) : v;
  if (typeof v === 'string') {
    let s = v;
    if (s.length % 2) s += vr === 'UI' || vr === 'OB' ? '\0' : ' ';
    return new TextEncoder().encode(s);
  }
  const nums = v as number[];
  const size = vr === 'US' || vr === 'SS' ? 2 : vr === 'FD' ? 8 : 4;
  const out = new Uint8Array(nums.length * size);
  const dv = new DataView(out.buffer);
  nums.forEach((x, i) => {
    if (vr === 'US') dv.setUint16(i * 2, x, le);
    else if (vr === 'SS') dv.setInt16(i * 2, x, le);
    else if (vr === 'UL') dv.setUint32(i * 4, x, le);
    else if (vr === 'SL') dv.setInt32(i * 4, x, le);
    else if (vr === 'FL') dv.setFloat32(i * 4, x, le);
    else dv.setFloat64(i * 8, x, le);
  });
  return out;
}

function writeElements(w: Writer, els: El[]): void {
  const sorted = [...els].sort((a, b) => a[0] - b[0]);
  for (const [tag, vr, v] of sorted) {
    w.u16(tag >>> 16);
    w.u16(tag & 0xffff);
    if (vr === 'SQ') {
      const items = v as El[][];
      const inner = new Writer(w.explicit, w.le);
      for (const it of items) {
        const body = new Writer(w.explicit, w.le);
        writeElements(body, it);
        inner.u16(0xfffe);
        inner.u16(0xe000);
        inner.u32(body.parts.length);
        inner.bytes(body.parts);
      }
      if (w.explicit) {
        w.bytes([83, 81, 0, 0]);
      }
      w.u32(inner.parts.length);
      w.bytes(inner.parts);
      continue;
    }
    const b = valueBytes(vr, v, w.le);
    if (w.explicit) {
      w.bytes([vr.charCodeAt(0), vr.charCodeAt(1)]);
      if (LONG_VR.has(vr)) {
        w.u16(0);
        w.u32(b.length);
      } else w.u16(b.length);
    } else w.u32(b.length);
    w.bytes(b);
  }
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Encapsulated Pixel Data (undefined length): empty BOT then one fragment per frame. */
export function encapsulated(frames: Uint8Array[]): Uint8Array {
  const w = new Writer(true, true);
  w.u16(0x7fe0);
  w.u16(0x0010);
  w.bytes([79, 66, 0, 0]);
  w.u32(0xffffffff);
  w.u16(0xfffe);
  w.u16(0xe000);
  w.u32(0);
  for (const f of frames) {
    const b = f.length % 2 ? concat([f, new Uint8Array(1)]) : f;
    w.u16(0xfffe);
    w.u16(0xe000);
    w.u32(b.length);
    w.bytes(b);
  }
  w.u16(0xfffe);
  w.u16(0xe0dd);
  w.u32(0);
  return new Uint8Array(w.parts);
}

/**
 * A Part 10 file: preamble, DICM, meta group (explicit LE), then the data set in `syntax`.
 * `pixelBytes` (already encoded for the syntax) is appended as (7FE0,0010) unless `encapsulatedPixels`.
 */
export function writeDicom(
  els: El[],
  syntax: Syntax = 'explicitLE',
  pixel?: { native?: Uint8Array; encapsulated?: Uint8Array },
  opts: { preamble?: boolean } = {},
): Uint8Array {
  const meta = new Writer(true, true);
  writeElements(meta, [
    [0x00020001, 'OB', new Uint8Array([0, 1])],
    [0x00020002, 'UI', '1.2.840.10008.5.1.4.1.1.2'],
    [0x00020003, 'UI', '1.2.3.4'],
    [0x00020010, 'UI', TS_UID[syntax]],
  ]);
  const group = new Writer(true, true);
  writeElements(group, [[0x00020000, 'UL', [meta.parts.length]]]);
  const explicit = syntax !== 'implicitLE';
  const le = syntax !== 'explicitBE';
  const body = new Writer(explicit, le);
  const all = [...els];
  if (pixel?.native) all.push([0x7fe00010, 'OW', pixel.native]);
  writeElements(body, all);
  let bodyBytes: Uint8Array = new Uint8Array(body.parts);
  if (pixel?.encapsulated) bodyBytes = concat([bodyBytes, pixel.encapsulated]);
  if (syntax === 'deflate') bodyBytes = deflateSync(bodyBytes);
  if (opts.preamble === false) return bodyBytes;
  const pre = new Uint8Array(132);
  pre.set([68, 73, 67, 77], 128);
  return concat([pre, new Uint8Array(group.parts), new Uint8Array(meta.parts), bodyBytes]);
}

/** Native pixel bytes of 16-bit values. */
export function pixels16(values: ArrayLike<number>, le = true): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) dv.setUint16(2 * i, values[i]! & 0xffff, le);
  return out;
}

/** PackBits with literal runs only, enough to exercise the RLE decoder with real segments. */
function packBits(b: Uint8Array): Uint8Array {
  const out: number[] = [];
  let i = 0;
  while (i < b.length) {
    // use a replicate run where 3+ equal bytes follow, else a literal run
    let r = 1;
    while (i + r < b.length && r < 128 && b[i + r] === b[i]) r++;
    if (r >= 3) {
      out.push(257 - r, b[i]!);
      i += r;
      continue;
    }
    const n = Math.min(128, b.length - i);
    out.push(n - 1);
    for (let k = 0; k < n; k++) out.push(b[i + k]!);
    i += n;
  }
  return new Uint8Array(out);
}

/** One RLE Lossless frame of 8- or 16-bit samples (PS3.5 G.3), sample planes MSB first. */
export function rleFrame(values: ArrayLike<number>, bytesPerSample: 1 | 2, samples = 1): Uint8Array {
  const np = values.length / samples;
  const segs: Uint8Array[] = [];
  for (let s = 0; s < samples; s++) {
    for (let b = bytesPerSample - 1; b >= 0; b--) {
      const plane = new Uint8Array(np);
      for (let i = 0; i < np; i++) plane[i] = (values[i * samples + s]! >>> (8 * b)) & 255;
      const p = packBits(plane);
      segs.push(p.length % 2 ? concat([p, new Uint8Array([128])]) : p);
    }
  }
  const header = new Uint8Array(64);
  const dv = new DataView(header.buffer);
  dv.setUint32(0, segs.length, true);
  let off = 64;
  segs.forEach((s, i) => {
    dv.setUint32(4 + 4 * i, off, true);
    off += s.length;
  });
  return concat([header, ...segs]);
}

export interface SliceSpec {
  rows?: number;
  columns?: number;
  position?: number[] | null;
  orientation?: number[];
  spacing?: number[];
  bitsAllocated?: number;
  bitsStored?: number;
  highBit?: number;
  signed?: boolean;
  photometric?: string;
  slope?: number;
  intercept?: number;
  series?: string;
  instance?: number;
  sop?: string;
  modality?: string;
  acquisition?: number;
  extra?: El[];
}

/** The usual image elements for a synthetic slice. */
export function sliceElements(s: SliceSpec): El[] {
  const rows = s.rows ?? 4;
  const cols = s.columns ?? 5;
  const ba = s.bitsAllocated ?? 16;
  const bs = s.bitsStored ?? ba;
  const els: El[] = [
    [0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.2'],
    [0x00080018, 'UI', s.sop ?? `1.2.3.4.${s.instance ?? 1}`],
    [0x00080060, 'CS', s.modality ?? 'CT'],
    [0x0020000d, 'UI', '1.2.3.1'],
    [0x0020000e, 'UI', s.series ?? '1.2.3.2'],
    [0x00200013, 'IS', String(s.instance ?? 1)],
    [0x00200052, 'UI', '1.2.3.3'],
    [0x00280002, 'US', [1]],
    [0x00280004, 'CS', s.photometric ?? 'MONOCHROME2'],
    [0x00280010, 'US', [rows]],
    [0x00280011, 'US', [cols]],
    [0x00280030, 'DS', (s.spacing ?? [0.5, 0.75]).join('\\')],
    [0x00280100, 'US', [ba]],
    [0x00280101, 'US', [bs]],
    [0x00280102, 'US', [s.highBit ?? bs - 1]],
    [0x00280103, 'US', [s.signed ? 1 : 0]],
  ];
  if (s.position !== null) els.push([0x00200032, 'DS', (s.position ?? [0, 0, 0]).join('\\')]);
  els.push([0x00200037, 'DS', (s.orientation ?? [1, 0, 0, 0, 1, 0]).join('\\')]);
  if (s.slope !== undefined) els.push([0x00281053, 'DS', String(s.slope)]);
  if (s.intercept !== undefined) els.push([0x00281052, 'DS', String(s.intercept)]);
  if (s.acquisition !== undefined) els.push([0x00200012, 'IS', String(s.acquisition)]);
  if (s.extra) els.push(...s.extra);
  return els;
}

/** A single-frame 16-bit native slice file. */
export function slice16(s: SliceSpec, values: ArrayLike<number>, syntax: Syntax = 'explicitLE'): Uint8Array {
  if (syntax === 'rle') {
    return writeDicom(sliceElements(s), 'rle', { encapsulated: encapsulated([rleFrame(values, 2)]) });
  }
  return writeDicom(sliceElements(s), syntax, { native: pixels16(values, syntax !== 'explicitBE') });
}
