// `medimg models list|inspect|verify` on the real pretrained models in ../shared/data/models and on
// graphs built here with deliberately wrong cards; planModelRun on a geometry it must transform.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/index.js';
import {
  buildOnnxModel,
  inspectModel,
  type ModelCard,
  planModelRun,
  thresholdSoftmaxModel,
} from '../../src/backends/index.js';
import { sha256Hex } from '../../src/core/typed.js';
import { runMedimg } from '../helpers/cli.js';
import { dataPath, describeData } from '../helpers/data.js';

const MESHNET_CARD = 'models/meshnet-gwm.card.json';
const REAL = [
  'brainchop_aparc50',
  'brainchop_dk104',
  'brainchop_mindgrab',
  'brainchop_subcortical18',
  'niivue_meshnet_tissue_gwm',
];

describeData('medimg models on the real pretrained models', () => {
  const models = dataPath('models');
  const meshnet = dataPath('models/niivue_meshnet_tissue_gwm/model.onnx');

  it('list: every model folder, its file size, and that it has no card there', () => {
    const r = runMedimg(['models', 'list', models, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const list = JSON.parse(r.stdout) as { folder: string; onnx: string; bytes: number; sha256: string }[];
    expect(list.map((m) => m.folder.split('/').at(-1)).sort()).toEqual(REAL);
    for (const m of list) {
      expect(m.onnx).toBe('model.onnx');
      expect(m.bytes).toBe(statSync(join(m.folder, 'model.onnx')).size);
      expect(m.sha256).toBe('no card');
    }
  });

  it('inspect: the graph as the README documents it (names, shapes), the sha256 of expected_output.json', () => {
    for (const name of ['brainchop_subcortical18', 'brainchop_mindgrab']) {
      const r = runMedimg(['models', 'inspect', dataPath('models', name, 'model.onnx'), '--json']);
      expect(r.code, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout);
      const expected = JSON.parse(readFileSync(dataPath('models', name, 'expected_output.json'), 'utf8'));
      expect(j.file.sha256).toBe(expected.onnx.sha256);
      expect(j.graph.inputs.map((t: { name: string; shape: unknown }) => [t.name, t.shape])).toEqual(
        expected.onnx.inputs.map((t: { name: string; shape: unknown }) => [t.name, t.shape]),
      );
      expect(j.graph.outputs.map((t: { name: string; shape: unknown }) => [t.name, t.shape])).toEqual(
        expected.onnx.outputs.map((t: { name: string; shape: unknown }) => [t.name, t.shape]),
      );
    }
  });

  it('verify: the shipped MeshNet card fits the real MeshNet file; inspect --image plans the run on the demo T1', () => {
    const ok = runMedimg(['models', 'verify', meshnet, '--card', MESHNET_CARD]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain('ok: no problem found');
    const t1 = dataPath('models/niivue_meshnet_tissue_gwm/t1_crop.nii.gz');
    const r = runMedimg(['models', 'inspect', meshnet, '--card', MESHNET_CARD, '--image', t1, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout).plan;
    expect(plan.image).toMatchObject({ dims: [256, 256, 256], orientation: 'LIA' });
    expect(plan.reorient).toBeNull();
    expect(plan.resample).toBeNull();
    expect(plan.intensity.method).toBe('minmax');
    expect(plan.tensor).toEqual({ axisOrder: 'zyx', shape: [1, 1, 256, 256, 256] });
    expect(plan.inference).toMatchObject({ mode: 'whole', runs: 1 });
    expect(plan.warnings).toEqual([]);
  });

  it('verify: a wrong card lists every problem with its code and field, exit 2', () => {
    const card = JSON.parse(readFileSync(MESHNET_CARD, 'utf8')) as ModelCard;
    card.sha256 = '0'.repeat(64);
    card.network_data_format.inputs.image!.onnx_name = 'image';
    card.network_data_format.outputs.pred!.num_channels = 4;
    card.network_data_format.outputs.pred!.spatial_shape = [128, 256, 256];
    const dir = mkdtempSync(join(tmpdir(), 'medimg-models-'));
    try {
      const path = join(dir, 'wrong.card.json');
      writeFileSync(path, JSON.stringify(card));
      const r = runMedimg(['models', 'verify', meshnet, '--card', path, '--json']);
      expect(r.code).toBe(2);
      const problems = JSON.parse(r.stdout).problems.map(
        (p: { code: string; field?: string }) => `${p.code} ${p.field}`,
      );
      expect(problems).toEqual([
        'MODEL_HASH_MISMATCH sha256',
        'MODEL_CARD_INVALID network_data_format.inputs',
        'MODEL_CARD_INVALID network_data_format.outputs.num_channels',
        'MODEL_CARD_INVALID network_data_format.outputs.spatial_shape',
        'MODEL_CARD_INVALID network_data_format.outputs.channel_def', // 3 names for 4 channels
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('medimg models on built graphs with right and wrong cards', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medimg-zoo-'));
  const onnx = thresholdSoftmaxModel(0);
  const good: ModelCard = {
    schema_version: 1,
    id: 'threshold',
    version: '1.0.0',
    license: 'CC0-1.0',
    network_data_format: {
      inputs: {
        image: {
          type: 'image',
          num_channels: 1,
          spatial_shape: [-1, -1, -1],
          dtype: 'float32',
          value_range: [],
          channel_def: { '0': 'CT' },
        },
      },
      outputs: {
        pred: {
          type: 'image',
          num_channels: 2,
          spatial_shape: [-1, -1, -1],
          dtype: 'float32',
          value_range: [0, 1],
          channel_def: { '0': 'background', '1': 'lesion' },
        },
      },
    },
  };
  let server: Server;
  let url = '';
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    server?.close();
  });
  beforeAll(async () => {
    const sha = await sha256Hex(onnx);
    writeFileSync(join(dir, 'threshold.onnx'), onnx);
    writeFileSync(join(dir, 'threshold.card.json'), JSON.stringify({ ...good, sha256: sha }));
    writeFileSync(join(dir, 'tampered.onnx'), thresholdSoftmaxModel(1));
    writeFileSync(join(dir, 'tampered.card.json'), JSON.stringify({ ...good, id: 'tampered', sha256: sha }));
    writeFileSync(join(dir, 'orphan.card.json'), JSON.stringify({ ...good, id: 'orphan' }));
    server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify([good, { ...good, id: 'second', postprocessing: { output_kind: 'probabilities' } }]));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cards.json`;
  });

  it('list: sha256 ok, a tampered file flagged (exit 2), a card without its ONNX', () => {
    const r = runMedimg(['models', 'list', dir, '--json']);
    expect(r.code).toBe(2);
    const byId = Object.fromEntries(
      (JSON.parse(r.stdout) as { id: string; sha256: string }[]).map((m) => [m.id, m.sha256]),
    );
    expect(byId).toEqual({ threshold: 'ok', tampered: 'mismatch', orphan: 'no onnx' });
  });

  it('list: a URL serving cards (127.0.0.1)', async () => {
    const { spawn } = await import('node:child_process');
    // the server runs in this process, so the CLI runs asynchronously beside it
    const out = await new Promise<{ code: number; stdout: string }>((resolve) => {
      const p = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'models', 'list', url, '--json']);
      let stdout = '';
      p.stdout.on('data', (d) => {
        stdout += d;
      });
      p.on('close', (code) => resolve({ code: code ?? -1, stdout }));
    });
    expect(out.code).toBe(0);
    expect((JSON.parse(out.stdout) as { id: string }[]).map((m) => m.id)).toEqual(['threshold', 'second']);
  });

  it('verify: the .card.json beside the model is found; wrong label count, box width and rank are coded', async () => {
    expect(runMedimg(['models', 'verify', join(dir, 'threshold.card.json')]).code).toBe(0);
    const labels = await inspectModel(onnx, {
      card: {
        ...good,
        network_data_format: {
          ...good.network_data_format,
          outputs: { pred: { ...good.network_data_format.outputs.pred!, num_channels: 2, channel_def: { '0': 'bg' } } },
        },
      },
    });
    expect(labels.problems.map((p) => p.field)).toEqual(['network_data_format.outputs.channel_def']);
    const boxGraph = buildOnnxModel({
      nodes: [{ op: 'Identity', inputs: ['input'], outputs: ['output'] }],
      inputs: [{ name: 'input', shape: ['N', 6] }],
      outputs: [{ name: 'output', shape: ['N', 6] }],
    });
    const boxCard: ModelCard = {
      ...good,
      network_data_format: {
        inputs: good.network_data_format.inputs,
        outputs: {
          boxes: {
            type: 'tensor',
            num_channels: 7,
            spatial_shape: [-1],
            dtype: 'float32',
            value_range: [],
            channel_def: {},
          },
        },
      },
      postprocessing: { output_kind: 'boxes' },
    };
    const boxes = await inspectModel(boxGraph, { card: boxCard });
    expect(boxes.problems.map((p) => `${p.code} ${p.field}`)).toEqual([
      'MODEL_CARD_INVALID network_data_format.inputs.spatial_shape', // a 3D card on a rank-2 input
      'MODEL_CARD_INVALID postprocessing.output_kind', // last dim 6, not 7
    ]);
    const bad = await inspectModel(new Uint8Array([1, 2, 3]), { card: { ...good, schema_version: 2 } as never });
    expect(bad.problems.map((p) => p.code)).toEqual(['MODEL_CARD_INVALID', 'MODEL_INVALID']);
    expect(bad.graph).toBeNull();
  });
});

describe('planModelRun', () => {
  it('reorients, resamples, counts patches and flags a modality the card does not cover', () => {
    const card: ModelCard = {
      schema_version: 1,
      id: 'ct-net',
      version: '1',
      license: 'MIT',
      network_data_format: {
        inputs: {
          image: {
            type: 'image',
            modality: 'CT',
            num_channels: 1,
            spatial_shape: [-1, -1, -1],
            dtype: 'float32',
            value_range: [],
            channel_def: {},
          },
        },
        outputs: {
          pred: {
            type: 'image',
            num_channels: 3,
            spatial_shape: [-1, -1, -1],
            dtype: 'float32',
            value_range: [],
            channel_def: {},
          },
        },
      },
      preprocessing: {
        axis_order: 'xyz',
        orientation: 'RAS',
        target_spacing: [1.5, 1.5, 3],
        intensity: { method: 'window', lower: -1000, upper: 1000 },
      },
      inference: { patch_size: [96, 96, 32], overlap: 0.5, mirror_axes: [0, 1] },
    };
    // LPS grid, 0.75 x 0.75 x 5 mm, 512 x 512 x 40: RAS flips x and y; resampled to 256 x 256 x 67
    const plan = planModelRun(
      {
        dims: [512, 512, 40],
        spacing: [0.75, 0.75, 5],
        origin: [0, 0, 0],
        direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
        meta: { modality: 'MR' },
      },
      card,
    );
    expect(plan.reorient).toEqual({ from: 'LPS', to: 'RAS' });
    expect(plan.resample?.dims).toEqual([256, 256, 67]);
    expect(plan.tensor.shape).toEqual([1, 1, 256, 256, 67]);
    // MONAI positions at interval 48 / 48 / 16 over 256 / 256 / 67: 5 x 5 x 4 patches, 4 mirror runs each
    expect(plan.inference).toMatchObject({ mode: 'sliding-window', patches: 100, mirrorRuns: 4, runs: 400 });
    expect(plan.intensity.text).toBe('clip to [-1000, 1000], then map to [0, 1]');
    expect(plan.warnings).toEqual(['The model was made for CT; this image is MR.']);
  });
});
