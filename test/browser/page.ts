// Test page for browser.test.ts: the browser entry of medimg, bundled by esbuild with
// onnxruntime-web left external (an import map serves it from node_modules).
import {
  cacheStorageModelCache,
  configureWebBackends,
  createSession,
  createVolume,
  listBackends,
  readDicomFile,
  setOnnxRuntimeWeb,
  slidingWindowInference,
} from '../../src/browser.js';
import { conv3dModel, thresholdSoftmaxModel } from '../../src/testing.js';

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

/** Reads a DICOM file (base64) to stored values; returns its syntax and the pixels' bytes as base64. */
async function decodeDicom(b64: string): Promise<{ transferSyntax: string; frames: number; pixels: string }> {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const img = await readDicomFile(bytes, { raw: true });
  const raw = new Uint8Array(img.pixels.buffer, img.pixels.byteOffset, img.pixels.byteLength);
  let s = '';
  for (let i = 0; i < raw.length; i += 0x8000) s += String.fromCharCode(...raw.subarray(i, i + 0x8000));
  return { transferSyntax: img.transferSyntaxUid, frames: img.frames, pixels: btoa(s) };
}

const w = globalThis as unknown as Record<string, unknown>;
w.medimgTest = {
  configure: (threads: number) => configureWebBackends({ wasmPaths: '/ort/', numThreads: threads }),
  listBackends,
  runCase,
  cacheCase,
  decodeDicom,
  isolated: () => globalThis.crossOriginIsolated === true,
};
w.medimgReady = true;
