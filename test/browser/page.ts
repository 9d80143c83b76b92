// Test page for browser.test.ts: the browser entry of medimg, bundled by esbuild with
// onnxruntime-web left external (an import map serves it from node_modules).
import {
  cacheStorageModelCache,
  configureWebBackends,
  conv3dModel,
  createSession,
  createVolume,
  listBackends,
  setOnnxRuntimeWeb,
  slidingWindowInference,
  thresholdSoftmaxModel,
} from '../../src/browser.js';

// this page runs networks: connect onnxruntime-web (the browser entry never imports it itself)
setOnnxRuntimeWeb(() => import('onnxruntime-web'));

interface CaseResult {
  backend: string;
  box: number[];
  softmax: number[];
  provenance: unknown;
}

async function runCase(
  backend: 'wasm' | 'webgpu',
  data: number[],
  dims: [number, number, number],
): Promise<CaseResult> {
  const vol = createVolume(dims, Float32Array.from(data));
  const out: Partial<CaseResult> = { backend };
  for (const [name, model] of [
    ['box', conv3dModel(3)],
    ['softmax', thresholdSoftmaxModel(0.5, 3)],
  ] as const) {
    const s = await createSession(model, { backend });
    const r = await slidingWindowInference(vol, s, { roiSize: [8, 8, 8], mode: 'gaussian' });
    out[name] = Array.from(r.data);
    out.provenance = s.provenance;
    await s.release();
  }
  return out as CaseResult;
}

/** Opens a URL model twice with a Cache Storage cache; returns where each copy came from. */
async function cacheCase(url: string, sha256: string): Promise<string[]> {
  const cache = cacheStorageModelCache('medimg-test');
  const sources: string[] = [];
  for (let i = 0; i < 2; i++) {
    const s = await createSession(url, { backend: 'wasm', cache, sha256 });
    sources.push(s.provenance.model.source);
    await s.release();
  }
  return sources;
}

const w = globalThis as unknown as Record<string, unknown>;
w.medimgTest = {
  configure: (threads: number) => configureWebBackends({ wasmPaths: '/ort/', numThreads: threads }),
  listBackends,
  runCase,
  cacheCase,
  isolated: () => globalThis.crossOriginIsolated === true,
};
w.medimgReady = true;
