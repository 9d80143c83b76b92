// Bundles the page (src/app.js with @niivue/niivue, src/worker.js with medimg) into dist/, minified.
// No onnxruntime-web: the tasks here run no network. Run: node examples/niivue/build.mjs
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleExample } from '../shared/build.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** Builds dist/app.js and dist/worker.js; returns the example folder and the output sizes. */
export async function buildNiivueExample() {
  const { sizes } = await bundleExample(here);
  return { dir: here, sizes };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { sizes } = await buildNiivueExample();
  for (const [f, b] of Object.entries(sizes)) console.log(`dist/${f}: ${(b / 1e6).toFixed(2)} MB`);
  console.log('serve with: node examples/niivue/serve.mjs');
}
