import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../../src/index.js';
import { dice, isMedImgError, makeChestCtPhantom, type Vec3, worldToIndex } from '../../src/core/index.js';
import { readDicomSeries } from '../../src/io/index.js';
import { segmentTumor } from '../../src/tasks/index.js';
import { dataPath, describeData } from '../helpers/data.js';

const small = { dims: [170, 120, 60] as Vec3, spacing: [2, 2, 2.5] as Vec3, blurSigmaMm: 0.6 };

describe('segmentTumor on phantom tumours (noise on)', () => {
  for (const [seed, noise] of [
    [1, 20],
    [2, 40],
  ] as const) {
    it(`seed ${seed}, noise ${noise} HU: Dice >= 0.9 from a click and from a one-slice box`, async () => {
      const p = makeChestCtPhantom({ ...small, nodules: 3, noiseSd: noise, seed, tumor: true });
      const tr = p.truth.tumor!;
      const c = tr.centerMm;
      const a = await segmentTumor(p.image, { seed: c });
      expect(dice(a.mask, tr.mask)).toBeGreaterThanOrEqual(0.9);
      const b = await segmentTumor(p.image, {
        box: { min: [c[0] - 22, c[1] - 22, c[2]], max: [c[0] + 22, c[1] + 22, c[2]] },
      });
      expect(dice(b.mask, tr.mask)).toBeGreaterThanOrEqual(0.9);
      const L = a.lesions[0]!;
      expect(L.volumeMl).toBeGreaterThan(0.85 * (tr.volumeMm3 / 1000));
      expect(L.volumeMl).toBeLessThan(1.1 * (tr.volumeMm3 / 1000));
      expect(Math.abs(L.meanHU - tr.hu)).toBeLessThan(10);
      expect(L.longAxisMm).toBeGreaterThanOrEqual(L.shortAxisMm);
      expect(L.longAxisMm).toBeGreaterThan(35);
      for (let k = 0; k < 3; k++) {
        expect(L.boxMm.min[k]!).toBeLessThanOrEqual(L.centroidMm[k]!);
        expect(L.boxMm.max[k]!).toBeGreaterThanOrEqual(L.centroidMm[k]!);
      }
      expect(a.provenance.task).toBe('segmentTumor');
    }, 30000);
  }

  it('a seed outside the image gives EMPTY_SEED_REGION; no seed and no box is refused', async () => {
    const p = makeChestCtPhantom({ dims: [64, 64, 20], spacing: [5, 4, 8], nodules: 0 });
    await expect(segmentTumor(p.image, { seed: [900, 900, 900] })).rejects.toSatisfy((e) =>
      isMedImgError(e, 'EMPTY_SEED_REGION'),
    );
    await expect(segmentTumor(p.image, {})).rejects.toSatisfy((e) => isMedImgError(e, 'INVALID_ARGUMENT'));
    await expect(segmentTumor(p.image, { model: 'x' })).rejects.toSatisfy((e) => isMedImgError(e, 'NOT_IMPLEMENTED'));
  });
});

describeData('segmentTumor on the real chest CT from the expert box of one slice', () => {
  it('per-slice boxes of the 3D mask overlap the other expert boxes (mean IoU >= 0.6)', async () => {
    const dir = dataPath('dicom/ct_chest_LungPETCTDx_A0001_kernelB');
    const ct = await readDicomSeries(dir);
    type Ann = {
      InstanceNumber: number;
      bbox_pixels_xmin_ymin_xmax_ymax: number[];
      bbox_corner_min_LPS_mm: Vec3;
      bbox_corner_max_LPS_mm: Vec3;
    };
    const anns = (JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as { tumor_annotations: Ann[] })
      .tumor_annotations;
    const a0 = anns.find((a) => a.InstanceNumber === 18)!;
    const r = await segmentTumor(ct, { box: { min: a0.bbox_corner_min_LPS_mm, max: a0.bbox_corner_max_LPS_mm } });
    const [nx, ny] = ct.dims;
    const ious: number[] = [];
    for (const a of anns) {
      if (a === a0) continue;
      const k = Math.round(worldToIndex(ct, a.bbox_corner_min_LPS_mm)[2]);
      let x0 = nx;
      let y0 = ny;
      let x1 = -1;
      let y1 = -1;
      for (let y = 0; y < ny; y++)
        for (let x = 0; x < nx; x++)
          if (r.mask.data[x + nx * (y + ny * k)]) {
            x0 = Math.min(x0, x);
            x1 = Math.max(x1, x);
            y0 = Math.min(y0, y);
            y1 = Math.max(y1, y);
          }
      const [bx0, by0, bx1, by1] = a.bbox_pixels_xmin_ymin_xmax_ymax as [number, number, number, number];
      const inter =
        Math.max(0, Math.min(x1, bx1) - Math.max(x0, bx0) + 1) * Math.max(0, Math.min(y1, by1) - Math.max(y0, by0) + 1);
      ious.push(x1 < 0 ? 0 : inter / ((x1 - x0 + 1) * (y1 - y0 + 1) + (bx1 - bx0 + 1) * (by1 - by0 + 1) - inter));
    }
    expect(ious.length).toBe(8);
    expect(ious.reduce((s, v) => s + v, 0) / ious.length).toBeGreaterThanOrEqual(0.6);
    expect(Math.min(...ious)).toBeGreaterThan(0.4);
    const L = r.lesions[0]!;
    expect(L.longAxisMm).toBeGreaterThan(50);
    expect(L.meanHU).toBeGreaterThan(0);
    expect(L.meanHU).toBeLessThan(60);
  }, 120000);
});
