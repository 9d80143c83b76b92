/**
 * Issue 19 reproducers, timed: each crafted file is written to a temporary folder first, then read
 * in a fresh process, which reports its wall time, the error code and its peak RSS above a bare
 * Node process (the codec worker thread included), and its CPU time. Run: node --import tsx bench/hostile-inputs.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createGzip, deflateRawSync } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createWriteStream } from 'node:fs';

const GiB = 1024 ** 3;
const self = new URL(import.meta.url).pathname;

async function gzipZeros(head: Uint8Array, zeros: number, out: string): Promise<void> {
  const chunk = Buffer.alloc(1 << 24);
  async function* gen() {
    yield Buffer.from(head);
    for (let left = zeros; left > 0; left -= chunk.length) yield left >= chunk.length ? chunk : chunk.subarray(0, left);
  }
  await pipeline(Readable.from(gen()), createGzip({ level: 9 }), createWriteStream(out));
}

async function make(dir: string): Promise<Record<string, string>> {
  const { writeNifti } = await import('../src/index.js');
  const { writeDicom, encapsulated } = await import('../test/io/dicom-synth.js');
  const n = 64;
  const nii = writeNifti(
    {
      data: new Uint8Array(n * n * n),
      dims: [n, n, n],
      spacing: [1, 1, 1],
      origin: [0, 0, 0],
      direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
      meta: {},
    },
    { gzip: false },
  );
  const files: Record<string, string> = {};
  files.niiGzBomb = join(dir, 'bomb.nii.gz');
  await gzipZeros(nii, GiB, files.niiGzBomb);
  files.nrrdGzBomb = join(dir, 'bomb.nrrd.gz-body');
  await gzipZeros(new Uint8Array(0), GiB, files.nrrdGzBomb);
  // deflated DICOM: 64x64 declared, 1 GiB of pixel data inside
  const img: Parameters<typeof writeDicom>[0] = [
    [0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7'],
    [0x00280002, 'US', [1]],
    [0x00280010, 'US', [64]],
    [0x00280011, 'US', [64]],
    [0x00280100, 'US', [16]],
  ];
  const body = writeDicom(img, 'explicitLE', undefined, { preamble: false });
  const ow = Buffer.alloc(12);
  ow.writeUInt16LE(0x7fe0, 0);
  ow.writeUInt16LE(0x0010, 2);
  ow.write('OW', 4, 'latin1');
  ow.writeUInt32LE(GiB, 8);
  const pre = writeDicom([], 'deflate');
  const emptyLen = deflateRawSync(new Uint8Array(0)).length;
  const big = Buffer.alloc(GiB / 4);
  const raw = Buffer.concat([body, ow, big, big, big, big]);
  files.deflateBomb = join(dir, 'bomb-deflate.dcm');
  writeFileSync(
    files.deflateBomb,
    Buffer.concat([pre.subarray(0, pre.length - emptyLen), deflateRawSync(raw, { level: 9 })]),
  );
  // JPEG 2000 whose SIZ claims 2.5 M rows in a 64x64 image
  const siz = Buffer.alloc(48);
  siz.writeUInt16BE(0xff4f, 0);
  siz.writeUInt16BE(0xff51, 2);
  siz.writeUInt16BE(41, 4);
  siz.writeUInt32BE(64, 8);
  siz.writeUInt32BE(2_500_000, 12);
  siz.writeUInt32BE(64, 24);
  siz.writeUInt32BE(2_500_000, 28);
  siz.writeUInt16BE(1, 40);
  siz.writeUInt8(15, 42);
  siz.writeUInt8(1, 43);
  siz.writeUInt8(1, 44);
  const j2kEls: Parameters<typeof writeDicom>[0] = [
    ...img,
    [0x00280004, 'CS', 'MONOCHROME2'],
    [0x00280101, 'US', [16]],
    [0x00280102, 'US', [15]],
    [0x00280103, 'US', [0]],
  ];
  files.j2kSiz = join(dir, 'j2k-siz.dcm');
  writeFileSync(files.j2kSiz, writeDicom(j2kEls, 'j2k', { encapsulated: encapsulated([siz]) }));
  // rows x columns x frames past 2^32
  const hugeEls: Parameters<typeof writeDicom>[0] = [
    [0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7'],
    [0x00280002, 'US', [1]],
    [0x00280004, 'CS', 'MONOCHROME2'],
    [0x00280008, 'IS', '64'],
    [0x00280010, 'US', [16384]],
    [0x00280011, 'US', [16384]],
    [0x00280100, 'US', [16]],
    [0x00280101, 'US', [16]],
    [0x00280102, 'US', [15]],
    [0x00280103, 'US', [0]],
  ];
  files.past2to32 = join(dir, 'huge.dcm');
  writeFileSync(files.past2to32, writeDicom(hugeEls, 'j2k', { encapsulated: encapsulated([siz]) }));
  // 8 M empty sequence items
  const items = 8 * 1024 * 1024;
  const seq = Buffer.alloc(12);
  seq.writeUInt16LE(0x0008, 0);
  seq.writeUInt16LE(0x1115, 2);
  seq.write('SQ', 4, 'latin1');
  seq.writeUInt32LE(0xffffffff, 8);
  const words = new Uint32Array(items * 2 + 2);
  for (let i = 0; i < items; i++) words[2 * i] = 0xe000fffe;
  words[2 * items] = 0xe0ddfffe;
  files.items8M = join(dir, 'items.dcm');
  writeFileSync(
    files.items8M,
    Buffer.concat([writeDicom([[0x00100010, 'PN', 'X']]), seq, new Uint8Array(words.buffer)]),
  );
  // Corrupt bodies behind valid headers, made from real files (when ../shared/data is there): a few
  // flipped bits in the entropy-coded data of a 15-bit JPEG 2000 chest radiograph and of a JPEG-LS
  // MR, and a 10-frame JPEG 2000 file whose frames 3 and 7 are cut short.
  const data = join(dirname(self), '../../shared/data/dicom');
  if (existsSync(data)) {
    const { parseDicom } = await import('../src/io/dicom/ds-parse.js');
    const { tag } = await import('../src/io/dicom/ds-model.js');
    const { readPixelInfo } = await import('../src/io/dicom/pixel.js');
    const { Rng } = await import('../src/core/random.js');
    const flip = (src: Uint8Array, n: number, seed: number): Uint8Array => {
      const frags = parseDicom(src).dataset.get(tag(0x7fe0, 0x0010))!.fragments!;
      const out = src.slice();
      const rng = new Rng(seed);
      for (let k = 0; k < n; k++) {
        const f = frags[rng.int(0, frags.length - 1)]!.data;
        const p = f.byteOffset - src.byteOffset + rng.int(f === frags[0]!.data ? 1000 : 0, f.length - 1);
        out[p] = out[p]! ^ (1 << rng.int(0, 7));
      }
      return out;
    };
    const chest = new Uint8Array(readFileSync(join(data, 'radiography/cr_philips_chest_mono1_15bit_j2ki.dcm')));
    files.j2kCorruptBody = join(dir, 'j2k-corrupt.dcm');
    writeFileSync(files.j2kCorruptBody, flip(chest, 8, 19));
    files.j2kCorruptBodyLimit100ms = files.j2kCorruptBody;
    const jls = new Uint8Array(readFileSync(join(data, 'transfer_syntax_MR_small/MR_small_jpeg_ls_lossless.dcm')));
    files.jlsCorruptBody = join(dir, 'jls-corrupt.dcm');
    writeFileSync(files.jlsCorruptBody, flip(jls, 4, 19));
    const mr = new Uint8Array(readFileSync(join(data, 'transfer_syntax_MR_small/MR_small_jp2klossless.dcm')));
    const parsed = parseDicom(mr);
    const info = readPixelInfo(parsed);
    const f0 = parsed.dataset.get(tag(0x7fe0, 0x0010))!.fragments![0]!.data;
    const frames = Array.from({ length: 10 }, (_, i) =>
      i === 3 || i === 7 ? f0.slice(0, f0.length >> 1) : f0.slice(),
    );
    files.j2kCutFrames = join(dir, 'j2k-10-frames.dcm');
    writeFileSync(
      files.j2kCutFrames,
      writeDicom(
        [
          [0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.4.1'],
          [0x00280002, 'US', [1]],
          [0x00280004, 'CS', 'MONOCHROME2'],
          [0x00280008, 'IS', '10'],
          [0x00280010, 'US', [info.rows]],
          [0x00280011, 'US', [info.columns]],
          [0x00280100, 'US', [info.bitsAllocated]],
          [0x00280101, 'US', [info.bitsStored]],
          [0x00280102, 'US', [info.highBit]],
          [0x00280103, 'US', [info.pixelRepresentation]],
        ],
        'j2k',
        { encapsulated: encapsulated(frames) },
      ),
    );
  }
  return files;
}

async function child(kind: string, file: string): Promise<void> {
  const m = await import('../src/index.js');
  const { prepareDicomBytes } = await import('../src/io/dicom/ds-parse.js');
  const bytes = new Uint8Array(readFileSync(file));
  const base = process.memoryUsage().rss;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let code = 'OK';
  try {
    if (kind === 'niiGzBomb') m.readNiftiBytes(bytes);
    else if (kind === 'nrrdGzBomb') {
      const head = Buffer.from('NRRD0004\ntype: uint8\ndimension: 3\nsizes: 64 64 64\nencoding: gzip\n\n');
      m.readNrrdBytes(new Uint8Array(Buffer.concat([head, bytes])));
    } else if (kind === 'items8M') m.deidentify(bytes);
    else {
      if (kind === 'j2kCorruptBodyLimit100ms') m.setCodecTimeLimit({ baseMs: 100, msPerMegasample: 0 });
      await prepareDicomBytes(bytes);
      await m.readDicomFile(bytes);
    }
  } catch (e) {
    code = (e as { code?: string }).code ?? `uncoded ${String(e).slice(0, 60)}`;
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(
    JSON.stringify({
      kind,
      fileMB: +(bytes.length / 2 ** 20).toFixed(2),
      ms: Math.round(ms),
      // CPU of the whole process (main thread and the codec worker): the machine may be shared
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      code,
      peakAboveStartMB: Math.round((peak - base) / 2 ** 20),
    }),
  );
}

if (process.argv[2]) {
  await child(process.argv[2], process.argv[3]!);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'medimg-hostile-'));
  try {
    const files = await make(dir);
    for (const [kind, file] of Object.entries(files)) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', self, kind, file], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      process.stdout.write(r.stdout || `${kind}: exit ${r.status} ${r.stderr.slice(-300)}\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
