/**
 * Reads the 64-slice chest CT folder into a Volume, timed as a whole process (node start, module
 * load, read, decode), side by side with dcm2niix converting the same folder to NIfTI (-z n).
 *
 *   npx tsx bench/dicom-read.ts [folder] [runs]
 *
 * Our side runs an esbuild bundle of the library (what an app ships), not tsx, so TypeScript
 * compilation is not timed. The bundle's modules are imported dynamically so that their load and
 * initialisation time is reported on its own; an empty node process and the bundle run with
 * `--load-only` (start, compile, init, exit) run in the same rotation: the floor no Node program
 * goes below, and the whole-process cost of loading the library. Medians over alternating runs (the machine may be shared:
 * the load average is printed).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const folder = resolve(process.argv[2] ?? join(root, '../shared/data/dicom/ct_chest_LungPETCTDx_A0001_kernelB'));
const runs = Number(process.argv[3] ?? 7);
const work = mkdtempSync(join(tmpdir(), 'medimg-bench-dicom-'));

const entry = join(work, 'entry.ts');
writeFileSync(
  entry,
  `const t0 = performance.now();
const { setFileSystem } = await import(${JSON.stringify(join(root, 'src/io/fs.ts'))});
const { nodeFileSystem } = await import(${JSON.stringify(join(root, 'src/io/fs-node.ts'))});
const { readDicomSeries } = await import(${JSON.stringify(join(root, 'src/io/dicom/series.ts'))});
const loadMs = performance.now() - t0;
if (process.argv[2] === '--load-only') {
  console.log(JSON.stringify({ loadMs }));
  process.exit(0);
}
setFileSystem(nodeFileSystem);
const c = process.cpuUsage();
const t = performance.now();
const v = await readDicomSeries(process.argv[2]);
const ms = performance.now() - t;
const cu = process.cpuUsage(c);
const cpuMs = (cu.user + cu.system) / 1000;
console.log(JSON.stringify({ dims: v.dims, ms, cpuMs, loadMs, type: v.data.constructor.name }));
`,
);
const bundle = join(work, 'read.mjs');
await build({
  entryPoints: [entry],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: bundle,
  logLevel: 'error',
  // codecs load lazily and are not needed for this uncompressed series
  external: ['@cornerstonejs/*', 'jpeg-lossless-decoder-js'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});

const HAS_TIME = spawnSync('/usr/bin/time', ['-f', '%U', 'true']).status === 0;

/** Wall time of a whole process, and its CPU time (user + system, all threads) where /usr/bin/time exists. */
function timeProcess(cmd: string, args: string[]): { ms: number; cpuMs: number; out: string } {
  const t = process.hrtime.bigint();
  const r = HAS_TIME
    ? spawnSync('/usr/bin/time', ['-f', 'CPU %U %S', cmd, ...args], { encoding: 'utf8' })
    : spawnSync(cmd, args, { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
  const m = /CPU ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '');
  return { ms, cpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : Number.NaN, out: r.stdout };
}

let dcm2niixVersion = '';
try {
  dcm2niixVersion =
    execFileSync('dcm2niix', ['-v'], { encoding: 'utf8' })
      .split('\n')
      .find((l) => /v\d/.test(l)) ?? '';
} catch (e) {
  dcm2niixVersion =
    String((e as { stdout?: string }).stdout ?? '')
      .split('\n')
      .find((l) => /v\d/.test(l)) ?? '';
}

const ours: number[] = [];
const oursCpu: number[] = [];
const inProc: number[] = [];
const inProcCpu: number[] = [];
const loads: number[] = [];
const empty: number[] = [];
const loadOnly: number[] = [];
const theirs: number[] = [];
const theirsCpu: number[] = [];
let info = '';
for (let i = 0; i < runs + 1; i++) {
  const a = timeProcess(process.execPath, [bundle, folder]);
  const out = join(work, `nii${i}`);
  execFileSync('mkdir', ['-p', out]);
  const b = timeProcess('dcm2niix', ['-z', 'n', '-o', out, '-f', 'ref', folder]);
  rmSync(out, { recursive: true, force: true });
  const e = timeProcess(process.execPath, ['-e', '0']);
  const l = timeProcess(process.execPath, [bundle, '--load-only']);
  if (i === 0) continue; // warm the page cache for both
  const r = JSON.parse(a.out.trim().split('\n').at(-1)!);
  info = `${r.dims.join('x')} ${r.type}`;
  ours.push(a.ms);
  oursCpu.push(a.cpuMs);
  inProc.push(r.ms);
  inProcCpu.push(r.cpuMs);
  loads.push(r.loadMs);
  empty.push(e.ms);
  loadOnly.push(l.ms);
  theirs.push(b.ms);
  theirsCpu.push(b.cpuMs);
}
rmSync(work, { recursive: true, force: true });

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const fmt = (a: number[]) => `median ${median(a).toFixed(0)} ms, min ${Math.min(...a).toFixed(0)} ms`;
const load0 = loadavg()[0]!.toFixed(2);
console.log(
  `DICOM series read, ${folder.split('/').at(-1)} (${info}), ${runs} alternating runs after one warm-up, whole processes (load average ${load0}):`,
);
console.log(`  medimg readDicomSeries (node ${process.version}): wall ${fmt(ours)}; CPU ${fmt(oursCpu)}`);
console.log(`    of which module init of the bundle (after its compile): ${fmt(loads)}`);
console.log(`    of which in-process readDicomSeries call: wall ${fmt(inProc)}; CPU ${fmt(inProcCpu)}`);
console.log(`  an empty node process (node -e 0): wall ${fmt(empty)}`);
console.log(
  `  the bundle loaded, nothing read (node start + bundle compile + module init): wall ${fmt(loadOnly)}; module load = ${(median(loadOnly) - median(empty)).toFixed(0)} ms over the empty process`,
);
console.log(`  dcm2niix -z n ${dcm2niixVersion.trim()}: wall ${fmt(theirs)}; CPU ${fmt(theirsCpu)}`);
console.log(
  `  ratio medimg / dcm2niix (medians): wall ${(median(ours) / median(theirs)).toFixed(2)}, CPU ${(median(oursCpu) / median(theirsCpu)).toFixed(2)}`,
);
console.log(
  `  ratio in-process readDicomSeries / dcm2niix whole process (medians): wall ${(median(inProc) / median(theirs)).toFixed(2)}, CPU ${(median(inProcCpu) / median(theirsCpu)).toFixed(2)} (goal <= 0.5)`,
);
