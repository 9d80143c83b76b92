import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ModelCard,
  MESHNET_GWM_CARD,
  createSession,
  listBackends,
  parseModelCard,
  validateModelCard,
} from '../../src/index.js';
import { sha256Hex } from '../../src/ops.js';
import { fixedShapeIdentityModel, identityModel, scaleModel, thresholdSoftmaxModel } from '../../src/testing.js';

const repoCard = JSON.parse(readFileSync(new URL('../../models/meshnet-gwm.card.json', import.meta.url), 'utf8'));

function card(overrides: Partial<ModelCard> = {}): ModelCard {
  return {
    schema_version: 1,
    id: 'test-threshold',
    version: '0.0.1',
    license: 'MIT',
    network_data_format: {
      inputs: {
        image: {
          type: 'image',
          num_channels: 1,
          spatial_shape: [-1, -1, -1],
          dtype: 'float32',
          value_range: [0, 1],
          channel_def: { '0': 'x' },
        },
      },
      outputs: {
        pred: {
          type: 'image',
          num_channels: 2,
          spatial_shape: [-1, -1, -1],
          dtype: 'float32',
          value_range: [0, 1],
          channel_def: { '0': 'bg', '1': 'fg' },
        },
      },
    },
    ...overrides,
  };
}

describe('model cards', () => {
  it('the shipped MeshNet card JSON is valid and identical to the built-in one', () => {
    expect(validateModelCard(repoCard)).toEqual(MESHNET_GWM_CARD);
  });

  it('rejects bad cards with MODEL_CARD_INVALID naming the field', () => {
    const cases: [unknown, string][] = [
      [{ ...card(), schema_version: 2 }, 'schema_version'],
      [{ ...card(), id: '' }, 'id'],
      [{ ...card(), sha256: 'abc' }, 'sha256'],
      [
        { ...card(), network_data_format: { inputs: {}, outputs: card().network_data_format.outputs } },
        'network_data_format.inputs',
      ],
      [
        {
          ...card(),
          network_data_format: {
            ...card().network_data_format,
            inputs: { image: { ...card().network_data_format.inputs.image, num_channels: 0 } },
          },
        },
        'network_data_format.inputs.image.num_channels',
      ],
      [
        {
          ...card(),
          network_data_format: {
            ...card().network_data_format,
            inputs: { image: { ...card().network_data_format.inputs.image, spatial_shape: [96, 'x', 96] } },
          },
        },
        'network_data_format.inputs.image.spatial_shape[1]',
      ],
      [
        {
          ...card(),
          network_data_format: {
            ...card().network_data_format,
            inputs: { image: { ...card().network_data_format.inputs.image, value_range: [1, 0] } },
          },
        },
        'network_data_format.inputs.image.value_range',
      ],
      [{ ...card(), preprocessing: { orientation: 'RAR' } }, 'preprocessing.orientation'],
      [{ ...card(), preprocessing: { target_spacing: [1, 0, 1] } }, 'preprocessing.target_spacing'],
      [
        { ...card(), preprocessing: { intensity: { method: 'window', lower: 5, upper: 1 } } },
        'preprocessing.intensity.lower',
      ],
      [
        {
          ...card(),
          preprocessing: {
            intensity: { method: 'ct_percentile', percentile_00_5: -1000, percentile_99_5: 1000, mean: 0, std: 0 },
          },
        },
        'preprocessing.intensity.std',
      ],
      [{ ...card(), preprocessing: { intensity: { method: 'histogram' } } }, 'preprocessing.intensity.method'],
      [{ ...card(), inference: { overlap: 1 } }, 'inference.overlap'],
      [{ ...card(), inference: { blend_mode: 'linear' } }, 'inference.blend_mode'],
      [{ ...card(), inference: { mirror_axes: [3] } }, 'inference.mirror_axes'],
      [{ ...card(), postprocessing: { activation: 'relu' } }, 'postprocessing.activation'],
    ];
    for (const [c, field] of cases) {
      let err: unknown;
      try {
        validateModelCard(c);
      } catch (e) {
        err = e;
      }
      expect(err, field).toMatchObject({ code: 'MODEL_CARD_INVALID', details: { field } });
      expect((err as Error).message).toContain(`'${field}'`);
    }
    expect(() => parseModelCard('{not json')).toThrow(expect.objectContaining({ code: 'MODEL_CARD_INVALID' }));
  });
});

describe('createSession', () => {
  it('lists backends with a reason for each unavailable one', async () => {
    const list = await listBackends();
    const byName = Object.fromEntries(list.map((b) => [b.name, b]));
    expect(byName.cpu?.available).toBe(true);
    expect(byName.cpu?.runtime).toMatch(/^onnxruntime-node \d/);
    expect(byName.wasm?.available).toBe(true);
    expect(byName.wasm?.runtime).toMatch(/^onnxruntime-web \d/);
    for (const b of list) if (!b.available) expect(b.reason, b.name).toBeTruthy();
    // This machine has no GPU and no CUDA provider library.
    expect(byName.cuda?.available).toBe(false);
    expect(byName.cuda?.reason).toMatch(/CUDA provider library/);
  });

  it("'auto' picks the fastest available backend and records what it tried", async () => {
    const s = await createSession(scaleModel(3));
    try {
      const avail = (await listBackends()).filter((b) => b.available);
      expect(s.backend).toBe(avail.some((b) => b.name === 'webgpu' && !b.software) ? 'webgpu' : 'cpu');
      const p = s.provenance;
      expect(p.requested).toBe('auto');
      expect(p.attempts.at(-1)).toMatchObject({ backend: s.backend, ok: true });
      const cuda = p.attempts.find((a) => a.backend === 'cuda');
      expect(cuda).toMatchObject({ ok: false });
      expect(cuda?.reason).toBeTruthy();
      const r = await s.run({ input: { data: new Float32Array([1, 2, 3]), dims: [1, 1, 1, 1, 3] } });
      expect(Array.from(r.output!.data as Float32Array)).toEqual([3, 6, 9]);
      expect(r.output!.dims).toEqual([1, 1, 1, 1, 3]);
    } finally {
      await s.release();
    }
  });

  it('loads from a path, bytes and a { onnx, card } pair, and verifies sha256', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'medimg-model-'));
    try {
      const bytes = thresholdSoftmaxModel(0.5);
      const path = join(dir, 'm.onnx');
      writeFileSync(path, bytes);
      const sha = await sha256Hex(bytes);
      const s = await createSession({ onnx: path, card: card({ sha256: sha }) }, { backend: 'cpu' });
      expect(s.provenance.model).toMatchObject({
        id: 'test-threshold',
        sha256: sha,
        source: 'path',
        bytes: bytes.length,
      });
      expect(s.inputNames).toEqual(['input']);
      expect(s.outputNames).toEqual(['output']);
      await s.release();
      await expect(s.run({ input: { data: new Float32Array(1), dims: [1, 1, 1, 1, 1] } })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
      const cardPath = join(dir, 'm.card.json');
      writeFileSync(cardPath, JSON.stringify(card({ sha256: '0'.repeat(64) })));
      await expect(createSession({ onnx: bytes, card: cardPath }, { backend: 'cpu' })).rejects.toMatchObject({
        code: 'MODEL_HASH_MISMATCH',
      });
      await expect(createSession(bytes, { backend: 'cpu', sha256: 'f'.repeat(64) })).rejects.toMatchObject({
        code: 'MODEL_HASH_MISMATCH',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives MODEL_INVALID for a corrupt file, BACKEND_UNAVAILABLE for an absent backend', async () => {
    const good = identityModel();
    const corrupt = good.slice(0, Math.floor(good.length / 2));
    await expect(createSession(corrupt, { backend: 'cpu' })).rejects.toMatchObject({ code: 'MODEL_INVALID' });
    await expect(createSession(new Uint8Array([1, 2, 3, 4, 5]), { backend: 'wasm' })).rejects.toMatchObject({
      code: 'MODEL_INVALID',
    });
    await expect(createSession(corrupt)).rejects.toMatchObject({ code: 'MODEL_INVALID' });
    await expect(createSession(good, { backend: 'cuda' })).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    await expect(createSession(good, { backend: 'nope' as 'cpu' })).rejects.toMatchObject({
      code: 'BACKEND_UNAVAILABLE',
    });
    await expect(createSession('/nonexistent/model.onnx', { backend: 'cpu' })).rejects.toMatchObject({
      code: 'IO_READ_FAILED',
    });
  });

  it('checks inputs against the declared shape (MODEL_INPUT_MISMATCH) and the card against the model', async () => {
    const s = await createSession(fixedShapeIdentityModel([4, 4, 4]), { backend: 'cpu' });
    try {
      await expect(s.run({ input: { data: new Float32Array(27), dims: [1, 1, 3, 3, 3] } })).rejects.toMatchObject({
        code: 'MODEL_INPUT_MISMATCH',
      });
      await expect(s.run({ wrong: { data: new Float32Array(64), dims: [1, 1, 4, 4, 4] } })).rejects.toMatchObject({
        code: 'MODEL_INPUT_MISMATCH',
      });
      const ok = await s.run({ input: { data: new Float32Array(64).fill(2), dims: [1, 1, 4, 4, 4] } });
      expect((ok.output!.data as Float32Array)[63]).toBe(2);
    } finally {
      await s.release();
    }
    // Card says 3 output channels, the model has 2.
    const bad = card();
    bad.network_data_format.outputs.pred!.num_channels = 3;
    await expect(
      createSession({ onnx: thresholdSoftmaxModel(0.5), card: bad }, { backend: 'cpu' }),
    ).rejects.toMatchObject({
      code: 'MODEL_CARD_INVALID',
      details: { field: 'network_data_format.outputs.num_channels' },
    });
    const badName = card();
    badName.network_data_format.inputs.image!.onnx_name = 'image';
    await expect(
      createSession({ onnx: thresholdSoftmaxModel(0.5), card: badName }, { backend: 'cpu' }),
    ).rejects.toMatchObject({
      code: 'MODEL_CARD_INVALID',
    });
  });
});

describe('URL sources and the folder cache', () => {
  let server: Server;
  let base: string;
  let hits = 0;
  const model = scaleModel(2);
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits++;
      if (req.url === '/m.onnx') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(Buffer.from(model));
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address() as { port: number };
    base = `http://127.0.0.1:${addr.port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('fetches only URLs, caches by sha256 and reads the cache the second time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'medimg-cache-'));
    try {
      const sha = await sha256Hex(model);
      hits = 0;
      const a = await createSession(`${base}/m.onnx`, { backend: 'cpu', cache: dir, sha256: sha });
      expect(a.provenance.model.source).toBe('url');
      await a.release();
      const b = await createSession(new URL(`${base}/m.onnx`), { backend: 'cpu', cache: dir, sha256: sha });
      expect(b.provenance.model.source).toBe('cache');
      await b.release();
      expect(hits).toBe(1);
      expect(readFileSync(join(dir, `${sha}.onnx`)).length).toBe(model.length);
      await expect(createSession(`${base}/missing.onnx`, { backend: 'cpu' })).rejects.toMatchObject({
        code: 'IO_READ_FAILED',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
