import { describe, expect, it } from 'vitest';
import '../../src/index.js';
import { isMedImgError, makeChestCtPhantom, type Vec3, worldToIndex } from '../../src/core/index.js';
import { readDicomSeries, readNrrd } from '../../src/io/index.js';
import { attenuationCategory, measureBoneDensity, qctCategory } from '../../src/tasks/index.js';
import { dataPath, describeData } from '../helpers/data.js';

const small = { dims: [170, 120, 60] as Vec3, spacing: [2, 2, 2.5] as Vec3, blurSigmaMm: 0.6 };

describe('categories', () => {
  it('Pickhardt L1 thresholds and ACR QCT categories', () => {
    expect(attenuationCategory(110)).toBe('osteoporosis');
    expect(attenuationCategory(110.1)).toBe('indeterminate');
    expect(attenuationCategory(160)).toBe('indeterminate');
    expect(attenuationCategory(160.1)).toBe('normal');
    expect(qctCategory(121)).toBe('normal');
    expect(qctCategory(120)).toBe('low');
    expect(qctCategory(80)).toBe('low');
    expect(qctCategory(79.9)).toBe('osteoporosis');
  });
});

describe('measureBoneDensity on phantoms with known trabecular HU', () => {
  it('HU error <= 5 per vertebra with noise, ROI inside the trabecular core, levels from the user', async () => {
    const hu = [70, 105, 140, 175, 210, 245];
    const p = makeChestCtPhantom({ ...small, nodules: 0, noiseSd: 25, seed: 3, vertebraHU: hu });
    const r = await measureBoneDensity(p.image, { returnRoiMasks: true, lowestLevel: 'T11' });
    expect(r.method).toBe('automatic');
    expect(r.vertebrae.length).toBeGreaterThanOrEqual(4);
    for (const v of r.vertebrae) {
      const tv = p.truth.vertebrae.reduce((b, q) =>
        Math.abs(q.centerMm[2] - v.centerMm[2]) < Math.abs(b.centerMm[2] - v.centerMm[2]) ? q : b,
      );
      expect(Math.abs(v.meanHU - tv.trabecularHU)).toBeLessThanOrEqual(5);
      expect(v.category).toBe(attenuationCategory(v.meanHU));
      const m = v.roiMask!.data;
      for (let i = 0; i < m.length; i++) if (m[i]) expect(p.truth.trabecularLabels.data[i]).toBe(tv.label);
    }
    const full = r.vertebrae.filter((v) => !v.partial);
    // every complete phantom vertebra passes every quality check; cut ones are 'low'
    for (const v of full) expect(v.quality).toMatchObject({ confidence: 'high', shellClosed: true, canalFound: true });
    for (const v of r.vertebrae.filter((q) => q.partial)) expect(v.quality!.confidence).toBe('low');
    expect(full.at(-1)!.level).toBe('T11');
    expect(full.at(-2)!.level).toBe('T10');
    expect(full.at(-1)!.levelConfidence).toBe(1);
  }, 30000);

  it('the same vertebrae when the scan has more air around the body (the search works on each slice body box)', async () => {
    const p = makeChestCtPhantom({
      ...small,
      nodules: 0,
      noiseSd: 25,
      seed: 3,
      vertebraHU: [70, 105, 140, 175, 210, 245],
    });
    const im = p.image;
    const [nx, ny, nz] = im.dims;
    // 41 columns and 23 rows of air before (over 80 and 45 mm: an offset mix-up would move the search
    // off the spine), 5 and 3 after: odd offsets and a width that is no multiple of 4
    const [ax, ay] = [41, 23];
    const dims: Vec3 = [nx + ax + 5, ny + ay + 3, nz];
    const data = new Int16Array(dims[0] * dims[1] * nz).fill(-1000);
    for (let z = 0; z < nz; z++)
      for (let y = 0; y < ny; y++)
        for (let x = 0; x < nx; x++) data[x + ax + dims[0] * (y + ay + dims[1] * z)] = im.data[x + nx * (y + ny * z)]!;
    expect(im.direction.slice(0, 5)).toEqual([1, 0, 0, 0, 1]);
    const origin: Vec3 = [im.origin[0] - ax * im.spacing[0], im.origin[1] - ay * im.spacing[1], im.origin[2]];
    const a = await measureBoneDensity(im);
    const b = await measureBoneDensity({ ...im, data, dims, origin });
    expect(a.vertebrae.length).toBeGreaterThanOrEqual(4);
    expect(b.vertebrae).toEqual(a.vertebrae);
  }, 60000);

  it('limitations: levels seen, thick slices; the phantom is unenhanced', async () => {
    const p = makeChestCtPhantom({ ...small, nodules: 0, noiseSd: 10, seed: 3, vertebraHU: [150] });
    const r = await measureBoneDensity(p.image, { lowestLevel: 'T11' });
    expect(r.scan.sliceThicknessMm).toBe(2.5);
    expect(r.scan.levelsSeen).toContain('T11');
    expect(r.scan.contrast).not.toBe('enhanced');
    const codes = r.limitations.map((l) => l.code);
    expect(codes).toContain('LEVELS_NOT_SEEN'); // T11 and above: no L1 for the Pickhardt thresholds
    expect(codes).not.toContain('THICK_SLICES');
    const unlabelled = await measureBoneDensity(p.image);
    expect(unlabelled.limitations.find((l) => l.code === 'LEVELS_NOT_SEEN')!.message).toMatch(/not labelled/);
    const thick = makeChestCtPhantom({ ...small, dims: [170, 120, 20], spacing: [2, 2, 7.5], nodules: 0, seed: 3 });
    const t = await measureBoneDensity(thick.image);
    expect(t.limitations.find((l) => l.code === 'THICK_SLICES')!.details).toMatchObject({ sliceThicknessMm: 7.5 });
    // over 5 mm the figures are outside what was validated, with the error measured on the 8 mm phantom
    const scope = t.limitations.find((l) => l.code === 'OUTSIDE_VALIDATED_SCOPE')!;
    expect(scope.details).toMatchObject({ sliceThicknessMm: 7.5, phantomMeanHUErrorAt8mm: 52 });
    expect(scope.message).toMatch(/52 HU at 8 mm/);
    expect(codes).not.toContain('OUTSIDE_VALIDATED_SCOPE');
  }, 60000);

  it('QCT with phantom rods: linear calibration recovered, BMD and ACR category', async () => {
    const p = makeChestCtPhantom({ ...small, nodules: 0, noiseSd: 10, seed: 4, vertebraHU: [150] });
    // three rods in the subcutaneous fat, HU = 10 + 1.2 * density
    const rods = [
      { centerMm: [158, 0, 0] as Vec3, radiusMm: 4, mgPerCm3: 0 },
      { centerMm: [-158, 0, 0] as Vec3, radiusMm: 4, mgPerCm3: 100 },
      { centerMm: [0, -108, 0] as Vec3, radiusMm: 4, mgPerCm3: 200 },
    ];
    const img = p.image;
    const [nx, ny, nz] = img.dims;
    for (const rod of rods) {
      const c = worldToIndex(img, rod.centerMm);
      for (let z = 0; z < nz; z++)
        for (let y = 0; y < ny; y++)
          for (let x = 0; x < nx; x++)
            if (((x - c[0]) * img.spacing[0]) ** 2 + ((y - c[1]) * img.spacing[1]) ** 2 <= 5 * 5)
              img.data[x + nx * (y + ny * z)] = Math.round(10 + 1.2 * rod.mgPerCm3);
    }
    const r = await measureBoneDensity(img, { calibration: { rods: rods.map((q) => ({ ...q, heightMm: 40 })) } });
    expect(r.calibration).toBe('phantom-rods');
    expect(r.calibrationFit!.slopeHUPerMg).toBeCloseTo(1.2, 2);
    expect(r.calibrationFit!.interceptHU).toBeCloseTo(10, 0);
    for (const v of r.vertebrae) {
      expect(Math.abs(v.bmdMgCm3! - (150 - 10) / 1.2)).toBeLessThan(5);
      expect(v.qctCategory).toBe('low'); // 116.7 mg/cm³
    }
  }, 30000);

  it('manual ROI mode and internal calibration', async () => {
    const p = makeChestCtPhantom({ ...small, nodules: 0, noiseSd: 10, seed: 5, vertebraHU: [130] });
    const v0 = p.truth.vertebrae[2]!;
    const r = await measureBoneDensity(p.image, { roi: { centerMm: v0.centerMm, radiusMm: 8, heightMm: 10 } });
    expect(r.method).toBe('manual-roi');
    expect(Math.abs(r.vertebrae[0]!.meanHU - 130)).toBeLessThan(5);
    const ri = await measureBoneDensity(p.image, { calibration: 'internal' });
    expect(ri.calibration).toBe('internal');
    // the phantom's air/fat/muscle are exactly -1000/-100/+50 HU, so the HU scale needs no correction
    expect(ri.calibrationFit!.slopeHUPerMg).toBeCloseTo(1, 1);
    for (const v of ri.vertebrae) expect(Math.abs(v.bmdMgCm3! - v.meanHU)).toBeLessThan(15);
    await expect(measureBoneDensity(p.image, { roi: { centerMm: [900, 900, 900], radiusMm: 5 } })).rejects.toSatisfy(
      (e) => isMedImgError(e, 'EMPTY_MASK'),
    );
  }, 30000);
});

describeData('measureBoneDensity on real CT', () => {
  it('abdominal CT: the automatic ROI lies inside the reference vertebra mask', async () => {
    const ct = await readDicomSeries(dataPath('dicom/ct_abdomen_dcmqi_3slice'));
    const spine = await readNrrd(dataPath('seg/dcmqi_on_ct_abdomen_3slice/spine_seg.nrrd'));
    const r = await measureBoneDensity(ct, { returnRoiMasks: true });
    expect(r.vertebrae.length).toBe(1);
    const roi = r.vertebrae[0]!.roiMask!;
    const [nx, ny] = roi.dims;
    let total = 0;
    let inside = 0;
    for (let i = 0; i < roi.data.length; i++) {
      if (!roi.data[i]) continue;
      total++;
      const w = [
        roi.origin[0] + (i % nx) * roi.spacing[0],
        roi.origin[1] + (Math.floor(i / nx) % ny) * roi.spacing[1],
        roi.origin[2] + Math.floor(i / (nx * ny)) * roi.spacing[2],
      ];
      const q = worldToIndex(spine, w).map(Math.round);
      if (spine.data[q[0]! + spine.dims[0] * (q[1]! + spine.dims[1] * q[2]!)]) inside++;
    }
    expect(total).toBeGreaterThan(100);
    expect(inside).toBe(total);
    expect(r.vertebrae[0]!.meanHU).toBeGreaterThan(100);
    expect(r.vertebrae[0]!.meanHU).toBeLessThan(400);
    expect(r.vertebrae[0]!.quality).toBeDefined();
  }, 60000);

  it('chest CT: one ROI per vertebral body, on a smooth spine curve, inside trabecular bone, canal behind', async () => {
    const ct = await readDicomSeries(dataPath('dicom/ct_chest_LungPETCTDx_A0001_kernelB'));
    const r = await measureBoneDensity(ct, { returnRoiMasks: true });
    const vs = r.vertebrae;
    // 64 slices × 5 mm show the thoracic spine (~12 bodies); the upper thoracic ones that the
    // continuity check cannot confirm are left out rather than guessed
    expect(vs.length).toBeGreaterThanOrEqual(9);
    expect(vs.length).toBeLessThanOrEqual(13);
    // no labels without the user's lowestLevel (no validated automatic rule)
    for (const v of vs) expect(v.level).toBeUndefined();
    const [nx, ny, nz] = ct.dims;
    const sxy = nx * ny;
    // spine curve: least-squares quadratic in z through the ROI centres (x and y)
    const z = vs.map((v) => v.centerMm[2]);
    for (const axis of [0, 1]) {
      const curve = polyfit2(
        z,
        vs.map((v) => v.centerMm[axis]!),
      );
      for (const [j, v] of vs.entries()) expect(Math.abs(v.centerMm[axis]! - curve(z[j]!))).toBeLessThan(5);
    }
    for (let j = 1; j < vs.length; j++) {
      const dz = vs[j - 1]!.centerMm[2] - vs[j]!.centerMm[2]; // top (superior) first
      expect(dz).toBeGreaterThanOrEqual(15);
      expect(dz).toBeLessThanOrEqual(40);
    }
    const ySign = ct.direction[4]! >= 0 ? 1 : -1; // index y toward posterior
    for (const v of vs) {
      // trabecular bone of an adult thoracic vertebra, not cortex (SD small), not soft tissue
      expect(v.meanHU).toBeGreaterThan(100);
      expect(v.meanHU).toBeLessThan(300);
      expect(v.sdHU).toBeLessThan(60);
      expect(v.roiVoxels).toBeGreaterThan(100);
      expect(v.quality).toBeDefined();
      expect(v.quality!.reasons.length).toBeGreaterThan(0);
      const m = v.roiMask!.data;
      let minY = ny;
      let maxY = -1;
      for (let i = 0; i < m.length; i++) {
        if (!m[i]) continue;
        const k = Math.floor(i / sxy);
        // never in the first/last slice (partial volume along z)
        expect(k).toBeGreaterThan(0);
        expect(k).toBeLessThan(nz - 1);
        // every ROI voxel is trabecular-range bone or marrow, not air, fat or dense cortex
        expect(ct.data[i]!).toBeGreaterThan(-100);
        const y = Math.floor((i % sxy) / nx);
        minY = Math.min(minY, y);
        maxY = Math.max(maxY, y);
      }
      const c = worldToIndex(ct, v.centerMm).map(Math.round);
      const col = (y: number): number => ct.data[c[2]! * sxy + y * nx + c[0]!]!;
      // posterior: leave the body, then the spinal canal (>= 8 mm below 100 HU), then the arch (> 200 HU)
      let y = ySign > 0 ? maxY : minY;
      let steps = 0;
      while (col(y) >= 100 && steps++ < 40 / ct.spacing[1]) y += ySign;
      let canal = 0;
      while (col(y) < 100 && canal < 40 / ct.spacing[1]) {
        canal++;
        y += ySign;
      }
      expect(canal * ct.spacing[1]).toBeGreaterThanOrEqual(8);
      expect(col(y) + col(y + ySign) + col(y + 2 * ySign)).toBeGreaterThan(3 * 150);
      // anterior: the body ends (< 100 HU: prevertebral tissue, aorta) within 25 mm of the ROI
      y = ySign > 0 ? minY : maxY;
      steps = 0;
      while (col(y) >= 100 && steps < 25 / ct.spacing[1]) {
        steps++;
        y -= ySign;
      }
      expect(steps * ct.spacing[1]).toBeLessThan(25);
    }
    // the checks are informative (some bodies pass all of them, the FOV-edge-near ones fail some)
    expect(vs.filter((v) => v.quality!.confidence === 'high').length).toBeGreaterThanOrEqual(4);
    expect(vs.filter((v) => v.quality!.canalFound).length).toBeGreaterThanOrEqual(vs.length - 1);
  }, 120000);
});

/** Least-squares quadratic y = a + b z + c z², returned as a function. */
function polyfit2(z: number[], y: number[]): (z: number) => number {
  const m = z.reduce((a, b) => a + b, 0) / z.length; // centre z for conditioning
  const S = [0, 0, 0, 0, 0];
  const T = [0, 0, 0];
  for (let i = 0; i < z.length; i++) {
    const t = z[i]! - m;
    for (let p = 0; p < 5; p++) S[p]! += t ** p;
    for (let p = 0; p < 3; p++) T[p]! += y[i]! * t ** p;
  }
  const A = [
    [S[0]!, S[1]!, S[2]!, T[0]!],
    [S[1]!, S[2]!, S[3]!, T[1]!],
    [S[2]!, S[3]!, S[4]!, T[2]!],
  ];
  for (let i = 0; i < 3; i++)
    for (let r = i + 1; r < 3; r++) {
      const f = A[r]![i]! / A[i]![i]!;
      for (let c = i; c < 4; c++) A[r]![c]! -= f * A[i]![c]!;
    }
  const x = [0, 0, 0];
  for (let i = 2; i >= 0; i--) {
    let s = A[i]![3]!;
    for (let c = i + 1; c < 3; c++) s -= A[i]![c]! * x[c]!;
    x[i] = s / A[i]![i]!;
  }
  return (q) => x[0]! + x[1]! * (q - m) + x[2]! * (q - m) ** 2;
}
