/**
 * detectNodules in Debian's Chromium (examples/browser-viewer: the task in a Web Worker, the ops'
 * WebAssembly kernels on one thread) against Node (this process, worker threads as configured) on
 * the real chest CTs, side by side: wall time of a first (cold) and a second (warm) run on each
 * side, Chromium's CPU (all its processes) and whether the browser lists the same findings as Node.
 * Node runs first, so the two never share the cores.
 * Run: `node --import tsx bench/browser-nodules.ts [runs]` (runs per side and CT, default 2: the
 * first is the cold one; with more, the warm figure is the median of the rest).
 */
import { loadavg } from 'node:os';
// @ts-expect-error plain ESM example scripts without type declarations
import { buildViewer } from '../examples/browser-viewer/build.mjs';
// @ts-expect-error see above
import { startServer } from '../examples/browser-viewer/serve.mjs';
import { readDicomSeries } from '../src/index.js';
import { detectNodules } from '../src/tasks/index.js';
import { chromiumCpuSeconds, expectedNoduleRows, launchChromium, resultRows } from '../test/helpers/chromium.js';
import { dataPath } from '../test/helpers/data.js';

const runs = Math.max(2, Number(process.argv[2] ?? 2));
const cases = ['ct_chest_LungPETCTDx_A0001_kernelB', 'ct_chest_LungPETCTDx_A0002_B40f'];
const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
};

console.log(
  `node ${process.version}; ${runs} runs per side and CT; load average ${loadavg()
    .map((v) => v.toFixed(1))
    .join(' ')}`,
);
const nodeMs = new Map<string, number[]>();
const expected = new Map<string, string[][]>();
for (const name of cases) {
  const ct = await readDicomSeries(dataPath(`dicom/${name}`));
  const ms: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const res = await detectNodules(ct);
    ms.push(performance.now() - t0);
    expected.set(name, expectedNoduleRows(res));
  }
  nodeMs.set(name, ms);
}

await buildViewer();
const server = await startServer(0);
const base = `http://127.0.0.1:${server.address().port}`;
const rows: string[] = [];
for (const name of cases) {
  // a fresh browser per CT: its first run is as cold as Node's first
  const browser = await launchChromium('medimg-bench-nodules');
  const { page, profile, pageErrors } = browser;
  await page.goto(`${base}/`);
  await page.setInputFiles('#folder', dataPath(`dicom/${name}`));
  await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('Loaded'), null, {
    timeout: 300_000,
  });
  const ms: number[] = [];
  const cpu: number[] = [];
  let same = true;
  for (let r = 0; r < runs; r++) {
    const c0 = chromiumCpuSeconds(profile);
    await page.locator('#run-nodules').click();
    await page.waitForFunction(
      () => /nodules done|Error/.test(document.getElementById('status')?.textContent ?? ''),
      null,
      { timeout: 600_000 },
    );
    cpu.push(chromiumCpuSeconds(profile) - c0);
    const status = (await page.locator('#status').textContent()) ?? '';
    const m = /nodules done in (\d+) ms/.exec(status);
    if (!m) throw new Error(`${name}: ${status} ${pageErrors.join('; ')}`);
    ms.push(Number(m[1]));
    const got = (await resultRows(page)).filter(
      (r: string[]) => r[0] === 'nodules' || r[0]!.startsWith('nodule ') || r[0] === 'exam Lung-RADS',
    );
    same &&= JSON.stringify(got) === JSON.stringify(expected.get(name));
    // the button is enabled again once the result is shown; wait for it before the next run
    await page.waitForFunction(() => !(document.getElementById('run-nodules') as HTMLButtonElement).disabled);
  }
  await browser.close();
  const n = nodeMs.get(name)!;
  const warmNode = median(n.slice(1));
  const warmChrome = median(ms.slice(1));
  rows.push(
    `| ${name.replace('ct_chest_LungPETCTDx_', '')} | ${n[0]!.toFixed(0)} | ${warmNode.toFixed(0)} | ${ms[0]} | ${warmChrome.toFixed(0)} | ${median(cpu.slice(1)).toFixed(1)} | ${(ms[0]! / n[0]!).toFixed(2)} | ${(warmChrome / warmNode).toFixed(2)} | ${same ? 'yes' : 'NO'} |`,
  );
}
server.close();
console.log(
  '\n| CT | Node cold ms | Node warm ms | Chromium cold ms | Chromium warm ms | Chromium warm CPU s | ratio cold | ratio warm | same findings |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
for (const r of rows) console.log(r);
process.exit(0);
