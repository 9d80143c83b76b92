import { defineConfig } from 'tsup';

// onnxruntime-* ship native or wasm binaries: they stay external and are resolved by the consumer.
const external = ['onnxruntime-node', 'onnxruntime-web', 'onnxruntime-common'];

export default defineConfig([
  {
    entry: { index: 'src/index.ts', browser: 'src/browser.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    splitting: false,
    external,
    // fast-png and iobuffer ship ESM only: bundle them so the CJS build also loads on Node < 20.19.
    noExternal: ['fast-png', 'iobuffer'],
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    banner: { js: '#!/usr/bin/env node' },
    external: [...external, /^[^./]/],
  },
]);
