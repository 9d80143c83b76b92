import { describe, expect, it } from 'vitest';
import { isMedImgError } from '../../src/core/errors.js';
import { createVolume } from '../../src/core/volume.js';
import {
  extractRadiomics,
  firstOrderFeatures,
  parseParameterFile,
  pyradiomicsBinWidthEdges,
  shape2DFeatures,
  shapeFeatures,
} from '../../src/tasks/radiomics/index.js';
import { laplacianOfGaussian, waveletDecompositions } from '../../src/tasks/radiomics/filters.js';

function sphere(n: number, r: number, spacing: [number, number, number] = [1, 1, 1]) {
  const data = new Uint8Array(n * n * n);
  const c = (n - 1) / 2;
  let i = 0;
  for (let z = 0; z < n; z++)
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++, i++) {
        const dx = (x - c) * spacing[0];
        const dy = (y - c) * spacing[1];
        const dz = (z - c) * spacing[2];
        data[i] = dx * dx + dy * dy + dz * dz <= r * r ? 1 : 0;
      }
  return data;
}

describe('PyRadiomics shape on analytic shapes', () => {
  it('sphere r = 20 mm: mesh volume, area, sphericity, diameters and axes near the analytic values', () => {
    const n = 45;
    const f = shapeFeatures({ data: sphere(n, 20), dims: [n, n, n], spacing: [1, 1, 1] });
    const V = (4 / 3) * Math.PI * 20 ** 3;
    const A = 4 * Math.PI * 20 ** 2;
    expect(Math.abs(f.MeshVolume! / V - 1)).toBeLessThan(0.01);
    expect(Math.abs(f.VoxelVolume! / V - 1)).toBeLessThan(0.01);
    // marching cubes on a binary mask overestimates a smooth surface by a few percent
    expect(f.SurfaceArea! / A).toBeGreaterThan(1.0);
    expect(f.SurfaceArea! / A).toBeLessThan(1.1);
    expect(f.Sphericity!).toBeGreaterThan(0.9);
    expect(f.Sphericity!).toBeLessThan(1);
    expect(Math.abs(f.Maximum3DDiameter! - 41)).toBeLessThan(1.5);
    expect(Math.abs(f.Maximum2DDiameterSlice! - f.Maximum2DDiameterRow!)).toBeLessThan(1e-9);
    // solid sphere: covariance eigenvalue r²/5 → axis 4·sqrt(r²/5)
    expect(Math.abs(f.MajorAxisLength! / (4 * Math.sqrt(400 / 5)) - 1)).toBeLessThan(0.01);
    expect(f.Elongation!).toBeGreaterThan(0.999);
    expect(f.Flatness!).toBeGreaterThan(0.999);
  });

  it('box 10x6x4 voxels of 1x2x3 mm: exact voxel volume, mesh volume from cut corners', () => {
    const dims: [number, number, number] = [10, 6, 4];
    const f = shapeFeatures({ data: new Uint8Array(240).fill(1), dims, spacing: [1, 2, 3] });
    expect(f.VoxelVolume).toBe(240 * 6);
    // the mesh of a box passes through face-voxel centres' midpoints: (10)(12)(12) minus cut edges/corners
    expect(f.MeshVolume!).toBeLessThan(10 * 12 * 12);
    expect(f.MeshVolume!).toBeGreaterThan(9 * 10 * 9);
    // box diagonal between the outermost mesh vertices
    expect(f.Maximum3DDiameter!).toBeGreaterThan(Math.hypot(9, 10, 9));
  });
});

describe('PyRadiomics shape2D', () => {
  it('disk r = 15 px (0.5 mm pixels): area, perimeter, diameter near the analytic values', () => {
    const n = 35;
    const d = new Uint8Array(n * n);
    const c = (n - 1) / 2;
    for (let v = 0; v < n; v++) for (let u = 0; u < n; u++) d[u + n * v] = (u - c) ** 2 + (v - c) ** 2 <= 225 ? 1 : 0;
    const f = shape2DFeatures(d, n, n, 0.5, 0.5);
    const r = 7.5;
    expect(Math.abs(f.MeshSurface! / (Math.PI * r * r) - 1)).toBeLessThan(0.02);
    expect(Math.abs(f.PixelSurface! / (Math.PI * r * r) - 1)).toBeLessThan(0.02);
    expect(f.Perimeter! / (2 * Math.PI * r)).toBeGreaterThan(1);
    expect(f.Perimeter! / (2 * Math.PI * r)).toBeLessThan(1.1);
    expect(Math.abs(f.MaximumDiameter! - 15.5)).toBeLessThan(0.6);
    expect(f.Elongation!).toBeGreaterThan(0.999);
    expect(f.Sphericity!).toBeGreaterThan(0.9);
  });

  it('is extracted with force2D on a one-slice ROI and refused otherwise', async () => {
    const img = createVolume([20, 20, 3], Float32Array);
    img.data.fill(5);
    const m = createVolume([20, 20, 3], Uint8Array);
    for (let y = 5; y < 15; y++) for (let x = 4; x < 12; x++) m.data[x + 20 * (y + 20)] = 1;
    const on = await extractRadiomics(img, m, { force2D: true, featureClass: { shape2D: null } });
    expect(on.features.original_shape2D_PixelSurface).toBe(80);
    const off = await extractRadiomics(img, m, { featureClass: { shape2D: null } });
    expect(off.features.original_shape2D_PixelSurface).toBeUndefined();
    expect(off.unavailable.some((u) => u.startsWith('shape2D'))).toBe(true);
  });
});

describe('parameter files', () => {
  it('parses YAML block lists, comments, quoted strings, flow maps and JSON', () => {
    const y = parseParameterFile(`# PyRadiomics params
setting:
  binWidth: 25 # default
  resampledPixelSpacing: [2, 2, 0]
  interpolator: "sitkLinear"
  resegmentRange: [-1000, 400]
  normalize: true
  weightingNorm:
featureClass:
  glcm:
    - Contrast
    - JointEnergy
  firstorder: []
imageType: {Original: {}}
`);
    expect(y.resampledPixelSpacing).toEqual([2, 2, 0]);
    expect(y.interpolator).toBe('sitkLinear');
    expect(y.normalize).toBe(true);
    expect(y.weightingNorm).toBeNull();
    expect(y.featureClass).toEqual({ glcm: ['Contrast', 'JointEnergy'], firstorder: null });
    expect(y.imageType).toEqual({ Original: {} });
    const j = parseParameterFile('{"setting": {"binCount": 32}, "imageType": {"LoG": {"sigma": [1, 3]}}}');
    expect(j.binCount).toBe(32);
    expect(j.imageType?.LoG?.sigma).toEqual([1, 3]);
    expect(() => parseParameterFile('imageType:\n  Gabor: {}')).toThrow(/Unsupported image type/);
    expect(() => parseParameterFile('foo: 1')).toThrow(/Unknown parameter file section/);
  });

  it('reads YAML 1.1 as PyYAML does (anchors, yes/no) and reports syntax errors with their line', () => {
    const y = parseParameterFile(
      'setting:\n  binWidth: &w 25\n  resampledPixelSpacing: [*w, *w, *w]\n  correctMask: yes\nimageType:\n  Original: {}\n',
    );
    expect(y.binWidth).toBe(25);
    expect(y.resampledPixelSpacing).toEqual([25, 25, 25]);
    expect(y.correctMask).toBe(true);
    expect(() => parseParameterFile('setting:\n  binWidth: [1, 2\n')).toThrow(/Parameter file line \d/);
    expect(() => parseParameterFile('setting:\n  binWidth: 1\n  binWidth: 2\n')).toThrow(/Parameter file line 3/);
  });
});

describe('PyRadiomics firstorder on known arrays', () => {
  it('values 1..10', () => {
    const x = Float64Array.from({ length: 10 }, (_, i) => i + 1);
    const f = firstOrderFeatures(x, { binWidth: 2, voxelVolume: 2 });
    expect(f.Mean).toBeCloseTo(5.5, 12);
    expect(f.Variance).toBeCloseTo(8.25, 12);
    expect(f.Energy).toBe(385);
    expect(f.TotalEnergy).toBe(770);
    expect(f.RootMeanSquared).toBeCloseTo(Math.sqrt(38.5), 12);
    expect(f.Median).toBeCloseTo(5.5, 12);
    expect(f['10Percentile']).toBeCloseTo(1.9, 12);
    expect(f['90Percentile']).toBeCloseTo(9.1, 12);
    expect(f.InterquartileRange).toBeCloseTo(4.5, 12);
    expect(f.Range).toBe(9);
    expect(f.MeanAbsoluteDeviation).toBeCloseTo(2.5, 12);
    expect(f.RobustMeanAbsoluteDeviation).toBeCloseTo(2, 12);
    expect(f.Skewness).toBeCloseTo(0, 12);
    expect(f.Kurtosis).toBeCloseTo(120.8625 / 68.0625, 12);
    // bins [0,2),[2,4),...: counts 1,2,2,2,2,1
    expect(f.Entropy).toBeCloseTo(-(2 * 0.1 * Math.log2(0.1) + 4 * 0.2 * Math.log2(0.2)), 10);
    expect(f.Uniformity).toBeCloseTo(0.18, 12);
  });

  it('voxelArrayShift shifts Energy and RMS only', () => {
    const x = Float64Array.of(-3, 0, 3);
    const f = firstOrderFeatures(x, { voxelArrayShift: 10, voxelVolume: 1 });
    expect(f.Energy).toBe(49 + 100 + 169);
    expect(f.Mean).toBe(0);
    expect(f.RootMeanSquared).toBeCloseTo(Math.sqrt(318 / 3), 12);
  });

  it('bin edges start at the multiple of binWidth at or below the minimum (negative values floor)', () => {
    expect(pyradiomicsBinWidthEdges([54, 166], 25)).toEqual([50, 75, 100, 125, 150, 175, 200]);
    expect(pyradiomicsBinWidthEdges([-30, 10], 25)[0]).toBe(-50);
    expect(pyradiomicsBinWidthEdges([50, 50], 25)).toEqual([50, 75]);
  });
});

describe('extractRadiomics (PyRadiomics mode)', () => {
  const n = 24;
  const img = createVolume([n, n, n], Float32Array, { spacing: [1, 1, 2] });
  for (let i = 0; i < img.data.length; i++) img.data[i] = (i * 7919) % 200;
  const mask = createVolume([n, n, n], Uint8Array, { spacing: [1, 1, 2] });
  mask.data.set(sphere(n, 8));

  it('keys features as PyRadiomics and reports diagnostics and provenance', async () => {
    const res = await extractRadiomics(img, mask);
    expect(res.features.original_firstorder_Mean).toBeTypeOf('number');
    expect(res.features.original_shape_Sphericity).toBeGreaterThan(0.8);
    expect(Object.keys(res.features).filter((k) => k.startsWith('original_firstorder_'))).toHaveLength(18);
    expect(Object.keys(res.features).filter((k) => k.startsWith('original_shape_'))).toHaveLength(14);
    expect(res.diagnostics['diagnostics_Mask-original_VoxelNum']).toBe(mask.data.reduce((a, b) => a + b, 0));
    expect(String(res.diagnostics['diagnostics_Image-original_Hash'])).toMatch(/^[0-9a-f]{64}$/);
    expect(res.provenance.mode).toBe('pyradiomics');
    const perClass = { glcm: 24, glrlm: 16, glszm: 16, gldm: 14, ngtdm: 5 };
    for (const [cls, count] of Object.entries(perClass)) {
      expect(
        Object.keys(res.features).filter((k) => k.startsWith(`original_${cls}_`)),
        cls,
      ).toHaveLength(count);
    }
    expect(res.unavailable).toEqual([]);
  });

  it('passes every PyRadiomics distance to the texture engine', async () => {
    const one = await extractRadiomics(img, mask, { distances: [1] });
    const two = await extractRadiomics(img, mask, { distances: [1, 2] });
    expect(two.unavailable).toEqual([]);
    expect(two.provenance.mode).toBe('pyradiomics');
    const c1 = one.features.original_glcm_Contrast!;
    const c2 = two.features.original_glcm_Contrast!;
    expect(Number.isFinite(c2)).toBe(true);
    expect(Math.abs(c2 - c1)).toBeGreaterThan(1e-6 * Math.abs(c1));
  });

  it('accepts a PyRadiomics YAML parameter file with LoG and Wavelet image types', async () => {
    const yaml = `
imageType:
  Original: {}
  LoG:
    sigma: [1.0, 2.0]
  Wavelet: {}
featureClass:
  firstorder:   # all
  shape: [MeshVolume]
setting:
  binWidth: 10
  label: 1
  interpolator: 'sitkBSpline'
`;
    const s = parseParameterFile(yaml);
    expect(s.binWidth).toBe(10);
    expect(s.imageType?.LoG?.sigma).toEqual([1, 2]);
    const res = await extractRadiomics(img, mask, yaml);
    expect(res.features['log-sigma-1-0-mm-3D_firstorder_Mean']).toBeTypeOf('number');
    expect(res.features['wavelet-LLH_firstorder_Mean']).toBeTypeOf('number');
    expect(res.features['wavelet-LLL_firstorder_Mean']).toBeTypeOf('number');
    expect(Object.keys(res.features).filter((k) => k.includes('_shape_'))).toEqual(['original_shape_MeshVolume']);
  });

  it('filters the ROI with whole-image context (cropping is exact)', async () => {
    const dims: [number, number, number] = [60, 56, 30];
    const big = createVolume(dims, Float32Array, { spacing: [0.8, 0.8, 2] });
    for (let z = 0, i = 0; z < dims[2]; z++)
      for (let y = 0; y < dims[1]; y++)
        for (let x = 0; x < dims[0]; x++, i++)
          big.data[i] = 100 * Math.sin(x / 3) * Math.cos(y / 5) + 7 * z + ((i * 7919) % 13);
    const m = createVolume(dims, Uint8Array, { spacing: [0.8, 0.8, 2] });
    for (let z = 12; z < 18; z++)
      for (let y = 20; y < 30; y++) for (let x = 25; x < 37; x++) m.data[x + 60 * (y + 56 * z)] = 1;
    const res = await extractRadiomics(big, m, {
      imageType: { LoG: { sigma: [2] }, Wavelet: {} },
      featureClass: { firstorder: ['Mean', 'Variance'] },
    });
    const roiMean = (a: ArrayLike<number>) => {
      let s = 0;
      let n = 0;
      for (let i = 0; i < m.data.length; i++)
        if (m.data[i]) {
          s += a[i]!;
          n++;
        }
      return s / n;
    };
    const log = laplacianOfGaussian(big.data, dims, big.spacing, 2);
    expect(res.features['log-sigma-2-0-mm-3D_firstorder_Mean']! / roiMean(log)).toBeCloseTo(1, 6);
    const bands = waveletDecompositions(big.data, dims);
    for (const b of ['LLH', 'HHL', 'LLL'])
      expect(res.features[`wavelet-${b}_firstorder_Mean`]).toBeCloseTo(roiMean(bands.get(b)!), 8);
  });

  it('resamples with PyRadiomics settings and re-segments', async () => {
    const res = await extractRadiomics(img, mask, {
      resampledPixelSpacing: [2, 2, 2],
      resegmentRange: [20, 180],
      featureClass: { firstorder: null },
    });
    expect(res.diagnostics['diagnostics_Image-interpolated_Spacing']).toEqual([2, 2, 2]);
    expect(res.features.original_firstorder_Minimum).toBeGreaterThanOrEqual(20);
    expect(res.features.original_firstorder_Maximum).toBeLessThanOrEqual(180);
  });

  it('correctMask resamples a mask from another grid (nearest neighbour)', async () => {
    // same ROI described on a grid shifted by one voxel along x and with half the z spacing
    const other = createVolume([n, n, 2 * n], Uint8Array, { spacing: [1, 1, 1], origin: [-1, 0, -0.5] });
    for (let z = 0; z < n; z++)
      for (let y = 0; y < n; y++)
        for (let x = 0; x < n; x++)
          if (mask.data[x + n * (y + n * z)] && x + 1 < n) {
            other.data[x + 1 + n * (y + n * 2 * z)] = 1;
            other.data[x + 1 + n * (y + n * (2 * z + 1))] = 1;
          }
    const a = await extractRadiomics(img, mask, { featureClass: { firstorder: null } });
    const b = await extractRadiomics(img, other, { correctMask: true, featureClass: { firstorder: null } });
    expect(b.features.original_firstorder_Mean).toBeCloseTo(a.features.original_firstorder_Mean!, 10);
    expect(b.diagnostics['diagnostics_Mask-original_VoxelNum']).toBe(
      a.diagnostics['diagnostics_Mask-original_VoxelNum'],
    );
  });

  it('reports monotonic progress', async () => {
    const fr: number[] = [];
    await extractRadiomics(img, mask, {
      imageType: { Original: {}, LoG: { sigma: [1] } },
      onProgress: (e) => fr.push(e.fraction),
    });
    expect(fr.length).toBeGreaterThan(1);
    for (let i = 1; i < fr.length; i++) expect(fr[i]!).toBeGreaterThanOrEqual(fr[i - 1]!);
    expect(fr[fr.length - 1]).toBe(1);
  });

  it('bad input: empty mask, other grid, one voxel, NaN voxels, aborted', async () => {
    const code = async (p: Promise<unknown>) => {
      try {
        await p;
        return 'resolved';
      } catch (e) {
        return isMedImgError(e) ? e.code : 'other';
      }
    };
    const empty = createVolume([n, n, n], Uint8Array, { spacing: [1, 1, 2] });
    expect(await code(extractRadiomics(img, empty))).toBe('EMPTY_MASK');
    const other = createVolume([n, n, n], Uint8Array, { spacing: [1, 1, 1] });
    other.data[5] = 1;
    expect(await code(extractRadiomics(img, other))).toBe('GRID_MISMATCH');
    const one = createVolume([n, n, n], Uint8Array, { spacing: [1, 1, 2] });
    one.data[1000] = 1;
    expect(await code(extractRadiomics(img, one))).toBe('ROI_TOO_SMALL');
    expect(await code(extractRadiomics(img, mask, { minimumROISize: 100000 }))).toBe('ROI_TOO_SMALL');
    const nan = createVolume([n, n, n], Float32Array, { spacing: [1, 1, 2] });
    nan.data.fill(Number.NaN);
    expect(await code(extractRadiomics(nan, mask))).toBe('INVALID_VOLUME');
    const ac = new AbortController();
    ac.abort();
    expect(await code(extractRadiomics(img, mask, { signal: ac.signal }))).toBe('ABORTED');
    expect(await code(extractRadiomics(img, mask, 'setting: [1, 2'))).toBe('INVALID_ARGUMENT');
  });
});
