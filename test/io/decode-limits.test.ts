import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { isMedImgError } from '../../src/core/errors.js';
import { checkCodestream, j2kSize, jpegSize } from '../../src/io/dicom/codecs/codestream.js';
import { parseDicom } from '../../src/io/dicom/ds-parse.js';
import { declaredImageBytes } from '../../src/io/dicom/inflate.js';
import {
  readDicomFile,
  readNifti,
  readNiftiBytes,
  readNrrd,
  readNrrdBytes,
  setMaxDecodedBytes,
  writeNifti,
} from '../../src/index.js';
import { encapsulated, writeDicom } from './dicom-synth.js';

// Every reproducer of issue 19 (decompression bombs, lying codestream headers, huge declared
// sizes, millions of sequence items) is generated here: no binary fixtures.

const MiB = 1024 ** 2;

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (isMedImgError(e)) return e.code;
    throw e;
  }
  return undefined;
}

function tinyVolume(n = 64) {
  return {
    data: new Uint8Array(n * n * n).fill(7),
    dims: [n, n, n] as [number, number, number],
    spacing: [1, 1, 1] as [number, number, number],
    origin: [0, 0, 0] as [number, number, number],
    direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] as [number, number, number, number, number, number, number, number, number],
    meta: {},
  };
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('gzip bombs stop at the declared size', () => {
  it('a .nii.gz whose header says 64^3 but inflates to 96 MiB ends in DECODE_LIMIT_EXCEEDED', async () => {
    const nii = writeNifti(tinyVolume(), { gzip: false });
    const bomb = gzipSync(Buffer.concat([nii, Buffer.alloc(96 * MiB)]), { level: 9 });
    expect(bomb.length).toBeLessThan(200 * 1024);
    expect(await codeOf(() => readNiftiBytes(new Uint8Array(bomb)))).toBe('DECODE_LIMIT_EXCEEDED');
    expect(await codeOf(readNifti(new Uint8Array(bomb)))).toBe('DECODE_LIMIT_EXCEEDED');
  });

  it('still reads an honest .nii.gz, and one with a little trailing padding', async () => {
    const nii = writeNifti(tinyVolume(), { gzip: false });
    const v = readNiftiBytes(new Uint8Array(gzipSync(Buffer.concat([nii, Buffer.alloc(1000)]))));
    expect(v.dims).toEqual([64, 64, 64]);
    expect(v.data[12345]).toBe(7);
  });

  it('a .nii.gz declaring more than the budget is refused before inflating', async () => {
    const nii = writeNifti(tinyVolume(), { gzip: true });
    expect(await codeOf(readNifti(nii, { maxDecodedBytes: 1000 }))).toBe('DECODE_LIMIT_EXCEEDED');
  });

  it('an NRRD gzip bomb ends in DECODE_LIMIT_EXCEEDED', () => {
    const head = Buffer.from('NRRD0004\ntype: uint8\ndimension: 3\nsizes: 8 8 8\nencoding: gzip\n\n');
    const bomb = Buffer.concat([head, gzipSync(Buffer.alloc(64 * MiB), { level: 9 })]);
    expect(() => readNrrdBytes(new Uint8Array(bomb))).toThrow(
      expect.objectContaining({ code: 'DECODE_LIMIT_EXCEEDED' }),
    );
  });

  it('an NRRD declaring more than the budget is refused', () => {
    const head = Buffer.from(
      'NRRD0004\ntype: float\ndimension: 3\nsizes: 1024 1024 1024\nencoding: raw\nendian: little\n\n',
    );
    expect(() => readNrrdBytes(new Uint8Array(head))).toThrow(
      expect.objectContaining({ code: 'DECODE_LIMIT_EXCEEDED' }),
    );
  });
});

describe('NRRD detached data files stay inside the header folder', () => {
  it("refuses absolute and '..' data files unless allowed", async () => {
    const root = mkdtempSync(join(tmpdir(), 'medimg-nrrd-'));
    dirs.push(root);
    mkdirSync(join(root, 'hdr'));
    writeFileSync(join(root, 'outside.raw'), Buffer.alloc(8, 5));
    writeFileSync(join(root, 'hdr', 'inside.raw'), Buffer.alloc(8, 3));
    const nhdr = (file: string) =>
      `NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 2 2\nencoding: raw\ndata file: ${file}\n\n`;
    writeFileSync(join(root, 'hdr', 'up.nhdr'), nhdr('../outside.raw'));
    writeFileSync(join(root, 'hdr', 'abs.nhdr'), nhdr('/etc/passwd'));
    writeFileSync(join(root, 'hdr', 'ok.nhdr'), nhdr('inside.raw'));
    expect(await codeOf(readNrrd(join(root, 'hdr', 'up.nhdr')))).toBe('NRRD_INVALID');
    expect(await codeOf(readNrrd(join(root, 'hdr', 'abs.nhdr')))).toBe('NRRD_INVALID');
    expect((await readNrrd(join(root, 'hdr', 'ok.nhdr'))).data[0]).toBe(3);
    const up = await readNrrd(join(root, 'hdr', 'up.nhdr'), { allowDataFilesOutside: true });
    expect(up.data[0]).toBe(5);
  });
});

/** A Deflated Explicit VR LE file around `body` (explicit LE data set bytes), deflated here. */
function deflatedDicom(body: Uint8Array): Uint8Array {
  const withEmpty = writeDicom([], 'deflate');
  const emptyLen = deflateRawSync(new Uint8Array(0)).length;
  // writeDicom deflates with fflate; cut its (empty) deflated body and append ours
  const prefix = withEmpty.subarray(0, withEmpty.length - emptyLen);
  return new Uint8Array(Buffer.concat([prefix, deflateRawSync(body, { level: 9 })]));
}

function imageHeader(rows: number, columns: number, frames?: number): Uint8Array {
  const els: Parameters<typeof writeDicom>[0] = [
    [0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7'],
    [0x00280002, 'US', [1]],
    [0x00280004, 'CS', 'MONOCHROME2'],
  ];
  if (frames !== undefined) els.push([0x00280008, 'IS', String(frames)]);
  els.push(
    [0x00280010, 'US', [rows]],
    [0x00280011, 'US', [columns]],
    [0x00280100, 'US', [16]],
    [0x00280101, 'US', [16]],
    [0x00280102, 'US', [15]],
    [0x00280103, 'US', [0]],
  );
  return writeDicom(els, 'explicitLE', undefined, { preamble: false });
}

function owHeader(len: number): Uint8Array {
  const b = Buffer.alloc(12);
  b.writeUInt16LE(0x7fe0, 0);
  b.writeUInt16LE(0x0010, 2);
  b.write('OW', 4, 'latin1');
  b.writeUInt32LE(len, 8);
  return b;
}

describe('deflated DICOM', () => {
  it('finds the declared image size in the inflated head', () => {
    expect(declaredImageBytes(imageHeader(64, 32, 3))).toBe(64 * 32 * 2 * 3);
    expect(declaredImageBytes(new Uint8Array(100))).toBeUndefined();
  });

  it('a 64x64 file whose deflated data set inflates to 160 MiB ends in DECODE_LIMIT_EXCEEDED', async () => {
    const big = 160 * MiB;
    const bomb = deflatedDicom(Buffer.concat([imageHeader(64, 64), owHeader(big), Buffer.alloc(big)]));
    expect(bomb.length).toBeLessThan(300 * 1024);
    expect(await codeOf(readDicomFile(bomb))).toBe('DECODE_LIMIT_EXCEEDED');
  });

  it('an honest deflated file still reads', async () => {
    const px = Buffer.alloc(64 * 64 * 2, 1);
    const ok = deflatedDicom(Buffer.concat([imageHeader(64, 64), owHeader(px.length), px]));
    const img = await readDicomFile(ok);
    expect(img.rows).toBe(64);
  });
});

/** A JPEG 2000 codestream holding only SOC and SIZ (what the codec would size its buffers from). */
function j2kHeader(width: number, height: number, tile = 0): Uint8Array {
  const b = Buffer.alloc(4 + 41 + 3);
  b.writeUInt16BE(0xff4f, 0);
  b.writeUInt16BE(0xff51, 2);
  b.writeUInt16BE(41, 4);
  b.writeUInt32BE(width, 8);
  b.writeUInt32BE(height, 12);
  b.writeUInt32BE(tile || width, 24);
  b.writeUInt32BE(tile || height, 28);
  b.writeUInt16BE(1, 40);
  b.writeUInt8(15, 42);
  b.writeUInt8(1, 43);
  b.writeUInt8(1, 44);
  return b;
}

describe('codec input checks run before the codec', () => {
  it('reads sizes from SOF, SOF55 and SIZ', () => {
    const sof = (m: number) => new Uint8Array([0xff, 0xd8, 0xff, m, 0, 11, 16, 0x01, 0x00, 0x02, 0x00, 1, 0, 0, 0]);
    expect(jpegSize(sof(0xc1), false)).toEqual({ width: 512, height: 256, components: 1 });
    expect(jpegSize(sof(0xf7), true)).toEqual({ width: 512, height: 256, components: 1 });
    expect(jpegSize(sof(0xc4), false)).toBeUndefined();
    expect(j2kSize(j2kHeader(512, 256))).toMatchObject({ width: 512, height: 256, components: 1, tiles: 1 });
  });

  it('a J2K frame whose SIZ claims 2.5 M rows in a 64x64 image is refused before decoding', async () => {
    const frame = j2kHeader(64, 2_500_000);
    const file = writeDicom([...dicomImageEls(64, 64)], 'j2k', { encapsulated: encapsulated([frame]) });
    expect(await codeOf(readDicomFile(file))).toBe('DICOM_PIXEL_LENGTH_MISMATCH');
  });

  it('a J2K frame of a million tiles is refused', () => {
    expect(() =>
      checkCodestream('j2k', j2kHeader(4096, 4096, 2), { rows: 4096, columns: 4096, samplesPerPixel: 1 }),
    ).toThrow(expect.objectContaining({ code: 'DICOM_PIXEL_LENGTH_MISMATCH' }));
  });

  it('rows x columns x frames past 2^32 gives a coded error, not a RangeError', async () => {
    const file = writeDicom([...dicomImageEls(16384, 16384, 64)], 'j2k', {
      encapsulated: encapsulated([j2kHeader(16384, 16384)]),
    });
    expect(await codeOf(readDicomFile(file))).toBe('DECODE_LIMIT_EXCEEDED');
  });

  it('the budget is configurable', async () => {
    const px = Buffer.alloc(64 * 64 * 2, 1);
    const file = writeDicom([...dicomImageEls(64, 64)], 'explicitLE', { native: px });
    setMaxDecodedBytes(1000);
    try {
      expect(await codeOf(readDicomFile(file))).toBe('DECODE_LIMIT_EXCEEDED');
    } finally {
      setMaxDecodedBytes(undefined);
    }
    expect((await readDicomFile(file)).rows).toBe(64);
  });
});

function dicomImageEls(rows: number, columns: number, frames?: number): Parameters<typeof writeDicom>[0] {
  const els: Parameters<typeof writeDicom>[0] = [
    [0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7'],
    [0x00080018, 'UI', '1.2.3.4.5'],
    [0x00280002, 'US', [1]],
    [0x00280004, 'CS', 'MONOCHROME2'],
  ];
  if (frames !== undefined) els.push([0x00280008, 'IS', String(frames)]);
  els.push(
    [0x00280010, 'US', [rows]],
    [0x00280011, 'US', [columns]],
    [0x00280100, 'US', [16]],
    [0x00280101, 'US', [16]],
    [0x00280102, 'US', [15]],
    [0x00280103, 'US', [0]],
  );
  return els;
}

describe('structure counts are bounded', () => {
  it('8 M empty sequence items end in DECODE_LIMIT_EXCEEDED, not a V8 out-of-memory crash', () => {
    const items = 8 * 1024 * 1024;
    const head = writeDicom([[0x00100010, 'PN', 'X']], 'explicitLE');
    const seq = Buffer.alloc(12);
    seq.writeUInt16LE(0x0008, 0);
    seq.writeUInt16LE(0x1115, 2);
    seq.write('SQ', 4, 'latin1');
    seq.writeUInt32LE(0xffffffff, 8);
    const body = new Uint32Array(items * 2 + 2);
    for (let i = 0; i < items; i++) body[2 * i] = 0xe000fffe; // item tag (FFFE,E000) LE, length 0
    body[2 * items] = 0xe0ddfffe; // sequence delimiter
    const file = new Uint8Array(Buffer.concat([head, seq, new Uint8Array(body.buffer)]));
    expect(file.length).toBeGreaterThan(64 * MiB);
    expect(() => parseDicom(file)).toThrow(expect.objectContaining({ code: 'DECODE_LIMIT_EXCEEDED' }));
  });
});
