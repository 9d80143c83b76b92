import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseBoxSlice,
  parseBoxVoxel,
  parseSeedSlice,
  parseSeedVoxel,
  resolvePointer,
} from '../../src/cli/analysis/locate.js';
import { listDicomSeries } from '../../src/index.js';
import type { DetectedNodule } from '../../src/tasks/detect-nodules/index.js';
import { dataPath, describeData } from '../helpers/data.js';

describe('pointing at a lesion: parsing', () => {
  it('reads voxel and slice forms, 1-based slices to 0-based k', () => {
    expect(parseSeedVoxel('10, 20,3')).toEqual([10, 20, 3]);
    expect(parseSeedSlice('47:318,352')).toEqual([318, 352, 46]);
    expect(parseBoxVoxel('5,9,4,1,2,3')).toEqual({ min: [1, 2, 3], max: [5, 9, 4] });
    expect(parseBoxSlice('48-46:286,310,355,402')).toEqual({ min: [286, 310, 45], max: [355, 402, 47] });
  });

  it('rejects malformed, negative, fractional and zero-slice input with a usage line', () => {
    for (const bad of ['1,2', '1,2,x', '-1,2,3', '1.5,2,3']) expect(() => parseSeedVoxel(bad)).toThrow(/--seed-voxel/);
    for (const bad of ['0:1,2', '3:1', '3-1,2', 'a:1,2']) expect(() => parseSeedSlice(bad)).toThrow(/--seed-slice/);
    expect(() => parseBoxSlice('0-2:1,2,3,4')).toThrow(/start at 1/);
    expect(() => parseBoxVoxel('1,2,3,4,5')).toThrow(/--box-voxel/);
  });

  it('seeds at the largest detected lesion by volume, or says why the tumour task is skipped', () => {
    const g = {
      dims: [10, 10, 10] as [number, number, number],
      spacing: [1, 1, 1] as [number, number, number],
      origin: [0, 0, 0] as [number, number, number],
      direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
    };
    const nodule = (volumeMm3: number, centerMm: [number, number, number]) =>
      ({ volumeMm3, centerMm, diameterMm: 6, type: 'solid' }) as DetectedNodule;
    const r = resolvePointer(g, {}, [nodule(50, [1, 1, 1]), nodule(900, [4, 5, 6]), nodule(80, [2, 2, 2])]);
    expect(r.seed).toEqual([4, 5, 6]);
    expect(r.note).toMatch(/largest detected lesion/);
    expect(resolvePointer(g, {}, []).skip).toMatch(/no nodule or mass was detected/);
    expect(resolvePointer(g, {}).skip).toMatch(/'nodules' did not run or failed/);
    expect(() => resolvePointer(g, { seedVoxel: [10, 0, 0] })).toThrow(/outside the image/);
  });
});

describeData('pointing at a lesion on the real chest CTs (radiologists\u2019 boxes in reference.json)', () => {
  for (const name of ['ct_chest_LungPETCTDx_A0001_kernelB', 'ct_chest_LungPETCTDx_A0002_B40f']) {
    it(`${name}: every expert box given as slice + pixels lands on its LPS corners`, async () => {
      const dir = dataPath('dicom', name);
      const ref = JSON.parse(readFileSync(`${dir}/reference.json`, 'utf8')) as {
        tumor_annotations: {
          slice_index_after_sort: number;
          bbox_pixels_xmin_ymin_xmax_ymax: number[];
          bbox_corner_min_LPS_mm: number[];
          bbox_corner_max_LPS_mm: number[];
        }[];
      };
      const [s] = await listDicomSeries(dir);
      const g = { dims: s!.dims, spacing: s!.spacing, origin: s!.origin, direction: s!.direction };
      expect(ref.tumor_annotations.length).toBeGreaterThan(0);
      for (const a of ref.tumor_annotations) {
        const n = a.slice_index_after_sort + 1;
        const [x0, y0, x1, y1] = a.bbox_pixels_xmin_ymin_xmax_ymax;
        const r = resolvePointer(g, { boxVoxel: parseBoxSlice(`${n}-${n}:${x0},${y0},${x1},${y1}`) });
        // reference.json rounds to 3 decimals
        for (let i = 0; i < 3; i++) {
          expect(r.box!.min[i]).toBeCloseTo(a.bbox_corner_min_LPS_mm[i]!, 2);
          expect(r.box!.max[i]).toBeCloseTo(a.bbox_corner_max_LPS_mm[i]!, 2);
        }
        const seed = resolvePointer(g, { seedVoxel: parseSeedSlice(`${n}:${x0},${y0}`) }).seed!;
        for (let i = 0; i < 3; i++) expect(seed[i]).toBeCloseTo(a.bbox_corner_min_LPS_mm[i]!, 2);
      }
    });
  }
});
