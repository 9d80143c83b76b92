import { describe, expect, it } from 'vitest';
import { isMedImgError } from '../../src/core/errors.js';
import {
  assertSameGrid,
  createVolume,
  createVolumeLike,
  sameGrid,
  validateVolume,
  type Volume,
  voxelIndex,
  voxelVolumeMm3,
  withData,
} from '../../src/core/volume.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isMedImgError(e) ? e.code : 'not a MedImgError';
  }
  return undefined;
}

describe('Volume', () => {
  it('createVolume allocates zeros or wraps the given array without a copy, with identity defaults', () => {
    const z = createVolume([2, 3, 4], Float32Array);
    expect(z.data).toBeInstanceOf(Float32Array);
    expect(z.data.length).toBe(24);
    expect(z.spacing).toEqual([1, 1, 1]);
    expect(z.origin).toEqual([0, 0, 0]);
    expect(z.direction).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const arr = new Int16Array(24);
    const v = createVolume([2, 3, 4], arr, { spacing: [0.5, 0.5, 2], origin: [1, 2, 3], meta: { modality: 'CT' } });
    expect(v.data).toBe(arr);
    expect(voxelVolumeMm3(v)).toBe(0.5);
    expect(v.meta?.modality).toBe('CT');
  });

  it('rejects bad grids with INVALID_VOLUME', () => {
    expect(codeOf(() => createVolume([2, 3, 4], new Uint8Array(23)))).toBe('INVALID_VOLUME');
    expect(codeOf(() => createVolume([0, 3, 4], Uint8Array))).toBe('INVALID_VOLUME');
    expect(codeOf(() => createVolume([2.5, 3, 4], Uint8Array))).toBe('INVALID_VOLUME');
    expect(codeOf(() => createVolume([2, 3, 4], Uint8Array, { spacing: [1, 0, 1] }))).toBe('INVALID_VOLUME');
    expect(codeOf(() => createVolume([2, 3, 4], Uint8Array, { direction: [1, 0, 0] }))).toBe('INVALID_VOLUME');
    expect(codeOf(() => validateVolume({ data: [1, 2], dims: [2, 1, 1] } as unknown as Volume))).toBe('INVALID_VOLUME');
    expect(codeOf(() => validateVolume(null as unknown as Volume))).toBe('INVALID_VOLUME');
  });

  it('createVolumeLike and withData copy the geometry, not the voxels', () => {
    const a = createVolume([2, 2, 2], Float32Array, {
      spacing: [1, 2, 3],
      origin: [4, 5, 6],
      meta: { modality: 'CT' },
    });
    const m = createVolumeLike(a, Uint8Array);
    expect(m.data).toBeInstanceOf(Uint8Array);
    expect(m.dims).toEqual(a.dims);
    expect(m.spacing).not.toBe(a.spacing);
    expect(m.meta).toBe(a.meta);
    expect(sameGrid(a, m)).toBe(true);
    const d = new Int32Array(8);
    expect(withData(a, d).data).toBe(d);
    expect(codeOf(() => withData(a, new Int32Array(7)))).toBe('INVALID_VOLUME');
  });

  it('sameGrid allows a small tolerance; assertSameGrid names the mismatch GRID_MISMATCH', () => {
    const a = createVolume([4, 4, 4], Uint8Array, { spacing: [1, 1, 1], origin: [100, 0, 0] });
    const b = createVolume([4, 4, 4], Uint8Array, { spacing: [1.00001, 1, 1], origin: [100.001, 0, 0] });
    const c = createVolume([4, 4, 4], Uint8Array, { spacing: [1.1, 1, 1] });
    const d = createVolume([4, 4, 5], Uint8Array);
    expect(sameGrid(a, b)).toBe(true);
    expect(sameGrid(a, c)).toBe(false);
    expect(sameGrid(c, d)).toBe(false);
    expect(codeOf(() => assertSameGrid(a, c))).toBe('GRID_MISMATCH');
    expect(codeOf(() => assertSameGrid(a, b))).toBeUndefined();
  });

  it('voxelIndex runs x fastest, then y, then z', () => {
    expect(voxelIndex([3, 4, 5], 0, 0, 0)).toBe(0);
    expect(voxelIndex([3, 4, 5], 1, 0, 0)).toBe(1);
    expect(voxelIndex([3, 4, 5], 0, 1, 0)).toBe(3);
    expect(voxelIndex([3, 4, 5], 0, 0, 1)).toBe(12);
    expect(voxelIndex([3, 4, 5], 2, 3, 4)).toBe(59);
  });
});
