// What a conforming model does not see: the signal outside the conformed grid, and the
// OUTSIDE_MODEL_FIELD limitation of the model tasks.
import { describe, expect, it } from 'vitest';
import { BRAINCHOP_CARDS } from '../../src/backends/cards/brainchop.js';
import { conformCoverage } from '../../src/backends/conform-coverage.js';
import { thresholdSoftmaxModel } from '../../src/backends/testing/onnx-builder.js';
import { directionFromOrientation } from '../../src/core/geometry.js';
import { createVolume } from '../../src/core/volume.js';
import { readDicomSeries, readMgh, segmentStructures } from '../../src/index.js';
import { twoClassTestCard } from '../helpers/brain-phantom.js';
import { dataPath, describeData } from '../helpers/data.js';

const CARD = twoClassTestCard('test-field', ['background', 'brain'], {
  axis_order: 'xyz',
  orientation: 'LIA',
  target_spacing: [1, 1, 1],
  conform_shape: [32, 32, 32],
  intensity: { method: 'none' }, // the test graph labels input > 55
});

/** RAS, 1.5 mm, 20 x 18 x nz, a bright 6 x 6 column of 100 through every slice, 0 elsewhere. */
function column(nz: number) {
  const d = new Float32Array(20 * 18 * nz);
  for (let k = 0, p = 0; k < nz; k++)
    for (let j = 0; j < 18; j++)
      for (let i = 0; i < 20; i++, p++) d[p] = i >= 7 && i < 13 && j >= 6 && j < 12 ? 100 : 0;
  return createVolume([20, 18, nz], d, { spacing: [1.5, 1.5, 1.5], direction: directionFromOrientation('RAS') });
}

describe('conformCoverage', () => {
  it('an image inside the grid loses nothing; a long one loses the slices beyond +-16 mm', () => {
    expect(conformCoverage(column(12), CARD)).toEqual({ outsideFraction: 0 });
    // 60 slices of 1.5 mm centred on the 32 mm grid: slices 19..40 (|z| <= 16 mm) are inside
    expect(conformCoverage(column(60), CARD)!.outsideFraction).toBeCloseTo(38 / 60, 12);
    const { conform_shape: _, ...noConform } = CARD.preprocessing!;
    expect(conformCoverage(column(60), { ...CARD, preprocessing: noConform })).toBeNull();
  });

  it('segmentStructures reports OUTSIDE_MODEL_FIELD with the fraction, only when over 2 %', async () => {
    const run = (nz: number) =>
      segmentStructures(column(nz), { model: { onnx: thresholdSoftmaxModel(55), card: CARD }, backend: 'cpu' });
    const long = await run(60);
    expect(long.limitations).toContainEqual(
      expect.objectContaining({ code: 'OUTSIDE_MODEL_FIELD', details: { outsideFraction: 0.633 } }),
    );
    expect(long.limitations.find((l) => l.code === 'OUTSIDE_MODEL_FIELD')!.message).toMatch(/63\.3 %.*32 x 32 x 32 mm/);
    // the column beyond the field is not labelled
    expect(long.labels.data[10 + 20 * (9 + 18 * 2)]).toBe(0);
    expect(long.labels.data[10 + 20 * (9 + 18 * 30)]).toBe(1);
    expect((await run(12)).limitations.map((l) => l.code)).not.toContain('OUTSIDE_MODEL_FIELD');
  });
});

describeData('conformCoverage on real images (subcortical18 card)', () => {
  it('the dev T1 is inside the 256 mm field; a chest CT is not', async () => {
    const card = BRAINCHOP_CARDS['brainchop-subcortical18']!;
    const t1 = await readMgh(dataPath('validation', 'brain_mri', 'niivue_freesurfer_norm_aparc2009s', 'norm.mgz'));
    expect(conformCoverage(t1, card)).toEqual({ outsideFraction: 0 });
    // the sagittal T1 QA series (261 mm in plane): under 1 % of its signal at the edges, no limitation
    const sag = await readDicomSeries(dataPath('dicom', 'mr_brain_t1_sag_HFS_dcm_qa_decubitus'));
    expect(conformCoverage(sag, card)!.outsideFraction).toBeLessThan(0.02);
    const ct = await readDicomSeries(dataPath('dicom', 'ct_chest_LungPETCTDx_A0001_kernelB'));
    expect(conformCoverage(ct, card)!.outsideFraction).toBeGreaterThan(0.3);
  }, 60_000);
});
