/**
 * Image-op benchmark: medimg vs scipy.ndimage on the same 512x512x128 float32 volume
 * (0.8 x 0.8 x 2.5 mm, seeded noise + blobs). Run: `npx tsx bench/ops.ts [--repeats N] [--no-scipy]`.
 * Prints a table (best of N runs per op), agreement checks against scipy, and the Gaussian's
 * effective memory throughput relative to a plain typed-array copy.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectedComponents, dilate, distanceTransform, gaussian, resample } from '../src/core/ops/index.js';
import { Rng } from '../src/core/random.js';
import { createVolume, type Vec3 } from '../src/core/volume.js';

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

// Copy bandwidth: bytes read + written by TypedArray.set of the whole volume.
const copyDst = new Float32Array(n);
copyDst.set(vol.data);
const copy = best(() => copyDst.set(vol.data));
const copyGBs = (2 * n * 4) / copy.ms / 1e6;

const rows: { op: string; ms: number; check: string; key: string }[] = [];
const g = best(() => gaussian(vol, { sigmaMm: 2 }));
rows.push({ op: 'gaussian sigma=2mm', ms: g.ms, check: '', key: 'gaussian' });
const rs = best(() => resample(vol, { spacing: 1, interpolation: 'linear' }));
rows.push({ op: `linear resample -> 1mm (${rs.out.dims.join('x')})`, ms: rs.ms, check: '', key: 'resample' });
const cc = best(() => connectedComponents(mask, { connectivity: 26 }));
rows.push({ op: 'label 26-conn (+stats)', ms: cc.ms, check: `${cc.out.count} comps`, key: 'label' });
const edt = best(() => distanceTransform(mask));
rows.push({ op: 'exact EDT (mm)', ms: edt.ms, check: '', key: 'edt' });
const dl = best(() => dilate(mask, { radiusMm }));
let dlCount = 0;
for (let i = 0; i < n; i++) dlCount += dl.out.data[i]!;
rows.push({ op: `dilate ball r=${radiusMm}mm`, ms: dl.ms, check: '', key: 'dilate' });

let scipy: Record<string, { ms: number; [k: string]: unknown }> | null = null;
if (useScipy) {
  const dir = mkdtempSync(join(tmpdir(), 'medimg-bench-'));
  try {
    writeFileSync(join(dir, 'vol.raw'), vol.data);
    writeFileSync(join(dir, 'samples.raw'), new Uint8Array(samples.buffer));
    const script = join(import.meta.dirname, 'ops_scipy.py');
    const p = spawnSync(
      'python3',
      [
        script,
        join(dir, 'vol.raw'),
        ...dims.map(String),
        ...spacing.map(String),
        String(threshold),
        String(radiusMm),
        join(dir, 'samples.raw'),
        String(repeats),
      ],
      { encoding: 'utf8', maxBuffer: 1 << 26 },
    );
    if (p.status === 0) scipy = JSON.parse(p.stdout.trim().split('\n').pop()!);
    else console.log(`scipy column skipped: ${(p.stderr || p.error?.message || '').split('\n').slice(-2).join(' ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (scipy) {
  const maxDiff = (ours: Float32Array, theirs: number[]) => {
    let m = 0;
    for (let i = 0; i < samples.length; i++) m = Math.max(m, Math.abs(ours[Number(samples[i])]! - theirs[i]!));
    return m;
  };
  rows[0]!.check = `max|diff| ${maxDiff(g.out.data, scipy.gaussian!.samples as number[]).toExponential(1)}`;
  rows[1]!.check = `scipy ${(scipy.resample!.shape as number[]).join('x')}`;
  rows[2]!.check += ` (scipy ${scipy.label!.count})`;
  rows[3]!.check = `max|diff| ${maxDiff(edt.out.data, scipy.edt!.samples as number[]).toExponential(1)}`;
  rows[4]!.check = `${dlCount} vox (scipy ${scipy.dilate!.count})`;
}

console.log(
  `\nmedimg ops vs scipy.ndimage ${dims.join('x')} float32, spacing ${spacing.join('x')} mm, best of ${repeats}`,
);
console.log(`node ${process.version}, single thread\n`);
const pad = (s: string, w: number) => s.padEnd(w);
const num = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(0)).padStart(9);
console.log(`${pad('op', 40)}${'medimg ms'.padStart(9)}${'scipy ms'.padStart(9)}${'ratio'.padStart(7)}  agreement`);
for (const r of rows) {
  const s = scipy?.[r.key]?.ms;
  const ratio = s ? (r.ms / s).toFixed(2) : '-';
  console.log(`${pad(r.op, 40)}${num(r.ms)}${num(s)}${ratio.padStart(7)}  ${r.check}`);
}
const gaussBytes = 3 * 2 * n * 4; // three passes, each reads and writes the volume once
const gaussGBs = gaussBytes / g.ms / 1e6;
console.log(
  `\ncopy bandwidth (TypedArray.set, read+write): ${copyGBs.toFixed(1)} GB/s; ` +
    `gaussian effective ${gaussGBs.toFixed(1)} GB/s (3 passes x read+write) = ${((100 * gaussGBs) / copyGBs).toFixed(0)} % of copy`,
);
