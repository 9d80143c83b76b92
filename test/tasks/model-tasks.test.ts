// Model-driven tasks on graphs built in the tests with known answers: a label map that thresholds
// HU (segmentTumor), a blob heatmap and a box detector (detectNodules).
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/index.js';
import {
  buildOnnxModel,
  createSession,
  type ModelCard,
  type Session,
  thresholdSoftmaxModel,
} from '../../src/backends/index.js';
import { createVolume, isMedImgError, makeChestCtPhantom, type Vec3, type Volume } from '../../src/core/index.js';
import {
  type DetectNodulesResult,
  detectNodules,
  lungRadsCategory,
  measureBoneDensity,
  segmentTumor,
} from '../../src/tasks/index.js';
import { levelOfName } from '../../src/tasks/bone-density/model.js';
import { blobBoxModel, blobHeatmapModel, thresholdLabelsModel } from '../helpers/model-graphs.js';

const tensor = (channels: number, names: Record<string, string>, format = 'segmentation') => ({
  type: 'image' as const,
  format,
  num_channels: channels,
  spatial_shape: [-1, -1, -1],
  dtype: 'float32' as const,
  value_range: [],
  channel_def: names,
});

function card(
  id: string,
  out: ModelCard['network_data_format']['outputs'][string],
  extra: Partial<ModelCard> = {},
): ModelCard {
  return {
    schema_version: 1,
    id,
    version: '1.0.0',
    license: 'CC0-1.0',
    network_data_format: {
      inputs: { image: { ...tensor(1, { '0': 'CT' }, 'hounsfield'), modality: 'CT' } },
      outputs: { pred: out },
    },
    ...extra,
  };
}

/** A CT-like block: -1000 air, a 60 HU organ ball holding a 150 HU tumour ball, and a second 150 HU ball apart. */
function organPhantom(): { image: Volume<Int16Array>; tumour: Uint8Array; other: Uint8Array; organ: Uint8Array } {
  const dims: Vec3 = [60, 50, 40];
  const image = createVolume(dims, Int16Array, {
    spacing: [1.5, 1.5, 2],
    origin: [-40, -30, 10],
    meta: { modality: 'CT' },
  });
  const n = dims[0] * dims[1] * dims[2];
  const tumour = new Uint8Array(n);
  const other = new Uint8Array(n);
  const organ = new Uint8Array(n);
  for (let z = 0, i = 0; z < dims[2]; z++)
    for (let y = 0; y < dims[1]; y++)
      for (let x = 0; x < dims[0]; x++, i++) {
        const mm = [x * 1.5, y * 1.5, z * 2];
        const d = (c: number[]) => Math.hypot(mm[0]! - c[0]!, mm[1]! - c[1]!, mm[2]! - c[2]!);
        let v = -1000;
        if (d([30, 35, 40]) <= 22) {
          v = 60;
          organ[i] = 1;
        }
        if (d([28, 36, 42]) <= 8) {
          v = 150;
          tumour[i] = 1;
        }
        if (d([70, 20, 30]) <= 6) {
          v = 150;
          other[i] = 1;
        }
        image.data[i] = v;
      }
  return { image, tumour, other, organ };
}

const worldOf = (v: Volume, ijk: number[]): Vec3 => [
  v.origin[0] + ijk[0]! * v.spacing[0],
  v.origin[1] + ijk[1]! * v.spacing[1],
  v.origin[2] + ijk[2]! * v.spacing[2],
];

describe('segmentTumor with a model (built label graphs)', () => {
  const p = organPhantom();
  // labels: 0 background, 1 organ (> 0 HU), 2 tumour (> 100 HU); run in 24^3 patches (sliding window)
  const labelCard = card(
    'organ-tumour-labels',
    tensor(1, { '0': 'background', '1': 'liver', '2': 'liver tumour' }, 'labels'),
    {
      preprocessing: { axis_order: 'xyz' },
      inference: { patch_size: [24, 24, 24], overlap: 0.25 },
      postprocessing: { output_kind: 'labels' },
    },
  );
  let session: Session;
  beforeAll(async () => {
    session = await createSession({ onnx: thresholdLabelsModel([0, 100]), card: labelCard }, { backend: 'cpu' });
  });

  it('automatic: every lesion the model labels, exactly the thresholded voxels, named by the card', async () => {
    const r = await segmentTumor(p.image, { model: session });
    let diff = 0;
    for (let i = 0; i < p.tumour.length; i++) diff += Number(r.mask.data[i] !== (p.tumour[i]! | p.other[i]!));
    expect(diff).toBe(0);
    expect(r.lesions).toHaveLength(2);
    const vv = 1.5 * 1.5 * 2;
    const sizes = r.lesions.map((l) => l.voxelCount).sort((a, b) => b - a);
    const truth = [p.tumour, p.other].map((m) => m.reduce((a, b) => a + b, 0)).sort((a, b) => b - a);
    expect(sizes).toEqual(truth);
    expect(r.lesions[0]!.volumeMl).toBeCloseTo((truth[0]! * vv) / 1000, 3);
    expect(r.intensityRange).toEqual([150, 150]);
    expect(r.provenance.settings.lesionNames).toEqual(['liver tumour']);
    expect(r.provenance.model?.id).toBe('organ-tumour-labels');
    expect(r.provenance.backend).toBe('cpu');
    expect((r.provenance.settings.model as { roi: number[] }).roi).toEqual([24, 24, 24]);
  });

  it('with a seed: only the lesion pointed at', async () => {
    const r = await segmentTumor(p.image, { model: session, seed: worldOf(p.image, [28 / 1.5, 36 / 1.5, 21]) });
    expect(r.lesions).toHaveLength(1);
    let diff = 0;
    for (let i = 0; i < p.tumour.length; i++) diff += Number(r.mask.data[i] !== p.tumour[i]);
    expect(diff).toBe(0);
    // a seed in air far from any lesion: an empty result that says so
    const miss = await segmentTumor(p.image, { model: session, seed: worldOf(p.image, [2, 2, 2]) });
    expect(miss.lesions).toHaveLength(0);
    expect(miss.limitations.map((l) => l.code)).toContain('NO_LESION_AT_POINTER');
  });

  it('with a box on one slice: the lesion reaching into it, whole', async () => {
    // box around the second ball on its centre slice (z index 15)
    const r = await segmentTumor(p.image, {
      model: session,
      box: { min: worldOf(p.image, [43, 10, 15]), max: worldOf(p.image, [50, 17, 15]) },
    });
    expect(r.lesions).toHaveLength(1);
    expect(r.lesions[0]!.voxelCount).toBe(p.other.reduce((a, b) => a + b, 0));
  });

  it('lesionLabels picks other labels; a probability (softmax) graph works the same', async () => {
    const organ = await segmentTumor(p.image, { model: session, lesionLabels: [1, 2] });
    expect(organ.lesions[0]!.voxelCount).toBe(p.organ.reduce((a, b) => a + b, 0));
    const prob = card('tumour-softmax', tensor(2, { '0': 'background', '1': 'tumor' }), {
      postprocessing: { activation: 'softmax' },
    });
    const r = await segmentTumor(p.image, { model: { onnx: thresholdSoftmaxModel(100), card: prob }, backend: 'cpu' });
    expect(r.lesions.map((l) => l.voxelCount).sort()).toEqual(
      [p.tumour, p.other].map((m) => m.reduce((a, b) => a + b, 0)).sort(),
    );
  });

  it('coded errors: a model without card, a card of another output kind, a modality the card does not cover', async () => {
    const noCard = await segmentTumor(p.image, { model: thresholdLabelsModel([0]), backend: 'cpu' }).catch((e) => e);
    expect(isMedImgError(noCard) && noCard.code).toBe('INVALID_ARGUMENT');
    const heat = card('heat', tensor(1, { '0': 'nodule' }, 'heatmap'), { postprocessing: { output_kind: 'heatmap' } });
    const wrong = await segmentTumor(p.image, {
      model: { onnx: blobHeatmapModel(0), card: heat },
      backend: 'cpu',
    }).catch((e) => e);
    expect(isMedImgError(wrong) && wrong.code).toBe('MODEL_CARD_INVALID');
    const mr = { ...p.image, meta: { modality: 'MR' } };
    const r = await segmentTumor(mr, { model: session });
    expect(r.limitations.map((l) => l.code)).toContain('MODEL_MODALITY_MISMATCH');
  });
});

describe('detectNodules with a model (built heatmap and box graphs on a chest phantom)', () => {
  const nodules = [
    { centerMm: [-60, -20, 30] as Vec3, diameterMm: 12 },
    { centerMm: [55, -10, 20] as Vec3, diameterMm: 9 },
  ];
  const ph = makeChestCtPhantom({
    dims: [170, 120, 60],
    spacing: [2, 2, 2.5],
    nodules,
    vesselTrees: 0,
    noiseSd: 10,
    seed: 3,
  });
  const heatCard = card('blob-heatmap', tensor(1, { '0': 'nodule' }, 'heatmap'), {
    preprocessing: { axis_order: 'xyz' },
    inference: { patch_size: [64, 64, 48], overlap: 0.5, blend_mode: 'gaussian' },
    postprocessing: { output_kind: 'heatmap', peak_threshold: 0.5, min_peak_distance_mm: 10 },
  });
  const boxCard = card(
    'blob-boxes',
    { ...tensor(7, {}, 'boxes'), type: 'tensor', spatial_shape: [-1] },
    {
      preprocessing: { axis_order: 'zyx' },
      postprocessing: { output_kind: 'boxes', score_threshold: 0.5 },
    },
  );
  let heat: DetectNodulesResult;
  let classical: DetectNodulesResult;
  beforeAll(async () => {
    heat = await detectNodules(ph.image, {
      model: { onnx: blobHeatmapModel(-400), card: heatCard },
      backend: 'cpu',
      lungRadsOnAnyScan: true,
    });
    classical = await detectNodules(ph.image, { lungRadsOnAnyScan: true });
  }, 120000);

  it('heatmap: each known nodule found at its place with its size, type and Lung-RADS', () => {
    expect(heat.nodules).toHaveLength(ph.truth.nodules.length);
    for (const t of ph.truth.nodules) {
      const f = heat.nodules.find((n) => Math.hypot(...n.centerMm.map((c, a) => c - t.centerMm[a]!)) < 3);
      expect(f, `nodule at ${t.centerMm}`).toBeDefined();
      expect(Math.abs(f!.diameterMm - t.diameterMm) / t.diameterMm).toBeLessThan(0.2);
      expect(f!.type).toBe('solid');
      expect(f!.lungRads).toBe(lungRadsCategory('solid', f!.diameterMm));
      // the same measurement as the classical path's for the same nodule
      const c = classical.nodules.find((n) => Math.hypot(...n.centerMm.map((v, a) => v - f!.centerMm[a]!)) < 3);
      if (c) expect(Math.abs(c.diameterMm - f!.diameterMm)).toBeLessThan(1.5);
    }
    expect(heat.provenance.model?.id).toBe('blob-heatmap');
    expect((heat.provenance.settings.model as { roi: number[] }).roi).toEqual([48, 64, 64]);
    expect(heat.limitations.map((l) => l.code)).toEqual(classical.limitations.map((l) => l.code));
    expect(heat.lungRads).toBe(classical.lungRads);
  });

  it('boxes: the box detector gives the boxed nodule with its size', async () => {
    const one = makeChestCtPhantom({
      dims: [170, 120, 60],
      spacing: [2, 2, 2.5],
      nodules: [nodules[0]!],
      vesselTrees: 0,
      noiseSd: 10,
      seed: 3,
    });
    const r = await detectNodules(one.image, {
      model: { onnx: blobBoxModel(-400), card: boxCard },
      backend: 'cpu',
      lungRadsOnAnyScan: true,
    });
    expect(r.nodules).toHaveLength(1);
    const t = one.truth.nodules[0]!;
    const f = r.nodules[0]!;
    expect(Math.hypot(...f.centerMm.map((c, a) => c - t.centerMm[a]!))).toBeLessThan(3);
    expect(Math.abs(f.diameterMm - t.diameterMm) / t.diameterMm).toBeLessThan(0.2);
    expect(f.probability).toBe(1);
    // the same detector run patch by patch (patches smaller than the scan): boxes shifted, merged
    const tiled = await detectNodules(one.image, {
      model: { onnx: blobBoxModel(-400), card: { ...boxCard, inference: { patch_size: [32, 64, 64], overlap: 0.5 } } },
      backend: 'cpu',
      lungRadsOnAnyScan: true,
    });
    expect((tiled.provenance.settings.model as { patches: number }).patches).toBeGreaterThan(1);
    expect(tiled.nodules).toHaveLength(1);
    expect(tiled.nodules[0]!.centerMm).toEqual(f.centerMm);
    expect(tiled.nodules[0]!.diameterMm).toBe(f.diameterMm);
  }, 120000);
});

describe('measureBoneDensity with a vertebra label model (built graph: HU threshold x known vertebra labels)', () => {
  const hu = [70, 105, 140, 175, 210, 245];
  const p = makeChestCtPhantom({
    dims: [170, 120, 60],
    spacing: [2, 2, 2.5],
    blurSigmaMm: 0.6,
    nodules: 0,
    noiseSd: 25,
    seed: 3,
    vertebraHU: hu,
  });
  const [nx, ny, nz] = p.image.dims;
  // label = vertebra body label where the voxel is denser than -500 HU (fixed-shape graph, [z, y, x])
  const graph = buildOnnxModel({
    nodes: [
      { op: 'Greater', inputs: ['input', 't'], outputs: ['g'] },
      { op: 'Cast', inputs: ['g'], outputs: ['c'], attrs: { to: { i: 1 } } },
      { op: 'Mul', inputs: ['c', 'labels'], outputs: ['output'] },
    ],
    initializers: [
      { name: 't', dims: [], data: new Float32Array([-500]) },
      { name: 'labels', dims: [1, 1, nz, ny, nx], data: Float32Array.from(p.truth.vertebralBodyLabels.data) },
    ],
    inputs: [{ name: 'input', shape: [1, 1, nz, ny, nx] }],
    outputs: [{ name: 'output', shape: [1, 1, nz, ny, nx] }],
  });
  const names: Record<string, string> = { '0': 'background', '99': 'rib_left_1' };
  for (const v of p.truth.vertebrae) names[String(v.label)] = `vertebrae_${v.level}`;
  const vcard = card(
    'vertebrae-labels',
    { ...tensor(1, names, 'labels'), spatial_shape: [nz, ny, nx] },
    {
      preprocessing: { axis_order: 'zyx' },
      postprocessing: { output_kind: 'labels' },
    },
  );
  vcard.network_data_format.inputs.image!.spatial_shape = [nz, ny, nx];

  it('one ROI per labelled vertebra inside its trabecular core, HU within 5 of the truth, levels from the card', async () => {
    const r = await measureBoneDensity(p.image, {
      vertebraModel: { onnx: graph, card: vcard },
      backend: 'cpu',
      returnRoiMasks: true,
    });
    expect(r.method).toBe('model');
    const seen = new Set(p.truth.vertebralBodyLabels.data);
    const present = p.truth.vertebrae.filter((v) => seen.has(v.label));
    expect(r.vertebrae).toHaveLength(present.length);
    expect(r.scan.levelsSeen).toEqual(present.map((v) => v.level)); // top to bottom, as the truth
    for (const v of r.vertebrae) {
      const tv = present.find((q) => q.level === v.level)!;
      if (!v.partial) expect(Math.abs(v.meanHU - tv.trabecularHU)).toBeLessThanOrEqual(5);
      const m = v.roiMask!.data;
      let inCore = 0;
      let all = 0;
      for (let i = 0; i < m.length; i++)
        if (m[i]) {
          all++;
          if (p.truth.trabecularLabels.data[i] === tv.label) inCore++;
        }
      // complete vertebrae: 96 % of the ROI in the trabecular core (the rest its partial-volume rim)
      if (!v.partial) expect(inCore / all).toBeGreaterThan(0.95);
    }
    expect(r.vertebrae.filter((v) => !v.partial).length).toBeGreaterThanOrEqual(3);
    // a vertebra cut by the scan edge is flagged, and so is the result
    if (r.vertebrae.some((v) => v.partial)) expect(r.limitations.map((l) => l.code)).toContain('LESION_AT_SCAN_EDGE');
    expect(r.provenance.model?.id).toBe('vertebrae-labels');
    expect(r.provenance.warnings.join(' ')).not.toMatch(/labelled/); // the rib label is not a vertebra
  }, 60000);

  it('level names from channel names', () => {
    expect(['L1', 'vertebrae_T12', 'C7 vertebra', 'L 3', 'T13', 'rib_left_1', 'L'].map(levelOfName)).toEqual([
      'L1',
      'T12',
      'C7',
      'L3',
      undefined,
      undefined,
      undefined,
    ]);
  });
});
