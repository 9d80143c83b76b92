import type { Plugin } from 'esbuild';

/**
 * The emscripten codec builds (CharLS, OpenJPEG, libjpeg-turbo) reach for `fs` and `path` inside an
 * `if (ENVIRONMENT_IS_NODE)` branch that never runs in a browser. Browser bundles resolve those two
 * requires, from those packages only, to an empty module so that no bundler trips over them.
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
  },
};
