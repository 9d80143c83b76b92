import { emptyNodeBuiltinsForCodecs } from '../../build/browser-shims.js';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ChromiumSession, describeChromium, launchChromium } from '../helpers/chromium.js';
import { dataPath, HAS_DATA } from '../helpers/data.js';
import { HTJ2K_CASES, htj2kDicom, readSource } from '../io/htj2k-encode.js';
import { createSession, createVolume, slidingWindowInference } from '../../src/index.js';
import { sha256Hex } from '../../src/ops.js';
import { conv3dModel, scaleModel, thresholdSoftmaxModel } from '../../src/testing.js';

// Runs the browser build in Debian's chromium (never a downloaded browser) through
// playwright-core: wasm with threads (page cross-origin isolated by COOP/COEP) and webgpu on the
// SwiftShader software adapter, compared with onnxruntime-node cpu.
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const ORT_DIST = join(root, 'node_modules/onnxruntime-web/dist');

const dims: [number, number, number] = [18, 14, 10];
const input = Array.from({ length: dims[0] * dims[1] * dims[2] }, (_, i) => Math.sin(i * 0.37) * 0.5 + 0.5);

/** What test/browser/page.ts puts on the page's globalThis. */
interface TestApi {
  configure(threads: number): void;
  listBackends(): Promise<{ name: string; available: boolean; reason?: string; software?: boolean }[]>;
  runCase(
    backend: string,
    data: number[],
    dims: number[],
  ): Promise<{ box: number[]; softmax: number[]; provenance: { backend: string } }>;
  isolated(): boolean;
  cacheCase(url: string, sha256: string): Promise<string[]>;
  decodeDicom(b64: string): Promise<{ transferSyntax: string; frames: number; pixels: string }>;
}

const HAS_OJPH = spawnSync('ojph_compress', []).error === undefined;

const urlModel = scaleModel(2);
let modelHits = 0;

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

describeChromium('browser entry in chromium', () => {
  let server: Server;
  let base = '';
  let bundle = '';
  let browser: ChromiumSession;
  // biome-ignore lint/suspicious/noExplicitAny: playwright types are loaded lazily
  let page: any;
  const cpu: Record<string, Float32Array> = {};

  beforeAll(async () => {
    const esbuild = await import('esbuild');
    const built = await esbuild.build({
      entryPoints: [join(root, 'test/browser/page.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      external: ['onnxruntime-web'],
      plugins: [emptyNodeBuiltinsForCodecs],
      write: false,
    });
    bundle = built.outputFiles[0]!.text;
    const html = `<!doctype html><meta charset="utf-8"><script type="importmap">{"imports":{"onnxruntime-web":"/ort/ort.bundle.min.mjs"}}</script><script type="module" src="/page.js"></script>`;
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const headers = {
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
        'Cross-Origin-Resource-Policy': 'same-origin',
      };
      if (url.pathname === '/' || url.pathname === '/index.html') {
        res.writeHead(200, { ...headers, 'content-type': 'text/html' }).end(html);
        return;
      }
      if (url.pathname === '/page.js') {
        res.writeHead(200, { ...headers, 'content-type': 'text/javascript' }).end(bundle);
        return;
      }
      if (url.pathname === '/model/scale.onnx') {
        modelHits++;
        res.writeHead(200, { ...headers, 'content-type': 'application/octet-stream' }).end(Buffer.from(urlModel));
        return;
      }
      if (url.pathname.startsWith('/ort/')) {
        const file = normalize(join(ORT_DIST, url.pathname.slice(5)));
        if (file.startsWith(ORT_DIST) && existsSync(file)) {
          res
            .writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
            .end(readFileSync(file));
          return;
        }
      }
      res.writeHead(url.pathname === '/favicon.ico' ? 204 : 404, headers).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

    browser = await launchChromium('medimg-chromium', { webgpu: true });
    page = browser.page;
    page.on('console', (m: { type(): string; text(): string }) => {
      if (m.type() === 'error') console.error('[page]', m.text());
    });
    await page.goto(`${base}/`);
    await page.waitForFunction(() => (globalThis as unknown as { medimgReady?: boolean }).medimgReady === true, null, {
      timeout: 30_000,
    });

    const vol = createVolume(dims, Float32Array.from(input));
    for (const [name, model] of [
      ['box', conv3dModel(3)],
      ['softmax', thresholdSoftmaxModel(0.5, 3)],
    ] as const) {
      const s = await createSession(model, { backend: 'cpu' });
      cpu[name] = (await slidingWindowInference(vol, s, { roiSize: [8, 8, 8], mode: 'gaussian' })).data;
      await s.release();
    }
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  const compare = (got: number[], want: Float32Array): number => {
    expect(got.length).toBe(want.length);
    let m = 0;
    for (let i = 0; i < got.length; i++) m = Math.max(m, Math.abs(got[i]! - want[i]!));
    return m;
  };

  it('wasm with 2 threads in a cross-origin isolated page matches node cpu within 1e-5', async () => {
    expect(await page.evaluate(() => (globalThis as unknown as { medimgTest: TestApi }).medimgTest.isolated())).toBe(
      true,
    );
    await page.evaluate(() => (globalThis as unknown as { medimgTest: TestApi }).medimgTest.configure(2));
    const list = await page.evaluate(() =>
      (globalThis as unknown as { medimgTest: TestApi }).medimgTest.listBackends(),
    );
    const wasm = list.find((b: { name: string }) => b.name === 'wasm');
    expect(wasm.available, wasm.reason).toBe(true);
    expect(wasm.reason).toMatch(/2 thread/);
    expect(list.find((b: { name: string }) => b.name === 'cuda').available).toBe(false);
    const r = await page.evaluate(
      ([d, s]: [number[], number[]]) =>
        (globalThis as unknown as { medimgTest: TestApi }).medimgTest.runCase('wasm', d, s),
      [input, dims],
    );
    expect(r.provenance.backend).toBe('wasm');
    expect(compare(r.box, cpu.box!)).toBeLessThan(1e-5);
    expect(compare(r.softmax, cpu.softmax!)).toBeLessThan(1e-5);
  });

  it('webgpu on the software adapter matches node cpu within 1e-5', async () => {
    const list = await page.evaluate(() =>
      (globalThis as unknown as { medimgTest: TestApi }).medimgTest.listBackends(),
    );
    const gpu = list.find((b: { name: string }) => b.name === 'webgpu');
    expect(gpu.available, gpu.reason).toBe(true);
    // The page has no hardware GPU: Chromium's SwiftShader adapter, flagged as software.
    expect(gpu.reason).toMatch(/swiftshader/i);
    expect(gpu.software).toBe(true);
    const r = await page.evaluate(
      ([d, s]: [number[], number[]]) =>
        (globalThis as unknown as { medimgTest: TestApi }).medimgTest.runCase('webgpu', d, s),
      [input, dims],
    );
    expect(r.provenance.backend).toBe('webgpu');
    expect(compare(r.box, cpu.box!)).toBeLessThan(1e-5);
    expect(compare(r.softmax, cpu.softmax!)).toBeLessThan(1e-5);
  });

  it('caches a URL model in Cache Storage: fetched once, then read from the cache', async () => {
    const sha = await sha256Hex(urlModel);
    modelHits = 0;
    const sources = await page.evaluate(
      ([u, h]: [string, string]) => (globalThis as unknown as { medimgTest: TestApi }).medimgTest.cacheCase(u, h),
      [`${base}/model/scale.onnx`, sha],
    );
    expect(sources).toEqual(['url', 'cache']);
    expect(modelHits).toBe(1);
  });

  // The OpenJPH wasm is inlined in the bundle (build/browser-shims.ts): the page fetches no file
  // for it (the server above answers 404 to anything else). Real slices, ojph_compress-encoded.
  it.skipIf(!HAS_DATA || !HAS_OJPH)(
    `decodes HTJ2K (.201, .202) of real CT and MR bit for bit${HAS_DATA && HAS_OJPH ? '' : ' (skipped: needs ../shared/data and ojph_compress)'}`,
    async () => {
      const work = mkdtempSync(join(tmpdir(), 'medimg-htj2k-browser-'));
      try {
        for (const file of [
          ['ct_chest_LungPETCTDx_A0001_kernelB', '1-30.dcm'],
          ['multiframe', 'enhanced_mr_siemens_XA10', '6_1.dcm'],
        ]) {
          const src = await readSource(dataPath('dicom', ...file));
          for (const c of HTJ2K_CASES.slice(0, 2)) {
            const bytes = htj2kDicom(src, c, work);
            const r = await page.evaluate(
              (b64: string) => (globalThis as unknown as { medimgTest: TestApi }).medimgTest.decodeDicom(b64),
              Buffer.from(bytes).toString('base64'),
            );
            expect(r.transferSyntax).toBe(c.syntax);
            expect(r.frames).toBe(src.frames);
            const want = Buffer.from(src.pixels.buffer, src.pixels.byteOffset, src.pixels.byteLength);
            expect(Buffer.from(r.pixels, 'base64').equals(want)).toBe(true);
          }
        }
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  );
});
