/**
 * Peak memory of readDicomSeries on a synthetic 512 x 512 x N series (default N = 600, 16-bit
 * CT slices, given as Uint8Array[]), sampled at every progress event. The budget: no more
 * than about twice the volume's size beyond the file bytes.
 *
 *   node --expose-gc --import tsx bench/dicom-memory.ts [slices]
 */
import { readDicomSeries } from '../src/index.js';
import { slice16 } from '../test/io/dicom-synth.js';

const nz = Number(process.argv[2] ?? 600);
const nx = 512;
const ny = 512;
const gc = (globalThis as { gc?: () => void }).gc;
const files: Uint8Array[] = [];
const values = new Int16Array(nx * ny);
for (let z = 0; z < nz; z++) {
  for (let i = 0; i < values.length; i++) values[i] = ((i * 31 + z * 7) % 3000) - 1000;
  files.push(
    slice16(
      {
        rows: ny,
        columns: nx,
        position: [0, 0, z * 0.625],
        instance: z + 1,
        sop: `1.2.826.0.1.${z}`,
        signed: true,
        intercept: -1024,
        slope: 1,
      },
      values,
    ),
  );
}
gc?.();
const mb = (x: number) => (x / 2 ** 20).toFixed(0);
const base = process.memoryUsage();
const fileBytes = files.reduce((a, f) => a + f.byteLength, 0);
let peakAB = base.arrayBuffers;
let peakRss = base.rss;
const sample = () => {
  const m = process.memoryUsage();
  peakAB = Math.max(peakAB, m.arrayBuffers);
  peakRss = Math.max(peakRss, m.rss);
};
const t = performance.now();
const vol = await readDicomSeries(files, { onProgress: sample });
const ms = performance.now() - t;
sample();
const volBytes = vol.data.byteLength;
console.log(
  `readDicomSeries, synthetic ${vol.dims.join('x')} ${vol.data.constructor.name} from Uint8Array[] in ${ms.toFixed(0)} ms`,
);
console.log(`  file bytes ${mb(fileBytes)} MB, volume ${mb(volBytes)} MB`);
console.log(
  `  array-buffer memory beyond the file bytes at peak: ${mb(peakAB - base.arrayBuffers)} MB = ${((peakAB - base.arrayBuffers) / volBytes).toFixed(2)} x volume (budget ~2x)`,
);
console.log(
  `  RSS growth at peak: ${mb(peakRss - base.rss)} MB = ${((peakRss - base.rss) / volBytes).toFixed(2)} x volume`,
);
