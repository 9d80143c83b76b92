import type { IbsiRow } from '../helpers/ibsi.js';

/** IBSI aggregation codes → medimg TextureAggregation names. */
export const AGGREGATION_BY_CODE: Record<string, string> = {
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

export const TEXTURE_FAMILIES = new Set(['glcm', 'glrlm', 'glszm', 'gldzm', 'ngtdm', 'ngldm']);

/** Key of a reference row in extractRadiomics's IBSI-mode `features`, or null (diagnostics rows). */
export function ibsiKey(row: IbsiRow): string | null {
  const family = String(row.family);
  const code = String(row.feature_ibsi_code);
  if (family === 'diagnostics') return null;
  if (TEXTURE_FAMILIES.has(family))
    return `${family}.${AGGREGATION_BY_CODE[String(row.aggregation_ibsi_code)]}.${code}`;
  if (family === 'intensity_volume_histogram' && (code === 'BC2M' || code === 'GBPN')) {
    return `${family}.${code}_${String(row.feature).includes('10%') ? '10' : '90'}`;
  }
  return `${family}.${code}`;
}
