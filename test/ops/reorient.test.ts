import { describe, expect, it } from 'vitest';
import { indexToWorld, orientationFromDirection } from '../../src/core/geometry.js';
import { crop, cropToMask, maskBoundingBox, pad, reorient, resample } from '../../src/core/ops/index.js';
import { createVolume, type Vec3 } from '../../src/core/volume.js';

const CODES = ['LPS', 'RAS', 'RAI', 'LAS', 'PSR', 'SRA', 'IPL', 'ASL', 'RIP'];

describe('reorient', () => {
  const vol = createVolume([7, 5, 3], Int16Array, {
    spacing: [0.6, 1.2, 3],
    origin: [10, -20, 35],
    direction: [0, 0, 1, -1, 0, 0, 0, -1, 0],
  });
  for (let i = 0; i < vol.data.length; i++) vol.data[i] = i;

  it('preserves the world position of every voxel value, for many codes', () => {
    for (const code of CODES) {
      const r = reorient(vol, code);
      expect(orientationFromDirection(r.direction)).toBe(code);
      expect(r.data).toBeInstanceOf(Int16Array);
      // Each output voxel holds the value of the input voxel at the same world position.
      for (let z = 0; z < r.dims[2]; z++)
        for (let y = 0; y < r.dims[1]; y++)
          for (let x = 0; x < r.dims[0]; x++) {
            const v = r.data[x + r.dims[0] * (y + r.dims[1] * z)]!;
            const i = v % 7;
            const j = Math.floor(v / 7) % 5;
            const k = Math.floor(v / 35);
            const pw = indexToWorld(r, [x, y, z]);
            const pi = indexToWorld(vol, [i, j, k]);
            for (let a = 0; a < 3; a++) expect(pw[a]).toBeCloseTo(pi[a]!, 10);
          }
    }
  });

  it('round trips exactly', () => {
    for (const code of CODES) {
      const back = reorient(reorient(vol, code), orientationFromDirection(vol.direction));
      expect(Array.from(back.data)).toEqual(Array.from(vol.data));
      expect(back.dims).toEqual(vol.dims);
      expect(back.spacing).toEqual(vol.spacing);
      for (let a = 0; a < 3; a++) expect(back.origin[a]).toBeCloseTo(vol.origin[a]!, 12);
      expect(back.direction.map((v) => v + 0)).toEqual(vol.direction);
    }
  });

  it('rejects bad codes with MedImgError', () => {
    expect(() => reorient(vol, 'LPX')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => reorient(vol, 'LLS')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('crop and pad', () => {
  const vol = createVolume([10, 8, 6], Float32Array, { spacing: [0.5, 1, 2], origin: [1, 2, 3] });
  for (let i = 0; i < vol.data.length; i++) vol.data[i] = i;
  const mask = createVolume([10, 8, 6], Uint8Array, { spacing: [0.5, 1, 2], origin: [1, 2, 3] });
  mask.data[4 + 10 * (3 + 8 * 2)] = 1;
  mask.data[6 + 10 * (5 + 8 * 3)] = 1;

  it('finds the mask bounding box with a margin in mm, clamped', () => {
    expect(maskBoundingBox(mask)).toEqual({ min: [4, 3, 2], max: [6, 5, 3] });
    expect(maskBoundingBox(mask, { marginMm: 1 })).toEqual({ min: [2, 2, 1], max: [8, 6, 4] });
    expect(maskBoundingBox(mask, { marginMm: 100 })).toEqual({ min: [0, 0, 0], max: [9, 7, 5] });
    expect(maskBoundingBox(createVolume([2, 2, 2], Uint8Array))).toBeNull();
  });

  it('crops with geometry so world positions are unchanged', () => {
    const c = cropToMask(vol, mask, { marginVoxels: 1 });
    expect(c.dims).toEqual([5, 5, 4]);
    const p0 = indexToWorld(c, [0, 0, 0]);
    expect(p0).toEqual(indexToWorld(vol, [3, 2, 1]));
    expect(c.data[0]).toBe(3 + 10 * (2 + 8 * 1));
    expect(() =>
      cropToMask(vol, createVolume([10, 8, 6], Uint8Array, { spacing: [0.5, 1, 2], origin: [1, 2, 3] })),
    ).toThrow(expect.objectContaining({ code: 'EMPTY_MASK' }));
  });

  it('pads (constant and edge) and crop undoes it', () => {
    const before: Vec3 = [2, 1, 0];
    const p = pad(vol, { before, after: [1, 0, 3], value: -1 });
    expect(p.dims).toEqual([13, 9, 9]);
    expect(p.data[0]).toBe(-1);
    expect(indexToWorld(p, before)).toEqual(indexToWorld(vol, [0, 0, 0]));
    const back = crop(p, { min: before, max: [11, 8, 5] });
    expect(Array.from(back.data)).toEqual(Array.from(vol.data));
    for (let a = 0; a < 3; a++) expect(back.origin[a]).toBeCloseTo(vol.origin[a]!, 12);
    const e = pad(vol, { before: 1, after: 1, mode: 'edge' });
    expect(e.data[0]).toBe(vol.data[0]);
    expect(e.data[e.data.length - 1]).toBe(vol.data[vol.data.length - 1]);
  });
});

describe('per-slice meta', () => {
  it('follows the slices through crop and z flips, and is dropped where slices are new', () => {
    const vol = createVolume([4, 4, 5], Uint8Array, {
      meta: { modality: 'CT', sopInstanceUids: ['1.1', '1.2', '1.3', '1.4', '1.5'] },
    });
    expect(crop(vol, { min: [0, 0, 1], max: [3, 3, 3] }).meta?.sopInstanceUids).toEqual(['1.2', '1.3', '1.4']);
    expect(reorient(vol, 'LPI').meta?.sopInstanceUids).toEqual(['1.5', '1.4', '1.3', '1.2', '1.1']);
    expect(reorient(vol, 'RAS').meta?.sopInstanceUids).toEqual(['1.1', '1.2', '1.3', '1.4', '1.5']);
    const permuted = reorient(vol, 'SPL');
    expect(permuted.meta?.sopInstanceUids).toBeUndefined();
    expect(permuted.meta?.modality).toBe('CT');
    expect(resample(vol, { spacing: 0.5 }).meta?.sopInstanceUids).toBeUndefined();
    expect(pad(vol, { before: [1, 1, 0] }).meta?.sopInstanceUids).toHaveLength(5);
    expect(pad(vol, { before: [0, 0, 1] }).meta?.sopInstanceUids).toBeUndefined();
    expect(vol.meta?.sopInstanceUids).toHaveLength(5); // input untouched
  });
});
