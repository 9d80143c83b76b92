/**
 * Cost of the browser viewer's "Brain structures" on the real 256³ brainchop subcortical18 model in
 * Debian's Chromium (wasm EP; the page is cross-origin isolated, so onnxruntime-web may thread):
 * wall time from the click to the table, CPU time and peak resident memory of all of this run's
 * Chromium processes (sampled from /proc every 0.5 s), and the table's hippocampus / thalamus rows
 * against the onnxruntime-node CPU reference counts.
 * Run: node --import tsx bench/browser-structures.ts [threads]   (threads: onnxruntime-web's numThreads;
 * default its own choice: 1 below 4 cores)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error plain ESM example scripts without type declarations
import { buildViewer } from '../examples/browser-viewer/build.mjs';
// @ts-expect-error see above
import { startServer } from '../examples/browser-viewer/serve.mjs';
import { launchChromium } from '../test/helpers/chromium.js';
import { dataPath } from '../test/helpers/data.js';

const threads = process.argv[2];
const TICK = 100; // clock ticks per second (Linux USER_HZ)

/** Pids whose command line names this run's profile folder (Chromium and its children). */
function pidsOf(profile: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(profile)) out.push(Number(d));
    } catch {}
  }
  return out;
}

function sample(pids: number[], cpu: Map<number, number>): number {
  let rss = 0;
  for (const p of pids) {
    try {
      const st = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      cpu.set(p, Number(f[11]) + Number(f[12])); // utime + stime, ticks
      rss += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
    } catch {}
  }
  return rss / 1024; // MiB
}

await buildViewer();
const server = await startServer(0);
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await launchChromium('medimg-bench-chromium');
const { page, profile, pageErrors: errors } = browser;
await page.goto(`${base}/${threads ? `?threads=${threads}` : ''}`);
const isolated = await page.evaluate(() => globalThis.crossOriginIsolated);
const dir = dataPath('models/brainchop_subcortical18');
await page.setInputFiles('#nifti', dataPath('models/niivue_meshnet_tissue_gwm/t1_crop.nii.gz'));
await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('Loaded'));
await page.setInputFiles('#model', join(dir, 'model.onnx'));

const cpu = new Map<number, number>();
let peak = 0;
sample(pidsOf(profile), cpu);
const cpu0 = [...cpu.values()].reduce((a, b) => a + b, 0);
const timer = setInterval(() => {
  peak = Math.max(peak, sample(pidsOf(profile), cpu));
}, 500);
const t0 = performance.now();
await page.locator('#run-structures').click();
await page.waitForFunction(
  () => /structures done|Error/.test(document.getElementById('status')?.textContent ?? ''),
  null,
  {
    timeout: 40 * 60_000,
  },
);
const wallS = (performance.now() - t0) / 1000;
peak = Math.max(peak, sample(pidsOf(profile), cpu));
clearInterval(timer);
const cpuS = ([...cpu.values()].reduce((a, b) => a + b, 0) - cpu0) / TICK;
const status = await page.locator('#status').textContent();
const rows: string[][] = await page.$$eval('#results tbody tr', (trs: HTMLTableRowElement[]) =>
  trs.map((tr) => [...tr.cells].map((c) => c.textContent ?? '')),
);
const ref = JSON.parse(readFileSync(join(dir, 'expected_output.json'), 'utf8')).reference_run.voxel_counts_by_label;
console.log(
  JSON.stringify(
    {
      crossOriginIsolated: isolated,
      threads: threads ?? 'default',
      status,
      wallS: +wallS.toFixed(1),
      chromiumCpuS: +cpuS.toFixed(1),
      chromiumPeakRssMiB: Math.round(peak),
      referenceMl: { Hippocampus: ref['14'] / 1000, Thalamus: ref['7'] / 1000 },
      rows,
      errors,
    },
    null,
    1,
  ),
);
await browser.close();
server.close();
process.exit(0);
