// The intensity step of FreeSurfer-style conforming (card field `conform_intensity`): robust limits
// against a numpy reference, rounding and clipping, and what it changes in a model's input tensor.
import { describe, expect, it } from 'vitest';
import { BRAINCHOP_CARDS } from '../../src/backends/cards/brainchop.js';
import { applyUcharScale, ucharScale } from '../../src/backends/conform-intensity.js';
import { type ModelCard, validateModelCard } from '../../src/backends/model-card.js';
import { conformGrid, prepareModelInput } from '../../src/backends/pipeline.js';
import { directionFromOrientation } from '../../src/core/geometry.js';
import { resample } from '../../src/core/ops/resample.js';
import { createVolume } from '../../src/core/volume.js';
import { readMgh } from '../../src/index.js';
import { twoClassTestCard } from '../helpers/brain-phantom.js';
import { dataPath, describeData } from '../helpers/data.js';

/** The seeded volume of bench/conform_scale_ref.py (same LCG, same arguments). */
function lcgVolume(
  n: number,
  seed: number,
  zeroFrac: number,
  lo: number,
  hi: number,
  bright: number,
  brightValue: number,
) {
  const out = new Float64Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) % 2 ** 32;
    const u = (s + 0.5) / 2 ** 32;
    out[i] = u < zeroFrac ? 0 : lo + ((hi - lo) * (u - zeroFrac)) / (1 - zeroFrac);
  }
  out.fill(brightValue, 0, bright);
  return out;
}

describe('ucharScale (FreeSurfer conform limits)', () => {
  it('equals the numpy reference of bench/conform_scale_ref.py', () => {
    const cases: [Float64Array, number, number, number, number][] = [
      [lcgVolume(8000, 1, 0.3, 100, 1000, 10, 5000), 0, 0.999, 0, 0.05110220440881764],
      [lcgVolume(8000, 2, 0.2, -50, 700, 0, 0), 0, 0.999, -49.59266104997369, 0.34123501240407567],
      [lcgVolume(8000, 3, 0.1, 20, 900, 30, 3000), 0.01, 0.999, 3.0, 0.08517034068136273],
    ];
    for (const [data, lower, upper, srcMin, scale] of cases) {
      const s = ucharScale(data, lower, upper);
      expect(s.srcMin).toBeCloseTo(srcMin, 9);
      expect(s.scale / scale).toBeCloseTo(1, 12);
    }
  });

  it('a bright tail under 0.1 % of the non-zero voxels saturates instead of setting the scale', () => {
    // 4 of 5600 non-zero voxels at 5000: the upper limit stays near the body's 1000
    const s = ucharScale(lcgVolume(8000, 1, 0.3, 100, 1000, 4, 5000), 0, 0.999);
    expect(255 / s.scale).toBeGreaterThan(900);
    expect(255 / s.scale).toBeLessThan(1000);
  });

  it('a constant or empty volume gives the identity scale; NaN is skipped', () => {
    expect(ucharScale(new Float32Array(10).fill(7), 0, 0.999)).toEqual({ srcMin: 7, scale: 1 });
    expect(ucharScale(new Float32Array(0), 0, 0.999)).toEqual({ srcMin: 0, scale: 1 });
    const withNaN = Float32Array.from([Number.NaN, 0, 10, 20]);
    expect(ucharScale(withNaN, 0, 1).srcMin).toBe(0);
  });

  it('applyUcharScale clips to [0, 255] and rounds half to even (numpy.rint); NaN becomes 0', () => {
    const x = Float32Array.from([-5, 0, 0.5, 1.5, 2.5, 254.6, 300, Number.NaN]);
    expect(Array.from(applyUcharScale(x, { srcMin: 0, scale: 1 }))).toEqual([0, 0, 0, 2, 2, 255, 255, 0]);
    expect(Array.from(applyUcharScale(Float32Array.from([15, 20]), { srcMin: 10, scale: 2 }))).toEqual([10, 20]);
  });
});

/** RAS, 1.5 mm, a sphere of 100 in 10; optional bright specks at 300 (under 0.1 % of the voxels). */
function sphere(specks: boolean, uint8 = false) {
  const d = new Float32Array(20 * 18 * 12);
  let p = 0;
  for (let k = 0; k < 12; k++)
    for (let j = 0; j < 18; j++)
      for (let i = 0; i < 20; i++, p++)
        d[p] = Math.hypot((i - 9.5) * 1.5, (j - 8.5) * 1.5, (k - 5.5) * 1.5) < 7.5 ? 100 : 10;
  if (specks) d[3 + 20 * (4 + 18 * 2)] = d[15 + 20 * (13 + 18 * 9)] = 300;
  return createVolume([20, 18, 12], uint8 ? Uint8Array.from(d) : d, {
    spacing: [1.5, 1.5, 1.5],
    direction: directionFromOrientation('RAS'),
    origin: [5, 6, 7],
  });
}

const pre = (withUchar: boolean): ModelCard['preprocessing'] => ({
  axis_order: 'xyz',
  orientation: 'LIA',
  target_spacing: [1, 1, 1],
  conform_shape: [32, 32, 32],
  ...(withUchar ? { conform_intensity: { method: 'uchar' as const, lower: 0, upper: 0.999 } } : {}),
  intensity: { method: 'minmax' },
});
const UCHAR = twoClassTestCard('test-uchar', ['background', 'brain'], pre(true));
const RAW = twoClassTestCard('test-raw', ['background', 'brain'], pre(false));
const tensor = (v: ReturnType<typeof sphere>, card: ModelCard) => prepareModelInput(v, card).tensorVols[0]!.data;

describe('conform_intensity in the model input', () => {
  it('a resampled input becomes 8-bit before min-max: every tensor value is k / 255', () => {
    const t = tensor(sphere(false), UCHAR);
    for (const v of t) expect(Math.abs(v * 255 - Math.round(v * 255))).toBeLessThan(1e-4);
    expect(Math.max(...t)).toBe(1);
  });

  it('two bright specks leave the rest of the tensor as it was; raw min-max darkens the whole image', () => {
    const differing = (a: Float32Array, b: Float32Array) => {
      let n = 0;
      for (let i = 0; i < a.length; i++) if (Math.abs(a[i]! - b[i]!) > 1.5 / 255) n++;
      return n / a.length;
    };
    // a 1.5 mm speck reaches the 3 x 3 x 3 conformed 1 mm voxels that interpolate it
    expect(differing(tensor(sphere(false), UCHAR), tensor(sphere(true), UCHAR))).toBeLessThanOrEqual(54 / 32 ** 3);
    // without the step the sphere's 100 falls from 1 to (100 - 10) / 290 = 0.31 of the range
    expect(differing(tensor(sphere(false), RAW), tensor(sphere(true), RAW))).toBeGreaterThan(0.02);
  });

  it('an 8-bit input keeps its values (FreeSurfer leaves uchar volumes alone)', () => {
    expect(tensor(sphere(false, true), UCHAR)).toEqual(tensor(sphere(false, true), RAW));
    expect(prepareModelInput(sphere(false, true), UCHAR).conformIntensity).toBeNull();
    // the limits applied to a float input are reported (provenance settings.conformIntensity)
    const s = prepareModelInput(sphere(true), UCHAR).conformIntensity!;
    expect(s.srcMin).toBe(10);
    expect(10 + 255 / s.scale).toBeLessThan(101);
  });

  it('a bad conform_intensity is MODEL_CARD_INVALID naming it', () => {
    const bad = structuredClone(UCHAR);
    bad.preprocessing!.conform_intensity = { method: 'zscore' } as never;
    expect(() => validateModelCard(bad)).toThrow(/conform_intensity.method/);
    bad.preprocessing!.conform_intensity = { method: 'uchar', lower: 0.5, upper: 0.2 };
    expect(() => validateModelCard(bad)).toThrow(/conform_intensity.lower/);
    bad.preprocessing!.conform_intensity = { method: 'uchar', lower: 0, upper: 0.999 };
    bad.preprocessing!.conform_shape = null;
    expect(() => validateModelCard(bad)).toThrow(/needs conform_shape/);
  });
});

describeData('conform_intensity on the real dev T1 (subcortical18 card, no model run)', () => {
  it('bright specks in a scanner-like copy of norm.mgz leave the conformed input as it was', async () => {
    const t1 = await readMgh(dataPath('validation', 'brain_mri', 'niivue_freesurfer_norm_aparc2009s', 'norm.mgz'));
    // a non-conformed float copy (RAS, 0.9 x 0.9 x 1.1 mm, values x 9.7), as bench/brain-structures-raw-t1.ts
    const g = resample(t1, { reference: conformGrid(t1, [240, 270, 190], 'RAS', [0.9, 0.9, 1.1]) });
    const plain = { ...g, data: Float32Array.from(g.data, (v) => v * 9.7) };
    const specks = { ...plain, data: plain.data.slice() };
    let max = 0;
    for (const v of plain.data) if (v > max) max = v;
    // 300 single voxels at 3x the maximum: under 0.1 % of the non-zero voxels
    for (let i = 0, placed = 0; placed < 300; i += 7919)
      if (specks.data[i % specks.data.length]! > 0) {
        specks.data[i % specks.data.length] = 3 * max;
        placed++;
      }
    const card = BRAINCHOP_CARDS['brainchop-subcortical18']!;
    const a = prepareModelInput(plain, card).tensorVols[0]!.data;
    const b = prepareModelInput(specks, card).tensorVols[0]!.data;
    let differ = 0;
    for (let i = 0; i < a.length; i++) if (Math.abs(a[i]! - b[i]!) > 1.5 / 255) differ++;
    // each 0.9 x 0.9 x 1.1 mm speck reaches at most 2 x 2 x 3 conformed voxels
    expect(differ).toBeLessThanOrEqual(300 * 12);
    // raw min-max (the card without the step) darkens the brain by 3x: most of the head differs
    const raw = { ...card, preprocessing: { ...card.preprocessing, conform_intensity: null } };
    const c = prepareModelInput(specks, raw).tensorVols[0]!.data;
    let rawDiffer = 0;
    for (let i = 0; i < a.length; i++) if (Math.abs(a[i]! - c[i]!) > 1.5 / 255) rawDiffer++;
    expect(rawDiffer).toBeGreaterThan(1_000_000);
  }, 60_000);
});
