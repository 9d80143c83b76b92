// `npm run demo` runs dist/cli.js: this builds it only when it is missing or older than a source
// file, the build configuration or package.json, and then only the CLI entry (no type
// declarations, no browser build), so a cold demo is not dominated by the full package build.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import { cliBuild, codecWorkerBuild } from '../tsup.config.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'dist', 'cli.js');

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const e of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, e)));
  return newest;
}

const inputs = ['src', 'build', 'tsup.config.ts', 'package.json'].map((p) => join(root, p)).filter(existsSync);
const stale =
  !existsSync(target) ||
  !existsSync(join(root, 'dist', 'codec-worker.js')) ||
  Math.max(...inputs.map(newestMtime)) > statSync(target).mtimeMs;
if (stale) {
  process.stderr.write('Building dist/cli.js (src is newer than the build)...\n');
  await build({ ...cliBuild, config: false, silent: true });
  // the DICOM codecs run in this worker (src/io/dicom/codecs/worker-pool.ts)
  await build({ ...codecWorkerBuild, config: false, silent: true });
}
