import { describe, expect, it } from 'vitest';
import { indexToWorld, worldToIndex } from '../../src/core/geometry.js';
import { reorient, resample, resampleLabels } from '../../src/core/ops/index.js';
import { createVolume, type Vec3, type Volume } from '../../src/core/volume.js';

/** A volume whose value at each voxel is a linear function of its LPS position. */
function rampVolume(dims: Vec3, spacing: Vec3, origin: Vec3, direction: number[]): Volume<Float32Array> {
  const v = createVolume(dims, Float32Array, { spacing, origin, direction });
  for (let z = 0; z < dims[2]; z++)
    for (let y = 0; y < dims[1]; y++)
      for (let x = 0; x < dims[0]; x++) {
        const p = indexToWorld(v, [x, y, z]);
        v.data[x + dims[0] * (y + dims[1] * z)] = ramp(p);
      }
  return v;
}
const ramp = (p: readonly number[]) => 3 + 0.5 * p[0]! - 0.25 * p[1]! + 0.75 * p[2]!;

/** Checks every output voxel whose centre lies inside the input grid's voxel-centre box. */
function expectRampInside(out: Volume, input: Volume, tol: number): number {
  let checked = 0;
  for (let z = 0; z < out.dims[2]; z++)
    for (let y = 0; y < out.dims[1]; y++)
      for (let x = 0; x < out.dims[0]; x++) {
        const p = indexToWorld(out, [x, y, z]);
        const c = worldToIndex(input, p);
        if (!c.every((v, a) => v >= -1e-9 && v <= input.dims[a]! - 1 + 1e-9)) continue;
        const got = out.data[x + out.dims[0] * (y + out.dims[1] * z)]!;
        expect(Math.abs(got - ramp(p))).toBeLessThan(tol);
        checked++;
      }
  return checked;
}

describe('resample', () => {
  const input = rampVolume([20, 16, 9], [0.8, 0.9, 2.5], [-5, 7, 12], [1, 0, 0, 0, 1, 0, 0, 0, 1]);

  it('linear resampling to a spacing reproduces a linear ramp exactly, with SimpleITK geometry', () => {
    const out = resample(input, { spacing: 1 });
    expect(out.dims).toEqual([16, 14, 23]);
    expect(out.origin).toEqual([-5, 7, 12]);
    expect(out.spacing).toEqual([1, 1, 1]);
    expect(out.data).toBeInstanceOf(Float32Array);
    expect(expectRampInside(out, input, 2e-4)).toBeGreaterThan(3000);
  });

  it('linear resampling onto a rotated, flipped, shifted reference reproduces the ramp', () => {
    const c = Math.cos(0.3);
    const s = Math.sin(0.3);
    const ref = createVolume([18, 15, 12], Uint8Array, {
      spacing: [0.7, 1.1, 1.6],
      origin: [-3, 20, 30],
      direction: [c, 0, s, 0, -1, 0, -s, 0, c],
    });
    const out = resample(input, { reference: ref });
    expect(out.dims).toEqual([18, 15, 12]);
    expect(out.direction).toEqual(ref.direction);
    expect(expectRampInside(out, input, 2e-4)).toBeGreaterThan(200);
    // Voxels far outside the input get the fill value.
    const far = resample(input, { reference: { ...ref, origin: [500, 500, 500] }, fillValue: -7 });
    expect(far.data.every((v) => v === -7)).toBe(true);
  });

  it('B-spline reproduces a linear ramp away from the borders and interpolates the samples', () => {
    const out = resample(input, { spacing: [0.8, 0.9, 2.5], interpolation: 'bspline' });
    // Same grid: interpolation returns the samples themselves.
    for (let i = 0; i < out.data.length; i++) expect(Math.abs(out.data[i]! - input.data[i]!)).toBeLessThan(1e-3);
    const big = rampVolume([24, 22, 20], [0.8, 0.9, 1.5], [-5, 7, 12], [1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const fine = resample(big, { spacing: [0.5, 0.5, 1], interpolation: 'bspline' });
    let checked = 0;
    for (let z = 0; z < fine.dims[2]; z++)
      for (let y = 0; y < fine.dims[1]; y++)
        for (let x = 0; x < fine.dims[0]; x++) {
          const p = indexToWorld(fine, [x, y, z]);
          const ci = worldToIndex(big, p);
          // Mirror boundaries bend a ramp near the edges; the prefilter's influence decays as 0.27^k.
          if (!ci.every((v, a) => v >= 7 && v <= big.dims[a]! - 8)) continue;
          expect(Math.abs(fine.data[x + fine.dims[0] * (y + fine.dims[1] * z)]! - ramp(p))).toBeLessThan(1e-3);
          checked++;
        }
    expect(checked).toBeGreaterThan(0);
  });

  it('the general (rotated) B-spline path agrees with the separable one on an aligned grid', () => {
    const ref = createVolume([13, 11, 17], Uint8Array, { spacing: [1, 1, 1], origin: [-4, 8, 13] });
    const a = resample(input, { reference: ref, interpolation: 'bspline' });
    // A tiny rotation forces the general path.
    const e = 1e-7;
    const b = resample(input, {
      reference: { ...ref, direction: [1, -e, 0, e, 1, 0, 0, 0, 1] },
      interpolation: 'bspline',
    });
    for (let i = 0; i < a.data.length; i++) expect(Math.abs(a.data[i]! - b.data[i]!)).toBeLessThan(1e-3);
  });

  it('nearest keeps the type and exact values; identity resampling is exact', () => {
    const lab = createVolume([6, 5, 4], Int16Array, { spacing: [1, 1, 2] });
    for (let i = 0; i < lab.data.length; i++) lab.data[i] = (i * 37) % 11;
    const same = resample(lab, { spacing: [1, 1, 2], interpolation: 'nearest' });
    expect(same.data).toBeInstanceOf(Int16Array);
    expect(Array.from(same.data)).toEqual(Array.from(lab.data));
    const lin = resample(lab, { reference: lab });
    expect(Array.from(lin.data)).toEqual(Array.from(lab.data));
  });

  it('reorient then resample back onto the original grid is the identity', () => {
    const r = reorient(input, 'RAI');
    const back = resample(r, { reference: input });
    for (let i = 0; i < back.data.length; i++) expect(back.data[i]).toBeCloseTo(input.data[i]!, 4);
  });

  it('rejects bad targets with MedImgError', () => {
    expect(() => resample(input, {})).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => resample(input, { spacing: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => resample(input, { spacing: 1, interpolation: 'cubic' as 'linear' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});

describe('resampleLabels', () => {
  it('nearest and vote keep label values; vote follows the majority at boundaries', () => {
    const lab = createVolume([8, 8, 8], Uint8Array, { spacing: [2, 2, 2] });
    for (let z = 0; z < 8; z++)
      for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) lab.data[x + 8 * (y + 8 * z)] = x < 3 ? 0 : x < 6 ? 5 : 9;
    for (const method of ['nearest', 'vote'] as const) {
      const out = resampleLabels(lab, { spacing: 1, method });
      expect(out.data).toBeInstanceOf(Uint8Array);
      expect(out.dims).toEqual([16, 16, 16]);
      const seen = new Set(out.data);
      expect([...seen].sort((a, b) => a - b)).toEqual([0, 5, 9]);
      for (let x = 0; x < 16; x++) {
        const c = x * 0.5; // input index
        const expected = c < 2.5 ? 0 : c < 5.5 ? 5 : 9;
        // Exactly half-way (c = 2.5, 5.5): vote ties go to the smaller label, nearest rounds up.
        const v = out.data[x + 16 * (5 + 16 * 5)];
        if (c === 2.5 || c === 5.5) expect(v).toBe(method === 'vote' ? (c === 2.5 ? 0 : 5) : c === 2.5 ? 5 : 9);
        else expect(v).toBe(expected);
      }
    }
  });

  it('vote takes the label whose indicator interpolates highest (linear resample of each label), on rotated grids', () => {
    // blocky random label maps: most output voxels lie inside one label, many on boundaries
    let seed = 3;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    let decided = 0;
    for (let t = 0; t < 12; t++) {
      const dims: Vec3 = [3 + Math.floor(rnd() * 14), 2 + Math.floor(rnd() * 14), 1 + Math.floor(rnd() * 6)];
      const lab = createVolume(dims, Uint8Array, { spacing: [0.6 + rnd(), 0.6 + rnd(), 1 + 2 * rnd()] });
      for (let i = 0; i < lab.data.length; i++)
        lab.data[i] = i > 0 && rnd() < 0.75 ? lab.data[i - 1]! : Math.floor(rnd() * 4);
      const a = rnd() * 0.8;
      const reference = {
        dims: [4 + Math.floor(rnd() * 16), 4 + Math.floor(rnd() * 16), 1 + Math.floor(rnd() * 6)] as Vec3,
        spacing: [0.4 + rnd(), 0.4 + rnd(), 0.8 + 2 * rnd()] as Vec3,
        origin: [rnd() * 2 - 1, rnd() * 2 - 1, rnd() * 2 - 1] as Vec3,
        direction: [Math.cos(a), -Math.sin(a), 0, Math.sin(a), Math.cos(a), 0, 0, 0, 1],
      };
      const vote = resampleLabels(lab, { reference, method: 'vote', fillValue: 7 }).data;
      const weights = [0, 1, 2, 3].map((l) => {
        const ind = createVolume(
          dims,
          Float32Array.from(lab.data, (v) => (v === l ? 1 : 0)),
          lab,
        );
        return resample(ind, { reference, interpolation: 'linear', fillValue: -1 }).data;
      });
      for (let o = 0; o < vote.length; o++) {
        if (weights[0]![o] === -1) {
          expect(vote[o]).toBe(7); // outside the input grid
          continue;
        }
        const w = weights.map((x) => x[o]!);
        const order = [0, 1, 2, 3].sort((p, q) => w[q]! - w[p]! || p - q);
        if (w[order[0]!]! - w[order[1]!]! < 1e-4) continue; // a tie within float32 rounding
        decided++;
        expect(vote[o]).toBe(order[0]);
      }
    }
    expect(decided).toBeGreaterThan(1000);
  });
});
