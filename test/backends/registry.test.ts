import { describe, expect, it } from 'vitest';
import {
  errorText,
  getRegisteredBackend,
  listBackends,
  probeBackend,
  registerBackend,
  registeredBackends,
  requireBackend,
} from '../../src/backends/registry.js';
import type { Backend, BackendAvailability, BackendName } from '../../src/backends/types.js';
import { isMedImgError } from '../../src/core/errors.js';

// Fake backends: the registry's bookkeeping (order, probe cache, reasons) without a runtime.
function fake(
  name: BackendName,
  priority: number,
  probe: () => Promise<BackendAvailability>,
): Backend & { probes: number } {
  const b = {
    name,
    runtime: `fake-${name} 1.0`,
    priority,
    probes: 0,
    probe() {
      b.probes++;
      return probe();
    },
    createSession: () => Promise.reject(new Error('not used')),
  };
  return b;
}

describe('backend registry', () => {
  it('orders backends fastest first, probes each once, and explains the unavailable ones', async () => {
    const cpu = fake('cpu', 10, async () => ({ name: 'cpu', runtime: 'fake-cpu 1.0', available: true }));
    const gpu = fake('webgpu', 20, async () => {
      throw new Error('no adapter\n    at native stack line');
    });
    registerBackend(cpu);
    registerBackend(gpu);
    expect(registeredBackends().map((b) => b.name)).toEqual(['webgpu', 'cpu']);
    expect(getRegisteredBackend('cpu')).toBe(cpu);

    expect((await probeBackend('cpu')).available).toBe(true);
    await probeBackend('cpu');
    expect(cpu.probes).toBe(1);
    const g = await probeBackend('webgpu');
    expect(g).toEqual({
      name: 'webgpu',
      runtime: 'fake-webgpu 1.0',
      available: false,
      reason: 'probe failed: no adapter',
    });

    const all = await listBackends();
    expect(all.map((a) => a.name)).toEqual(['webgpu', 'cpu', 'cuda', 'wasm']);
    expect(all.find((a) => a.name === 'cuda')!.reason).toMatch(/onnxruntime-node/);
    expect(all.find((a) => a.name === 'wasm')!.reason).toMatch(/not registered/);

    expect(await requireBackend('cpu')).toBe(cpu);
    const e = await requireBackend('webgpu').catch((x: unknown) => x);
    expect(isMedImgError(e, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect((await probeBackend('nope' as BackendName)).reason).toMatch(/unknown backend 'nope'/);
  });

  it('registering again replaces the backend and forgets its probe', async () => {
    const first = fake('wasm', 1, async () => ({ name: 'wasm', runtime: 'a', available: false, reason: 'x' }));
    registerBackend(first);
    expect((await probeBackend('wasm')).available).toBe(false);
    const second = fake('wasm', 1, async () => ({ name: 'wasm', runtime: 'b', available: true }));
    registerBackend(second);
    expect((await probeBackend('wasm')).available).toBe(true);
    expect(second.probes).toBe(1);
  });

  it('errorText keeps the first non-empty line, at most 300 characters', () => {
    expect(errorText(new Error('\n  first line\nsecond'))).toBe('  first line');
    expect(errorText('x'.repeat(400))).toHaveLength(301);
    expect(errorText(42)).toBe('42');
  });
});
