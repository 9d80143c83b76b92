import { describe, expect, it } from 'vitest';
import { isMedImgError } from '../../src/core/errors.js';
import { indexToWorld } from '../../src/core/geometry.js';
import { makeChestCtPhantom } from '../../src/core/phantoms/index.js';
import { createVolume, type Vec3, voxelVolumeMm3 } from '../../src/core/volume.js';
import { segmentLungs } from '../../src/tasks/lung-segmentation/index.js';
import { shareLungIntermediates } from '../../src/tasks/lung-segmentation/shared.js';

const small = { dims: [170, 120, 60] as Vec3, spacing: [2, 2, 2.5] as Vec3, blurSigmaMm: 0.6 };

describe('segmentLungs', () => {
  it('labels the right lung 1 and the left 2 by LPS side, with volumes that match the masks', async () => {
    const p = makeChestCtPhantom({ ...small, nodules: 4, noiseSd: 15, seed: 9 });
    const r = await segmentLungs(p.image);
    const [nx, ny] = p.image.dims;
    const sumX = [0, 0, 0];
    const count = [0, 0, 0];
    let outsideBody = 0;
    let maskMismatch = 0;
    for (let i = 0; i < r.lungLabels.data.length; i++) {
      const l = r.lungLabels.data[i]!;
      if ((l > 0 ? 1 : 0) !== r.lungMask.data[i]) maskMismatch++;
      if (!l) continue;
      if (!r.bodyMask.data[i]) outsideBody++;
      const x = i % nx;
      const y = Math.floor(i / nx) % ny;
      const z = Math.floor(i / (nx * ny));
      sumX[l]! += indexToWorld(p.image, [x, y, z])[0];
      count[l]!++;
    }
    expect(maskMismatch).toBe(0);
    expect(outsideBody).toBe(0);
    // LPS: +x points to the patient's left, so the right lung lies at smaller x
    expect(sumX[1]! / count[1]!).toBeLessThan(sumX[2]! / count[2]!);
    const ml = voxelVolumeMm3(p.image) / 1000;
    expect(r.rightVolumeMl).toBeCloseTo(count[1]! * ml, 6);
    expect(r.leftVolumeMl).toBeCloseTo(count[2]! * ml, 6);
    expect(r.lungVolumeMl).toBeCloseTo(r.rightVolumeMl + r.leftVolumeMl, 6);
    expect(r.splitMethod).toBe('components');
    expect(r.provenance.task).toBe('segmentLungs');
    expect(r.provenance.settings).toEqual({ airThresholdHU: -400, closingRadiusMm: 15, minLungMl: 30, smoothingMm: 1 });
    expect(r.limitations).toEqual([]);
  }, 60_000);

  it('rejects a scan without lungs (NO_LUNGS_FOUND) and a non-CT modality (WRONG_MODALITY)', async () => {
    // a soft-tissue block surrounded by air: CT-like values, but no air inside the body
    const dims: Vec3 = [40, 40, 10];
    const data = new Int16Array(40 * 40 * 10).fill(-1000);
    for (let z = 0; z < 10; z++)
      for (let y = 8; y < 32; y++) for (let x = 8; x < 32; x++) data[x + 40 * (y + 40 * z)] = 40;
    const ct = createVolume(dims, data, { spacing: [2, 2, 2] });
    const e1 = await segmentLungs(ct).catch((e: unknown) => e);
    expect(isMedImgError(e1, 'NO_LUNGS_FOUND')).toBe(true);
    const mr = createVolume(dims, data, { spacing: [2, 2, 2], meta: { modality: 'MR' } });
    const e2 = await segmentLungs(mr).catch((e: unknown) => e);
    expect(isMedImgError(e2, 'WRONG_MODALITY')).toBe(true);
  });

  it('two segmentations of one image in a sharing scope (as analyze runs them) give the unshared masks', async () => {
    // coarser than `small`: four segmentations
    const p = makeChestCtPhantom({
      dims: [110, 80, 36],
      spacing: [3, 3, 4],
      blurSigmaMm: 0.6,
      nodules: 3,
      noiseSd: 15,
      seed: 4,
    });
    const alone15 = await segmentLungs(p.image);
    const alone30 = await segmentLungs(p.image, { closingRadiusMm: 30 });
    const release = shareLungIntermediates(p.image);
    let first: Awaited<ReturnType<typeof segmentLungs>>;
    let second: Awaited<ReturnType<typeof segmentLungs>>;
    try {
      first = await segmentLungs(p.image);
      second = await segmentLungs(p.image, { closingRadiusMm: 30 });
    } finally {
      release();
    }
    for (const [a, b] of [
      [alone15, first],
      [alone30, second],
    ] as const) {
      expect(b.lungLabels.data).toEqual(a.lungLabels.data);
      expect(b.bodyMask.data).toEqual(a.bodyMask.data);
      expect(b.airwayMask.data).toEqual(a.airwayMask.data);
      expect(b.splitMethod).toBe(a.splitMethod);
      expect(b.provenance.warnings).toEqual(a.provenance.warnings);
    }
    // the second call closed only: it reused the first one's smoothing, airways and split
    expect(Object.keys(second.provenance.timingsMs)).toContain('shared');
    expect(Object.keys(second.provenance.timingsMs)).not.toContain('split');
    expect(Object.keys(first.provenance.timingsMs)).toContain('split');
  }, 600_000);
});
