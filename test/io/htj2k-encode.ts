// Test helper: HTJ2K DICOM made by the reference encoder (OpenJPH's ojph_compress, Debian
// openjph-tools) from the stored pixels of a real DICOM file, wrapped back into that file's own data
// set. Generated at test time; nothing binary is committed.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readDicomFile } from '../../src/index.js';
import { type DicomDataset, tag } from '../../src/io/dicom/ds-model.js';
import { parseDicom } from '../../src/io/dicom/ds-parse.js';
import { writePart10 } from '../../src/io/dicom/write.js';
import type { StoredArray } from '../../src/io/dicom/pixel.js';

/** One way of encoding: the transfer syntax it is labelled with and ojph_compress's options. */
export interface Htj2kCase {
  name: string;
  syntax: string;
  reversible: boolean;
  args: string[];
}

export const HTJ2K_CASES: Htj2kCase[] = [
  { name: 'lossless', syntax: '1.2.840.10008.1.2.4.201', reversible: true, args: ['-reversible', 'true'] },
  {
    name: 'lossless-rpcl',
    syntax: '1.2.840.10008.1.2.4.202',
    reversible: true,
    args: ['-reversible', 'true', '-prog_order', 'RPCL'],
  },
  {
    name: 'reversible-203',
    syntax: '1.2.840.10008.1.2.4.203',
    reversible: true,
    args: ['-reversible', 'true', '-num_decomps', '3', '-block_size', '{32,32}'],
  },
  { name: 'lossy', syntax: '1.2.840.10008.1.2.4.203', reversible: false, args: ['-qstep', '0.002'] },
];

/** A real DICOM file's data set and stored pixels. */
export interface Source {
  key: string;
  dataset: DicomDataset;
  meta: DicomDataset;
  pixels: StoredArray;
  rows: number;
  columns: number;
  frames: number;
  bitsStored: number;
  signed: boolean;
}

export async function readSource(path: string): Promise<Source> {
  const bytes = new Uint8Array(readFileSync(path));
  const parsed = parseDicom(bytes);
  const img = await readDicomFile(bytes, { raw: true });
  if (img.samplesPerPixel !== 1) throw new Error('grey sources only');
  return {
    key: `${
      basename(dirname(path))
        .split('_')
        .find((s) => /^A\d{4}$/.test(s)) ?? basename(dirname(path))
    }_${basename(path, '.dcm')}`,
    dataset: parsed.dataset,
    meta: parsed.meta,
    pixels: img.pixels as StoredArray,
    rows: img.rows,
    columns: img.columns,
    frames: img.frames,
    bitsStored: img.bitsStored,
    signed: img.pixelRepresentation === 1,
  };
}

/**
 * Encodes every frame with ojph_compress and returns the source's data set as a Part 10 file of
 * `c.syntax` (one fragment per frame, empty Basic Offset Table). `patch` may alter each codestream.
 *
 * Signed sources are coded as unsigned components holding the two's-complement bit pattern of
 * BitsStored bits (the reader sign-extends by Pixel Representation): Debian's ojph_compress 0.9
 * reads raw input samples as unsigned, so a component declared signed gets out-of-range values
 * (both OpenJPH 0.21+ and OpenJPEG 2.5 then clamp negatives to 32767; checked by hand).
 */
export function htj2kDicom(
  src: Source,
  c: Htj2kCase,
  work: string,
  patch?: (cs: Uint8Array) => Uint8Array,
): Uint8Array {
  const n = src.rows * src.columns;
  const bytesPer = src.bitsStored <= 8 ? 1 : 2;
  const mask = src.bitsStored >= 32 ? 0xffffffff : 2 ** src.bitsStored - 1;
  const codestreams: Uint8Array[] = [];
  for (let f = 0; f < src.frames; f++) {
    const raw = new Uint8Array(n * bytesPer);
    const dv = new DataView(raw.buffer);
    for (let i = 0; i < n; i++) {
      const v = src.pixels[f * n + i]! & mask;
      if (bytesPer === 1) raw[i] = v;
      else dv.setUint16(2 * i, v, true);
    }
    const base = join(work, `${src.key}-${c.name}-${f}`);
    writeFileSync(`${base}.yuv`, raw);
    execFileSync(
      'ojph_compress',
      [
        '-i',
        `${base}.yuv`,
        '-o',
        `${base}.j2c`,
        '-dims',
        `{${src.columns},${src.rows}}`,
        '-num_comps',
        '1',
        '-signed',
        'false',
        '-bit_depth',
        String(src.bitsStored),
        '-downsamp',
        '{1,1}',
        ...c.args,
      ],
      { stdio: 'pipe' },
    );
    const cs = new Uint8Array(readFileSync(`${base}.j2c`));
    codestreams.push(patch ? patch(cs) : cs);
  }
  const ds: DicomDataset = new Map(src.dataset);
  ds.set(tag(0x7fe0, 0x0010), { vr: 'OB', encapsulated: encapsulatedValue(codestreams) });
  // an uncompressed source may carry Lossy Image Compression 00; a lossy encoding says 01
  if (!c.reversible) ds.set(tag(0x0028, 0x2110), { vr: 'CS', value: new TextEncoder().encode('01') });
  return writePart10(ds, { transferSyntaxUid: c.syntax, meta: src.meta });
}

/** Encapsulated Pixel Data after its element header: empty offset table, one item per frame, delimiter. */
function encapsulatedValue(frames: Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [item(0xe000, new Uint8Array(0))];
  for (const f of frames) parts.push(item(0xe000, f.length % 2 ? concat([f, new Uint8Array(1)]) : f));
  parts.push(item(0xe0dd, new Uint8Array(0)));
  return concat(parts);
}

function item(element: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + value.length);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, 0xfffe, true);
  dv.setUint16(2, element, true);
  dv.setUint32(4, value.length, true);
  out.set(value, 8);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The reference decoder's output (ojph_expand) of one codestream as unsigned samples. */
export function ojphExpand(j2c: string, work: string, bitsStored: number): Uint8Array | Uint16Array {
  const out = join(work, `${basename(j2c, '.j2c')}-expand.yuv`);
  execFileSync('ojph_expand', ['-i', j2c, '-o', out], { stdio: 'pipe' });
  const b = new Uint8Array(readFileSync(out));
  return bitsStored <= 8 ? b : new Uint16Array(b.buffer, b.byteOffset, b.length / 2);
}
