import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';

/**
 * Prepares the DICOM codec packages for browser bundles, so that a page's bundler needs no special
 * configuration and nothing is fetched at run time:
 * - the emscripten codec builds (CharLS, OpenJPEG, libjpeg-turbo, OpenJPH) reach for `fs` and
 *   `path` inside an `if (ENVIRONMENT_IS_NODE)` branch that never runs in a browser; those two
 *   requires, from those packages only, resolve to an empty module;
 * - OpenJPH (HTJ2K) ships its WebAssembly as a separate file: its import
 *   (`@cornerstonejs/codec-openjph/wasm`, src/io/dicom/codecs/htj2k.ts) is inlined as bytes in the
 *   lazily loaded codec chunk (esbuild's binary loader).
 */
export const emptyNodeBuiltinsForCodecs: Plugin = {
  name: 'medimg-empty-node-builtins-for-codecs',
  setup(build) {
    build.onResolve({ filter: /^(node:)?(fs|path)$/ }, (args) =>
      /[\\/]@cornerstonejs[\\/]codec-/.test(args.importer) ? { path: args.path, namespace: 'medimg-empty' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'medimg-empty' }, () => ({
      contents: 'module.exports = {};',
      loader: 'js',
    }));
    build.onLoad({ filter: /[\\/]@cornerstonejs[\\/]codec-[^\\/]+[\\/].*\.wasm$/ }, async (args) => ({
      contents: await readFile(args.path),
      loader: 'binary',
    }));
  },
};
