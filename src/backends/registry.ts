import { MedImgError } from '../core/errors.js';
import type { Backend, BackendAvailability, BackendName } from './types.js';

const ALL_BACKENDS: readonly BackendName[] = ['cuda', 'webgpu', 'cpu', 'wasm'];

const registered = new Map<BackendName, Backend>();
const probes = new Map<BackendName, Promise<BackendAvailability>>();

/**
 * Registers (or replaces) a backend. The Node entry registers onnxruntime-node's cpu/cuda/webgpu
 * and onnxruntime-web's wasm; the browser entry registers onnxruntime-web's wasm and webgpu.
 */
export function registerBackend(backend: Backend): void {
  registered.set(backend.name, backend);
  probes.delete(backend.name);
}

/** The registered backend of that name, if any. */
export function getRegisteredBackend(name: BackendName): Backend | undefined {
  return registered.get(name);
}

/** Registered backends, fastest first (the order 'auto' tries them). */
export function registeredBackends(): Backend[] {
  return [...registered.values()].sort((a, b) => b.priority - a.priority);
}

/** Probes a backend once per process (the answer is cached; a failed probe is not retried). */
export async function probeBackend(name: BackendName): Promise<BackendAvailability> {
  const b = registered.get(name);
  if (!b) {
    return { name, runtime: 'none', available: false, reason: notRegisteredReason(name) };
  }
  let p = probes.get(name);
  if (!p) {
    p = b.probe().catch(
      (e: unknown): BackendAvailability => ({
        name,
        runtime: b.runtime,
        available: false,
        reason: `probe failed: ${errorText(e)}`,
      }),
    );
    probes.set(name, p);
  }
  return p;
}

/**
 * What every backend medimg knows can do here: available or not, and why not. Probing may open a
 * tiny session per backend the first time (a few ms; GPU adapters take longer).
 */
export async function listBackends(): Promise<BackendAvailability[]> {
  const out: BackendAvailability[] = [];
  const order = [...registeredBackends().map((b) => b.name), ...ALL_BACKENDS.filter((n) => !registered.has(n))];
  for (const name of order) out.push(await probeBackend(name));
  return out;
}

/** Throws BACKEND_UNAVAILABLE unless `name` is registered and its probe succeeded. */
export async function requireBackend(name: BackendName): Promise<Backend> {
  const a = await probeBackend(name);
  const b = registered.get(name);
  if (!a.available || !b) {
    throw new MedImgError(
      'BACKEND_UNAVAILABLE',
      `Backend '${name}' is not available here: ${a.reason ?? 'unknown reason'}.`,
      {
        details: { backend: name, reason: a.reason },
      },
    );
  }
  return b;
}

function notRegisteredReason(name: BackendName): string {
  if (!(ALL_BACKENDS as readonly string[]).includes(name)) return `unknown backend '${name}'`;
  if (name === 'cuda') return 'cuda runs only through onnxruntime-node (the Node entry)';
  return 'not registered by this entry point';
}

/**
 * Why an onnxruntime package could not be loaded. They are optional peer dependencies: when the
 * package itself is absent the text names what to install; any other failure keeps its message.
 */
export function runtimeLoadFailure(pkg: string, e: unknown): string {
  const text = errorText(e);
  const named = text.includes(`'${pkg}'`) || text.includes(`"${pkg}"`);
  const missing =
    named && /Cannot find (package|module)|Failed to resolve module specifier|Could not resolve/i.test(text);
  return missing
    ? `${pkg} is not installed (an optional peer dependency of medimg): npm install ${pkg}@^1.30.0`
    : `${pkg} could not be loaded: ${text}`;
}

/** Short text of an unknown thrown value, first line only (runtimes add long native traces). */
export function errorText(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const line = msg.split('\n').find((l) => l.trim().length > 0) ?? msg;
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
