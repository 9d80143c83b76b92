import { describe, expect, it } from 'vitest';
import { equivalentDiameterMm, lesionAxes } from '../../src/core/lesion.js';
import type { Vec3 } from '../../src/core/volume.js';

describe('lesion measurements', () => {
  it('axial long and short axes of an ellipse (boundary-pixel Feret diameter plus one pixel)', () => {
    const dims: Vec3 = [64, 64, 3];
    const sp: Vec3 = [0.5, 0.5, 2];
    const vox: number[] = [];
    // Ellipse with semi-axes 10 mm (x) and 5 mm (y) on the middle slice, a smaller one above it.
    for (let z = 1; z <= 2; z++)
      for (let y = 0; y < 64; y++)
        for (let x = 0; x < 64; x++) {
          const a = z === 1 ? 10 : 4;
          const b = z === 1 ? 5 : 2;
          if ((((x - 32) * sp[0]) / a) ** 2 + (((y - 32) * sp[1]) / b) ** 2 <= 1) vox.push(x + 64 * (y + 64 * z));
        }
    const ax = lesionAxes(vox, dims, sp);
    // Extreme voxel centres are 20 mm apart along x: 20 + one pixel.
    expect(ax.longMm).toBeCloseTo(20.5, 6);
    expect(ax.shortMm).toBeCloseTo(10.5, 6);
    expect(lesionAxes([], dims, sp)).toEqual({ longMm: 0, shortMm: 0 });
  });

  it('equivalent diameter of a sphere volume', () => {
    expect(equivalentDiameterMm((4 / 3) * Math.PI * 5 ** 3)).toBeCloseTo(10, 9);
    expect(equivalentDiameterMm(0)).toBe(0);
  });
});
