// segmentStructures / segmentBrainStructures / extractBrain without the real models: the shipped
// cards, quantile scaling, conforming with labels mapped back, per-label statistics and the
// left/right table, on graphs built in the test with known answers.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BRAINCHOP_CARDS } from '../../src/backends/cards/brainchop.js';
import { type ModelCard, validateModelCard } from '../../src/backends/model-card.js';
import { conformGrid, normalizeIntensity, quantiles } from '../../src/backends/pipeline.js';
import { thresholdSoftmaxModel } from '../../src/backends/testing/onnx-builder.js';
import { directionFromOrientation } from '../../src/core/geometry.js';
import { createVolume } from '../../src/core/volume.js';
import {
  asymmetryIndex,
  extractBrain,
  segmentBrainStructures,
  segmentStructures,
  sideOfName,
} from '../../src/index.js';
import { brainStructureCode } from '../../src/tasks/brain-structures/codes.js';
import { brainStructureTable } from '../../src/tasks/brain-structures/hemispheres.js';
import { brainAnatomyLimitation, brainVolumeLimitation } from '../../src/tasks/internal/brain-volume.js';
import type { Limitation } from '../../src/tasks/internal/limitations.js';
import { presentStructures } from '../../src/tasks/segment-structures/present.js';
import { twoClassTestCard } from '../helpers/brain-phantom.js';

describe('shipped brain model cards', () => {
  it('models/<id>.card.json equal the code constants and validate', () => {
    for (const [id, card] of Object.entries(BRAINCHOP_CARDS)) {
      const json = JSON.parse(readFileSync(`models/${id}.card.json`, 'utf8'));
      expect(json).toEqual(card);
      expect(validateModelCard(json).id).toBe(id);
    }
  });
  it('a bad quantile or conform field is MODEL_CARD_INVALID naming it', () => {
    const card = structuredClone(BRAINCHOP_CARDS['brainchop-mindgrab']!) as ModelCard;
    card.preprocessing!.intensity = { method: 'quantile', lower: 0.9, upper: 0.1 };
    expect(() => validateModelCard(card)).toThrow(/preprocessing.intensity.lower/);
    card.preprocessing!.intensity = { method: 'minmax' };
    card.preprocessing!.conform_shape = [256, 0, 256];
    expect(() => validateModelCard(card)).toThrow(/conform_shape/);
  });
});

describe('quantile scaling', () => {
  const v = new Uint8Array([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  it('linear: numpy.quantile (interpolated); sorted_index: brainchop web', () => {
    // numpy.quantile(v, [0.05, 0.95]) = [5, 95]; sorted[floor(11 * .05)] = 0, sorted[ceil(11 * .95) - 1] = 100.
    expect(quantiles(v, 0.05, 0.95, 'linear')).toEqual([5, 95]);
    expect(quantiles(Float32Array.from(v), 0.05, 0.95, 'linear')).toEqual([5, 95]);
    expect(quantiles(v, 0.05, 0.95, 'sorted_index')).toEqual([0, 100]);
    const x = normalizeIntensity(v, { method: 'quantile', lower: 0.05, upper: 0.95, clip: true });
    expect(x[0]).toBe(0);
    expect(x[10]).toBe(1);
    expect(x[5]).toBeCloseTo(0.5, 6);
  });
});

/** A T1-like test volume: RAS, 1.5 mm, a bright sphere of radius 7.5 mm at the centre. */
function sphereVolume() {
  const dims: [number, number, number] = [20, 18, 12];
  const d = new Float32Array(20 * 18 * 12);
  let p = 0;
  for (let k = 0; k < 12; k++)
    for (let j = 0; j < 18; j++)
      for (let i = 0; i < 20; i++, p++) {
        const r = Math.hypot((i - 9.5) * 1.5, (j - 8.5) * 1.5, (k - 5.5) * 1.5);
        d[p] = r < 7.5 ? 100 : 10;
      }
  return createVolume(dims, d, {
    spacing: [1.5, 1.5, 1.5],
    direction: directionFromOrientation('RAS'),
    origin: [5, 6, 7],
  });
}

const CONFORM_CARD = twoClassTestCard('test-conform', ['background', 'brain mask'], {
  axis_order: 'xyz',
  orientation: 'LIA',
  target_spacing: [1, 1, 1],
  conform_shape: [32, 32, 32],
  intensity: { method: 'none' },
});

describe('conform and segmentStructures on a built graph', () => {
  it('resamples onto 32^3 x 1 mm LIA, and the labels come back on the input grid', async () => {
    const vol = sphereVolume();
    const r = await segmentStructures(vol, {
      model: { onnx: thresholdSoftmaxModel(55), card: CONFORM_CARD },
      backend: 'cpu',
    });
    expect(r.labels.dims).toEqual(vol.dims);
    expect(r.labels.direction).toEqual(vol.direction);
    expect(r.provenance.settings).toMatchObject({ conformShape: [32, 32, 32], conformed: true });
    let both = 0;
    let a = 0;
    let b = 0;
    for (let i = 0; i < vol.data.length; i++) {
      const t = vol.data[i]! > 50;
      const l = r.labels.data[i] === 1;
      a += +t;
      b += +l;
      both += +(t && l);
    }
    expect((2 * both) / (a + b)).toBeGreaterThan(0.9);
    const s = r.structures[0]!;
    expect(s).toMatchObject({ label: 1, name: 'brain mask' });
    expect(s.volumeMl).toBeCloseTo((b * 1.5 ** 3) / 1000, 9);
    expect(s.mean!).toBeGreaterThan(90);
  });

  it('extractBrain on the built graph: mask and ICV; bad input is coded', async () => {
    const vol = sphereVolume();
    const b = await extractBrain(vol, {
      model: { onnx: thresholdSoftmaxModel(55), card: CONFORM_CARD },
      backend: 'cpu',
    });
    expect(b.icvMl).toBeGreaterThan(1.2);
    expect(b.icvMl).toBeLessThan(2.3); // sphere of 7.5 mm: 1.77 mL
    await expect(extractBrain(vol, {} as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(
      segmentBrainStructures(vol, { model: new Uint8Array(4), card: 'nope' as never }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(segmentBrainStructures(vol, { model: new Uint8Array(4), icvMl: -1 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('conformGrid centres the conformed grid on the input', () => {
    const vol = sphereVolume();
    const g = conformGrid(vol, [32, 32, 32], 'LIA', [1, 1, 1]);
    expect(g.direction).toEqual(directionFromOrientation('LIA'));
    // Centre of the input (LPS): origin + M (dims - 1) / 2.
    const c = [5 - 1.5 * 9.5, 6 - 1.5 * 8.5, 7 + 1.5 * 5.5];
    // LIA in LPS: i -> +x, j -> -z, k -> -y.
    expect(g.origin[0] + 15.5).toBeCloseTo(c[0]!, 9);
    expect(g.origin[1] - 15.5).toBeCloseTo(c[1]!, 9);
    expect(g.origin[2] - 15.5).toBeCloseTo(c[2]!, 9);
  });
});

describe('labelled brain volume plausibility', () => {
  it('IMPLAUSIBLE_BRAIN_VOLUME outside 700-2000 mL, with the figure; none inside', () => {
    const at = (ml: number) => {
      const list: Limitation[] = [];
      brainVolumeLimitation(list, ml);
      return list;
    };
    // a thigh MR given to subcortical18 labels 95.9 mL (docs/tasks/brain-structures.md)
    expect(at(95.9)).toEqual([
      expect.objectContaining({
        code: 'IMPLAUSIBLE_BRAIN_VOLUME',
        details: { labelledMl: 95.9, minMl: 700, maxMl: 2000 },
      }),
    ]);
    expect(at(95.9)[0]!.message).toMatch(/labelled 96 mL of brain.*Do not read these volumes/);
    expect(at(2500)).toHaveLength(1);
    for (const ml of [700, 1050, 1607, 2000]) expect(at(ml)).toEqual([]);
  });

  it('IMPLAUSIBLE_BRAIN_ANATOMY: white matter share outside 25-65 %, or under 5 mL of thalamus', () => {
    const codes = (f: Parameters<typeof brainAnatomyLimitation>[1]) => {
      const list: Limitation[] = [];
      brainAnatomyLimitation(list, f);
      return list.map((l) => [l.code, l.details]);
    };
    // the tissue model on the thigh MR: 43.3 mL WM, 499.7 mL GM; on norm.mgz 468.9 / 504.0
    expect(codes({ whiteMatterMl: 43.3, greyMatterMl: 499.7 })).toEqual([
      ['IMPLAUSIBLE_BRAIN_ANATOMY', { whiteMatterFraction: 0.08 }],
    ]);
    expect(codes({ whiteMatterMl: 468.9, greyMatterMl: 504.0 })).toEqual([]);
    expect(codes({ whiteMatterMl: 700, greyMatterMl: 300 })).toHaveLength(1);
    expect(codes({ whiteMatterMl: 0, greyMatterMl: 0 })).toHaveLength(1);
    expect(codes({ thalamusMl: 0 })).toEqual([['IMPLAUSIBLE_BRAIN_ANATOMY', { thalamusMl: 0 }]]);
    expect(codes({ thalamusMl: 16.39 })).toEqual([]);
  });
});

describe('left/right table', () => {
  it('names: Left-/Right- and ctx-lh-/rh- give the side and the base name', () => {
    expect(sideOfName('Left-Hippocampus')).toEqual({ side: 'left', base: 'Hippocampus' });
    expect(sideOfName('ctx-rh-insula')).toEqual({ side: 'right', base: 'ctx-insula' });
    expect(sideOfName('Brain-Stem')).toEqual({ side: null, base: 'Brain-Stem' });
    expect(asymmetryIndex(4, 3)).toBeCloseTo((1 / 3.5) * 100, 12);
    expect(asymmetryIndex(0, 0)).toBeNull();
  });

  it('midline split: a structure 3 voxels left and 1 right of the centroid plane', () => {
    // LPS, 1 mm: +x is patient left. Label 1 at x = 0,1 (right) and 3,4,5 (left) ... centroid of all labels.
    const d = new Uint8Array(10);
    d[0] = 2; // brainstem, midline structure
    d[9] = 2;
    d[2] = 1;
    d[6] = 1;
    d[7] = 1;
    d[8] = 1;
    const labels = createVolume([10, 1, 1], d);
    const t = brainStructureTable(
      labels,
      [
        { label: 1, name: 'Hippocampus', voxels: 4, volumeMl: 0.004, mean: null, sd: null },
        { label: 2, name: 'Brain-Stem', voxels: 2, volumeMl: 0.002, mean: null, sd: null },
      ],
      1,
    );
    expect(t.hemisphereMethod).toBe('midline');
    expect(t.midlineXMm).toBeCloseTo((0 + 9 + 2 + 6 + 7 + 8) / 6, 12);
    const h = t.structures[0]!;
    expect(h.leftMl).toBeCloseTo(0.003, 12);
    expect(h.rightMl).toBeCloseTo(0.001, 12);
    expect(t.structures[1]!.leftMl).toBeNull();
  });
});

describe('SEG/SR codes of brain structures (DICOM CID 7140)', () => {
  it('structure names get their CID 7140 code, sides read from the name; parcels have none', () => {
    expect(brainStructureCode('Left-Hippocampus')).toEqual({
      code: { value: '5366008', scheme: 'SCT', meaning: 'Hippocampus' },
      side: 'left',
    });
    expect(brainStructureCode('Right thalamus')?.code.value).toBe('119406000');
    expect(brainStructureCode('Thalamus-Proper*')?.code.value).toBe('119406000');
    expect(brainStructureCode('Cerebral-Cortex')?.code.value).toBe('40146001');
    expect(brainStructureCode('VentralDC')?.code).toEqual({
      value: '110700',
      scheme: 'DCM',
      meaning: 'Ventral Diencephalon',
    });
    expect(brainStructureCode('ctx-lh-precentral')).toBeUndefined();
    expect(brainStructureCode('CSF')).toBeUndefined();
  });

  it('presentStructures: segment type and SR finding coded, category anatomical structure', () => {
    const d = new Uint8Array(8);
    d[1] = 1;
    d[2] = 2;
    const labels = createVolume([8, 1, 1], d);
    const p = presentStructures(
      labels,
      labels,
      [
        { name: 'Hippocampus', labels: [1], volumeMl: 0.001, cells: [] },
        { name: 'ctx-precentral', labels: [2], volumeMl: 0.001, cells: [] },
      ],
      { title: 't', file: 'f.png', columns: [], uidFor: (r) => `1.2.3.${r.length}` },
    );
    expect(p.segments[0]!.description).toMatchObject({
      type: { value: '5366008', scheme: 'SCT' },
      category: 'anatomical structure',
    });
    expect(p.findings[0]).toMatchObject({ finding: { value: '5366008' }, findingSite: 'brain' });
    expect(p.segments[1]!.description.type).toBe('brain');
    expect(p.findings[1]!.finding).toBe('brain');
  });
});
