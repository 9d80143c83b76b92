import { describe, expect, it } from 'vitest';
import { isMedImgError } from '../../src/core/errors.js';
import { neighbourhood, pyradiomicsAngles } from '../../src/tasks/radiomics/texture/directions.js';
import { symmetricEigenvalues } from '../../src/tasks/radiomics/texture/eigen.js';
import {
  type DiscretisedImage,
  computeTextureFeatureSets,
  computeTextureFeatures,
  textureFeatureNames,
} from '../../src/tasks/radiomics/texture/index.js';

/** One-slice image from rows of levels (row = y). */
function slice(rows: number[][], nLevels: number): DiscretisedImage {
  const ny = rows.length;
  const nx = rows[0]!.length;
  const levels = new Int32Array(nx * ny);
  rows.forEach((r, y) => r.forEach((v, x) => (levels[y * nx + x] = v)));
  return { levels, dims: [nx, ny, 1], spacing: [1, 1, 1], nLevels };
}

/** 4×4 checkerboard of levels a and b: level a where x + y is even. */
function checkerboard(a: number, b: number, nLevels: number): DiscretisedImage {
  return slice(
    Array.from({ length: 4 }, (_, y) => Array.from({ length: 4 }, (_, x) => ((x + y) % 2 === 0 ? a : b))),
    nLevels,
  );
}

const PY = { convention: 'pyradiomics' } as const;

describe('PyRadiomics angles', () => {
  it('13 mono-directional angles in 3D, 4 in 2D, as generateAngles', () => {
    const a3 = pyradiomicsAngles([5, 5, 5], [1], false);
    expect(a3).toHaveLength(13);
    expect(a3[0]).toEqual([1, 1, 1]);
    expect(a3[12]).toEqual([1, 0, 0]);
    expect(pyradiomicsAngles([5, 5, 5], [1], true)).toHaveLength(4);
    // A one-slice ROI drops the out-of-plane angles; distance 2 gives (5³ - 3³) / 2 = 49 angles.
    expect(pyradiomicsAngles([5, 5, 1], [1], false)).toHaveLength(4);
    expect(pyradiomicsAngles([9, 9, 9], [2], false)).toHaveLength(49);
    expect(neighbourhood([1], false)).toHaveLength(26);
    expect(neighbourhood([1], true)).toHaveLength(8);
  });
});

describe('PyRadiomics GLCM on a 2-level checkerboard (hand-computed)', () => {
  // Angles (x,y): (1,0) and (0,1) see only 1-2 pairs: p12 = p21 = 1/2. Diagonal (1,1): 5 pairs of
  // level 1 and 4 of level 2 (symmetric: p11 = 5/9, p22 = 4/9); anti-diagonal: 4/9 and 5/9.
  const f = computeTextureFeatures(checkerboard(1, 2, 2), 'glcm', '3D_avg', PY);

  it('uses PyRadiomics names', () => {
    expect(Object.keys(f).sort()).toEqual([...textureFeatureNames('glcm', 'pyradiomics')].sort());
    expect(Object.keys(f)).toHaveLength(24);
  });

  it('averages per-angle values', () => {
    expect(f.Contrast).toBeCloseTo(0.5, 12);
    expect(f.Correlation).toBeCloseTo(0, 12); // -1, -1, +1, +1
    expect(f.JointAverage).toBeCloseTo(1.5, 12);
    expect(f.SumAverage).toBeCloseTo(3, 12);
    expect(f.JointEnergy).toBeCloseTo((0.5 + 0.5 + 41 / 81 + 41 / 81) / 4, 12);
    expect(f.InverseVariance).toBeCloseTo(0.5, 12);
    expect(f.Idn).toBeCloseTo((2 * (1 / 1.5) + 2) / 4, 12);
    expect(f.Idmn).toBeCloseTo((2 * (1 / 1.25) + 2) / 4, 12);
    expect(f.Imc1).toBeCloseTo(-1, 9);
    const h = -(5 / 9) * Math.log2(5 / 9) - (4 / 9) * Math.log2(4 / 9);
    expect(f.JointEntropy).toBeCloseTo((1 + 1 + h + h) / 4, 9);
    expect(f.Imc2).toBeCloseTo((2 * Math.sqrt(1 - Math.exp(-2)) + 2 * Math.sqrt(1 - Math.exp(-2 * h))) / 4, 9);
    expect(f.MCC).toBeCloseTo(1, 9);
    expect(f.ClusterTendency).toBeCloseTo((0 + 0 + 2 * (4 * (20 / 81))) / 4, 9);
  });

  it('force2D (2.5D_dmrg) equals 3D on a single slice', () => {
    const g = computeTextureFeatures(checkerboard(1, 2, 2), 'glcm', '2.5D_dmrg', PY);
    for (const k of Object.keys(f)) expect(g[k]).toBeCloseTo(f[k]!, 12);
  });

  it("weightingNorm 'no_weighting' merges the angles into one matrix", () => {
    // Sum of symmetric matrices: P12 = P21 = 24, P11 = P22 = 18 (total 84).
    const g = computeTextureFeatures(checkerboard(1, 2, 2), 'glcm', '3D_avg', { ...PY, weightingNorm: 'no_weighting' });
    expect(g.Contrast).toBeCloseTo(48 / 84, 12);
    expect(g.MaximumProbability).toBeCloseTo(24 / 84, 12);
  });

  it('removes grey levels absent from the ROI and uses Ng = largest level', () => {
    // Levels 1 and 3 (2 absent): PyRadiomics Ng = 3, differences keep their real size 2.
    const g = computeTextureFeatures(checkerboard(1, 3, 5), 'glcm', '3D_avg', PY);
    expect(g.Contrast).toBeCloseTo(2, 12);
    expect(g.Idmn).toBeCloseTo((2 * (1 / (1 + 4 / 9)) + 2) / 4, 12);
    expect(g.JointAverage).toBeCloseTo(2, 12);
    // IBSI keeps Ng = nLevels = 5 in the normalised inverse difference moment.
    const ibsi = computeTextureFeatures(checkerboard(1, 3, 5), 'glcm', '3D_avg');
    expect(ibsi['1QCO']).toBeCloseTo((2 * (1 / (1 + 4 / 25)) + 2) / 4, 12);
  });
});

describe('PyRadiomics MCC on a 2-level image (closed form)', () => {
  it('matches |ac - b²| / (px1 px2) per angle, averaged', () => {
    // For a symmetric 2×2 GLCM [[a, b], [b, c]] the eigenvalues of Q are 1 and
    // ((ac - b²) / (px1 px2))², so MCC = |ac - b²| / (px1 px2).
    const rows = [
      [1, 2, 2, 1, 1],
      [2, 2, 1, 1, 2],
      [1, 1, 1, 2, 2],
      [2, 1, 2, 2, 1],
    ];
    const img = slice(rows, 2);
    const at = (x: number, y: number): number => rows[y]?.[x] ?? 0;
    const angles = [
      [1, 0],
      [1, 1],
      [0, 1],
      [-1, 1],
    ];
    let sum = 0;
    for (const [dx, dy] of angles) {
      const p = [0, 0, 0, 0];
      for (let y = 0; y < 4; y++) {
        for (let x = 0; x < 5; x++) {
          const u = at(x, y);
          const w = at(x + dx!, y + dy!);
          if (u && w) {
            p[(u - 1) * 2 + (w - 1)]! += 1;
            p[(w - 1) * 2 + (u - 1)]! += 1;
          }
        }
      }
      const t = p.reduce((q, v) => q + v, 0);
      const [a, b, , c] = p.map((v) => v / t) as [number, number, number, number];
      sum += Math.abs(a * c - b * b) / ((a + b) * (b + c));
    }
    const f = computeTextureFeatures(img, 'glcm', '3D_avg', PY);
    expect(f.MCC).toBeCloseTo(sum / 4, 10);
  });
});

describe('PyRadiomics GLRLM, GLSZM on the checkerboard', () => {
  it('GLRLM: runs of 1 in-plane, diagonals of length 1,2,3,4,3,2,1', () => {
    const f = computeTextureFeatures(checkerboard(1, 2, 2), 'glrlm', '3D_avg', PY);
    expect(f.RunPercentage).toBeCloseTo((1 + 1 + 7 / 16 + 7 / 16) / 4, 12);
    const diag = (2 * (1 + 1 / 4 + 1 / 9) + 1 / 16) / 7;
    expect(f.ShortRunEmphasis).toBeCloseTo((2 + 2 * diag) / 4, 12);
    expect(f.LongRunEmphasis).toBeCloseTo((2 + 2 * ((2 * (1 + 4 + 9) + 16) / 7)) / 4, 12);
  });

  it('GLSZM: two 8-voxel zones (diagonal connectivity)', () => {
    const f = computeTextureFeatures(checkerboard(1, 2, 2), 'glszm', '3D', PY);
    expect(f.SmallAreaEmphasis).toBeCloseTo(1 / 64, 12);
    expect(f.LargeAreaEmphasis).toBeCloseTo(64, 12);
    expect(f.ZonePercentage).toBeCloseTo(2 / 16, 12);
    expect(f.GrayLevelNonUniformity).toBeCloseTo(1, 12);
    expect(f.ZoneEntropy).toBeCloseTo(1, 9);
  });

  it('GLDM: every voxel depends on its 4 diagonal neighbours inside the ROI', () => {
    const f = computeTextureFeatures(checkerboard(1, 2, 2), 'gldm', '3D', PY);
    // Dependence j = 1 + same-level diagonal neighbours: corners 2, edges 3, inner 5.
    // 4 corners (j=2, two of them... all corners: (0,0),(3,3) level 1; (3,0),(0,3) level 2).
    const js = [2, 3, 3, 2, 3, 5, 5, 3, 3, 5, 5, 3, 2, 3, 3, 2];
    const lde = js.reduce((s, j) => s + j * j, 0) / 16;
    expect(f.LargeDependenceEmphasis).toBeCloseTo(lde, 12);
    expect(Object.keys(f)).toHaveLength(14);
  });
});

describe('GLDZM on the IBSI manual 2D example image', () => {
  // Grey levels of the manual's §3.9 example. With 8-connectivity (the manual's text, and what its
  // reference values need) level 2 is ONE zone ((3,2) touches (2,1) diagonally; the manual's
  // example table counts two). Distances: 1 on the border, 2 for the 4 inner pixels; a zone takes
  // its minimum. Zones (level: distances): 1: 1,1,1; 2: 1; 3: 1,1; 4: 1 and 2 (the lone inner 4).
  const img = slice(
    [
      [1, 2, 2, 3],
      [1, 2, 3, 3],
      [4, 2, 4, 1],
      [4, 1, 2, 3],
    ],
    4,
  );
  const f = computeTextureFeatures(img, 'gldzm', '2D');
  it('matches the hand-built matrix', () => {
    expect(f['0GBI']).toBeCloseTo((7 + 1 / 4) / 8, 12); // small distance emphasis
    expect(f.MB4I).toBeCloseTo((7 + 4) / 8, 12); // large distance emphasis
    expect(f.V294).toBeCloseTo((49 + 1) / 8, 12); // zone distance non-uniformity
    expect(f.VFT7).toBeCloseTo((9 + 1 + 4 + 4) / 8, 12); // grey level non-uniformity
    expect(f.VIWW).toBeCloseTo(8 / 16, 12); // zone percentage
  });
  it('takes distances from the morphological mask', () => {
    // A morphological mask one voxel larger on every side adds 1 to every distance.
    const n = 6 * 6;
    const big: DiscretisedImage = {
      levels: new Int32Array(n),
      dims: [6, 6, 1],
      spacing: [1, 1, 1],
      nLevels: 4,
      morphMask: new Uint8Array(n).fill(1),
    };
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) big.levels[(y + 1) * 6 + x + 1] = img.levels[y * 4 + x]!;
    const g = computeTextureFeatures(big, 'gldzm', '2D');
    expect(g.MB4I).toBeCloseTo((7 * 4 + 9) / 8, 12);
    expect(g.VIWW).toBeCloseTo(8 / 16, 12);
  });
});

describe('degenerate inputs', () => {
  const flat = slice(
    [
      [3, 3, 3],
      [3, 3, 3],
    ],
    4,
  );
  it('one grey level: PyRadiomics documented values', () => {
    const g = computeTextureFeatures(flat, 'glcm', '3D_avg', PY);
    expect(g.Correlation).toBe(1);
    expect(g.Imc1).toBe(0);
    expect(g.Imc2).toBe(0);
    expect(g.MCC).toBe(1);
    expect(g.Contrast).toBe(0);
    expect(g.JointEnergy).toBe(1);
    const n = computeTextureFeatures(flat, 'ngtdm', '3D', PY);
    expect(n.Coarseness).toBe(1e6);
    expect(n.Busyness).toBe(0);
    expect(n.Strength).toBe(0);
    expect(n.Contrast).toBeNaN();
    expect(computeTextureFeatures(flat, 'ngtdm', '3D').QCDE).toBe(1e6);
    expect(computeTextureFeatures(flat, 'ngtdm', '3D')['65HE']).toBe(0);
  });
  it('one voxel: no pairs (NaN GLCM), one run and one zone', () => {
    const one = slice([[0, 2, 0]], 2);
    const c = computeTextureFeatures(one, 'glcm', '3D_avg');
    expect(Object.values(c).every(Number.isNaN)).toBe(true);
    const r = computeTextureFeatures(one, 'glrlm', '3D_avg');
    expect(r['22OV']).toBe(1);
    expect(r['9ZK5']).toBe(1);
    const z = computeTextureFeatures(one, 'glszm', '3D');
    expect(z.P30P).toBe(1);
    expect(Object.values(computeTextureFeatures(one, 'ngtdm', '3D')).every(Number.isNaN)).toBe(true);
    expect(computeTextureFeatures(one, 'ngtdm', '3D', PY).Coarseness).toBe(1e6);
  });
  it('throws MedImgError for an empty mask and bad arguments', () => {
    const empty = slice([[0, 0]], 2);
    const code = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (e) {
        return isMedImgError(e) ? e.code : 'not a MedImgError';
      }
      return undefined;
    };
    expect(code(() => computeTextureFeatures(empty, 'glcm', '3D_avg'))).toBe('EMPTY_MASK');
    expect(code(() => computeTextureFeatures(flat, 'glcm', '3D'))).toBe('INVALID_ARGUMENT');
    expect(code(() => computeTextureFeatures(flat, 'glszm', '3D_avg'))).toBe('INVALID_ARGUMENT');
    expect(code(() => computeTextureFeatures(flat, 'gldzm', '3D', PY))).toBe('INVALID_ARGUMENT');
    expect(code(() => computeTextureFeatures(slice([[5]], 4), 'glcm', '3D_avg'))).toBe('INVALID_ARGUMENT');
    expect(code(() => computeTextureFeatures(flat, 'glcm', '3D_avg', { distance: 0 }))).toBe('INVALID_ARGUMENT');
    // 5000 levels would need 5000² × 13 GLCM cells: refused with advice instead of exhausting memory.
    expect(code(() => computeTextureFeatures(slice([[1, 5000]], 5000), 'glcm', '3D_avg'))).toBe('INVALID_ARGUMENT');
  });
});

describe('symmetric eigenvalues', () => {
  it('agree with Jacobi rotations on random symmetric matrices', () => {
    let seed = 7;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648 - 0.5;
    };
    for (const n of [1, 2, 3, 7, 20]) {
      const a = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = rnd();
      const fast = Array.from(symmetricEigenvalues(a.slice(), n)).sort((x, y) => x - y);
      const ref = jacobi(a.slice(), n).sort((x, y) => x - y);
      fast.forEach((v, k) => expect(v).toBeCloseTo(ref[k]!, 10));
    }
  });
});

function jacobi(a: Float64Array, n: number): number[] {
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Array.from({ length: n }, (_, i) => a[i * n + i]!);
}

describe('computeTextureFeatureSets', () => {
  it('equals separate calls, in request order', () => {
    const img = checkerboard(1, 2, 3);
    const requests = [
      { family: 'glcm', aggregation: '2D_smrg' },
      { family: 'ngtdm', aggregation: '2.5D' },
      { family: 'gldzm', aggregation: '3D' },
    ] as const;
    const sets = computeTextureFeatureSets(img, requests);
    requests.forEach((r, k) => expect(sets[k]).toEqual(computeTextureFeatures(img, r.family, r.aggregation)));
  });
});
