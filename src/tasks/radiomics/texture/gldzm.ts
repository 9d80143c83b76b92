/**
 * Grey level distance zone matrix (IBSI §3.9): zones (zones.ts) counted by grey level and
 * distance to the ROI border.
 *
 * Distance: IBSI's iterative erosion with the 6- (3D) or 4-connected (2D) structure element,
 * i.e. the Manhattan distance to the nearest voxel outside the morphological mask (voxels outside
 * the image count as outside); a border voxel has distance 1. Computed exactly by a two-pass
 * city-block distance transform. A zone's distance is its voxels' minimum.
 */
import { neighbourhood } from './directions.js';
import type { TextureGrid } from './grid.js';
import { type ZoneScratch, findZones, zoneFeatures } from './zones.js';

/**
 * City-block distance of each morphological-mask voxel to the nearest voxel outside it (in-plane
 * only when `twoD`); 0 outside the mask.
 */
export function distanceMap(g: TextureGrid, twoD: boolean): Int32Array {
  const { morph, sy, sz } = g;
  const big = 1 << 29;
  const d = new Int32Array(morph.length);
  for (let k = 0; k < morph.length; k++) d[k] = morph[k] ? big : 0;
  // Forward pass (predecessors), then backward pass (successors); padding is 0.
  for (let z = g.z0; z < g.z1; z++) {
    for (let y = g.y0; y < g.y1; y++) {
      let k = z * sz + y * sy + g.x0;
      for (let x = g.x0; x < g.x1; x++, k++) {
        let v = d[k]!;
        if (v === 0) continue;
        const a = d[k - 1]! + 1;
        if (a < v) v = a;
        const b = d[k - sy]! + 1;
        if (b < v) v = b;
        if (!twoD) {
          const c = d[k - sz]! + 1;
          if (c < v) v = c;
        }
        d[k] = v;
      }
    }
  }
  for (let z = g.z1 - 1; z >= g.z0; z--) {
    for (let y = g.y1 - 1; y >= g.y0; y--) {
      let k = z * sz + y * sy + g.x1 - 1;
      for (let x = g.x1 - 1; x >= g.x0; x--, k--) {
        let v = d[k]!;
        if (v === 0) continue;
        const a = d[k + 1]! + 1;
        if (a < v) v = a;
        const b = d[k + sy]! + 1;
        if (b < v) v = b;
        if (!twoD) {
          const c = d[k + sz]! + 1;
          if (c < v) v = c;
        }
        d[k] = v;
      }
    }
  }
  return d;
}

/** GLDZM features of slices [zFrom, zTo); `scratch.dist` must hold {@link distanceMap}. */
export function gldzmFeatures(
  g: TextureGrid,
  twoD: boolean,
  zFrom: number,
  zTo: number,
  scratch: ZoneScratch,
  eps: number,
): Float64Array {
  return zoneFeatures([findZones(g, neighbourhood([1], twoD), zFrom, zTo, scratch)], true, g.nLevels, eps);
}

export const GLDZM_IBSI = [
  '0GBI',
  'MB4I',
  'S1RA',
  'K26C',
  'RUVG',
  'DKNJ',
  'A7WM',
  'KLTH',
  'VFT7',
  '7HP3',
  'V294',
  'IATH',
  'VIWW',
  'QK93',
  '7WT1',
  'GBDU',
  null,
] as const;
