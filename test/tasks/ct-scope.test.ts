import { describe, expect, it } from 'vitest';
import { createVolume, type Vec3 } from '../../src/core/index.js';
import '../../src/index.js';
import { readDicomSeries } from '../../src/io/dicom/index.js';
import {
  aortaHUBesideSpine,
  checkContrast,
  checkDose,
  checkLungCoverage,
  checkSliceThickness,
  mediastinalBloodHU,
  sliceThicknessMm,
} from '../../src/tasks/internal/ct-scope.js';
import type { Limitation } from '../../src/tasks/internal/limitations.js';
import { dataPath, describeData } from '../helpers/data.js';

/** Two box lungs (labels 1 and 2) with a 50 x 60 mm mediastinum of `bloodHU` between them. */
function chest(bloodHU: number, nz = 10, spacingZ = 2) {
  const dims: Vec3 = [120, 80, nz];
  const ct = createVolume(dims, Int16Array, { spacing: [1, 1, spacingZ] });
  const labels = new Uint8Array(ct.data.length);
  for (let z = 0; z < nz; z++)
    for (let y = 10; y < 70; y++)
      for (let x = 5; x < 115; x++) {
        const i = x + 120 * (y + 80 * z);
        if (x < 35) {
          labels[i] = 1;
          ct.data[i] = -850;
        } else if (x >= 85) {
          labels[i] = 2;
          ct.data[i] = -850;
        } else ct.data[i] = bloodHU;
      }
  return { ct, labels };
}

describe('CT scope checks', () => {
  it('blood pool HU from the gap between the lungs tells unenhanced from enhanced', () => {
    const plain = chest(40);
    expect(mediastinalBloodHU(plain.ct, plain.labels)).toBe(45);
    const enhanced = chest(230);
    expect(mediastinalBloodHU(enhanced.ct, enhanced.labels)).toBe(235);
    const list: Limitation[] = [];
    expect(checkContrast(list, 45, 'test', 'x')).toBe('unenhanced');
    expect(list).toHaveLength(0);
    expect(checkContrast(list, 235, 'test', 'x')).toBe('enhanced');
    expect(list[0]).toMatchObject({ code: 'CONTRAST_ENHANCED', details: { bloodHU: 235 } });
    expect(checkContrast(list, null, 'test', 'x')).toBe('unknown');
    // one lung only: no gap, no figure
    const one = chest(40);
    one.labels.forEach((v, i) => (one.labels[i] = v === 2 ? 1 : v));
    expect(mediastinalBloodHU(one.ct, one.labels)).toBeNull();
  });

  it('aorta beside the spine: the uniform disc anterior-left of the body centre', () => {
    const ct = createVolume([100, 100, 3], Int16Array, { spacing: [1, 1, 5], origin: [-50, -50, 0] });
    ct.data.fill(-100);
    // a 12 mm-radius "aorta" of 180 HU, 35 mm anterior (-P) and 15 mm left (+L) of (0, 0)
    for (let z = 0; z < 3; z++)
      for (let y = 0; y < 100; y++)
        for (let x = 0; x < 100; x++)
          if ((x - 50 - 15) ** 2 + (y - 50 + 35) ** 2 <= 144) ct.data[x + 100 * (y + 100 * z)] = 180;
    expect(aortaHUBesideSpine(ct, [[0, 0, 5]])).toBeCloseTo(180, 0);
    expect(aortaHUBesideSpine(ct, [[0, 0, 500]])).toBeNull();
  });

  it('slice thickness from spacing or DICOM SliceThickness, and lung coverage', () => {
    const { ct, labels } = chest(40, 10, 2);
    expect(sliceThicknessMm(ct)).toBe(2);
    ct.meta = { ...ct.meta, sliceThickness: 3 };
    expect(sliceThicknessMm(ct)).toBe(3);
    const list: Limitation[] = [];
    expect(checkSliceThickness(list, ct, 2.5, 'test')).toBe(3);
    expect(list[0]).toMatchObject({ code: 'THICK_SLICES', details: { sliceThicknessMm: 3, maxSliceThicknessMm: 2.5 } });
    // box lungs fill every slice: apex and base are cut
    const mask = { ...ct, data: labels.map((v) => (v ? 1 : 0)) };
    const cov: Limitation[] = [];
    expect(checkLungCoverage(cov, mask)).toEqual({ top: true, bottom: true, side: false });
    expect(cov[0]!.code).toBe('PARTIAL_LUNG_COVERAGE');
    // lungs that taper to nothing at both ends: covered
    for (const z of [0, 9]) mask.data.fill(0, z * 120 * 80, (z + 1) * 120 * 80);
    const ok: Limitation[] = [];
    expect(checkLungCoverage(ok, mask)).toEqual({ top: false, bottom: false, side: false });
    expect(ok).toHaveLength(0);
    // a field of view that cuts the right lung at the side: it reaches the first column, along
    // 19 mm (under the 20 mm that count) or 20 mm
    const cut = { ...mask, data: mask.data.slice() };
    for (let y = 10; y < 29; y++) cut.data[120 * (y + 80 * 4)] = 1;
    const short: Limitation[] = [];
    expect(checkLungCoverage(short, cut).side).toBe(false);
    cut.data[120 * (29 + 80 * 4)] = 1;
    const side: Limitation[] = [];
    expect(checkLungCoverage(side, cut)).toEqual({ top: false, bottom: false, side: true });
    expect(side[0]).toMatchObject({ code: 'PARTIAL_LUNG_COVERAGE', details: { sideCut: true } });
    expect(side[0]!.message).toContain('at the side');
  });
});

describe('CT dose scope (low-dose screening or diagnostic)', () => {
  const ct = createVolume([4, 4, 2], Int16Array, { spacing: [1, 1, 1] });
  const withMeta = (meta: Record<string, unknown>) => ({ ...ct, meta: { ...ct.meta, ...meta } });
  it('CTDIvol above 3 mGy without a screening word is a diagnostic CT (NOT_LOW_DOSE); otherwise nothing is added', () => {
    let list: Limitation[] = [];
    expect(checkDose(list, withMeta({ ctdiVolMGy: 10.6 }), 'x')).toBe('diagnostic');
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ code: 'NOT_LOW_DOSE', details: { ctdiVolMGy: 10.6, screeningMaxMGy: 3 } });
    for (const meta of [
      { ctdiVolMGy: 1.8 },
      { ctdiVolMGy: 4.2, seriesDescription: 'LDCT lung' },
      { ctdiVolMGy: 4.2, protocolName: 'Low Dose Chest' },
      { ctdiVolMGy: 4.2, protocolName: 'Lung_Screening' },
    ]) {
      list = [];
      expect(checkDose(list, withMeta(meta), 'x'), JSON.stringify(meta)).toBe('low-dose');
      expect(list).toHaveLength(0);
    }
    // no dose facts (NIfTI, stripped headers): unknown, nothing claimed
    list = [];
    expect(checkDose(list, ct, 'x')).toBe('unknown');
    expect(checkDose(list, withMeta({ protocolName: 'Prescreened thorax' }), 'x')).toBe('unknown');
    expect(list).toHaveLength(0);
  });
});

describeData('CT dose facts from the real chest CTs', () => {
  it('A0001 (implicit VR: CTDIvol is an FD read from its bytes) is a diagnostic dose; A0002 has no CTDIvol', async () => {
    const a1 = await readDicomSeries(dataPath('dicom/ct_chest_LungPETCTDx_A0001_kernelB'));
    expect(a1.meta?.ctdiVolMGy).toBeCloseTo(10.6, 6);
    expect(a1.meta?.exposureMAs).toBe(150);
    expect(a1.meta?.kvp).toBe(120);
    const list: Limitation[] = [];
    expect(checkDose(list, a1, 'x')).toBe('diagnostic');
    expect(list.map((l) => l.code)).toEqual(['NOT_LOW_DOSE']);
    const a2 = await readDicomSeries(dataPath('dicom/ct_chest_LungPETCTDx_A0002_B40f'));
    expect(a2.meta?.ctdiVolMGy).toBeUndefined();
    expect(a2.meta?.protocolName).toBe('AThoraxRoutine');
    expect(checkDose([], a2, 'x')).toBe('unknown');
  }, 60000);
});
