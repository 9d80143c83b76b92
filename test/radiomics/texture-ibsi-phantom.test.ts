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
