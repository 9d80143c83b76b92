// Occlusion sensitivity with plain score functions (exact expected maps), the region report and
// the overlay picture.
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { isMedImgError } from '../../src/core/errors.js';
import { createVolume } from '../../src/core/volume.js';
import {
  describeSensitivityRegions,
  integratedOcclusion,
  occlusionSensitivity,
  renderSensitivityPng,
} from '../../src/index.js';

// score = sum of the voxels at x 10..11, y 4..5 (a 2x2 "lesion") of a 16x8 image of ones
const img = () => createVolume([16, 8, 1], new Float32Array(128).fill(1));
const inLesion = (i: number) => i % 16 >= 10 && i % 16 <= 11 && Math.floor(i / 16) >= 4 && Math.floor(i / 16) <= 5;
const score = async (batch: readonly Float32Array[]) =>
  batch.map((b) => {
    let s = 0;
    for (let i = 0; i < b.length; i++) if (inLesion(i)) s += b[i]!;
    return s;
  });

describe('occlusionSensitivity', () => {
  it('credits each voxel with the mean drop of the patches covering it (1-voxel patches: exactly the lesion)', async () => {
    let calls = 0;
    const r = await occlusionSensitivity(
      img(),
      async (b) => {
        calls++;
        return score(b);
      },
      { patch: [1, 1, 1], baseline: 0, batchSize: 16 },
    );
    expect(r.baseScore).toBe(4);
    expect(r.evaluations).toBe(128);
    expect(calls).toBe(1 + 128 / 16);
    for (let i = 0; i < 128; i++) expect(r.map.data[i]).toBe(inLesion(i) ? 1 : 0);
  });

  it('larger patches spread the credit but the lesion keeps the peak; integrated occlusion averages sizes', async () => {
    const r = await integratedOcclusion(img(), score, {
      patches: [
        [2, 2, 1],
        [4, 4, 1],
      ],
      baseline: 0,
    });
    expect(r.scales).toHaveLength(2);
    const peak = Math.max(...r.map.data);
    for (let i = 0; i < 128; i++) if (inLesion(i)) expect(r.map.data[i]).toBeCloseTo(peak, 6);
    expect(r.map.data[0]).toBe(0);
    const regions = describeSensitivityRegions(r.map);
    expect(regions.regions[0]!.location).toBe('lower right');
    expect(regions.regions[0]!.bboxMin).toEqual([10, 4, 0]);
  });

  it('draws the map over the image', async () => {
    const r = await occlusionSensitivity(img(), score, { patch: 1, baseline: 0 });
    const png = decode(renderSensitivityPng(img(), r.map, { window: { center: 0.5, width: 1 } }));
    const px = (x: number, y: number) =>
      Array.from(png.data.slice((y * png.width + x) * png.channels, (y * png.width + x) * png.channels + 3));
    // scale: the renderer draws at native size here (16x8); lesion pixel tinted red/orange, others grey
    expect(px(10, 4)[2]).toBeLessThan(px(10, 4)[0]!);
    expect(px(1, 1)[0]).toBe(px(1, 1)[2]);
  });

  it('aborts between batches and rejects bad options', async () => {
    const ac = new AbortController();
    const run = occlusionSensitivity(
      img(),
      async (b) => {
        ac.abort();
        return score(b);
      },
      { patch: 1, batchSize: 4, signal: ac.signal },
    );
    await expect(run).rejects.toSatisfy((e: unknown) => isMedImgError(e, 'ABORTED'));
    await expect(occlusionSensitivity(img(), score, { patch: 0 })).rejects.toSatisfy((e: unknown) =>
      isMedImgError(e, 'INVALID_ARGUMENT'),
    );
    expect(describeSensitivityRegions(createVolume([4, 4, 1], Float32Array)).regions).toEqual([]);
  });
});
