import { describe, expect, it } from 'vitest';
import '../../src/index.js';
import { makeChestCtPhantom, type Vec3 } from '../../src/core/index.js';
import { readDicomSeries } from '../../src/io/index.js';
import { quantifyLungOpacity } from '../../src/tasks/index.js';
import { dataPath, describeData } from '../helpers/data.js';

const small = { dims: [170, 120, 60] as Vec3, spacing: [2, 2, 2.5] as Vec3, vesselTrees: 0, noiseSd: 15, seed: 7 };

describe('quantifyLungOpacity on phantom lesions of known volume', () => {
  it('band volumes grow by the lesion volumes (vs the same anatomy without lesions)', async () => {
    const p = makeChestCtPhantom({
      ...small,
      tumor: { centerMm: [70, -10, 20], diameterMm: 30 },
      nodules: [
        { diameterMm: 24, type: 'ground-glass', lung: 'right', centerMm: [-80, 10, 30] },
        { diameterMm: 20, type: 'ground-glass', lung: 'left', centerMm: [85, 20, -30] },
      ],
    });
    const q = makeChestCtPhantom({ ...small, nodules: 0 });
    const a = await quantifyLungOpacity(p.image);
    const b = await quantifyLungOpacity(q.image);
    const gg = p.truth.nodules.reduce((s, n) => s + n.volumeMm3, 0) / 1000;
    const cons = p.truth.tumor!.volumeMm3 / 1000;
    const dGG = a.lungs.total.bands.groundGlass!.volumeMl - b.lungs.total.bands.groundGlass!.volumeMl;
    const dCons = a.lungs.total.bands.consolidation!.volumeMl - b.lungs.total.bands.consolidation!.volumeMl;
    expect(Math.abs(dCons - cons) / cons).toBeLessThan(0.15);
    // ground glass also gains the solid tumour's partial-volume rim
    expect(dGG).toBeGreaterThan(0.85 * gg);
    expect(dGG).toBeLessThan(1.6 * gg);
    // left/right split: the tumour is in the left lung
    const dl = a.lungs.left.bands.consolidation!.volumeMl - b.lungs.left.bands.consolidation!.volumeMl;
    expect(dl / dCons).toBeGreaterThan(0.9);
    const pct = Object.values(a.lungs.total.bands).reduce((s, x) => s + x.percent, 0);
    expect(pct).toBeCloseTo(100, 1);
    expect(a.lungs.total.volumeMl).toBeCloseTo(a.lungs.left.volumeMl + a.lungs.right.volumeMl, 0);
    expect(a.provenance.task).toBe('quantifyLungOpacity');
    expect(a.scan.sliceThicknessMm).toBe(2.5);
    expect(a.limitations.map((l) => l.code)).toContain('THICK_SLICES'); // 2.5 mm > 1.5 mm
  }, 40000);
});

describeData('quantifyLungOpacity on the real chest CT', () => {
  it('plausible lung volume and band percentages', async () => {
    const ct = await readDicomSeries(dataPath('dicom/ct_chest_LungPETCTDx_A0001_kernelB'));
    const r = await quantifyLungOpacity(ct);
    expect(r.lungs.total.volumeMl).toBeGreaterThan(3000);
    expect(r.lungs.total.volumeMl).toBeLessThan(8000);
    expect(r.lungs.total.bands.normal!.percent).toBeGreaterThan(70);
    expect(r.lungs.left.volumeMl).toBeGreaterThan(1000);
    expect(r.lungs.right.volumeMl).toBeGreaterThan(1000);
    // 5 mm slices: the LAA-950 and opacity bands assume thin slices
    expect(r.scan.sliceThicknessMm).toBe(5);
    expect(r.limitations.map((l) => l.code)).toContain('THICK_SLICES');
    expect(r.scan.bloodHU).not.toBeNull();
  }, 120000);
});
