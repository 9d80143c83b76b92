// Bundles the example (src/app.js with cornerstone3D, src/worker.js with medimg) into dist/, minified
// (NO_MINIFY=1 to debug). Run: node examples/cornerstone3d/build.mjs
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleExample } from '../shared/build.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** Builds dist/app.js and dist/worker.js; returns the output folder and the output sizes. */
export async function buildExample() {
  // xmlbuilder2 (vtk.js's VTK XML mesh reader) is Node-only and unused here: see src/no-xmlbuilder.js.
  return bundleExample(here, { alias: { xmlbuilder2: join(here, 'src/no-xmlbuilder.js') } });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { out, sizes } = await buildExample();
  for (const [f, b] of Object.entries(sizes)) console.log(`dist/${f}: ${(b / 1e6).toFixed(2)} MB`);
  console.log(`built ${out}; serve with: node examples/cornerstone3d/serve.mjs`);
}
