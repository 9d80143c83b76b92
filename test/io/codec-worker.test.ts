import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isMedImgError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/random.js';
import { codecTimeLimit, readDicomFile, setCodecTimeLimit } from '../../src/index.js';
import { setCodecRunner } from '../../src/io/dicom/codecs/run.js';
import { codecWorkersStarted, workerCodecRunner } from '../../src/io/dicom/codecs/worker-pool.js';
import { tag } from '../../src/io/dicom/ds-model.js';
import { parseDicom } from '../../src/io/dicom/ds-parse.js';
import { encapsulatedFrame, readPixelInfo } from '../../src/io/dicom/pixel.js';
import { dataPath, describeData } from '../helpers/data.js';
import { encapsulated, writeDicom } from './dicom-synth.js';

// Issue 19: the WebAssembly codecs run in a worker thread (Node) that a time limit or an abort
// stops; a frame the codec reports as broken fails the read. Every corrupt stream is made here
// from a real file by flipping or cutting bytes: no binary fixtures.

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    if (isMedImgError(e)) return e.code;
    throw e;
  }
  return undefined;
}

const file = (...p: string[]) => new Uint8Array(readFileSync(dataPath('dicom', ...p)));

/** Where the first frame's codestream lies in the file (a frame in one fragment is a view of it). */
function frameSpan(bytes: Uint8Array): { start: number; length: number } {
  const parsed = parseDicom(bytes);
  const info = readPixelInfo(parsed);
  const f = encapsulatedFrame(parsed.dataset, info.frames, info.transferSyntax, 0);
  expect(f.buffer === bytes.buffer).toBe(true);
  return { start: f.byteOffset - bytes.byteOffset, length: f.length };
}

/** `bytes` with `n` bits flipped in the entropy-coded data of its Pixel Data fragments (past the headers). */
function flipBody(bytes: Uint8Array, n: number, seed: number): Uint8Array {
  const frags = parseDicom(bytes).dataset.get(tag(0x7fe0, 0x0010))!.fragments!;
  const spans = frags.map((f) => ({ start: f.data.byteOffset - bytes.byteOffset, length: f.data.length }));
  const out = bytes.slice();
  const rng = new Rng(seed);
  for (let k = 0; k < n; k++) {
    const s = spans[rng.int(0, spans.length - 1)]!;
    const skip = s === spans[0] ? Math.min(1000, s.length >> 2) : 0;
    const p = s.start + rng.int(skip, s.length - 1);
    out[p] = out[p]! ^ (1 << rng.int(0, 7));
  }
  return out;
}

/** A multi-frame JPEG 2000 file with the Image Pixel module of `src` (a J2K file) and these frames. */
function multiFrame(src: Uint8Array, frames: Uint8Array[]): Uint8Array {
  const info = readPixelInfo(parseDicom(src));
  return writeDicom(
    [
      [0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.4.1'],
      [0x00280002, 'US', [1]],
      [0x00280004, 'CS', 'MONOCHROME2'],
      [0x00280008, 'IS', String(frames.length)],
      [0x00280010, 'US', [info.rows]],
      [0x00280011, 'US', [info.columns]],
      [0x00280100, 'US', [info.bitsAllocated]],
      [0x00280101, 'US', [info.bitsStored]],
      [0x00280102, 'US', [info.highBit]],
      [0x00280103, 'US', [info.pixelRepresentation]],
    ],
    'j2k',
    { encapsulated: encapsulated(frames) },
  );
}

function inThread<T>(fn: () => Promise<T>): Promise<T> {
  setCodecRunner(undefined);
  return fn().finally(() => setCodecRunner(workerCodecRunner()));
}

afterEach(() => setCodecTimeLimit(undefined));

describe('codec time limit settings', () => {
  it('validates, merges and restores', () => {
    expect(codecTimeLimit()).toEqual({ baseMs: 2000, msPerMegasample: 2000 });
    setCodecTimeLimit({ baseMs: 500 });
    expect(codecTimeLimit()).toEqual({ baseMs: 500, msPerMegasample: 2000 });
    expect(() => setCodecTimeLimit({ msPerMegasample: -1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => setCodecTimeLimit({ baseMs: 0, msPerMegasample: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    setCodecTimeLimit(undefined);
    expect(codecTimeLimit()).toEqual({ baseMs: 2000, msPerMegasample: 2000 });
  });
});

describeData('codecs in a worker thread (issue 19)', () => {
  const REAL = [
    ['transfer_syntax_MR_small', 'MR_small_jp2klossless.dcm'],
    ['transfer_syntax_MR_small', 'MR_small_jpeg_ls_lossless.dcm'],
    ['radiography', 'cr_fuji_tibia_mono1_10bit_j2kr.dcm'],
  ];

  it.each(REAL)('%s/%s: the worker decodes bit for bit what the in-thread codec does', async (...p) => {
    const bytes = file(...p);
    const before = codecWorkersStarted();
    const viaWorker = await readDicomFile(bytes, { raw: true });
    expect(codecWorkersStarted()).toBeGreaterThanOrEqual(Math.max(1, before));
    const here = await inThread(() => readDicomFile(bytes, { raw: true }));
    expect(viaWorker.pixels.constructor).toBe(here.pixels.constructor);
    expect(viaWorker.pixels.length).toBe(here.pixels.length);
    expect(Buffer.from(viaWorker.pixels.buffer).equals(Buffer.from(here.pixels.buffer))).toBe(true);
  });

  it.each([
    ['transfer_syntax_MR_small', 'MR_small_jp2klossless.dcm'],
    ['radiography', 'us_philips_mono2_8bit_jpegll.dcm'],
  ])('a Node Buffer input (%s/%s) decodes like a Uint8Array and is left whole', async (...p) => {
    // Buffer#slice is a view: a frame "copied" with it would carry (and detach) the whole file
    const buf = readFileSync(dataPath('dicom', ...p));
    const copy = Buffer.from(buf);
    const fromBuffer = await readDicomFile(buf, { raw: true });
    const fromArray = await readDicomFile(new Uint8Array(copy), { raw: true });
    expect(Buffer.from(fromBuffer.pixels.buffer).equals(Buffer.from(fromArray.pixels.buffer))).toBe(true);
    expect(buf.buffer.byteLength).toBeGreaterThan(0);
    expect(buf.equals(copy)).toBe(true);
  });

  it('a J2K frame with a corrupt body that runs past the time limit ends in CODEC_TIMEOUT; the next frame gets a fresh worker', async () => {
    // the 1760x1760 tibia takes 0.2-2 s of CPU to decode, corrupt or not: a 20 ms limit cuts it
    const corrupt = flipBody(file('radiography', 'cr_fuji_tibia_mono1_10bit_j2kr.dcm'), 6, 19);
    setCodecTimeLimit({ baseMs: 20, msPerMegasample: 0 });
    const started = codecWorkersStarted();
    let error: unknown;
    await readDicomFile(corrupt).catch((e) => {
      error = e;
    });
    expect(error).toMatchObject({ code: 'CODEC_TIMEOUT', details: { limitMs: 20 } });
    expect(typeof (error as { details: { cpuMs: unknown } }).details.cpuMs).toBe('number');
    setCodecTimeLimit(undefined);
    const ok = await readDicomFile(file('transfer_syntax_MR_small', 'MR_small_jp2klossless.dcm'));
    expect(ok.pixels.length).toBe(64 * 64);
    expect(codecWorkersStarted()).toBe(started + 1);
  });

  it('an abort mid-decode ends in ABORTED at once and the next frame decodes', async () => {
    // 12 tibia frames (0.2-2 s of CPU each): an abort 300 ms in lands inside a decode or between two
    const tibia = file('radiography', 'cr_fuji_tibia_mono1_10bit_j2kr.dcm');
    const parsed = parseDicom(tibia);
    const one = encapsulatedFrame(parsed.dataset, 1, readPixelInfo(parsed).transferSyntax, 0).slice();
    const bytes = multiFrame(
      tibia,
      Array.from({ length: 12 }, () => one),
    );
    const ac = new AbortController();
    const read = readDicomFile(bytes, { signal: ac.signal });
    setTimeout(() => ac.abort(), 300);
    expect(await codeOf(read)).toBe('ABORTED');
    // queued reads behind an aborted one still run
    const a = readDicomFile(file('transfer_syntax_MR_small', 'MR_small_jpeg_ls_lossless.dcm'), { raw: true });
    const b = readDicomFile(file('transfer_syntax_MR_small', 'MR_small_jp2klossless.dcm'), { raw: true });
    const [ra, rb] = await Promise.all([a, b]);
    expect(Buffer.from(ra.pixels.buffer).equals(Buffer.from(rb.pixels.buffer))).toBe(true);
    // an already aborted signal never reaches the codec
    expect(await codeOf(readDicomFile(bytes, { signal: AbortSignal.abort() }))).toBe('ABORTED');
  });

  it('JPEG-LS frames with flipped body bytes fail with a coded error (worker and in-thread alike)', async () => {
    const src = file('transfer_syntax_MR_small', 'MR_small_jpeg_ls_lossless.dcm');
    for (let seed = 1; seed <= 6; seed++) {
      const bad = flipBody(src, 4, seed);
      const w = await codeOf(readDicomFile(bad));
      expect(w).toBe('DICOM_DECODE_FAILED');
      expect(await codeOf(inThread(() => readDicomFile(bad)))).toBe(w);
    }
  });

  describe('a 10-frame JPEG 2000 file with corrupt frames never gives wrong pixels silently', () => {
    const src = file('transfer_syntax_MR_small', 'MR_small_jp2klossless.dcm');
    const tenFrames = (frames: Uint8Array[]) => multiFrame(src, frames);
    const frame = () => {
      const { start, length } = frameSpan(src);
      return src.slice(start, start + length);
    };

    it('10 intact frames: every frame equals the single-frame file', async () => {
      const one = await readDicomFile(src, { raw: true });
      const ten = await readDicomFile(tenFrames(Array.from({ length: 10 }, frame)), { raw: true });
      expect(ten.frames).toBe(10);
      const n = one.pixels.length;
      for (let f = 0; f < 10; f++)
        expect(Array.from(ten.pixels.subarray(f * n, (f + 1) * n))).toEqual(Array.from(one.pixels));
    });

    it('frames cut short or with a broken marker fail the read (DICOM_DECODE_FAILED), worker and in-thread', async () => {
      // OpenJPEG prints "[ERROR] ..." for these and returns normally, its output buffer still
      // holding the previous frame; the read must fail on those lines, whatever frame info is left
      const f0 = frame();
      const cut = (k: number) => f0.slice(0, Math.round(f0.length * k));
      const brokenCod = () => {
        const b = f0.slice();
        const cod = b.findIndex((v, i) => v === 0xff && b[i + 1] === 0x52);
        b[cod + 2] = 0; // Lcod 0..: "Error reading COD marker"
        b[cod + 3] = 2;
        return b;
      };
      for (const bad of [cut(0.7), cut(0.5), brokenCod()]) {
        const frames = Array.from({ length: 10 }, frame);
        frames[3] = bad;
        frames[7] = bad;
        const ten = tenFrames(frames);
        expect(await codeOf(readDicomFile(ten, { raw: true }))).toBe('DICOM_DECODE_FAILED');
        expect(await codeOf(readDicomFile(ten))).toBe('DICOM_DECODE_FAILED');
        expect(await codeOf(inThread(() => readDicomFile(ten, { raw: true })))).toBe('DICOM_DECODE_FAILED');
      }
    });
  });
});

describeData('JPEG Lossless and 12-bit JPEG in the worker thread (issue 19)', () => {
  const refs = JSON.parse(readFileSync(dataPath('dicom', 'radiography', 'reference.json'), 'utf8')).files as Record<
    string,
    { stored_pixels: { sha256: string } }
  >;
  const sha = (a: ArrayBufferView) =>
    createHash('sha256')
      .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
      .digest('hex');

  it.each(['cr_fuji_hip_mono2_10bit_jpegll.dcm', 'us_philips_mono2_8bit_jpegll.dcm'])(
    '%s: the worker decodes the reference pixels (SHA-256), bit for bit what the in-thread path does',
    async (name) => {
      const bytes = file('radiography', name);
      const viaWorker = await readDicomFile(bytes, { raw: true });
      const here = await inThread(() => readDicomFile(bytes, { raw: true }));
      expect(sha(viaWorker.pixels)).toBe(refs[name]!.stored_pixels.sha256);
      expect(viaWorker.pixels.constructor).toBe(here.pixels.constructor);
      expect(sha(here.pixels)).toBe(sha(viaWorker.pixels));
    },
  );

  it('a JPEG Lossless frame past a tiny limit ends in CODEC_TIMEOUT, an abort in ABORTED; the next read works', async () => {
    const hip = file('radiography', 'cr_fuji_hip_mono2_10bit_jpegll.dcm');
    const us = () => readDicomFile(file('radiography', 'us_philips_mono2_8bit_jpegll.dcm'), { raw: true });
    const usSha = refs['us_philips_mono2_8bit_jpegll.dcm']!.stored_pixels.sha256;
    // the 2140x1760 hip takes 0.3 s of CPU or more in jpeg-lossless-decoder-js: a 20 ms limit cuts it
    setCodecTimeLimit({ baseMs: 20, msPerMegasample: 0 });
    const started = codecWorkersStarted();
    let error: unknown;
    await readDicomFile(hip).catch((e) => {
      error = e;
    });
    expect(error).toMatchObject({ code: 'CODEC_TIMEOUT', details: { limitMs: 20 } });
    expect((error as Error).message).toContain('JPEG Lossless');
    setCodecTimeLimit(undefined);
    expect(sha((await us()).pixels)).toBe(usSha);
    expect(codecWorkersStarted()).toBe(started + 1);
    // with the decoder loaded in the worker, an abort 50 ms in lands inside the hip's decode
    const ac = new AbortController();
    const read = readDicomFile(hip, { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    expect(await codeOf(read)).toBe('ABORTED');
    expect(sha((await us()).pixels)).toBe(usSha);
  });

  const HAS_DCMTK = spawnSync('dcmcjpeg', ['--version']).status === 0;
  (HAS_DCMTK ? it : it.skip)(
    'a 12-bit JPEG extended frame (dcmcjpeg +ee of a real CT) decodes in the worker as in-thread',
    async () => {
      const work = mkdtempSync(join(tmpdir(), 'medimg-codec-worker-'));
      try {
        const out = join(work, 'ct12.dcm');
        execFileSync('dcmcjpeg', ['+ee', dataPath('dicom', 'ct_chest_LungPETCTDx_A0001_kernelB', '1-30.dcm'), out], {
          stdio: 'pipe',
        });
        const bytes = new Uint8Array(readFileSync(out));
        const viaWorker = await readDicomFile(bytes, { raw: true });
        const here = await inThread(() => readDicomFile(bytes, { raw: true }));
        expect(viaWorker.pixels.length).toBe(512 * 512);
        expect(sha(viaWorker.pixels)).toBe(sha(here.pixels));
        // a tiny limit stops it too
        setCodecTimeLimit({ baseMs: 1, msPerMegasample: 0 });
        const e = await readDicomFile(bytes).catch((x) => x);
        expect(e).toMatchObject({ code: 'CODEC_TIMEOUT' });
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  );
});
