/**
 * Image-op benchmark: medimg vs scipy.ndimage on the same 512x512x128 float32 volume
 * (0.8 x 0.8 x 2.5 mm, seeded noise + blobs). Run: `npx tsx bench/ops.ts [--repeats N] [--no-scipy] [--all]`
 * (--all adds medimg-only timings of the other ops).
 * scipy (bench/ops_scipy.py, skipped when python3/numpy/scipy are missing) runs in a persistent worker
 * and each op alternates medimg / scipy runs, so machine load hits both columns alike. Prints best-of-N
 * wall and process CPU time per op (CPU time is the steadier figure on a shared machine), agreement
 * checks against scipy, and the Gaussian's effective memory throughput against a typed-array copy.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  close,
  connectedComponents,
  dilate,
  distanceTransform,
  erode,
  fillHoles,
  gaussian,
  gradientMagnitude,
  hessianEigen,
  keepLargestComponent,
  laplacianOfGaussian,
  percentiles,
  reorient,
  resample,
  zscore,
} from '../src/core/ops/index.js';
import { setSimdEnabled, simdAvailable } from '../src/core/simd/convolve.js';
import { setThreads, threadCount, threadStats } from '../src/core/simd/threads.js';
import { Rng } from '../src/core/random.js';
import { createVolume, type Vec3, type Volume } from '../src/core/volume.js';

const args = process.argv.slice(2);
const repeats = Number(args[args.indexOf('--repeats') + 1]) || 3;
const useScipy = !args.includes('--no-scipy');
const dims: Vec3 = [512, 512, 128];
const spacing: Vec3 = [0.8, 0.8, 2.5];
const threshold = 50;
const radiusMm = 3;
const n = dims[0] * dims[1] * dims[2];

// Seeded data: Gaussian noise (sd 20) on a smooth gradient, plus bright ellipsoids of many sizes.
function makeVolume() {
  const rng = new Rng(42);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = 20 * rng.normal();
  const [nx, ny, nz] = dims;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) {
      const base = nx * (y + ny * z);
      const g = 10 * Math.sin(y / 80) + z / 16;
      for (let x = 0; x < nx; x++) data[base + x] = data[base + x]! + g;
    }
  for (let b = 0; b < 300; b++) {
    const c = [rng.uniform(0, nx * spacing[0]), rng.uniform(0, ny * spacing[1]), rng.uniform(0, nz * spacing[2])];
    const r = rng.uniform(1.5, 25);
    const lo = [0, 1, 2].map((a) => Math.max(0, Math.floor((c[a]! - r) / spacing[a]!)));
    const hi = [0, 1, 2].map((a) => Math.min(dims[a]! - 1, Math.ceil((c[a]! + r) / spacing[a]!)));
    for (let z = lo[2]!; z <= hi[2]!; z++)
      for (let y = lo[1]!; y <= hi[1]!; y++)
        for (let x = lo[0]!; x <= hi[0]!; x++) {
          const d2 = (x * spacing[0] - c[0]!) ** 2 + (y * spacing[1] - c[1]!) ** 2 + (z * spacing[2] - c[2]!) ** 2;
          if (d2 <= r * r) data[x + nx * (y + ny * z)] = data[x + nx * (y + ny * z)]! + 100;
        }
  }
  return createVolume(dims, data, { spacing });
}

function best<T>(fn: () => T): { ms: number; out: T } {
  let ms = Infinity;
  let out: T | undefined;
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    out = fn();
    ms = Math.min(ms, performance.now() - t);
  }
  return { ms, out: out! };
}

const vol = makeVolume();
const maskData = new Uint8Array(n);
for (let i = 0; i < n; i++) maskData[i] = vol.data[i]! > threshold ? 1 : 0;
const mask = createVolume(dims, maskData, { spacing });
const rng = new Rng(7);
const samples = new BigInt64Array(2000);
for (let i = 0; i < samples.length; i++) samples[i] = BigInt(rng.int(0, n - 1));

// Output voxels of the 1 mm resample to compare (z below the last slice, whose centre lies more than
// half a voxel past the input and gets the fill value).
const rdims = [0, 1, 2].map((a) => Math.round((dims[a]! * spacing[a]!) / 1)) as Vec3;
const rsamples = new BigInt64Array(3 * 2000);
for (let i = 0; i < 2000; i++) {
  rsamples[3 * i] = BigInt(rng.int(0, rdims[0] - 1));
  rsamples[3 * i + 1] = BigInt(rng.int(0, rdims[1] - 1));
  rsamples[3 * i + 2] = BigInt(rng.int(0, rdims[2] - 2));
}

// Copy bandwidth: bytes read + written by TypedArray.set of the whole volume.
const copyDst = new Float32Array(n);
copyDst.set(vol.data);
const copy = best(() => copyDst.set(vol.data));
const copyGBs = (2 * n * 4) / copy.ms / 1e6;

/** Persistent scipy worker (bench/ops_scipy.py): one op per request, so runs interleave with ours. */
class ScipyWorker {
  private proc: ChildProcessWithoutNullStreams;
  private buf = '';
  private waiting: ((line: string) => void)[] = [];
  private lines: string[] = [];
  constructor(args: string[]) {
    this.proc = spawn('python3', args);
    this.proc.stdout.setEncoding('utf8');
    this.proc.stdout.on('data', (chunk: string) => {
      this.buf += chunk;
      let i = this.buf.indexOf('\n');
      while (i >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        const w = this.waiting.shift();
        if (w) w(line);
        else this.lines.push(line);
        i = this.buf.indexOf('\n');
      }
    });
    // No python3 (spawn error) or no numpy/scipy (the script exits): pending reads get ''.
    const fail = () => {
      for (const w of this.waiting.splice(0)) w('');
    };
    this.proc.on('exit', fail);
    this.proc.on('error', fail);
  }
  next(): Promise<string> {
    const l = this.lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    return new Promise((res) => this.waiting.push(res));
  }
  async run(op: string): Promise<Record<string, unknown> & { ms: number; cpuMs: number }> {
    this.proc.stdin.write(`${op}\n`);
    const line = await this.next();
    if (!line) throw new Error('scipy worker exited');
    return JSON.parse(line);
  }
  close() {
    this.proc.stdin.end();
  }
}

let worker: ScipyWorker | null = null;
const dir = mkdtempSync(join(tmpdir(), 'medimg-bench-'));
if (useScipy) {
  writeFileSync(join(dir, 'vol.raw'), vol.data);
  writeFileSync(join(dir, 'samples.raw'), new Uint8Array(samples.buffer));
  writeFileSync(join(dir, 'rsamples.raw'), new Uint8Array(rsamples.buffer));
  const script = join(import.meta.dirname, 'ops_scipy.py');
  worker = new ScipyWorker([
    script,
    join(dir, 'vol.raw'),
    ...dims.map(String),
    ...spacing.map(String),
    String(threshold),
    String(radiusMm),
    join(dir, 'samples.raw'),
    join(dir, 'rsamples.raw'),
  ]);
  const ready = await worker.next();
  if (!ready.startsWith('{')) {
    console.log('scipy column skipped: python3 with numpy/scipy not available');
    worker = null;
  }
}

interface Row {
  op: string;
  key: string;
  ms: number;
  cpuMs: number;
  scipyMs?: number;
  scipyCpuMs?: number;
  check: string;
}
/** Runs `fn` with the WebAssembly SIMD kernels off (the scalar JavaScript fallback). */
function scalar<T>(fn: () => T): T {
  setSimdEnabled(false);
  try {
    return fn();
  } finally {
    setSimdEnabled(true);
  }
}

/** Runs `fn` on the calling thread only (no worker threads). */
function oneThread<T>(fn: () => T): T {
  setThreads(1);
  try {
    return fn();
  } finally {
    setThreads('auto');
  }
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const ops: { key: string; scipyKey?: string; label: string; run: () => unknown; scipyRepeats?: number }[] = [
  { key: 'gaussian', label: 'gaussian sigma=2mm', run: () => gaussian(vol, { sigmaMm: 2 }) },
  { key: 'resample', label: 'linear resample -> 1mm iso', run: () => resample(vol, { spacing: 1 }) },
  {
    key: 'label',
    label: 'label 26-conn',
    run: () => connectedComponents(mask, { connectivity: 26, stats: false }),
  },
  // scipy's EDT takes ~10x longer: fewer of its runs keep the bench short.
  { key: 'edt', label: 'exact EDT (mm)', run: () => distanceTransform(mask), scipyRepeats: 2 },
  { key: 'dilate', label: `dilate ball r=${radiusMm}mm`, run: () => dilate(mask, { radiusMm }) },
  // Our default also measures every component (count, bbox, centroid, ...); scipy: label only.
  {
    key: 'labelstats',
    label: 'label 26-conn + stats',
    run: () => connectedComponents(mask, { connectivity: 26 }),
  },
  {
    key: 'gaussian-js',
    scipyKey: 'gaussian',
    label: 'gaussian (scalar JS)',
    run: () => scalar(() => gaussian(vol, { sigmaMm: 2 })),
  },
  { key: 'log', label: 'LoG sigma=2mm', run: () => laplacianOfGaussian(vol, { sigmaMm: 2, normalized: false }) },
  {
    key: 'log-js',
    scipyKey: 'log',
    label: 'LoG (scalar JS)',
    run: () => scalar(() => laplacianOfGaussian(vol, { sigmaMm: 2, normalized: false })),
  },
  {
    key: 'gaussian-1t',
    scipyKey: 'gaussian',
    label: 'gaussian (SIMD, 1 thread)',
    run: () => oneThread(() => gaussian(vol, { sigmaMm: 2 })),
  },
  {
    key: 'log-1t',
    scipyKey: 'log',
    label: 'LoG (SIMD, 1 thread)',
    run: () => oneThread(() => laplacianOfGaussian(vol, { sigmaMm: 2, normalized: false })),
  },
];
const rows: Row[] = [];
const outputs = new Map<string, unknown>();
const scipyOut = new Map<string, Record<string, unknown>>();
try {
  for (const op of ops) {
    // Medians: on a shared machine a minimum picks the one lucky run.
    const ms: number[] = [];
    const cpuMs: number[] = [];
    const sms: number[] = [];
    const scpu: number[] = [];
    op.run(); // warm-up (JIT; starts the worker threads)
    for (let i = 0; i < repeats; i++) {
      // process-wide CPU time: includes the worker threads
      const c = process.cpuUsage();
      const t = performance.now();
      outputs.set(op.key, op.run());
      ms.push(performance.now() - t);
      const dc = process.cpuUsage(c);
      cpuMs.push((dc.user + dc.system) / 1000);
      if (worker && i < (op.scipyRepeats ?? repeats)) {
        const r = await worker.run(op.scipyKey ?? op.key);
        sms.push(r.ms);
        scpu.push(r.cpuMs);
        scipyOut.set(op.scipyKey ?? op.key, r);
      }
    }
    rows.push({
      op: op.label,
      key: op.key,
      ms: median(ms),
      cpuMs: median(cpuMs),
      ...(worker ? { scipyMs: median(sms), scipyCpuMs: median(scpu) } : {}),
      check: '',
    });
  }
} finally {
  worker?.close();
  rmSync(dir, { recursive: true, force: true });
}

const g = outputs.get('gaussian') as Volume<Float32Array>;
const rs = outputs.get('resample') as Volume;
const cc = outputs.get('label') as ReturnType<typeof connectedComponents>;
const edt = outputs.get('edt') as Volume<Float32Array>;
const dl = outputs.get('dilate') as Volume<Uint8Array>;
let dlCount = 0;
for (let i = 0; i < n; i++) dlCount += dl.data[i]!;
let maskCount = 0;
for (let i = 0; i < n; i++) maskCount += maskData[i]!;
const maxDiff = (ours: Float32Array, theirs: number[]) => {
  let m = 0;
  for (let i = 0; i < samples.length; i++) m = Math.max(m, Math.abs(ours[Number(samples[i])]! - theirs[i]!));
  return m;
};
const sp = (k: string) => scipyOut.get(k);
rows[0]!.check = sp('gaussian')
  ? `max|diff| ${maxDiff(g.data, sp('gaussian')!.samples as number[]).toExponential(1)}`
  : '';
{
  let m = 0;
  const theirs = sp('resample')?.samples as number[] | undefined;
  if (theirs) {
    for (let i = 0; i < 2000; i++) {
      const [x, y, z] = [Number(rsamples[3 * i]), Number(rsamples[3 * i + 1]), Number(rsamples[3 * i + 2])];
      m = Math.max(m, Math.abs(rs.data[x + rs.dims[0] * (y + rs.dims[1] * z)]! - theirs[i]!));
    }
  }
  rows[1]!.check = `${rs.dims.join('x')}${theirs ? ` vs map_coordinates max|diff| ${m.toExponential(1)}` : ''}`;
}
rows[2]!.check = `${cc.count} comps${sp('label') ? ` (scipy ${sp('label')!.count})` : ''}`;
rows[3]!.check = sp('edt') ? `max|diff| ${maxDiff(edt.data, sp('edt')!.samples as number[]).toExponential(1)} mm` : '';
rows[4]!.check = `${dlCount} vox${sp('dilate') ? ` (scipy ${sp('dilate')!.count})` : ''}`;
rows[5]!.check = `${(outputs.get('labelstats') as typeof cc).components.length} component records`;
{
  // The SIMD kernels sum in f32, the scalar code in f64: equal within float32 rounding.
  const close = (a: string, b: string): string => {
    const x = (outputs.get(a) as Volume<Float32Array>).data;
    const y = (outputs.get(b) as Volume<Float32Array>).data;
    let d = 0;
    let m = 0;
    for (let i = 0; i < x.length; i++) {
      d = Math.max(d, Math.abs(x[i]! - y[i]!));
      m = Math.max(m, Math.abs(y[i]!));
    }
    return `max|diff| vs SIMD ${d.toExponential(1)} (max|value| ${m.toFixed(0)})`;
  };
  // Threads split the lines of each pass: bitwise equal to one thread.
  const same = (a: string, b: string): string => {
    const x = new Uint32Array((outputs.get(a) as Volume<Float32Array>).data.buffer);
    const y = new Uint32Array((outputs.get(b) as Volume<Float32Array>).data.buffer);
    let d = 0;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) d++;
    return d === 0 ? 'bitwise = SIMD' : `${d} voxels differ from SIMD`;
  };
  rows[6]!.check = close('gaussian', 'gaussian-js');
  const lg = outputs.get('log') as Volume<Float32Array>;
  rows[7]!.check = sp('log') ? `max|diff| ${maxDiff(lg.data, sp('log')!.samples as number[]).toExponential(1)}` : '';
  rows[8]!.check = close('log', 'log-js');
  rows[9]!.check = same('gaussian', 'gaussian-1t').replace('SIMD', `${threadCount()} threads`);
  rows[10]!.check = same('log', 'log-1t').replace('SIMD', `${threadCount()} threads`);
}

console.log(
  `\nmedimg ops vs scipy.ndimage: ${dims.join('x')} float32, spacing ${spacing.join('x')} mm, mask > ${threshold} ` +
    `(${((100 * maskCount) / n).toFixed(1)} % of voxels); median of ${repeats}, runs interleaved`,
);
console.log(
  `node ${process.version}; WebAssembly SIMD kernels ${simdAvailable() ? 'on' : 'unavailable'}; separable filters on ` +
    `${threadCount()} thread(s), ${threadStats().runs} runs on the workers${threadStats().disabled ? ` (threads turned off: ${threadStats().disabled})` : ''} (others single-threaded); load average ${loadavg()
      .map((v) => v.toFixed(1))
      .join(' ')}\n`,
);
const num = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(0)).padStart(8);
const ratio = (a: number, b: number | undefined) => (b ? (a / b).toFixed(2) : '-').padStart(7);
console.log(
  `${'op'.padEnd(26)}${'wall ms: medimg'.padStart(16)}${'scipy'.padStart(8)}${'ratio'.padStart(7)}` +
    `${'cpu ms: medimg'.padStart(16)}${'scipy'.padStart(8)}${'ratio'.padStart(7)}  agreement`,
);
for (const r of rows) {
  console.log(
    `${r.op.padEnd(26)}${num(r.ms).padStart(16)}${num(r.scipyMs)}${ratio(r.ms, r.scipyMs)}` +
      `${num(r.cpuMs).padStart(16)}${num(r.scipyCpuMs)}${ratio(r.cpuMs, r.scipyCpuMs)}  ${r.check}`,
  );
}
const gaussBytes = 3 * 2 * n * 4; // three passes, each reads and writes the volume once
const gaussGBs = gaussBytes / rows[0]!.ms / 1e6; // wall time, like the copy
console.log(
  `\ncopy bandwidth (TypedArray.set, read+write): ${copyGBs.toFixed(1)} GB/s; gaussian effective ` +
    `${gaussGBs.toFixed(1)} GB/s (3 passes x read+write) = ${((100 * gaussGBs) / copyGBs).toFixed(0)} % of copy`,
);

// --all: one timed run of the other ops (medimg only), for orientation.
if (args.includes('--all')) {
  const c = Math.cos(0.2);
  const sn = Math.sin(0.2);
  const rotated = {
    ...vol,
    dims: [410, 410, 320] as Vec3,
    spacing: [1, 1, 1] as Vec3,
    direction: [c, -sn, 0, sn, c, 0, 0, 0, 1],
  };
  const more: [string, () => unknown][] = [
    ['bspline resample -> 1mm iso', () => resample(vol, { spacing: 1, interpolation: 'bspline' })],
    ['linear resample, rotated grid', () => resample(vol, { reference: rotated })],
    ['nearest resample -> 1mm iso', () => resample(vol, { spacing: 1, interpolation: 'nearest' })],
    ['reorient LPS -> RAS', () => reorient(vol, 'RAS')],
    ['percentiles 0.5/99.5 (float)', () => percentiles(vol, [0.5, 99.5])],
    ['zscore in mask', () => zscore(vol, { mask })],
    ['LoG sigma=2mm', () => laplacianOfGaussian(vol, { sigmaMm: 2 })],
    ['gradient magnitude sigma=2mm', () => gradientMagnitude(vol, { sigmaMm: 2 })],
    ['hessian eigenvalues sigma=2mm', () => hessianEigen(vol, { sigmaMm: 2 })],
    [`erode ball r=${radiusMm}mm`, () => erode(mask, { radiusMm })],
    ['dilate ball r=10mm (EDT path)', () => dilate(mask, { radiusMm: 10 })],
    [`close ball r=${radiusMm}mm`, () => close(mask, { radiusMm })],
    ['fill holes 3D', () => fillHoles(mask)],
    ['fill holes per slice', () => fillHoles(mask, { mode: 'slice' })],
    ['keep largest component', () => keepLargestComponent(mask)],
  ];
  console.log('\nother ops (medimg only, one run after a warm-up)\n');
  console.log(`${'op'.padEnd(34)}${'wall ms'.padStart(9)}${'cpu ms'.padStart(9)}`);
  for (const [label, fn] of more) {
    fn();
    const c0 = process.cpuUsage();
    const t = performance.now();
    fn();
    const ms = performance.now() - t;
    const dc = process.cpuUsage(c0);
    console.log(
      `${label.padEnd(34)}${ms.toFixed(0).padStart(9)}${((dc.user + dc.system) / 1000).toFixed(0).padStart(9)}`,
    );
  }
}
