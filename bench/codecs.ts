/**
 * Codec speed side by side with the native reference decoders, on the same codestreams:
 * - JPEG 2000 (the real CR/DX radiographs): medimg's decodeFrame (OpenJPEG compiled to WebAssembly,
 *   @cornerstonejs/codec-openjpeg) vs `opj_decompress` (OpenJPEG, native, one thread) on the frame's
 *   codestream written to a .j2k file;
 * - JPEG Lossless (process 14, the real CR hip and US): decodeFrame (jpeg-lossless-decoder-js) vs
 *   DCMTK `dcmdjpeg` on the DICOM file;
 * - JPEG baseline (the US re-encoded by `dcmcjpeg +eb`): libjpeg-turbo in WebAssembly vs `dcmdjpeg`;
 * - JPEG-LS (the CR hand re-encoded lossless by DCMTK `dcmcjpls`): decodeFrame (CharLS in
 *   WebAssembly, @cornerstonejs/codec-charls) vs `dcmdjpls` (DCMTK's CharLS-based decoder);
 * - HTJ2K (the CR hand re-encoded by `ojph_compress`): decodeFrame (OpenJPH in WebAssembly) vs
 *   `ojph_expand`.
 *
 *   npx tsx bench/codecs.ts [runs]
 *
 * Ours: in-process CPU time (process.cpuUsage, all threads) of decodeFrame, median of `runs` after
 * one warm-up call (the first call, which instantiates the WebAssembly module, is reported apart).
 * Native: whole-process user+system CPU from /usr/bin/time (start-up and file writing included,
 * which favours us slightly; the native start-up is measured with `--help`-style runs where possible
 * and printed). The load average is printed: the machine may be shared.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DicomDataset, tag } from '../src/io/dicom/ds-model.js';
import { openDicom } from '../src/io/dicom/file.js';
import { writePart10 } from '../src/io/dicom/write.js';
import { decodeFrame, encapsulatedFrame } from '../src/io/dicom/pixel.js';
import { HTJ2K_CASES, htj2kDicom, readSource } from '../test/io/htj2k-encode.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const radio = join(root, '../shared/data/dicom/radiography');
const runs = Number(process.argv[2] ?? 5);
const work = mkdtempSync(join(tmpdir(), 'medimg-bench-codecs-'));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function ours(bytes: Uint8Array): Promise<{ firstMs: number; cpuMs: number; wallMs: number; mpix: number }> {
  const { parsed, info } = openDicom(bytes);
  const c0 = process.cpuUsage();
  await decodeFrame(parsed, info, 0);
  const c1 = process.cpuUsage(c0);
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < runs; r++) {
    const c = process.cpuUsage();
    const t = performance.now();
    await decodeFrame(parsed, info, 0);
    wall.push(performance.now() - t);
    const u = process.cpuUsage(c);
    cpu.push((u.user + u.system) / 1000);
  }
  return {
    firstMs: (c1.user + c1.system) / 1000,
    cpuMs: median(cpu),
    wallMs: median(wall),
    mpix: (info.rows * info.columns) / 1e6,
  };
}

/** Median whole-process CPU and wall (ms) of a native command. */
function native(cmd: string, args: string[]): { cpuMs: number; wallMs: number } {
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < runs; r++) {
    const p = spawnSync('/usr/bin/time', ['-f', '%e %U %S', cmd, ...args], { encoding: 'utf8' });
    if (p.status !== 0) throw new Error(`${cmd} failed: ${p.stderr.slice(-300)}`);
    const [e, u, s] = p.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    wall.push(e! * 1000);
    cpu.push((u! + s!) * 1000);
  }
  return { cpuMs: median(cpu), wallMs: median(wall) };
}

function frameOf(bytes: Uint8Array): Uint8Array {
  const { parsed, info } = openDicom(bytes);
  return encapsulatedFrame(parsed.dataset, info.frames, info.transferSyntax, 0);
}

interface Row {
  codec: string;
  file: string;
  ours: Awaited<ReturnType<typeof ours>>;
  ref: { cpuMs: number; wallMs: number };
  refName: string;
}
const rows: Row[] = [];

// JPEG 2000: the real radiographs
for (const f of [
  'cr_kodak_hand_2500x2048_j2kr.dcm',
  'dx_canon_chest_mono1_inverse_j2kr.dcm',
  'cr_fuji_tibia_mono1_10bit_j2kr.dcm',
  'cr_philips_chest_mono1_15bit_j2ki.dcm',
  'dx_rentgenprom_chest_mono2_16bit_j2kr.dcm',
]) {
  const bytes = new Uint8Array(readFileSync(join(radio, f)));
  const j2k = join(work, `${f}.j2k`);
  writeFileSync(j2k, frameOf(bytes));
  const ref = native('opj_decompress', ['-quiet', '-i', j2k, '-o', join(work, 'out.pgm')]);
  rows.push({ codec: 'JPEG 2000', file: f, ours: await ours(bytes), ref, refName: 'opj_decompress' });
}

// JPEG Lossless process 14: DCMTK dcmdjpeg decodes the whole file
for (const f of ['cr_fuji_hip_mono2_10bit_jpegll.dcm', 'us_philips_mono2_8bit_jpegll.dcm']) {
  const path = join(radio, f);
  const ref = native('dcmdjpeg', [path, join(work, 'out.dcm')]);
  rows.push({
    codec: 'JPEG Lossless',
    file: f,
    ours: await ours(new Uint8Array(readFileSync(path))),
    ref,
    refName: 'dcmdjpeg',
  });
}

// JPEG baseline (8 bit): the real US decoded by DCMTK, re-encoded baseline by dcmcjpeg
{
  const us = join(radio, 'us_philips_mono2_8bit_jpegll.dcm');
  const plain = join(work, 'us-plain.dcm');
  execFileSync('dcmdjpeg', [us, plain], { stdio: 'pipe' });
  const jpg = join(work, 'us-baseline.dcm');
  execFileSync('dcmcjpeg', ['+eb', plain, jpg], { stdio: 'pipe' });
  rows.push({
    codec: 'JPEG baseline',
    file: 'us_philips (dcmcjpeg +eb, q90)',
    ours: await ours(new Uint8Array(readFileSync(jpg))),
    ref: native('dcmdjpeg', [jpg, join(work, 'out4.dcm')]),
    refName: 'dcmdjpeg',
  });
}

// JPEG-LS and HTJ2K: the CR hand re-encoded (lossless) by the reference tools themselves
{
  const hand = join(radio, 'cr_kodak_hand_2500x2048_j2kr.dcm');
  // the stored values (decoded by us, equal to the reference SHA-256 in the data README) as explicit LE
  const src = await readSource(hand);
  const ds: DicomDataset = new Map(src.dataset);
  const px = src.pixels as Uint16Array;
  ds.set(tag(0x7fe0, 0x0010), { vr: 'OW', value: new Uint8Array(px.buffer, px.byteOffset, px.byteLength) });
  const plain = join(work, 'hand-plain.dcm');
  writeFileSync(plain, writePart10(ds, { transferSyntaxUid: '1.2.840.10008.1.2.1', meta: src.meta }));
  const jls = join(work, 'hand-jls.dcm');
  execFileSync('dcmcjpls', ['--encode-lossless', plain, jls]);
  rows.push({
    codec: 'JPEG-LS',
    file: 'cr_kodak_hand (dcmcjpls lossless)',
    ours: await ours(new Uint8Array(readFileSync(jls))),
    ref: native('dcmdjpls', [jls, join(work, 'out2.dcm')]),
    refName: 'dcmdjpls',
  });
  // HTJ2K: the same stored values coded by ojph_compress (the test suite's encoder helper)
  const dcm = htj2kDicom(src, HTJ2K_CASES[0]!, work);
  const j2c = join(work, `${src.key}-${HTJ2K_CASES[0]!.name}-0.j2c`);
  rows.push({
    codec: 'HTJ2K',
    file: 'cr_kodak_hand (ojph_compress lossless)',
    ours: await ours(dcm),
    ref: native('ojph_expand', ['-i', j2c, '-o', join(work, 'out3.pgm')]),
    refName: 'ojph_expand',
  });
}

console.log(
  `codecs, ${runs} runs each (median), ${new Date().toISOString().slice(0, 10)}, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; native figures are whole processes (start-up and output file included)`,
);
console.log(
  '| codec | file | Mpixel | medimg first call CPU ms | medimg CPU ms | reference | reference CPU ms | ratio (CPU) |',
);
console.log('| --- | --- | ---: | ---: | ---: | --- | ---: | ---: |');
for (const r of rows) {
  console.log(
    `| ${r.codec} | ${r.file} | ${r.ours.mpix.toFixed(2)} | ${r.ours.firstMs.toFixed(0)} | ${r.ours.cpuMs.toFixed(0)} | ${r.refName} | ${r.ref.cpuMs.toFixed(0)} | ${(r.ours.cpuMs / Math.max(1, r.ref.cpuMs)).toFixed(2)} |`,
  );
}
rmSync(work, { recursive: true, force: true });
