/**
 * Cost of decoding in the codec worker thread against the calling thread (issue 19): the same real
 * compressed frames read with readDicomFile through the worker (the Node default) and in-thread,
 * per frame: median wall time and mean process CPU time (both threads). The small frames show the
 * round trip (copy in, transfer out, two messages). Run: node --import tsx bench/codec-worker.ts
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readDicomFile } from '../src/index.js';
import { setCodecRunner } from '../src/io/dicom/codecs/run.js';
import { workerCodecRunner } from '../src/io/dicom/codecs/worker-pool.js';

const data = join(dirname(new URL(import.meta.url).pathname), '../../shared/data/dicom');
const CASES: [string, number][] = [
  ['transfer_syntax_MR_small/MR_small_jpeg_ls_lossless.dcm', 200],
  ['transfer_syntax_MR_small/MR_small_jp2klossless.dcm', 200],
  ['radiography/cr_fuji_tibia_mono1_10bit_j2kr.dcm', 3],
  ['radiography/us_philips_mono2_8bit_jpegll.dcm', 20],
  ['radiography/cr_fuji_hip_mono2_10bit_jpegll.dcm', 5],
];

async function time(bytes: Uint8Array, n: number): Promise<{ wallMs: number; cpuMs: number }> {
  await readDicomFile(bytes, { raw: true }); // warm: worker started, codec loaded
  const walls: number[] = [];
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await readDicomFile(bytes, { raw: true });
    walls.push(performance.now() - t);
  }
  const c = process.cpuUsage(c0);
  walls.sort((a, b) => a - b);
  return { wallMs: +walls[n >> 1]!.toFixed(2), cpuMs: +((c.user + c.system) / 1000 / n).toFixed(2) };
}

for (const [file, n] of CASES) {
  const bytes = new Uint8Array(readFileSync(join(data, file)));
  setCodecRunner(workerCodecRunner());
  const worker = await time(bytes, n);
  setCodecRunner(undefined);
  const inThread = await time(bytes, n);
  console.log(JSON.stringify({ file, frames: n, worker, inThread }));
}
process.exit(0);
