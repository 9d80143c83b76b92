import { describe, expect, it } from 'vitest';
import {
  type Backend,
  MedImgError,
  createSession,
  getRegisteredBackend,
  listBackends,
  registerBackend,
} from '../../src/index.js';
import { scaleModel } from '../../src/testing.js';

// A stand-in for a GPU backend that probes fine but cannot open this model (an unsupported op,
// out of memory...): 'auto' must fall back to the next backend and say why.
describe("'auto' fallback", () => {
  it('falls back when the fastest backend fails to open the model, and records why', async () => {
    const real = getRegisteredBackend('cuda');
    const failing: Backend = {
      name: 'cuda',
      runtime: 'fake-gpu 0.0',
      priority: 100,
      probe: async () => ({ name: 'cuda', runtime: 'fake-gpu 0.0', available: true }),
      createSession: async () => {
        throw new MedImgError('MODEL_INVALID', 'The runtime could not load the model: op Foo not supported');
      },
    };
    registerBackend(failing);
    try {
      expect((await listBackends()).find((b) => b.name === 'cuda')).toMatchObject({
        available: true,
        runtime: 'fake-gpu 0.0',
      });
      const s = await createSession(scaleModel(2));
      try {
        expect(s.backend).toBe('cpu');
        const [first, ...rest] = s.provenance.attempts;
        expect(first).toMatchObject({ backend: 'cuda', ok: false });
        expect(first!.reason).toMatch(/op Foo not supported/);
        expect(rest.at(-1)).toMatchObject({ backend: 'cpu', ok: true });
        const out = await s.run({ input: { data: new Float32Array([4]), dims: [1, 1, 1, 1, 1] } });
        expect(out.output!.data[0]).toBe(8);
      } finally {
        await s.release();
      }
      // Naming the failing backend reports its own error, no silent fallback.
      await expect(createSession(scaleModel(2), { backend: 'cuda' })).rejects.toMatchObject({ code: 'MODEL_INVALID' });
    } finally {
      if (real) registerBackend(real);
    }
  });
});
