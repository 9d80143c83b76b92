// Bundles the page (src/app.js with @niivue/niivue, src/worker.js with medimg) into dist/, minified.
// No onnxruntime-web: the tasks here run no network. Run: node examples/niivue/build.mjs
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');

/** Builds dist/app.js and dist/worker.js; returns the example folder and the output sizes. */
export async function buildNiivueExample() {
  const out = join(here, 'dist');
  mkdirSync(out, { recursive: true });
  const result = await esbuild.build({
    entryPoints: { app: join(here, 'src/app.js'), worker: join(here, 'src/worker.js') },
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    // In an application this is just `import ... from 'medimg'` (the package's browser entry).
    alias: { medimg: join(root, 'src/browser.ts') },
    // The DICOM codecs (Emscripten) carry a Node branch that requires fs/path; it never runs here.
    external: ['fs', 'path'],
    // The HTJ2K codec's WebAssembly travels inside its lazily loaded chunk (nothing to serve).
    loader: { '.wasm': 'binary' },
  });
  const sizes = Object.fromEntries(
    Object.entries(result.metafile.outputs)
      .filter(([f]) => f.endsWith('.js'))
      .map(([f, o]) => [f.slice(f.lastIndexOf('/') + 1), o.bytes]),
  );
  return { dir: here, sizes };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { sizes } = await buildNiivueExample();
  for (const [f, b] of Object.entries(sizes)) console.log(`dist/${f}: ${(b / 1e6).toFixed(2)} MB`);
  console.log('serve with: node examples/niivue/serve.mjs');
}
