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
  '8QNN': '2D',
  '62GR': '2.5D',
};
const FAMILIES: TextureFamily[] = ['glcm', 'glrlm', 'glszm', 'gldzm', 'ngtdm', 'ngldm'];

/**
 * IBSI CT phantom, configuration A (no interpolation, so the texture engine can be checked
 * without the pipeline): intensities rounded, re-segmentation to [-500, 400] HU for the intensity
 * mask (the morphological mask stays the original ROI), fixed bin size 25 HU from -500:
 * level = floor((x + 500) / 25) + 1, Ng = 36 levels over [-500, 400).
 */
describeData('IBSI CT phantom config A: texture features (2D, 2.5D)', () => {
  let image: DiscretisedImage;
  let rows: IbsiReferenceRow[];
  let reseg = 0;
  const tally = new Map<string, { pass: number; total: number; fails: string[] }>();

  beforeAll(async () => {
    const dir = 'ibsi1/ct_radiomics_phantom/nifti';
    const img = await readNifti(dataPath(dir, 'image/phantom.nii.gz'));
    const mask = await readNifti(dataPath(dir, 'mask/mask.nii.gz'));
    const n = img.data.length;
    const levels = new Int32Array(n);
    const morphMask = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (!mask.data[i]) continue;
      morphMask[i] = 1;
      const x = Math.round(Number(img.data[i]));
      if (x < -500 || x > 400) continue;
      levels[i] = Math.floor((x + 500) / 25) + 1;
      reseg++;
    }
    image = { levels, dims: img.dims, spacing: img.spacing, nLevels: 36, morphMask };
    rows = loadIbsiReference(dataPath('ibsi1/reference_values_ct_phantom_configs_A-E.csv')).filter(
      (r) => r.dataset === 'config_A' && (FAMILIES as string[]).includes(r.family),
    );
  });

  afterAll(() => {
    const lines = [...tally.entries()].map(
      ([k, t]) => `${k.padEnd(18)} ${t.pass}/${t.total}${t.fails.length ? `  FAIL: ${t.fails.join('; ')}` : ''}`,
    );
    console.log(`IBSI CT phantom config A texture, passing/total:\n${lines.join('\n')}`);
  });

  it('re-segmented ROI has the reference voxel count', () => {
    expect(Math.abs(reseg - 114596)).toBeLessThanOrEqual(1000);
    expect(rows.length).toBe(100 + 64 + 32 + 32 + 10 + 34);
  });

  for (const family of FAMILIES) {
    it(`${family}: reference values within tolerance`, () => {
      const byAgg = new Map<string, IbsiReferenceRow[]>();
      for (const r of rows.filter((x) => x.family === family)) {
        byAgg.set(r.aggregationCode, [...(byAgg.get(r.aggregationCode) ?? []), r]);
      }
      let failures = 0;
      for (const [aggCode, aggRows] of byAgg) {
        const aggregation = AGGREGATIONS[aggCode]!;
        const values = computeTextureFeatures(image, family, aggregation);
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
