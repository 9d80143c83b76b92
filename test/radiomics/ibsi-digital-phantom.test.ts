import { expect, it } from 'vitest';
import type { Volume } from '../../src/core/volume.js';
import { readNifti } from '../../src/io/nifti.js';
import '../../src/index.js';
import { extractRadiomics } from '../../src/tasks/radiomics/index.js';
import { dataPath, describeData } from '../helpers/data.js';
import { ibsiMatches, loadIbsiRows as loadIbsiReference } from '../helpers/ibsi.js';
import { TEXTURE_FAMILIES, ibsiKey } from './ibsi-keys.js';

describeData('IBSI digital phantom (reference_values_digital_phantom.csv)', () => {
  const rows = loadIbsiReference(dataPath('ibsi1', 'reference_values_digital_phantom.csv'));
  let features: Record<string, number> = {};

  it('computes every non-texture reference feature within tolerance', async () => {
    const dir = dataPath('ibsi1', 'digital_phantom', 'nifti');
    const image = await readNifti(`${dir}/image/phantom.nii.gz`);
    const mask = (await readNifti(`${dir}/mask/mask.nii.gz`)) as Volume;
    const res = await extractRadiomics(image, mask, {
      mode: 'ibsi',
      ibsi: {
        discretisation: { method: 'FBS', value: 1 },
        aggregations: ['2D_avg', '2D_smrg', '2.5D_dmrg', '2.5D_mrg', '3D_avg', '3D_mrg', '2D', '2.5D', '3D'],
      },
    });
    features = res.features;
    const perFamily = new Map<string, { pass: number; total: number; fails: string[] }>();
    for (const row of rows) {
      const family = String(row.family);
      if (TEXTURE_FAMILIES.has(family)) continue;
      const key = ibsiKey(row)!;
      const st = perFamily.get(family) ?? { pass: 0, total: 0, fails: [] };
      perFamily.set(family, st);
      st.total++;
      const v = features[key];
      if (v !== undefined && ibsiMatches(v, row.reference_value, row.tolerance)) st.pass++;
      else st.fails.push(`${key} (${row.feature}): got ${v}, ref ${row.reference_value} ± ${row.tolerance}`);
    }
    for (const [family, st] of perFamily)
      console.log(`digital phantom ${family}: ${st.pass}/${st.total}`, st.fails.join('; '));
    const fails = [...perFamily.values()].flatMap((s) => s.fails);
    expect(fails).toEqual([]);
    expect([...perFamily.values()].reduce((a, s) => a + s.total, 0)).toBe(74);
  });

  const textureRows = rows.filter((r) => TEXTURE_FAMILIES.has(String(r.family)));
  it('computes every texture reference feature through computeTextureFeatures', () => {
    const perGroup = new Map<string, { pass: number; total: number }>();
    const fails: string[] = [];
    for (const row of textureRows) {
      const key = ibsiKey(row)!;
      const group = key.split('.').slice(0, 2).join(' ');
      const st = perGroup.get(group) ?? { pass: 0, total: 0 };
      perGroup.set(group, st);
      st.total++;
      const v = features[key];
      if (v !== undefined && ibsiMatches(v, row.reference_value, row.tolerance)) st.pass++;
      else fails.push(`${key}: got ${v}, ref ${row.reference_value} ± ${row.tolerance}`);
    }
    for (const [g, st] of perGroup) console.log(`digital phantom ${g}: ${st.pass}/${st.total}`);
    expect(fails).toEqual([]);
    expect([...perGroup.values()].reduce((a, st) => a + st.total, 0)).toBe(408);
  });
});
