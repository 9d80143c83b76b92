// Bundles the example (src/app.js with cornerstone3D, src/worker.js with medimg) into dist/, minified.
// Run: node examples/cornerstone3d/build.mjs
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');

export async function buildExample() {
  const out = join(here, 'dist');
  mkdirSync(out, { recursive: true });
  const result = await esbuild.build({
    entryPoints: { app: join(here, 'src/app.js'), worker: join(here, 'src/worker.js') },
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: !process.env.NO_MINIFY,
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    // In an application this is just `import ... from 'medimg'` (the package's browser entry).
    // xmlbuilder2 (vtk.js's VTK XML mesh reader) is Node-only and unused here: see src/no-xmlbuilder.js.
    alias: { medimg: join(root, 'src/browser.ts'), xmlbuilder2: join(here, 'src/no-xmlbuilder.js') },
    // The DICOM codecs (Emscripten) carry a Node branch that requires fs/path; it never runs here.
    external: ['fs', 'path'],
    // The HTJ2K codec's WebAssembly travels inside its lazily loaded chunk (nothing to serve).
    loader: { '.wasm': 'binary' },
  });
  return { out, bytes: Object.fromEntries(Object.entries(result.metafile.outputs).map(([k, v]) => [k, v.bytes])) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { out, bytes } = await buildExample();
  for (const [f, b] of Object.entries(bytes)) if (!f.endsWith('.map')) console.log(`${f} ${(b / 1e6).toFixed(2)} MB`);
  console.log(`built ${out}; serve with: node examples/cornerstone3d/serve.mjs`);
}
