/**
 * onnxruntime-node backends: cpu, cuda, webgpu. Imported only by the Node entry (src/index.ts):
 * it touches `node:` modules and a native addon. Availability is probed, never assumed: each probe
 * opens and runs a tiny identity graph on that execution provider.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { openOrtSession, type OrtModule } from './ort-session.js';
import { errorText, registerBackend, runtimeLoadFailure } from './registry.js';
import { identityModel } from './testing/onnx-builder.js';
import type { Backend, BackendAvailability, BackendName, BackendSessionOptions } from './types.js';

type OrtNode = OrtModule & {
  listSupportedBackends?: () => { name: string; bundled: boolean }[];
  env: { versions?: Record<string, string> };
};

let modulePromise: Promise<OrtNode> | undefined;

/**
 * Turns off onnxruntime's telemetry before the native addon loads. Official onnxruntime-node
 * builds (1.29+) on Linux and macOS keep a telemetry cache in
 * `~/.cache/Microsoft/DeveloperTools/.onnxruntime/` and, some 30 s after a session is created,
 * resolve and contact `mobile.events.data.microsoft.com`; the native runtime reads
 * `ORT_DISABLE_TELEMETRY` when its environment is created (there is no session option for it and
 * the JS API does not expose `DisableTelemetryEvents`). An explicit value set by the user is kept.
 */
export function disableOrtTelemetry(): void {
  if (typeof process !== 'undefined' && process.env && process.env.ORT_DISABLE_TELEMETRY === undefined) {
    process.env.ORT_DISABLE_TELEMETRY = '1';
  }
}

/** Loads onnxruntime-node once, lazily, so importing medimg does not load the native addon. */
function loadOrtNode(): Promise<OrtNode> {
  if (!modulePromise) disableOrtTelemetry();
  modulePromise ??= import('onnxruntime-node').then((m) => ((m as { default?: OrtNode }).default ?? m) as OrtNode);
  return modulePromise;
}

const RUNTIME = 'onnxruntime-node';

function versionOf(ort: OrtNode): string {
  return `${RUNTIME} ${ort.env?.versions?.node ?? ort.env?.versions?.common ?? ''}`.trim();
}

/** Folder of the native binding, where provider libraries (cuda) must sit. */
function bindingDir(): string | undefined {
  try {
    // import.meta.url is empty in the CJS build; __filename is absent in ESM.
    const req = createRequire(typeof __filename === 'string' ? __filename : import.meta.url);
    const pkg = dirname(req.resolve('onnxruntime-node/package.json'));
    return join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return undefined;
  }
}

const LIB_DIRS = [
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/lib/x86_64-linux-gnu',
  '/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/usr/lib',
  '/usr/local/lib',
];

/** True when libvulkan.so.1 is on LD_LIBRARY_PATH or in a standard library folder (Linux). */
function findVulkanLoader(): boolean {
  const dirs = [...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), ...LIB_DIRS];
  return dirs.some((d) => existsSync(join(d, 'libvulkan.so.1')));
}

async function probeEp(name: BackendName, ep: string): Promise<BackendAvailability> {
  let ort: OrtNode;
  try {
    ort = await loadOrtNode();
  } catch (e) {
    return {
      name,
      runtime: RUNTIME,
      available: false,
      reason: runtimeLoadFailure(RUNTIME, e),
    };
  }
  const runtime = versionOf(ort);
  const supported = ort.listSupportedBackends?.().map((b) => b.name);
  if (supported && !supported.includes(ep)) {
    return { name, runtime, available: false, reason: `this onnxruntime-node build has no '${ep}' execution provider` };
  }
  if (ep === 'cuda') {
    const dir = bindingDir();
    const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
    if (!dir || !existsSync(join(dir, lib))) {
      return {
        name,
        runtime,
        available: false,
        reason:
          'the CUDA provider library is not installed (onnxruntime-node installs it only with --onnxruntime-node-install=cuda12)',
      };
    }
  }
  if (ep === 'webgpu' && process.platform === 'linux' && !findVulkanLoader()) {
    // Without a loader Dawn can only fail, and it says so on stderr from native code: skip the probe.
    return {
      name,
      runtime,
      available: false,
      reason:
        'no Vulkan loader (libvulkan.so.1) on the library path; WebGPU in Node needs a GPU driver or a software ICD',
    };
  }
  try {
    const s = await openOrtSession(ort, identityModel(), { executionProviders: [ep], logSeverityLevel: 4 });
    const out = await s.run({ input: { data: new Float32Array([1, 2]), dims: [1, 1, 1, 1, 2] } });
    await s.release();
    const d = out.output?.data;
    if (d?.[1] !== 2)
      return { name, runtime, available: false, reason: `the '${ep}' provider gave a wrong probe result` };
  } catch (e) {
    return {
      name,
      runtime,
      available: false,
      reason: `the '${ep}' provider failed to start: ${errorText((e as { cause?: unknown }).cause ?? e)}`,
    };
  }
  // Dawn picks the Vulkan driver named by VK_ICD_FILENAMES; SwiftShader/lavapipe are CPU emulations.
  const icd = ep === 'webgpu' ? (process.env.VK_ICD_FILENAMES ?? process.env.VK_DRIVER_FILES ?? '') : '';
  if (/swiftshader|lvp_icd|lavapipe/i.test(icd)) {
    return {
      name,
      runtime,
      available: true,
      software: true,
      reason: 'software Vulkan adapter (SwiftShader/lavapipe): slower than cpu',
    };
  }
  return { name, runtime, available: true };
}

function nodeBackend(name: BackendName, ep: string, priority: number): Backend {
  return {
    name,
    runtime: RUNTIME,
    priority,
    probe: () => probeEp(name, ep),
    async createSession(model: Uint8Array, options: BackendSessionOptions) {
      const ort = await loadOrtNode();
      return openOrtSession(ort, model, {
        executionProviders: [ep],
        ...(options.numThreads ? { intraOpNumThreads: options.numThreads } : {}),
      });
    },
  };
}

/** Registers onnxruntime-node's cuda (priority 30), webgpu (20) and cpu (10). */
export function registerNodeBackends(): void {
  registerBackend(nodeBackend('cuda', 'cuda', 30));
  registerBackend(nodeBackend('webgpu', 'webgpu', 20));
  registerBackend(nodeBackend('cpu', 'cpu', 10));
}
