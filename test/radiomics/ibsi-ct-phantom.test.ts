import { expect, it } from 'vitest';
import type { Volume } from '../../src/core/volume.js';
import { readNifti } from '../../src/io/nifti.js';
import '../../src/index.js';
import { extractRadiomics } from '../../src/tasks/radiomics/index.js';
import { dataPath, describeData } from '../helpers/data.js';
import { ibsiMatches, loadIbsiRows as loadIbsiReference } from '../helpers/ibsi.js';
import { CT_CONFIGS } from './ibsi-configs.js';
import { ibsiKey } from './ibsi-keys.js';

/** Value of an IBSI submission diagnostic tag (e.g. int_mask_vox_count_reseg_roi) in our diagnostics. */
function diagnosticValue(d: Record<string, unknown>, tag: string): number | undefined {
  const axis = tag.includes('_x_') ? 0 : tag.includes('_y_') ? 1 : tag.includes('_z_') ? 2 : -1;
  const stage = tag.slice(tag.lastIndexOf('_', tag.length - 5) + 1);
  const morph = tag.startsWith('morph_');
  let key: string;
  if (stage === 'init_img') key = 'Image-original';
  else if (stage === 'interp_img') key = 'Image-interpolated';
  else if (stage === 'init_roi') key = 'Mask-original';
  else if (stage === 'interp_roi') key = 'Mask-interpolated';
  else key = morph ? 'Mask-interpolated' : 'Mask-resegmented';
  const get = (f: string) => d[`diagnostics_${key}_${f}`];
  const img = key.startsWith('Image') ? key : key === 'Mask-original' ? 'Image-original' : 'Image-interpolated';
  if (tag.startsWith('img_dim') || tag.includes('mask_dim_')) return (d[`diagnostics_${img}_Size`] as number[])[axis];
  if (tag.startsWith('vox_dim')) return (get('Spacing') as number[])[axis];
  if (tag.includes('_bb_dim_')) return (get('BoundingBox') as number[])[3 + axis];
  if (tag.includes('vox_count')) return get('VoxelNum') as number;
  if (tag.includes('mean_int')) return get('Mean') as number;
  if (tag.includes('min_int')) return get('Minimum') as number;
  if (tag.includes('max_int')) return get('Maximum') as number;
  return undefined;
}

describeData('IBSI CT phantom configurations A–E', () => {
  const rows = loadIbsiReference(dataPath('ibsi1', 'reference_values_ct_phantom_configs_A-E.csv'));
  let image: Volume;
  let mask: Volume;

  it('loads the phantom (NIfTI CT cast to float and rounded)', async () => {
    const dir = dataPath('ibsi1', 'ct_radiomics_phantom', 'nifti');
    const img = await readNifti(`${dir}/image/phantom.nii.gz`);
    image = { ...img, data: Float32Array.from(img.data as ArrayLike<number>, (v) => Math.round(v)) };
    mask = await readNifti(`${dir}/mask/mask.nii.gz`);
    expect(image.dims).toEqual([204, 201, 60]);
  });

  for (const cfg of ['A', 'B', 'C', 'D', 'E']) {
    it(`config ${cfg}: every reference feature matches, texture included`, async () => {
      const settings = CT_CONFIGS[cfg]!;
      const res = await extractRadiomics(image, mask, settings);
      const perFamily = new Map<string, { pass: number; total: number }>();
      const fails: string[] = [];
      for (const row of rows.filter((r) => r.dataset === `config_${cfg}`)) {
        const key = ibsiKey(row);
        if (!key) {
          const d = diagnosticValue(res.diagnostics, String(row.submission_tag));
          const st = perFamily.get('diagnostics') ?? { pass: 0, total: 0 };
          perFamily.set('diagnostics', st);
          st.total++;
          if (d !== undefined && ibsiMatches(d, row.reference_value, row.tolerance)) st.pass++;
          else fails.push(`${row.submission_tag}: got ${d}, ref ${row.reference_value} ± ${row.tolerance}`);
          continue;
        }
        const family = String(row.family);
        const v = res.features[key];
        const st = perFamily.get(family) ?? { pass: 0, total: 0 };
        perFamily.set(family, st);
        st.total++;
        const ok = v !== undefined && ibsiMatches(v, row.reference_value, row.tolerance);
        if (ok) st.pass++;
        else fails.push(`${key} (${row.feature}): got ${v}, ref ${row.reference_value} ± ${row.tolerance}`);
      }
      console.log(`config ${cfg}: ${[...perFamily].map(([f, s]) => `${f} ${s.pass}/${s.total}`).join(', ')}`);
      expect(fails).toEqual([]);
      const total = [...perFamily.values()].reduce((t, f) => t + f.total, 0);
      expect(total).toBe(rows.filter((r) => r.dataset === `config_${cfg}`).length);
      // interpolated grid of the 3D configs (diagnostics rows)
      if (cfg >= 'C') expect(res.diagnostics['diagnostics_Image-interpolated_Size']).toEqual([100, 99, 90]);
    });
  }
});
