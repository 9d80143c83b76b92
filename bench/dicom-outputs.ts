/**
 * Timings for the clinical outputs: writeDicomSeg / readDicomSeg on a 512x512x64 three-label mask,
 * writeDicomSr / readDicomSr, and deidentify on the real 64-slice chest CT (when ../shared/data is
 * present). dcmjs parsing the same SEG is printed alongside as a reference.
 * Run: npx tsx bench/dicom-outputs.ts
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import dcmjs from 'dcmjs';
import type { Volume } from '../src/core/volume.js';
import { deidentify } from '../src/io/dicom/deidentify.js';
import { readDicomSeg } from '../src/io/dicom/seg-read.js';
import { writeDicomSeg } from '../src/io/dicom/seg-write.js';
import { readDicomSr } from '../src/io/dicom/sr-read.js';
import { writeDicomSr } from '../src/io/dicom/sr-write.js';

/** Wall and CPU (user+system) milliseconds per call; CPU time is the steadier figure on a busy machine. */
function time<T>(label: string, reps: number, fn: () => T): T {
  let out = fn(); // warm-up
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) out = fn();
  const ms = (performance.now() - t0) / reps;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1000 / reps;
  console.log(`${label.padEnd(58)} ${ms.toFixed(1).padStart(8)} ms wall ${cpu.toFixed(1).padStart(8)} ms cpu`);
  return out;
}

const dims: [number, number, number] = [512, 512, 64];
const n = dims[0] * dims[1] * dims[2];
const labels = new Uint8Array(n);
const prob = new Float32Array(n);
const spheres = [
  { c: [200, 250, 30], r: 60, l: 1 },
  { c: [330, 260, 20], r: 25, l: 2 },
  { c: [260, 180, 45], r: 12, l: 3 },
];
for (let z = 0; z < dims[2]; z++)
  for (let y = 0; y < dims[1]; y++)
    for (let x = 0; x < dims[0]; x++) {
      const i = x + dims[0] * (y + dims[1] * z);
      for (const s of spheres) {
        const d = Math.hypot(x - s.c[0]!, y - s.c[1]!, (z - s.c[2]!) * 5);
        if (d < s.r) labels[i] = s.l;
        if (s.l === 1) prob[i] = Math.max(0, 1 - d / (s.r * 1.5));
      }
    }
const source: Volume<Int16Array> = {
  data: new Int16Array(n),
  dims,
  spacing: [0.8, 0.8, 5],
  origin: [-200, -200, -300],
  direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
  meta: {
    modality: 'CT',
    studyInstanceUid: '2.25.1',
    seriesInstanceUid: '2.25.2',
    frameOfReferenceUid: '2.25.3',
    sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
    sopInstanceUids: Array.from({ length: dims[2] }, (_, k) => `2.25.100${k}`),
  },
};
const mask: Volume<Uint8Array> = { ...source, data: labels, meta: undefined };
const segs = [
  { label: 'Tumor', type: 'tumor' },
  { label: 'Nodule', type: 'nodule' },
  { label: 'Lesion', type: 'lesion' },
];
console.log('medimg DICOM outputs, 512x512x64 grid, 3 segments');
const seg = time('writeDicomSeg BINARY (label volume)', 5, () => writeDicomSeg(mask, source, segs));
console.log(`  SEG size ${(seg.length / 1024).toFixed(0)} KiB`);
time('readDicomSeg BINARY (onto reference grid)', 5, () => readDicomSeg(seg, { reference: source }));
// biome-ignore lint/suspicious/noExplicitAny: dcmjs ships no types
const dcm = dcmjs as any;
time('  reference: dcmjs readFile + naturalize (parse only)', 5, () =>
  dcm.data.DicomMetaDictionary.naturalizeDataset(
    dcm.data.DicomMessage.readFile(seg.buffer.slice(seg.byteOffset, seg.byteOffset + seg.byteLength)).dict,
  ),
);
const frac = time('writeDicomSeg FRACTIONAL (Float32 probabilities)', 5, () =>
  writeDicomSeg({ ...mask, data: prob }, source, [{ label: 'Tumor p', type: 'tumor' }]),
);
console.log(`  SEG size ${(frac.length / 1024).toFixed(0)} KiB`);
time('readDicomSeg FRACTIONAL', 5, () => readDicomSeg(frac, { reference: source }));
const sr = time('writeDicomSr (3 findings, 64-image library)', 20, () =>
  writeDicomSr(
    {
      findings: segs.map((s, i) => ({
        trackingId: s.label,
        finding: s.type,
        segment: { sopInstanceUid: '2.25.9', seriesInstanceUid: '2.25.8', segmentNumber: i + 1 },
        measurements: [
          { kind: 'volume' as const, value: 1000 * (i + 1), unit: 'mm3' },
          { kind: 'meanHU' as const, value: 40 },
        ],
      })),
    },
    source,
  ),
);
time('readDicomSr', 20, () => readDicomSr(sr));

const chest = join(import.meta.dirname, '../../shared/data/dicom/ct_chest_LungPETCTDx_A0001_kernelB');
if (existsSync(chest)) {
  const files = readdirSync(chest)
    .filter((f) => f.endsWith('.dcm'))
    .map((f) => new Uint8Array(readFileSync(join(chest, f))));
  const mb = files.reduce((a, f) => a + f.length, 0) / 1e6;
  const t0 = performance.now();
  for (const f of files) deidentify(f, { key: 'bench-key-0123456789abcdef' });
  const ms = performance.now() - t0;
  console.log(
    `${`deidentify real chest CT, ${files.length} files (${mb.toFixed(1)} MB)`.padEnd(58)} ${ms.toFixed(1).padStart(8)} ms  (${(ms / files.length).toFixed(2)} ms/file)`,
  );
} else {
  console.log('deidentify bench skipped: ../shared/data not found');
}
