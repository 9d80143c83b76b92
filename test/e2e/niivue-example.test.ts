import { readdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readDicomSeries } from '../../src/index.js';
import { detectNodules } from '../../src/tasks/index.js';
import {
  type ChromiumSession,
  chromiumCpuSeconds,
  expectedNoduleRows,
  describeChromium,
  launchChromium,
  resultRows,
} from '../helpers/chromium.js';
import { dataPath } from '../helpers/data.js';

// Drives examples/niivue in Debian's chromium (never a downloaded browser; WebGL2 on SwiftShader)
// through playwright-core: open the real chest CT folder, run segmentLungs + detectNodules in the
// Web Worker, and check niivue's canvas shows the lung label layer and the nodule markers.
const CT_DIR = dataPath('dicom/ct_chest_LungPETCTDx_A0001_kernelB');
const SCREENSHOT_CT = '/tmp/medimg-niivue-ct.png';
const SCREENSHOT = '/tmp/medimg-niivue-overlay.png';

/** What the page exposes for scripts: the niivue instance (only the fields read here). */
interface PageGlobals {
  medimgNiivue: {
    nv: {
      volumes: { colormapLabel?: { labels?: string[] } }[];
      meshes: { nodes?: unknown[]; showLegend: boolean }[];
      drawScene(): void;
    };
  };
}

/** Pixels of the canvas by colour class: the page's LUT (right lung green, left lung blue) blended over grey CT, and the yellow markers. */
function colourCounts(png: Uint8Array): { right: number; left: number; marker: number; total: number } {
  const img = decode(png);
  const ch = img.channels;
  const d = img.data;
  let right = 0;
  let left = 0;
  let marker = 0;
  for (let p = 0; p < img.width * img.height; p++) {
    const r = d[p * ch]!;
    const g = d[p * ch + 1]!;
    const b = d[p * ch + 2]!;
    if (g > r + 40 && g > b + 40) right++;
    else if (b > r + 40 && b > g + 30) left++;
    else if (r > b + 50 && g > b + 50 && Math.abs(r - g) < 60) marker++;
  }
  return { right, left, marker, total: img.width * img.height };
}

describeChromium('niivue example in chromium', () => {
  let server: Server;
  let browser: ChromiumSession;
  // biome-ignore lint/suspicious/noExplicitAny: playwright types are loaded lazily
  let page: any;
  let profile = '';
  let pageErrors: string[] = [];
  const offline: string[] = [];

  beforeAll(async () => {
    // @ts-expect-error plain ESM example scripts without type declarations
    const { buildNiivueExample } = await import('../../examples/niivue/build.mjs');
    // @ts-expect-error see above
    const { startServer } = await import('../../examples/browser-viewer/serve.mjs');
    const { dir } = await buildNiivueExample();
    server = await startServer(0, { root: dir });
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    browser = await launchChromium('medimg-niivue-chromium', { viewport: { width: 1200, height: 760 } });
    ({ page, profile, pageErrors } = browser);
    // SwiftShader draws on the CPU: on a loaded machine niivue's first draws hold the page's main
    // thread for long, so locator calls get more than playwright's 30 s default.
    page.setDefaultTimeout(180_000);
    // The page must work offline: no CDN, no web fonts.
    page.on('request', (r: { url(): string }) => {
      const u = r.url();
      if (!u.startsWith(base) && !u.startsWith('blob:') && !u.startsWith('data:')) offline.push(u);
    });
    await page.goto(`${base}/`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });

  it('shows the chest CT in niivue, then the lung label layer and the nodule markers from the worker', async () => {
    const t0 = performance.now();
    const cpu0 = chromiumCpuSeconds(profile);
    await page.setInputFiles('#folder', CT_DIR);
    await page.waitForFunction(
      () => /^(Loaded|Error)/.test(document.getElementById('status')?.textContent ?? ''),
      null,
      {
        timeout: 120_000,
      },
    );
    expect(await page.locator('#status').textContent()).toMatch(/^Loaded 512 x 512 x 64/);
    const tLoaded = performance.now();
    const cpuLoaded = chromiumCpuSeconds(profile);
    // One volume (the CT), no overlay yet: no label or marker colour on the canvas.
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).medimgNiivue.nv.volumes.length)).toBe(1);
    const before: Uint8Array = await page.locator('#gl').screenshot({ path: SCREENSHOT_CT });
    const b = colourCounts(before);
    expect(b.right + b.left + b.marker).toBe(0);

    await page.locator('#run').click();
    await page.waitForFunction(
      () => /tasks done|Error/.test(document.getElementById('status')?.textContent ?? ''),
      null,
      { timeout: 240_000 },
    );
    expect(await page.locator('#status').textContent()).toMatch(/^tasks done/);
    const tDone = performance.now();
    const cpuDone = chromiumCpuSeconds(profile);
    const rows = await resultRows(page);
    const value = (k: string): string | undefined => rows.find((r) => r[0] === k)?.[1];

    // The browser build in the worker gives what Node gives on the same series.
    const ref = await detectNodules(await readDicomSeries(CT_DIR));
    expect(ref.nodules.length).toBeGreaterThanOrEqual(1); // the adenocarcinoma
    expect(rows.filter((r) => r[0] === 'nodules' || r[0]!.startsWith('nodule ') || r[0] === 'exam Lung-RADS')).toEqual(
      expectedNoduleRows(ref),
    );
    expect(Number(value('lung volume mL'))).toBeCloseTo(ref.lungVolumeMl, 0);

    // niivue holds the CT plus the label layer, and one connectome with a node per nodule.
    const scene = await page.evaluate(() => {
      const nv = (globalThis as unknown as PageGlobals).medimgNiivue.nv;
      return {
        volumes: nv.volumes.length,
        labels: nv.volumes[1]?.colormapLabel?.labels,
        nodes: nv.meshes[0]?.nodes?.length,
      };
    });
    expect(scene).toEqual({ volumes: 2, labels: ['', 'right lung', 'left lung'], nodes: ref.nodules.length });
    const legend = await page.locator('#legend').textContent();
    expect(legend).toContain('right lung');
    expect(legend).toContain('left lung');
    expect(legend).toContain(`nodule marker (${ref.nodules.length})`);

    // The overlay is on the canvas: both lungs' label colours and the marker's yellow appear.
    const after: Uint8Array = await page.locator('#gl').screenshot({ path: SCREENSHOT });
    const a = colourCounts(after);
    console.log(
      `niivue example: load ${Math.round(tLoaded - t0)} ms wall (chromium CPU ${(cpuLoaded - cpu0).toFixed(1)} s), tasks ${Math.round(tDone - tLoaded)} ms wall (chromium CPU ${(cpuDone - cpuLoaded).toFixed(1)} s); canvas pixels right ${a.right}, left ${a.left}, marker ${a.marker} of ${a.total} (screenshots ${SCREENSHOT_CT}, ${SCREENSHOT})`,
    );
    expect(a.right).toBeGreaterThan(0.005 * a.total);
    expect(a.left).toBeGreaterThan(0.005 * a.total);
    // niivue's node legend on the canvas is yellow too: without it, the sphere alone must remain.
    await page.evaluate(() => {
      const nv = (globalThis as unknown as PageGlobals).medimgNiivue.nv;
      nv.meshes[0]!.showLegend = false;
      nv.drawScene();
    });
    const m = colourCounts(await page.locator('#gl').screenshot());
    console.log(`niivue example: marker pixels without the canvas legend ${m.marker}`);
    expect(m.marker).toBeGreaterThan(100);
    expect(offline).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 400_000);

  it('opens dropped files, replacing the scene (overlay and markers gone)', async () => {
    // Five slices of the same series, dropped as plain files (a synthetic drop has no entries API).
    const names = readdirSync(CT_DIR).sort().slice(30, 35);
    const files = names.map((n) => ({ name: n, b64: readFileSync(join(CT_DIR, n)).toString('base64') }));
    await page.evaluate((list: { name: string; b64: string }[]) => {
      const dt = new DataTransfer();
      for (const f of list) {
        const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
        dt.items.add(new File([bytes], f.name, { type: 'application/dicom' }));
      }
      document.getElementById('drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true }));
    }, files);
    const status = await page.waitForFunction(
      () => {
        const t = document.getElementById('status')?.textContent ?? '';
        return /^(Loaded|Error)/.test(t) ? t : null;
      },
      null,
      { timeout: 120_000 },
    );
    expect(await status.jsonValue()).toMatch(/^Loaded 512 x 512 x 5 /);
    const scene = await page.evaluate(() => {
      const nv = (globalThis as unknown as PageGlobals).medimgNiivue.nv;
      return { volumes: nv.volumes.length, meshes: nv.meshes.length };
    });
    expect(scene).toEqual({ volumes: 1, meshes: 0 });
    expect(await page.locator('#legend').isHidden()).toBe(true);
    expect(pageErrors).toEqual([]);
  }, 200_000);
});
