import { build } from 'esbuild';
import { emptyNodeBuiltinsForCodecs } from '../../build/browser-shims.js';
import { describe, expect, it } from 'vitest';

// The browser entry must bundle for the web: any `node:` import or onnxruntime-node would fail the
// build on platform 'browser' or show up among the bundle's inputs.
// The subpath entries (medimg/ops, ...) are built for the browser from the same sources.
const entries = ['browser', 'ops', 'dicom', 'radiomics', 'metrics', 'testing'];

describe('browser entries', () => {
  it.each(entries)(
    'src/%s.ts bundles with esbuild --platform=browser without node built-ins or onnxruntime-node',
    async (entry) => {
      const result = await build({
        entryPoints: [`src/${entry}.ts`],
        bundle: true,
        platform: 'browser',
        format: 'esm',
        write: false,
        metafile: true,
        logLevel: 'silent',
        plugins: [emptyNodeBuiltinsForCodecs],
      });
      const inputs = Object.keys(result.metafile.inputs);
      expect(inputs.some((p) => p.includes(`src/${entry}.ts`))).toBe(true);
      expect(inputs.filter((p) => p.startsWith('node:') || p.includes('onnxruntime-node'))).toEqual([]);
      const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
      expect(
        imports.filter((p) => p.startsWith('node:') || /^(fs|path|os|crypto|worker_threads|child_process)$/.test(p)),
      ).toEqual([]);
      expect(imports.filter((p) => p.includes('onnxruntime-node'))).toEqual([]);
      // nor onnxruntime-web: a page that runs no network bundles none of it (setOnnxRuntimeWeb connects it)
      expect(inputs.filter((p) => p.includes('onnxruntime-web'))).toEqual([]);
      expect(imports.filter((p) => p.includes('onnxruntime-web'))).toEqual([]);
    },
  );
});
