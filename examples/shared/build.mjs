// Bundles an example's page (src/app.js) and worker (src/worker.js) with medimg's browser entry into
// its dist/. Shared by the examples' build.mjs scripts.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Builds `dir`/dist/app.js and worker.js; `alias` adds module aliases, `minify` defaults to on unless
 * NO_MINIFY is set. Returns the output folder and the bytes of each .js output.
 */
export async function bundleExample(dir, { alias = {}, minify = !process.env.NO_MINIFY } = {}) {
  const out = join(dir, 'dist');
  mkdirSync(out, { recursive: true });
  const result = await esbuild.build({
    entryPoints: { app: join(dir, 'src/app.js'), worker: join(dir, 'src/worker.js') },
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify,
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    // In an application this is just `import ... from 'medimg'` (the package's browser entry).
    alias: { medimg: join(root, 'src/browser.ts'), ...alias },
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
  return { out, sizes };
}
