/**
 * Worker threads against one thread for the separable filters on the bench/ops.ts volume size
 * (512x512x128 float32, 0.8x0.8x2.5 mm): median wall and process CPU (workers included) of N runs,
 * interleaved, with a bitwise check. Run: `npx tsx bench/threads.ts [--repeats N]`
 */
import { loadavg } from 'node:os';
import { gaussian, laplacianOfGaussian } from '../src/core/ops/index.js';
import { Rng } from '../src/core/random.js';
import { setThreads, threadCount, threadStats } from '../src/core/simd/threads.js';
import { createVolume, type Vec3 } from '../src/core/volume.js';

const args = process.argv.slice(2);
const repeats = Number(args[args.indexOf('--repeats') + 1]) || 5;
const dims: Vec3 = [512, 512, 128];
const rng = new Rng(42);
const data = new Float32Array(dims[0] * dims[1] * dims[2]);
for (let i = 0; i < data.length; i++) data[i] = 20 * rng.normal() + (i % 977);
const vol = createVolume(dims, data, { spacing: [0.8, 0.8, 2.5] });
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;

console.log(
  `load average before ${loadavg()
    .map((v) => v.toFixed(1))
    .join(' ')}; median of ${repeats}`,
);
for (const [name, op] of [
  ['gaussian sigma=2mm', () => gaussian(vol, { sigmaMm: 2 }).data],
  ['LoG sigma=2mm', () => laplacianOfGaussian(vol, { sigmaMm: 2, normalized: false }).data],
] as const) {
  const res = new Map<string, { wall: number[]; cpu: number[]; out?: Float32Array }>();
  for (const t of ['1', 'auto'] as const) res.set(t, { wall: [], cpu: [] });
  for (let i = -1; i < repeats; i++) {
    for (const t of ['1', 'auto'] as const) {
      setThreads(t === '1' ? 1 : 'auto');
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const out = op();
      const wall = performance.now() - t0;
      const c = process.cpuUsage(c0);
      const r = res.get(t)!;
      r.out = out;
      if (i >= 0) {
        r.wall.push(wall);
        r.cpu.push((c.user + c.system) / 1000);
      }
    }
  }
  const one = res.get('1')!;
  const many = res.get('auto')!;
  const a = new Uint32Array(one.out!.buffer);
  const b = new Uint32Array(many.out!.buffer);
  let diff = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff++;
  console.log(
    `${name.padEnd(20)} 1 thread: wall ${median(one.wall).toFixed(0)} cpu ${median(one.cpu).toFixed(0)} ms | ` +
      `${threadCount()} threads: wall ${median(many.wall).toFixed(0)} cpu ${median(many.cpu).toFixed(0)} ms | ` +
      `wall ratio ${(median(many.wall) / median(one.wall)).toFixed(2)}; ${diff === 0 ? 'bitwise equal' : `${diff} voxels differ`}`,
  );
}
const st = threadStats();
console.log(`runs on the workers: ${st.runs}${st.disabled ? `; threads turned off: ${st.disabled}` : ''}`);
console.log(
  `load average after ${loadavg()
    .map((v) => v.toFixed(1))
    .join(' ')}`,
);
