import { describe, expect, it } from 'vitest';
import { MedImgError } from '../../src/core/errors.js';
import {
  close,
  connectedComponents,
  dilate,
  distanceTransform,
  erode,
  fillHoles,
  gaussian,
  keepLargestComponent,
  maskBoundingBox,
  open,
} from '../../src/core/ops/index.js';
import { Rng } from '../../src/core/random.js';
import { createVolume, type Grid, type Vec3 } from '../../src/core/volume.js';

// Tasks call the core ops on bare grids { data, dims, spacing }: same numbers as on a Volume of the
// same grid, a bare grid back (no invented origin or direction), and the same input checks.
describe('core ops on a plain grid', () => {
  const dims: Vec3 = [20, 16, 12];
  const spacing: Vec3 = [0.8, 0.7, 2.5];
  const rng = new Rng(7);
  const mask = new Uint8Array(dims[0] * dims[1] * dims[2]);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.next() < 0.35 ? 1 : 0;
  const grid: Grid<Uint8Array> = { data: mask, dims, spacing };
  const vol = createVolume(dims, mask, { spacing, origin: [10, -4, 3] });

  it('gives the Volume results, without geometry it did not have', () => {
    const pairs: [Grid, Grid][] = [
      [dilate(grid, { radiusMm: 2 }), dilate(vol, { radiusMm: 2 })],
      [erode(grid, { radiusMm: 2 }), erode(vol, { radiusMm: 2 })],
      [open(grid, { radiusMm: 1.5 }), open(vol, { radiusMm: 1.5 })],
      [close(grid, { radiusMm: 1.5 }), close(vol, { radiusMm: 1.5 })],
      [distanceTransform(grid), distanceTransform(vol)],
      [fillHoles(grid, { mode: 'slice' }), fillHoles(vol, { mode: 'slice' })],
      [keepLargestComponent(grid, { connectivity: 6 }), keepLargestComponent(vol, { connectivity: 6 })],
      [gaussian(grid, { sigmaMm: 1 }), gaussian(vol, { sigmaMm: 1 })],
    ];
    for (const [g, v] of pairs) {
      expect(g.data).toEqual(v.data);
      expect(g.dims).toEqual(dims);
      expect(g.spacing).toEqual(spacing);
      expect(g.origin).toBeUndefined();
      expect(g.direction).toBeUndefined();
      expect(v.origin).toEqual([10, -4, 3]);
    }
  });

  it('connectedComponents: sizes per label with and without stats; centroids at origin 0 for a grid', () => {
    const fast = connectedComponents(grid, { connectivity: 6, stats: false });
    const full = connectedComponents(vol, { connectivity: 6 });
    const onGrid = connectedComponents(grid, { connectivity: 6 });
    expect(fast.labels.data).toEqual(full.labels.data);
    expect(fast.sizes).toEqual(full.sizes);
    expect(fast.sizes.length).toBe(fast.count + 1);
    expect(fast.sizes[0]).toBe(0);
    const counted = new Float64Array(fast.count + 1);
    for (const l of fast.labels.data) if (l) counted[l]!++;
    expect(fast.sizes).toEqual(counted);
    const c = onGrid.components[0]!;
    expect(c.centroidMm).toEqual([0, 1, 2].map((a) => c.centroidIndex[a]! * spacing[a]!));
    expect(full.components[0]!.centroidMm[0]).toBeCloseTo(10 + c.centroidIndex[0] * spacing[0], 9);
  });

  it('maskBoundingBox on a grid: the box of the nonzero voxels, null when empty', () => {
    const m = new Uint8Array(mask.length);
    m[3 + dims[0] * (5 + dims[1] * 2)] = 1;
    m[11 + dims[0] * (9 + dims[1] * 7)] = 1;
    expect(maskBoundingBox({ data: m, dims, spacing })).toEqual({ min: [3, 5, 2], max: [11, 9, 7] });
    expect(maskBoundingBox({ data: m, dims, spacing }, { marginMm: 2.5 })).toEqual({
      min: [0, 1, 1],
      max: [15, 13, 8],
    });
    expect(maskBoundingBox({ data: new Uint8Array(mask.length), dims, spacing })).toBeNull();
  });

  it('refuses a malformed grid with INVALID_VOLUME', () => {
    const bad = [
      { data: mask, dims: [20, 16, 11] as Vec3, spacing },
      { data: mask, dims, spacing: [1, 0, 1] as Vec3 },
      { data: mask, dims, spacing, origin: [0, Number.NaN, 0] as Vec3 },
      { data: mask, dims, spacing, direction: [1, 0, 0] },
    ];
    for (const g of bad) {
      expect(() => dilate(g, { radiusMm: 1 })).toThrow(MedImgError);
      expect(() => connectedComponents(g)).toThrow(expect.objectContaining({ code: 'INVALID_VOLUME' }));
    }
  });
});
