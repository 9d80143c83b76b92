import { describe, expect, it } from 'vitest';
import { ORT_WEB_NOT_CONNECTED, setOnnxRuntimeWeb, webWasmBackend } from '../../src/backends/ort-web.js';
import { runtimeLoadFailure } from '../../src/backends/registry.js';

// onnxruntime-node and onnxruntime-web are optional peer dependencies. The consumer install in
// .ci/check-package.sh proves the whole path without them (BACKEND_UNAVAILABLE naming the package);
// here the reason text is checked on the errors Node itself throws for an absent package.
describe('an onnxruntime package that is not installed', () => {
  it('names the package to install when the import itself fails (ESM and CommonJS errors)', async () => {
    const pkg = 'onnxruntime-medimg-absent';
    const esm = await import(/* @vite-ignore */ pkg).catch((e: unknown) => e);
    expect(runtimeLoadFailure(pkg, esm)).toBe(
      `${pkg} is not installed (an optional peer dependency of medimg): npm install ${pkg}@^1.30.0`,
    );
    const { createRequire } = await import('node:module');
    let cjs: unknown;
    try {
      createRequire(import.meta.url)(pkg);
    } catch (e) {
      cjs = e;
    }
    expect(runtimeLoadFailure(pkg, cjs)).toMatch(/is not installed .*npm install onnxruntime-medimg-absent/);
  });

  it('keeps the real message when the package is there but fails to load', () => {
    const e = new Error("Cannot find module 'libcudart.so.12'");
    expect(runtimeLoadFailure('onnxruntime-node', e)).toBe(
      "onnxruntime-node could not be loaded: Cannot find module 'libcudart.so.12'",
    );
  });

  it('onnxruntime-web: unavailable with a how-to until connected, then loads (this file never imports an entry)', async () => {
    const before = await webWasmBackend().probe();
    expect(before.available).toBe(false);
    expect(before.reason).toBe(ORT_WEB_NOT_CONNECTED);
    setOnnxRuntimeWeb(() => import('onnxruntime-web'));
    const after = await webWasmBackend().probe();
    expect(after.available, after.reason).toBe(true);
  });
});
