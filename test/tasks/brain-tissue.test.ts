import { readFileSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import {
  type BrainTissueResult,
  MESHNET_GWM_CARD,
  VERSION,
  createSession,
  createVolume,
  readNifti,
  segmentBrainTissue,
  type Volume,
} from '../../src/index.js';
import { conformGrid } from '../../src/backends/pipeline.js';
import { resample, resampleLabels } from '../../src/core/ops/resample.js';
import { sha256Hex } from '../../src/ops.js';
import { identityModel, thresholdSoftmaxModel } from '../../src/testing.js';
import { dataPath, describeData } from '../helpers/data.js';
import { toReport } from '../../src/tasks/report.js';
import { reportSchemaErrors } from '../helpers/report-schema.js';

const DIR = 'models/niivue_meshnet_tissue_gwm';

describeData('segmentBrainTissue: real MeshNet on t1_crop.nii.gz', () => {
  const expected = JSON.parse(readFileSync(dataPath(DIR, 'expected_output.json'), 'utf8'));
  const ref = expected.reference_run.voxel_counts_by_label as Record<string, number>;
  const modelPath = dataPath(DIR, 'model.onnx');
  let t1: Volume;
  let cpu: BrainTissueResult;
  let wasm: BrainTissueResult;

  // The 256^3 model takes ~15 s per run on 2 cores: one run per backend for the whole file.
  beforeAll(async () => {
    t1 = await readNifti(dataPath(DIR, 't1_crop.nii.gz'));
    cpu = await segmentBrainTissue(t1, { model: modelPath, backend: 'cpu' });
    wasm = await segmentBrainTissue(t1, { model: modelPath, backend: 'wasm' });
  }, 300_000);

  it('cpu: label counts and the argmax hash equal the reference run exactly', async () => {
    expect(cpu.voxelCounts).toEqual({ background: ref['0'], whiteMatter: ref['1'], greyMatter: ref['2'] });
    expect(await sha256Hex(cpu.labels.data)).toBe(expected.reference_run.argmax_uint8_sha256_nifti_order);
    // Labels on the input grid.
    expect(cpu.labels.dims).toEqual(t1.dims);
    expect(cpu.labels.spacing).toEqual(t1.spacing);
    expect(cpu.labels.origin).toEqual(t1.origin);
    expect(cpu.labels.direction).toEqual(t1.direction);
    // 1 mm voxels: mL = count / 1000.
    expect(cpu.whiteMatterMl).toBeCloseTo(ref['1']! / 1000, 6);
    expect(cpu.greyMatterMl).toBeCloseTo(ref['2']! / 1000, 6);
  });

  it('wasm (onnxruntime-web in Node): label counts within 0.1% of the reference', () => {
    expect(wasm.provenance.backend).toBe('wasm');
    for (const [k, name] of [
      ['0', 'background'],
      ['1', 'whiteMatter'],
      ['2', 'greyMatter'],
    ] as const) {
      const got = wasm.voxelCounts[name];
      expect(Math.abs(got - ref[k]!) / ref[k]!, name).toBeLessThanOrEqual(0.001);
    }
  });

  it('its JSON report follows schemas/segmentBrainTissue.v2.schema.json', () => {
    const report = toReport('segmentBrainTissue', cpu);
    expect(report.labels.nonzeroVoxels).toBe(cpu.voxelCounts.whiteMatter + cpu.voxelCounts.greyMatter);
    expect(reportSchemaErrors('segmentBrainTissue', report)).toEqual([]);
  });

  it('records provenance: version, task, backend, model id + sha256, settings, timings', () => {
    const p = cpu.provenance;
    expect(p.version).toBe(VERSION);
    expect(p.task).toBe('segmentBrainTissue');
    expect(p.backend).toBe('cpu');
    expect(p.runtime).toMatch(/^onnxruntime-node /);
    expect(p.backendAttempts).toEqual([expect.objectContaining({ backend: 'cpu', ok: true })]);
    expect(p.model).toEqual({
      id: 'meshnet-gwm',
      version: '1.0.0',
      license: 'BSD-2-Clause',
      sha256: MESHNET_GWM_CARD.sha256,
    });
    expect(p.settings).toMatchObject({ axisOrder: 'zyx', intensity: { method: 'minmax' }, argmax: true, roi: null });
    for (const k of ['load', 'preprocess', 'inference', 'run', 'postprocess', 'total'] as const)
      expect(p.timingsMs[k]).toBeGreaterThanOrEqual(0);
    expect(p.timingsMs.run).toBeLessThanOrEqual(p.timingsMs.inference);
    expect(p.warnings).toEqual([]);
  });

  it('a T1 on another grid is conformed and its labels come back on that grid, agreeing with the reference', async () => {
    // t1_crop re-gridded: RAS, 1.1 mm, 200 x 230 x 210 voxels centred on it (linear, float)
    const grid = conformGrid(t1, [200, 230, 210], 'RAS', [1.1, 1.1, 1.1]);
    const other = resample(t1, { reference: grid });
    const r = await segmentBrainTissue(other, { model: modelPath, backend: 'cpu' });
    expect(r.labels.dims).toEqual([200, 230, 210]);
    expect(r.limitations).toEqual([]); // 220 x 253 x 231 mm of 1.1 mm voxels: inside the field, not coarse
    expect(r.provenance.settings).toMatchObject({ conformed: true, conformIntensity: { srcMin: 0 } });
    expect(r.provenance.warnings).toEqual([expect.stringMatching(/1\.10×1\.10×1\.10 mm voxels, resampled to 1 mm/)]);
    const ref = resampleLabels(cpu.labels, { reference: grid, method: 'nearest' });
    for (const label of [1, 2]) {
      let a = 0;
      let b = 0;
      let both = 0;
      for (let i = 0; i < ref.data.length; i++) {
        const x = r.labels.data[i] === label;
        const y = ref.data[i] === label;
        a += +x;
        b += +y;
        both += +(x && y);
      }
      // measured 2026-12-07: see docs/tasks/brain-tissue.md
      expect((2 * both) / (a + b), `label ${label}`).toBeGreaterThan(0.9);
    }
  }, 300_000);

  it('a thigh MR (the sarcoma T1 in validation/) is conformed and run, and flagged as no brain', async () => {
    const thigh = await readNifti(dataPath('validation', 'tumour_seg', 'sts_001', 'STS_001_MR_T1_image.nii.gz'));
    const r = await segmentBrainTissue(thigh, { model: modelPath, backend: 'cpu' });
    const codes = r.limitations.map((l) => l.code);
    expect(codes).toContain('IMPLAUSIBLE_BRAIN_VOLUME'); // 543 mL
    expect(codes).toContain('IMPLAUSIBLE_BRAIN_ANATOMY'); // white matter 8 % of the tissue
    expect(codes).toContain('MODEL_INPUT_UPSAMPLED'); // 3.27 mm slices
  }, 300_000);

  it('bad input: corrupt model, sha256 mismatch, unavailable backend', async () => {
    const small = createVolume([128, 128, 128], new Uint8Array(128 ** 3));
    const bytes = new Uint8Array(readFileSync(modelPath));
    const corrupt = bytes.slice(0, 4000);
    const { sha256: _, ...unpinned } = MESHNET_GWM_CARD;
    await expect(
      segmentBrainTissue(small, { model: { onnx: corrupt, card: unpinned }, backend: 'cpu' }),
    ).rejects.toMatchObject({ code: 'MODEL_INVALID' });
    // The built-in card pins the MeshNet file: any other bytes are refused before loading.
    await expect(segmentBrainTissue(small, { model: corrupt, backend: 'cpu' })).rejects.toMatchObject({
      code: 'MODEL_HASH_MISMATCH',
    });
    await expect(segmentBrainTissue(small, { model: identityModel(), backend: 'cpu' })).rejects.toMatchObject({
      code: 'MODEL_HASH_MISMATCH',
    });
    await expect(segmentBrainTissue(t1, { model: modelPath, backend: 'cuda' })).rejects.toMatchObject({
      code: 'BACKEND_UNAVAILABLE',
    });
    // A session of another (2-class) model is refused before running.
    const base = MESHNET_GWM_CARD.network_data_format;
    const { sha256: _s, ...unpinnedCard } = MESHNET_GWM_CARD;
    const twoClass = {
      ...unpinnedCard,
      network_data_format: {
        inputs: { image: { ...base.inputs.image!, spatial_shape: [-1, -1, -1] } },
        outputs: {
          pred: {
            ...base.outputs.pred!,
            num_channels: 2,
            spatial_shape: [-1, -1, -1],
            channel_def: { '0': 'bg', '1': 'fg' },
          },
        },
      },
    };
    const other = await createSession({ onnx: thresholdSoftmaxModel(0.5), card: twoClass }, { backend: 'cpu' });
    try {
      await expect(segmentBrainTissue(small, { model: other })).rejects.toMatchObject({ code: 'MODEL_CARD_INVALID' });
    } finally {
      await other.release();
    }
  });
});
