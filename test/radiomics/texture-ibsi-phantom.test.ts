import { afterAll, beforeAll, expect, it } from 'vitest';
import { readNifti } from '../../src/index.js';
import {
  type DiscretisedImage,
  type TextureAggregation,
  type TextureFamily,
  computeTextureFeatures,
} from '../../src/tasks/radiomics/texture/index.js';
import { dataPath, describeData } from '../helpers/data.js';
import { type IbsiReferenceRow, loadIbsiReference, matchesIbsi } from '../helpers/ibsi.js';

const AGGREGATIONS: Record<string, TextureAggregation> = {
  BTW3: '2D_avg',
  SUJT: '2D_smrg',
  JJUI: '2.5D_dmrg',
  ZW7Z: '2.5D_mrg',
  ITBB: '3D_avg',
  IAZD: '3D_mrg',
  '8QNN': '2D',
  '62GR': '2.5D',
  KOBO: '3D',
};
const FAMILIES: TextureFamily[] = ['glcm', 'glrlm', 'glszm', 'gldzm', 'ngtdm', 'ngldm'];

describeData('IBSI digital phantom: texture features', () => {
  let image: DiscretisedImage;
  let rows: IbsiReferenceRow[];
  const tally = new Map<string, { pass: number; total: number; fails: string[] }>();

  beforeAll(async () => {
    const img = await readNifti(dataPath('ibsi1/digital_phantom/nifti/image/phantom.nii.gz'));
    const mask = await readNifti(dataPath('ibsi1/digital_phantom/nifti/mask/mask.nii.gz'));
    const levels = new Int32Array(img.data.length);
    for (let i = 0; i < levels.length; i++) levels[i] = mask.data[i] ? Math.round(Number(img.data[i])) : 0;
    image = { levels, dims: img.dims, spacing: img.spacing, nLevels: 6 };
    rows = loadIbsiReference(dataPath('ibsi1/reference_values_digital_phantom.csv')).filter((r) =>
      (FAMILIES as string[]).includes(r.family),
    );
  });

  afterAll(() => {
    const lines = [...tally.entries()].map(
      ([k, t]) => `${k.padEnd(18)} ${t.pass}/${t.total}${t.fails.length ? `  FAIL: ${t.fails.join('; ')}` : ''}`,
    );
    console.log(`IBSI digital phantom texture, passing/total per family and aggregation:\n${lines.join('\n')}`);
  });

  it('has reference rows for every texture family', () => {
    expect(rows.length).toBe(150 + 96 + 48 + 48 + 15 + 51);
  });

  // PyRadiomics's classes share IBSI's definitions for these features (its documentation maps
  // them); on the digital phantom its 13 angles, Ng = largest level (6) and NGTDM voxel counting
  // coincide with IBSI 3D, so the PyRadiomics convention must reproduce the IBSI references too.
  const PY_TO_IBSI: [TextureFamily, TextureAggregation, string, Record<string, string>][] = [
    [
      'glcm',
      '3D_avg',
      'ITBB',
      {
        Autocorrelation: 'QWB0',
        JointAverage: '60VM',
        ClusterProminence: 'AE86',
        ClusterShade: '7NFM',
        ClusterTendency: 'DG8W',
        Contrast: 'ACUI',
        Correlation: 'NI2N',
        DifferenceAverage: 'TF7R',
        DifferenceEntropy: 'NTRS',
        DifferenceVariance: 'D3YU',
        JointEnergy: '8ZQL',
        JointEntropy: 'TU9B',
        Imc1: 'R8DG',
        Imc2: 'JN9H',
        Idm: 'WF0Z',
        Idmn: '1QCO',
        Id: 'IB1Z',
        Idn: 'NDRX',
        InverseVariance: 'E8JP',
        MaximumProbability: 'GYBY',
        SumAverage: 'ZGXS',
        SumEntropy: 'P6QZ',
        SumSquares: 'UR99',
      },
    ],
    [
      'glrlm',
      '3D_avg',
      'ITBB',
      {
        ShortRunEmphasis: '22OV',
        LongRunEmphasis: 'W4KF',
        LowGrayLevelRunEmphasis: 'V3SW',
        HighGrayLevelRunEmphasis: 'G3QZ',
        ShortRunLowGrayLevelEmphasis: 'HTZT',
        ShortRunHighGrayLevelEmphasis: 'GD3A',
        LongRunLowGrayLevelEmphasis: 'IVPO',
        LongRunHighGrayLevelEmphasis: '3KUM',
        GrayLevelNonUniformity: 'R5YN',
        GrayLevelNonUniformityNormalized: 'OVBL',
        RunLengthNonUniformity: 'W92Y',
        RunLengthNonUniformityNormalized: 'IC23',
        RunPercentage: '9ZK5',
        GrayLevelVariance: '8CE5',
        RunVariance: 'SXLW',
        RunEntropy: 'HJ9O',
      },
    ],
    [
      'glszm',
      '3D',
      'KOBO',
      {
        SmallAreaEmphasis: '5QRC',
        LargeAreaEmphasis: '48P8',
        LowGrayLevelZoneEmphasis: 'XMSY',
        HighGrayLevelZoneEmphasis: '5GN9',
        SmallAreaLowGrayLevelEmphasis: '5RAI',
        SmallAreaHighGrayLevelEmphasis: 'HW1V',
        LargeAreaLowGrayLevelEmphasis: 'YH51',
        LargeAreaHighGrayLevelEmphasis: 'J17V',
        GrayLevelNonUniformity: 'JNSA',
        GrayLevelNonUniformityNormalized: 'Y1RO',
        SizeZoneNonUniformity: '4JP3',
        SizeZoneNonUniformityNormalized: 'VB3A',
        ZonePercentage: 'P30P',
        GrayLevelVariance: 'BYLV',
        ZoneVariance: '3NSA',
        ZoneEntropy: 'GU8N',
      },
    ],
    [
      'gldm',
      '3D',
      'KOBO',
      {
        SmallDependenceEmphasis: 'SODN',
        LargeDependenceEmphasis: 'IMOQ',
        LowGrayLevelEmphasis: 'TL9H',
        HighGrayLevelEmphasis: 'OAE7',
        SmallDependenceLowGrayLevelEmphasis: 'EQ3F',
        SmallDependenceHighGrayLevelEmphasis: 'JA6D',
        LargeDependenceLowGrayLevelEmphasis: 'NBZI',
        LargeDependenceHighGrayLevelEmphasis: '9QMG',
        GrayLevelNonUniformity: 'FP8K',
        DependenceNonUniformity: 'Z87G',
        DependenceNonUniformityNormalized: 'OKJI',
        GrayLevelVariance: '1PFV',
        DependenceVariance: 'DNX2',
        DependenceEntropy: 'FCBV',
      },
    ],
    [
      'ngtdm',
      '3D',
      'KOBO',
      { Coarseness: 'QCDE', Contrast: '65HE', Busyness: 'NQ30', Complexity: 'HDEZ', Strength: '1X9X' },
    ],
  ];

  for (const [family, aggregation, aggCode, map] of PY_TO_IBSI) {
    it(`pyradiomics convention ${family} ${aggregation} reproduces the IBSI references it shares`, () => {
      const values = computeTextureFeatures(image, family, aggregation, { convention: 'pyradiomics' });
      const fails: string[] = [];
      const ibsiFamily = family === 'gldm' ? 'ngldm' : family;
      for (const [name, code] of Object.entries(map)) {
        const row = rows.find((r) => r.family === ibsiFamily && r.aggregationCode === aggCode && r.code === code)!;
        if (!matchesIbsi(values[name]!, row)) fails.push(`${name}: got ${values[name]} want ${row.value}`);
      }
      expect(fails).toEqual([]);
    });
  }

  it('features are invariant to flips of any axis and to zero padding', () => {
    const [nx, ny, nz] = image.dims;
    const flip = (axis: 0 | 1 | 2): DiscretisedImage => {
      const out = new Int32Array(image.levels.length);
      for (let z = 0; z < nz; z++)
        for (let y = 0; y < ny; y++)
          for (let x = 0; x < nx; x++) {
            const fx = axis === 0 ? nx - 1 - x : x;
            const fy = axis === 1 ? ny - 1 - y : y;
            const fz = axis === 2 ? nz - 1 - z : z;
            out[(fz * ny + fy) * nx + fx] = image.levels[(z * ny + y) * nx + x]!;
          }
      return { ...image, levels: out };
    };
    const padded: DiscretisedImage = {
      ...image,
      dims: [nx + 3, ny + 2, nz + 4],
      levels: new Int32Array((nx + 3) * (ny + 2) * (nz + 4)),
    };
    for (let z = 0; z < nz; z++)
      for (let y = 0; y < ny; y++)
        for (let x = 0; x < nx; x++)
          padded.levels[((z + 2) * (ny + 2) + y + 1) * (nx + 3) + x + 2] = image.levels[(z * ny + y) * nx + x]!;
    const variants = [flip(0), flip(1), flip(2), padded];
    const cases: [TextureFamily, TextureAggregation][] = [
      ['glcm', '3D_avg'],
      ['glcm', '2D_avg'],
      ['glrlm', '3D_avg'],
      ['glrlm', '2.5D_dmrg'],
      ['glszm', '3D'],
      ['gldzm', '3D'],
      ['gldzm', '2D'],
      ['ngtdm', '3D'],
      ['ngldm', '2.5D'],
    ];
    for (const [family, aggregation] of cases) {
      for (const convention of ['ibsi', 'pyradiomics'] as const) {
        if (convention === 'pyradiomics' && family === 'gldzm') continue;
        const ref = computeTextureFeatures(image, family, aggregation, { convention });
        for (const v of variants) {
          const got = computeTextureFeatures(v, family, aggregation, { convention });
          for (const k of Object.keys(ref)) expect(got[k]).toBeCloseTo(ref[k]!, 10);
        }
      }
    }
  });

  for (const family of FAMILIES) {
    it(`${family}: every reference value within tolerance for every aggregation`, () => {
      const familyRows = rows.filter((r) => r.family === family);
      const byAgg = new Map<string, IbsiReferenceRow[]>();
      for (const r of familyRows) byAgg.set(r.aggregationCode, [...(byAgg.get(r.aggregationCode) ?? []), r]);
      let failures = 0;
      for (const [aggCode, aggRows] of byAgg) {
        const aggregation = AGGREGATIONS[aggCode]!;
        const values = computeTextureFeatures(image, family, aggregation, { convention: 'ibsi' });
        const t = { pass: 0, total: aggRows.length, fails: [] as string[] };
        for (const r of aggRows) {
          const v = values[r.code];
          if (v !== undefined && matchesIbsi(v, r)) t.pass++;
          else t.fails.push(`${r.code} ${r.feature}: got ${v} want ${r.value}±${r.tolerance}`);
        }
        failures += t.fails.length;
        tally.set(`${family} ${aggregation}`, t);
      }
      expect(failures).toBe(0);
    });
  }
});
