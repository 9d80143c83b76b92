/**
 * Grey level size zone matrix (IBSI §3.8, PyRadiomics `glszm`): zones (zones.ts) counted by grey
 * level and size; features from matrix-features.ts.
 */
import type { TextureGrid } from './grid.js';
import { neighbourhood } from './directions.js';
import { type ZoneScratch, findZones, zoneFeatures } from './zones.js';

/** GLSZM features of slices [zFrom, zTo), in-plane zones when `twoD`. */
export function glszmFeatures(
  g: TextureGrid,
  twoD: boolean,
  zFrom: number,
  zTo: number,
  scratch: ZoneScratch,
  eps: number,
): Float64Array {
  return zoneFeatures([findZones(g, neighbourhood([1], twoD), zFrom, zTo, scratch)], false, g.nLevels, eps);
}

export const GLSZM_IBSI = [
  '5QRC',
  '48P8',
  'XMSY',
  '5GN9',
  '5RAI',
  'HW1V',
  'YH51',
  'J17V',
  'JNSA',
  'Y1RO',
  '4JP3',
  'VB3A',
  'P30P',
  'BYLV',
  '3NSA',
  'GU8N',
  null,
] as const;

export const GLSZM_PYRADIOMICS = [
  'SmallAreaEmphasis',
  'LargeAreaEmphasis',
  'LowGrayLevelZoneEmphasis',
  'HighGrayLevelZoneEmphasis',
  'SmallAreaLowGrayLevelEmphasis',
  'SmallAreaHighGrayLevelEmphasis',
  'LargeAreaLowGrayLevelEmphasis',
  'LargeAreaHighGrayLevelEmphasis',
  'GrayLevelNonUniformity',
  'GrayLevelNonUniformityNormalized',
  'SizeZoneNonUniformity',
  'SizeZoneNonUniformityNormalized',
  'ZonePercentage',
  'GrayLevelVariance',
  'ZoneVariance',
  'ZoneEntropy',
  null,
] as const;
