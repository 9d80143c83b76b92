import type { Server } from 'node:http';
import { decode } from 'fast-png';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readDicomSeries } from '../../src/index.js';
import { detectNodules } from '../../src/tasks/index.js';
import {
  type ChromiumSession,
  describeChromium,
  expectedNoduleRows,
  launchChromium,
  resultRows,
} from '../helpers/chromium.js';
import { dataPath } from '../helpers/data.js';

// Drives examples/cornerstone3d in Debian's chromium (never a downloaded browser) through
// playwright-core: open the real chest CT folder (all 64 slices), let cornerstone3D render it
// (WebGL2 on SwiftShader, headless), run segmentLungs + detectNodules in the Web Worker, then
// check the nodule count against Node's detectNodules and the overlay in screenshots.
const CT_DIR = dataPath('dicom/ct_chest_LungPETCTDx_A0001_kernelB');
const SHOT_BEFORE = '/tmp/medimg-cornerstone3d-before.png';
const SHOT_AFTER = '/tmp/medimg-cornerstone3d-after.png';

/** Pixels per class in a screenshot: the example's legend colours, blended over the grey CT. */
function countColours(png: Buffer) {
  const { data, width, height, channels } = decode(png);
  const n = { right: 0, left: 0, nodule: 0, dark: 0, bright: 0, total: width * height };
  for (let p = 0; p < data.length; p += channels) {
    const r = data[p] ?? 0;
    const g = data[p + 1] ?? 0;
    const b = data[p + 2] ?? 0;
    // The CT is grey (r = g = b): any strong hue comes from the overlay.
    if (g > r + 40 && g > b + 30)
      n.right++; // right lung [0, 220, 90]
    else if (b > r + 40 && b > g + 40)
      n.left++; // left lung [40, 120, 255]
    else if (r > 150 && g > 120 && b < 80 && r > b + 100) n.nodule++; // nodule circle rgb(255, 200, 0)
    if (r < 60 && g < 60 && b < 60) n.dark++;
    if (r > 200 && g > 200 && b > 200) n.bright++;
  }
  return n;
}

describeChromium('cornerstone3D example in chromium', () => {
  let server: Server;
  let browser: ChromiumSession;
  // biome-ignore lint/suspicious/noExplicitAny: playwright types are loaded lazily
  let page: any;
  let pageErrors: string[] = [];

  beforeAll(async () => {
    // @ts-expect-error plain ESM example scripts without type declarations
    const { buildExample } = await import('../../examples/cornerstone3d/build.mjs');
    // @ts-expect-error see above
    const { startServer } = await import('../../examples/cornerstone3d/serve.mjs');
    await buildExample();
    server = await startServer(0);
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    browser = await launchChromium('medimg-cornerstone-chromium', { viewport: { width: 1200, height: 760 } });
    ({ page, pageErrors } = browser);
    await page.goto(`${base}/`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });

  it('renders the chest CT, then the lung labelmap and a circle at each nodule detectNodules finds', async () => {
    await page.waitForFunction(
      () => /^(Ready|Error)/.test(document.getElementById('status')?.textContent ?? ''),
      null,
      {
        timeout: 30_000,
      },
    );
    expect(await page.locator('#status').textContent()).toMatch(/^Ready/);
    // Headless chromium gives cornerstone3D a WebGL2 context on SwiftShader (no GPU, no CPU fallback).
    const renderer: string = await page.evaluate(() => {
      const gl = document.createElement('canvas').getContext('webgl2');
      return gl ? String(gl.getParameter(gl.RENDERER)) : 'none';
    });
    expect(renderer).not.toBe('none');
    const legend: string[] = await page.$$eval('#legend li', (lis: HTMLElement[]) => lis.map((l) => l.textContent));
    expect(legend).toEqual([
      'Right lung (segmentLungs)',
      'Left lung (segmentLungs)',
      'Nodule (detectNodules), circle at its centre',
    ]);

    await page.setInputFiles('#folder', CT_DIR);
    await page.waitForFunction(
      () => /^(Loaded|Error)/.test(document.getElementById('status')?.textContent ?? ''),
      null,
      {
        timeout: 60_000,
      },
    );
    expect(await page.locator('#status').textContent()).toMatch(/^Loaded 512 x 512 x 64 CT/);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const before = countColours(await page.locator('#viewport').screenshot({ path: SHOT_BEFORE }));
    // The CT is drawn in the lung window: dark lungs and air, bright body and bone, no overlay yet.
    expect(before.dark / before.total).toBeGreaterThan(0.1);
    expect(before.bright / before.total).toBeGreaterThan(0.05);
    expect(before.right + before.left + before.nodule).toBeLessThan(20);

    // Node's answer on the same folder, computed while the page's worker runs.
    const reference = readDicomSeries(CT_DIR).then((ct) => detectNodules(ct));
    await page.locator('#run').click();
    await page.waitForFunction(
      () => /nodules done|Error/.test(document.getElementById('status')?.textContent ?? ''),
      null,
      { timeout: 150_000 },
    );
    expect(await page.locator('#status').textContent()).toMatch(/^lungs \+ nodules done/);
    const ref = await reference;
    const first = ref.nodules[0];
    expect(first).toBeDefined(); // the adenocarcinoma
    expect(Number(await page.locator('#result').getAttribute('data-nodules'))).toBe(ref.nodules.length);
    const rows = await resultRows(page);
    expect(rows.filter((r) => r[0] === 'nodules' || r[0]!.startsWith('nodule ') || r[0] === 'exam Lung-RADS')).toEqual(
      expectedNoduleRows(ref),
    );
    // The view moved to the first nodule's slice (numbered as medimg numbers it).
    expect(await page.locator('#slice-label').textContent()).toBe(
      `slice ${Math.round(first!.centerVoxel[2]) + 1} / 64`,
    );

    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const after = countColours(await page.locator('#viewport').screenshot({ path: SHOT_AFTER }));
    // Both lungs are on this slice (each well over 1 % of the 512 x 512 view) and so is the circle.
    expect(after.right).toBeGreaterThan(0.01 * after.total);
    expect(after.left).toBeGreaterThan(0.01 * after.total);
    expect(after.nodule).toBeGreaterThan(100);

    // cornerstone's StackScrollTool on the wheel: a few slices away the circle (anchored to the
    // nodule's slice) is gone and the lungs are still coloured.
    await page.locator('#viewport').hover();
    for (let i = 0; i < 4; i++) await page.mouse.wheel(0, 120);
    await page.waitForFunction(
      (label: string) => document.getElementById('slice-label')?.textContent !== label,
      `slice ${Math.round(first!.centerVoxel[2]) + 1} / 64`,
      { timeout: 10_000 },
    );
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const away = countColours(await page.locator('#viewport').screenshot());
    expect(away.nodule).toBeLessThan(20);
    expect(away.right + away.left).toBeGreaterThan(0.01 * away.total);
    expect(pageErrors).toEqual([]);
  }, 200_000);
});
