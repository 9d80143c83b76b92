import { defineConfig, type Options } from 'tsup';
import { emptyNodeBuiltinsForCodecs } from './build/browser-shims.js';

// onnxruntime-* ship native or wasm binaries: they stay external and are resolved by the consumer.
const external = ['onnxruntime-node', 'onnxruntime-web', 'onnxruntime-common'];
// fast-png, iobuffer and @noble/hashes ship ESM only: bundle them so the CJS build also loads on Node < 20.19.
const esmOnly = ['fast-png', 'iobuffer', '@noble/hashes'];
const codecs = [/^@cornerstonejs\/codec-/];

/** The `medimg` command alone: what `npm run demo` rebuilds when src is newer (scripts/ensure-cli-build.ts). */
export const cliBuild: Options = {
  entry: { cli: 'src/cli/main.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  banner: { js: '#!/usr/bin/env node' },
  external: [...external, /^[^./]/],
};

/**
 * The codec worker thread (src/io/dicom/codecs/codec-worker.ts): one self-contained file per
 * format, dist/codec-worker.js and .cjs, which worker-pool.ts finds beside the entry or chunk it is
 * bundled in. The codec packages stay external, as in the entries.
 */
export const codecWorkerBuild: Options = {
  entry: { 'codec-worker': 'src/io/dicom/codecs/codec-worker.ts' },
  format: ['esm', 'cjs'],
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  splitting: false,
  external,
};

/** Subpath entries (`medimg/ops`, ...): the same source for Node and the browser, built for each. */
export const SUBPATHS = ['ops', 'dicom', 'radiomics', 'metrics', 'testing'] as const;

const nodeEntries = { index: 'src/index.ts', ...Object.fromEntries(SUBPATHS.map((p) => [p, `src/${p}.ts`])) };

export default defineConfig([
  {
    // ESM: chunks shared by the root and the subpath entries, one copy of each module, so classes
    // (MedImgError, Stages, Rng) and registries are the same objects whichever entry they come from.
    entry: nodeEntries,
    format: ['esm'],
    dts: true,
    sourcemap: true,
    target: 'es2022',
    platform: 'node',
    splitting: true,
    external,
    noExternal: esmOnly,
  },
  {
    // CommonJS: one self-contained file per entry (split CJS chunks cannot carry import.meta);
    // isMedImgError works across the copies.
    entry: nodeEntries,
    format: ['cjs'],
    dts: true,
    sourcemap: true,
    target: 'es2022',
    platform: 'node',
    splitting: false,
    external,
    noExternal: esmOnly,
  },
  {
    // The browser build carries the DICOM codecs itself (as lazy chunks in ESM), with their
    // Node-only requires emptied, so a page's bundler needs no special configuration.
    entry: { browser: 'src/browser.ts', ...Object.fromEntries(SUBPATHS.map((p) => [`browser-${p}`, `src/${p}.ts`])) },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    target: 'es2022',
    platform: 'browser',
    splitting: true,
    external,
    noExternal: [...esmOnly, ...codecs],
    esbuildPlugins: [emptyNodeBuiltinsForCodecs],
  },
  cliBuild,
  codecWorkerBuild,
]);
