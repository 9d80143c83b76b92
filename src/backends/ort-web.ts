/**
 * onnxruntime-web backends: wasm (multi-threaded when the page is cross-origin isolated) and
 * webgpu. Registered by the browser entry; the Node entry registers only 'wasm' from here
 * (onnxruntime-web's Node build runs the same wasm). No `node:` imports in this file.
 */
import { openOrtSession, type OrtModule } from './ort-session.js';
import { errorText, registerBackend, runtimeLoadFailure } from './registry.js';
import { identityModel } from './testing/onnx-builder.js';
import type { Backend, BackendAvailability, BackendName, BackendSessionOptions } from './types.js';

interface OrtWebEnv {
  versions?: Record<string, string>;
  wasm: { numThreads?: number; wasmPaths?: string | Record<string, string>; proxy?: boolean };
}
type OrtWeb = OrtModule & { env: OrtWebEnv };

/** Settings of the onnxruntime-web backends; set them before the first session. */
export interface WebBackendConfig {
  /** Where the ort-wasm-*.wasm/.mjs files are served (URL prefix). Default: next to the onnxruntime-web bundle. */
  wasmPaths?: string;
  /**
   * wasm threads. Default: onnxruntime-web's choice, which is 1 unless the page is
   * cross-origin isolated (COOP/COEP headers), else min(4, ceil(cores / 2)); in Node always the
   * latter, so one thread on 2 cores: there `numThreads: 2` ran a 256³ MeshNet in 278 s instead of
   * 592 s, with the same labels (docs/performance.md). Not the default because onnxruntime-web's
   * worker threads inherit Node's flags: under `node --input-type=module -e` they fail to start.
   */
  numThreads?: number;
}

let config: WebBackendConfig = {};
let modulePromise: Promise<OrtWeb> | undefined;
let loadModule: (() => Promise<unknown>) | undefined;

/** Probe reason while no page code has connected onnxruntime-web. */
export const ORT_WEB_NOT_CONNECTED =
  "onnxruntime-web is not connected: install it (npm install onnxruntime-web) and call setOnnxRuntimeWeb(() => import('onnxruntime-web')) once";

/**
 * Connects onnxruntime-web to the wasm and webgpu backends. The browser entry never imports it
 * itself, so a page that runs no network bundles no onnxruntime code or 28 MB wasm (and builds
 * without the package installed); a page that runs networks makes this one call. The Node entry
 * makes it for you.
 *
 * @example
 * ```ts
 * import { setOnnxRuntimeWeb, segmentBrainTissue } from 'medimg';
 * setOnnxRuntimeWeb(() => import('onnxruntime-web')); // your bundler emits ORT's wasm for this page
 * ```
 */
export function setOnnxRuntimeWeb(load: () => Promise<unknown>): void {
  loadModule = load;
  modulePromise = undefined;
}

/** Sets where onnxruntime-web finds its wasm files and how many threads it uses. */
export function configureWebBackends(next: WebBackendConfig): void {
  config = { ...config, ...next };
  if (modulePromise) void modulePromise.then(applyConfig);
}

function applyConfig(ort: OrtWeb): OrtWeb {
  if (config.wasmPaths !== undefined) ort.env.wasm.wasmPaths = config.wasmPaths;
  if (config.numThreads !== undefined) ort.env.wasm.numThreads = config.numThreads;
  return ort;
}

function loadOrtWeb(): Promise<OrtWeb> {
  if (!loadModule) return Promise.reject(new Error(ORT_WEB_NOT_CONNECTED));
  modulePromise ??= loadModule().then((m) => applyConfig(((m as { default?: OrtWeb }).default ?? m) as OrtWeb));
  return modulePromise;
}

const RUNTIME = 'onnxruntime-web';

function runtimeOf(ort: OrtWeb): string {
  return `${RUNTIME} ${ort.env.versions?.web ?? ort.env.versions?.common ?? ''}`.trim();
}

async function probeWeb(name: BackendName, ep: 'wasm' | 'webgpu'): Promise<BackendAvailability> {
  let adapterNote = '';
  let software = false;
  if (ep === 'webgpu') {
    type AdapterInfo = { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
    const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<{ info?: AdapterInfo } | null> } } })
      .navigator?.gpu;
    if (!gpu)
      return {
        name,
        runtime: RUNTIME,
        available: false,
        reason: 'navigator.gpu is absent (no WebGPU in this environment)',
      };
    try {
      const adapter = await gpu.requestAdapter();
      if (!adapter) return { name, runtime: RUNTIME, available: false, reason: 'no WebGPU adapter' };
      const info = adapter.info ?? {};
      const text = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ');
      software = info.isFallbackAdapter === true || /swiftshader|llvmpipe|lavapipe/i.test(text);
      adapterNote = `; adapter: ${text || 'unknown'}${software ? ' (software)' : ''}`;
    } catch (e) {
      return {
        name,
        runtime: RUNTIME,
        available: false,
        reason: `requesting a WebGPU adapter failed: ${errorText(e)}`,
      };
    }
  }
  let ort: OrtWeb;
  try {
    ort = await loadOrtWeb();
  } catch (e) {
    const reason = loadModule ? runtimeLoadFailure(RUNTIME, e) : ORT_WEB_NOT_CONNECTED;
    return { name, runtime: RUNTIME, available: false, reason };
  }
  const runtime = runtimeOf(ort);
  try {
    const s = await openOrtSession(ort, identityModel(), { executionProviders: [ep], logSeverityLevel: 4 });
    const out = await s.run({ input: { data: new Float32Array([1, 2]), dims: [1, 1, 1, 1, 2] } });
    await s.release();
    if (out.output?.data[1] !== 2)
      return { name, runtime, available: false, reason: `the '${ep}' backend gave a wrong probe result` };
  } catch (e) {
    return {
      name,
      runtime,
      available: false,
      reason: `the '${ep}' backend failed to start: ${errorText((e as { cause?: unknown }).cause ?? e)}`,
    };
  }
  const threads = ep === 'wasm' ? `; ${ort.env.wasm.numThreads ?? 1} thread(s)` : '';
  return {
    name,
    runtime,
    available: true,
    reason: `onnxruntime-web ${ep}${threads}${adapterNote}`,
    ...(software ? { software } : {}),
  };
}

function webBackend(name: BackendName, ep: 'wasm' | 'webgpu', priority: number): Backend {
  return {
    name,
    runtime: RUNTIME,
    priority,
    probe: () => probeWeb(name, ep),
    async createSession(model: Uint8Array, _options: BackendSessionOptions) {
      const ort = await loadOrtWeb();
      return openOrtSession(ort, model, { executionProviders: [ep] });
    },
  };
}

/** The onnxruntime-web wasm backend (priority 5: slower than native cpu, used where that is absent). */
export function webWasmBackend(): Backend {
  return webBackend('wasm', 'wasm', 5);
}

/** The onnxruntime-web webgpu backend (priority 20). */
export function webWebGpuBackend(): Backend {
  return webBackend('webgpu', 'webgpu', 20);
}

/** Registers onnxruntime-web's webgpu and wasm backends (the browser entry does this). */
export function registerWebBackends(): void {
  registerBackend(webWebGpuBackend());
  registerBackend(webWasmBackend());
}
