// Bundles the viewer (src/app.js, src/worker.js with medimg and onnxruntime-web) into dist/ and
// copies onnxruntime-web's wasm files next to the worker. Run: node examples/browser-viewer/build.mjs
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');

export async function buildViewer({ wasm = true } = {}) {
  const out = join(here, 'dist');
  mkdirSync(out, { recursive: true });
  await esbuild.build({
    entryPoints: { app: join(here, 'src/app.js'), worker: join(here, 'src/worker.js') },
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    logLevel: 'warning',
    // In an application this is just `import ... from 'medimg'` (the package's browser entry).
    alias: { medimg: join(root, 'src/browser.ts') },
    // The DICOM codecs (Emscripten) carry a Node branch that requires fs/path; it never runs here.
    external: ['fs', 'path'],
    // The HTJ2K codec's WebAssembly travels inside its lazily loaded chunk (nothing to serve).
    loader: { '.wasm': 'binary' },
  });
  if (wasm) {
    const ortDist = join(root, 'node_modules/onnxruntime-web/dist');
    for (const f of readdirSync(ortDist)) {
      if (/^ort-wasm-simd-threaded(\.jsep)?\.(wasm|mjs)$/.test(f)) copyFileSync(join(ortDist, f), join(out, f));
    }
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await buildViewer();
  console.log(`built ${out}; serve with: node examples/browser-viewer/serve.mjs`);
}
