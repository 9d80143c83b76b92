// The five real MeshNet models (../shared/data/models) through our backends, each run once per
// backend in beforeAll (a 256^3 model is 1-2 min on 2 cores): exact reference labels on cpu,
// within 0.1 % of voxels on wasm for the structure model, and the brain tasks' tables.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { beforeAll, expect, it } from 'vitest';
import {
  BRAINCHOP_APARC50_CARD,
  BRAINCHOP_DK104_CARD,
  BRAINCHOP_MINDGRAB_CARD,
  BRAINCHOP_SUBCORTICAL18_CARD,
  configureWebBackends,
  type ExtractBrainResult,
  extractBrain,
  readNifti,
  type SegmentBrainStructuresResult,
  type SegmentStructuresResult,
  segmentBrainStructures,
  segmentStructures,
  type Volume,
} from '../../src/index.js';
import { sha256Hex } from '../../src/ops.js';
import { dataPath, describeData } from '../helpers/data.js';

const T1 = 'models/niivue_meshnet_tissue_gwm/t1_crop.nii.gz';
const ref = (folder: string) =>
  JSON.parse(readFileSync(dataPath('models', folder, 'expected_output.json'), 'utf8')).reference_run as {
    voxel_counts_by_label: Record<string, number>;
    argmax_uint8_sha256_nifti_order: string;
  };
const onnx = (folder: string) => dataPath('models', folder, 'model.onnx');

function counts(labels: Volume<Uint8Array>, n: number): Record<string, number> {
  const c = new Array<number>(n).fill(0);
  for (const v of labels.data) c[v]!++;
  return Object.fromEntries(c.map((v, i) => [String(i), v]));
}

describeData('real brain models on the demo T1 (cpu exact, wasm within 0.1 %)', () => {
  let t1: Volume;
  let sub: SegmentBrainStructuresResult;
  let aparc: SegmentStructuresResult;
  let dk: SegmentBrainStructuresResult;
  let mind: ExtractBrainResult;
  let subWasm: SegmentStructuresResult;

  beforeAll(async () => {
    t1 = await readNifti(dataPath(T1));
    mind = await extractBrain(t1, { model: onnx('brainchop_mindgrab'), backend: 'cpu' });
    sub = await segmentBrainStructures(t1, {
      model: onnx('brainchop_subcortical18'),
      backend: 'cpu',
      icvMl: mind.icvMl,
    });
    aparc = await segmentStructures(t1, {
      model: { onnx: onnx('brainchop_aparc50'), card: BRAINCHOP_APARC50_CARD },
      backend: 'cpu',
    });
    dk = await segmentBrainStructures(t1, {
      model: onnx('brainchop_dk104'),
      card: 'brainchop-dk104',
      backend: 'cpu',
      icvMl: mind.icvMl,
    });
    // onnxruntime-web picks one wasm thread on 2 cores in Node (ceil(cores / 2)); the 256^3 model
    // then takes 10 min on one core while the other idles. Threads (as a cross-origin isolated page
    // runs them) take 4.6 min here and gave the same counts.
    configureWebBackends({ numThreads: Math.min(4, availableParallelism()) });
    subWasm = await segmentStructures(t1, {
      model: { onnx: onnx('brainchop_subcortical18'), card: BRAINCHOP_SUBCORTICAL18_CARD },
      backend: 'wasm',
    });
  }, 3_600_000);

  it('cpu: every model reproduces its reference labels bit for bit (argmax SHA-256 and counts)', async () => {
    for (const [folder, labels, n] of [
      ['brainchop_subcortical18', sub.labels, 18],
      ['brainchop_aparc50', aparc.labels, 50],
      ['brainchop_dk104', dk.labels, 104],
      ['brainchop_mindgrab', mind.mask, 2],
    ] as const) {
      const r = ref(folder);
      expect(counts(labels, n), folder).toEqual(r.voxel_counts_by_label);
      expect(await sha256Hex(labels.data), folder).toBe(r.argmax_uint8_sha256_nifti_order);
      expect(labels.dims).toEqual(t1.dims);
      expect(labels.origin).toEqual(t1.origin);
      expect(labels.direction).toEqual(t1.direction);
    }
    // The input already is conformed: no resampling happened.
    expect(sub.provenance.settings).toMatchObject({ conformShape: [256, 256, 256], conformed: false });
  });

  it('wasm (onnxruntime-web in Node): subcortical18 label counts within 0.1 % of voxels', () => {
    expect(subWasm.provenance.backend).toBe('wasm');
    const r = ref('brainchop_subcortical18').voxel_counts_by_label;
    const got = counts(subWasm.labels, 18);
    let differ = 0;
    for (const k of Object.keys(r)) differ += Math.abs(got[k]! - r[k]!);
    // Every changed voxel moves between two labels: half the summed count differences.
    expect(differ / 2 / subWasm.labels.data.length).toBeLessThanOrEqual(0.001);
    for (const k of Object.keys(r)) if (r[k]! > 1000) expect(Math.abs(got[k]! - r[k]!) / r[k]!, k).toBeLessThan(0.001);
  });

  it('extractBrain: mask and ICV of the MindGrab reference (1607.27 mL)', () => {
    expect(mind.icvMl).toBeCloseTo(1607.27, 2);
    expect(mind.provenance.model.id).toBe(BRAINCHOP_MINDGRAB_CARD.id);
    expect(mind.provenance.model.sha256).toBe(BRAINCHOP_MINDGRAB_CARD.sha256);
    expect(mind.limitations).toEqual([]);
  });

  it('segmentBrainStructures (subcortical18): volumes, ICV fractions, sides by the midline', () => {
    const r = ref('brainchop_subcortical18').voxel_counts_by_label;
    expect(sub.hemisphereMethod).toBe('midline');
    expect(sub.limitations.map((l) => l.code)).toEqual(['HEMISPHERES_BY_MIDLINE']);
    expect(sub.icv).toEqual({ ml: mind.icvMl, source: 'given' });
    const hippo = sub.structures.find((s) => s.name === 'Hippocampus')!;
    expect(hippo.volumeMl).toBeCloseTo(r['14']! / 1000, 9);
    expect(hippo.icvFraction).toBeCloseTo(hippo.volumeMl / mind.icvMl, 12);
    expect(hippo.leftMl! + hippo.rightMl!).toBeCloseTo(hippo.volumeMl, 9);
    // A healthy adult: hippocampi within 15 % of each other, as every paired structure here.
    for (const s of sub.structures) {
      if (s.asymmetryIndex === null) continue;
      if (s.volumeMl > 3) expect(Math.abs(s.asymmetryIndex), s.name).toBeLessThan(15);
    }
    expect(sub.structures.find((s) => s.name === 'Brain-Stem')!.asymmetryIndex).toBeNull();
    // Mean T1 intensity: white matter brighter than cortex on this T1.
    const wm = sub.perLabel.find((s) => s.name === 'Cerebral-White-Matter')!;
    const ctx = sub.perLabel.find((s) => s.name === 'Cerebral-Cortex')!;
    expect(wm.mean!).toBeGreaterThan(ctx.mean!);
  });

  it('segmentBrainStructures (dk104): sides from the labels agree with the midline split of subcortical18', () => {
    expect(dk.hemisphereMethod).toBe('labels');
    const dh = dk.structures.find((s) => s.name === 'Hippocampus')!;
    expect(dh.labels).toEqual([77, 78]);
    const sh = sub.structures.find((s) => s.name === 'Hippocampus')!;
    // Two different networks: side volumes within 15 %, and the same sign of asymmetry when it is clear.
    expect(Math.abs(dh.leftMl! - sh.leftMl!) / sh.leftMl!).toBeLessThan(0.15);
    expect(Math.abs(dh.rightMl! - sh.rightMl!) / sh.rightMl!).toBeLessThan(0.15);
    const dt = dk.structures.find((s) => s.name === 'Thalamus-Proper*')!;
    expect(dt.leftMl).not.toBeNull();
    expect(dk.structures.find((s) => s.name === 'Brain-Stem')!.leftMl).toBeNull();
  });

  it('cards: the shipped cards pin the reference files', () => {
    for (const [folder, card] of [
      ['brainchop_subcortical18', BRAINCHOP_SUBCORTICAL18_CARD],
      ['brainchop_aparc50', BRAINCHOP_APARC50_CARD],
      ['brainchop_dk104', BRAINCHOP_DK104_CARD],
      ['brainchop_mindgrab', BRAINCHOP_MINDGRAB_CARD],
    ] as const) {
      const e = JSON.parse(readFileSync(dataPath('models', folder, 'expected_output.json'), 'utf8'));
      expect(card.sha256).toBe(e.onnx.sha256);
      const labels = JSON.parse(readFileSync(dataPath('models', folder, 'labels.json'), 'utf8'));
      expect(card.network_data_format.outputs.pred!.channel_def).toEqual(labels);
    }
  });
});
