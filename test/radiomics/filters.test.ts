import { describe, expect, it } from 'vitest';
import { laplacianOfGaussian, logImageName, waveletDecompositions } from '../../src/tasks/radiomics/filters.js';
import { ibsiGrid, pyradiomicsGrid, sampleGrid } from '../../src/tasks/radiomics/preprocess.js';

// 5x4x3 test volume (x fastest); expected values computed independently with PyWavelets 1.9
// (pywt.swtn 'coif1', level 1, axes (x, y, z), odd axes wrap-padded as PyRadiomics) and
// scipy.ndimage.map_coordinates (order 3, mode 'mirror').
const INPUT = [
  0, 14, 5, 19, 10, 1, 15, 6, 20, 11, 2, 16, 7, 21, 12, 3, 17, 8, 22, 13, 4, 18, 9, 0, 14, 5, 19, 10, 1, 15, 6, 20, 11,
  2, 16, 7, 21, 12, 3, 17, 8, 22, 13, 4, 18, 9, 0, 14, 5, 19, 10, 1, 15, 6, 20, 11, 2, 16, 7, 21,
];
const DIMS: [number, number, number] = [5, 4, 3];
const at = (a: Float64Array, x: number, y: number, z: number) => a[x + 5 * (y + 4 * z)]!;

describe('wavelet (PyRadiomics / pywt.swtn coif1)', () => {
  const bands = waveletDecompositions(INPUT, DIMS);
  const pts: [number, number, number][] = [
    [0, 0, 0],
    [4, 3, 2],
    [2, 1, 1],
  ];
  const expected: Record<string, number[]> = {
    LLH: [-3.5368212949, 1.6354748185, 2.5280241733],
    HHL: [1.0978079758, -1.215959799, 0.0936536127],
    HHH: [-2.4319195981, -0.5489039879, -0.2074662065],
    LLL: [11.7172183351, 38.4623206816, 27.7503585069],
  };
  it('returns the 8 sub-bands named as PyRadiomics', () => {
    expect([...bands.keys()].sort()).toEqual(['HHH', 'HHL', 'HLH', 'HLL', 'LHH', 'LHL', 'LLH', 'LLL']);
  });
  for (const [name, vals] of Object.entries(expected)) {
    it(`${name} matches pywt`, () => {
      pts.forEach(([x, y, z], i) => expect(at(bands.get(name)!, x, y, z)).toBeCloseTo(vals[i]!, 7));
    });
  }
});

describe('interpolation', () => {
  it('cubic B-spline matches scipy map_coordinates(order=3, mirror)', () => {
    const pts: [number, number, number, number][] = [
      [2.25, 1.7, 0.3, 8.2408768415],
      [4.6, 0, 2, 10.1005714286],
      [0.1, 3.4, -0.2, 3.3608379703],
    ];
    for (const [x, y, z, v] of pts) {
      const r = sampleGrid(INPUT, DIMS, [x, y, z], [1, 1, 1], [1, 1, 1], 'bspline');
      expect(r[0]).toBeCloseTo(v, 8);
    }
  });
  it('IBSI grid: centres aligned, size rounded up (CT phantom 204x201x60 → 100x99x90 at 2 mm)', () => {
    const g = ibsiGrid([204, 201, 60], [0.9765625, 0.9765625, 3], [2, 2, 2]);
    expect(g.size).toEqual([100, 99, 90]);
    // centre of the new grid maps onto the centre of the old one
    for (let a = 0; a < 3; a++)
      expect(g.start[a]! + ((g.size[a]! - 1) / 2) * g.step[a]!).toBeCloseTo(([204, 201, 60][a]! - 1) / 2, 9);
  });
  it('PyRadiomics grid: aligned to the image corner, bbox ± padDistance', () => {
    const g = pyradiomicsGrid([100, 100, 20], [1, 1, 2], [2, 2, 2], [40, 59, 40, 59, 5, 9], 5);
    // bbNewLBound = floor((40 - 0.5)·0.5 - 5) = 14 → start index 0.5·(2-1)/1 + 14/0.5 = 28.5
    expect(g.start[0]).toBeCloseTo(28.5, 12);
    expect(g.size[0]).toBe(Math.ceil((60 - 0.5) * 0.5 + 5) - 14 + 1);
    expect(g.spacing).toEqual([2, 2, 2]);
  });
  it('linear interpolation reproduces a linear ramp exactly', () => {
    const ramp = Float64Array.from({ length: 60 }, (_, i) => (i % 5) * 2 + Math.floor(i / 20));
    const r = sampleGrid(ramp, DIMS, [0.5, 0, 0.25], [0.5, 1, 0.5], [8, 4, 5], 'linear');
    expect(r[3]).toBeCloseTo((0.5 + 3 * 0.5) * 2 + 0.25, 12);
    expect(r[8 * 4 * 2]).toBeCloseTo(0.5 * 2 + 1.25, 12);
  });
});

describe('Laplacian of Gaussian', () => {
  it('is exact on a quadratic (×sigma²) and zero on a linear ramp (far from the borders)', () => {
    const n = 61;
    const dims: [number, number, number] = [n, n, n];
    const q = new Float64Array(n * n * n);
    const l = new Float64Array(n * n * n);
    for (let z = 0, i = 0; z < n; z++)
      for (let y = 0; y < n; y++)
        for (let x = 0; x < n; x++, i++) {
          q[i] = (x * 0.5) ** 2 + 2 * (z * 2) ** 2;
          l[i] = 3 * x + y - z;
        }
    const sigma = 1.5;
    const rq = laplacianOfGaussian(q, dims, [0.5, 1, 2], sigma);
    const rl = laplacianOfGaussian(l, dims, [1, 1, 1], sigma);
    const c = 30 + n * (30 + n * 30);
    // ∇²(x² + 2 z²) = 2 + 4 = 6 (mm), normalised across scale
    // Deriche's 4-digit fitted constants: exact to ~1e-5
    expect(rq[c]! / (6 * sigma * sigma)).toBeCloseTo(1, 4);
    expect(rl[c]).toBeCloseTo(0, 6);
  });
  it('names images as PyRadiomics', () => {
    expect(logImageName(1)).toBe('log-sigma-1-0-mm-3D');
    expect(logImageName(2.5)).toBe('log-sigma-2-5-mm-3D');
  });
});
