/**
 * Zones shared by GLSZM and GLDZM: connected groups of ROI voxels with the same grey level
 * (26-connected in 3D, 8-connected per slice in 2D), with their size and, given a distance map,
 * their distance to the ROI border (the minimum over their voxels).
 */
import { growInt32 } from '../../../core/typed.js';
import type { Offset } from './directions.js';
import { type TextureGrid, linearOffset } from './grid.js';
import { SM_SIZE, type SizeEntries, sizeMatrixFeatures } from './matrix-features.js';

/** Zones found in slices [zFrom, zTo). */
export interface Zones {
  level: Int32Array;
  size: Int32Array;
  dist: Int32Array;
  n: number;
  /** ROI voxels covered. */
  nVoxels: number;
  maxSize: number;
  maxDist: number;
}

/** Scratch buffers reused across slices; `dist` is the GLDZM distance map (null for GLSZM). */
export interface ZoneScratch {
  /** Union-find parent per grid voxel. */
  parent: Int32Array;
  /** Zone number stored at each zone's root voxel. */
  ids: Int32Array;
  dist: Int32Array | null;
}

export function zoneScratch(g: TextureGrid, dist: Int32Array | null): ZoneScratch {
  return { parent: new Int32Array(g.lv.length), ids: new Int32Array(g.lv.length), dist };
}

/**
 * Labels the zones of slices [zFrom, zTo) with the given (bidirectional) neighbour offsets.
 * Union-find in one raster pass over the half of the neighbours that precede a voxel (linking
 * each root to the smaller index, so a zone's root is its first voxel in raster order), then a
 * second pass that numbers roots and accumulates size and minimum distance: sequential memory
 * access instead of a flood fill's scattered one.
 */
export function findZones(
  g: TextureGrid,
  neighbours: readonly Offset[],
  zFrom: number,
  zTo: number,
  s: ZoneScratch,
): Zones {
  const { lv } = g;
  const back = Int32Array.from(
    neighbours.map((o) => linearOffset(g, o[0], o[1], o[2])).filter((o) => o < 0),
    (o) => o,
  );
  const nBack = back.length;
  const { parent, ids, dist } = s;
  for (let k = g.sliceStart[zFrom]!, kEnd = g.sliceStart[zTo]!; k < kEnd; k++) {
    const idx = g.roi[k]!;
    const v = lv[idx]!;
    if (v === 0) continue;
    parent[idx] = idx;
    // ra stays the root of idx's set: it starts as idx and only ever becomes a smaller root.
    let ra = idx;
    for (let a = 0; a < nBack; a++) {
      const q = idx + back[a]!;
      if (lv[q] !== v) continue;
      let rb = q;
      while (parent[rb] !== rb) {
        const gp = parent[parent[rb]!]!;
        parent[rb] = gp;
        rb = gp;
      }
      if (rb < ra) {
        parent[ra] = rb;
        ra = rb;
      } else if (ra < rb) {
        parent[rb] = ra;
      }
    }
  }
  let cap = 64;
  let level: Int32Array = new Int32Array(cap);
  let size: Int32Array = new Int32Array(cap);
  let zdist: Int32Array = new Int32Array(cap);
  let n = 0;
  let nVoxels = 0;
  const big = 1 << 30;
  for (let k = g.sliceStart[zFrom]!, kEnd = g.sliceStart[zTo]!; k < kEnd; k++) {
    const idx = g.roi[k]!;
    const v = lv[idx]!;
    if (v === 0) continue;
    nVoxels++;
    let r = idx;
    while (parent[r] !== r) {
      const gp = parent[parent[r]!]!;
      parent[r] = gp;
      r = gp;
    }
    let id: number;
    if (r === idx) {
      if (n === cap) {
        cap *= 2;
        level = growInt32(level, cap);
        size = growInt32(size, cap);
        zdist = growInt32(zdist, cap);
      }
      id = n++;
      ids[idx] = id;
      level[id] = v;
      size[id] = 0;
      zdist[id] = big;
    } else {
      id = ids[r]!;
    }
    size[id]!++;
    if (dist) {
      // A voxel of the intensity ROI always lies in `morph` (it is OR-ed in), so distance ≥ 1.
      const dk = dist[idx]!;
      if (dk < zdist[id]!) zdist[id] = dk;
    }
  }
  let maxSize = 0;
  let maxDist = 0;
  for (let k = 0; k < n; k++) {
    if (size[k]! > maxSize) maxSize = size[k]!;
    if (!dist) zdist[k] = 0;
    else if (zdist[k]! > maxDist) maxDist = zdist[k]!;
  }
  return { level, size, dist: zdist, n, nVoxels, maxSize, maxDist };
}

/**
 * Sparse (level, j) counts of zones, j = size or distance; `parts` are merged (2.5D). Entries
 * are grouped by sorting keys level·(maxJ+1)+j.
 */
export function zoneEntries(parts: readonly Zones[], useDistance: boolean, maxJ: number): SizeEntries {
  let total = 0;
  for (const z of parts) total += z.n;
  const keys = new Float64Array(total);
  let q = 0;
  const w = maxJ + 1;
  for (const z of parts) {
    const js = useDistance ? z.dist : z.size;
    for (let k = 0; k < z.n; k++) keys[q++] = z.level[k]! * w + js[k]!;
  }
  keys.sort();
  let distinct = 0;
  for (let k = 0; k < total; k++) if (k === 0 || keys[k] !== keys[k - 1]) distinct++;
  const e: SizeEntries = {
    i: new Int32Array(distinct),
    j: new Int32Array(distinct),
    c: new Float64Array(distinct),
    n: distinct,
  };
  let r = -1;
  for (let k = 0; k < total; k++) {
    const key = keys[k]!;
    if (k === 0 || key !== keys[k - 1]) {
      r++;
      e.i[r] = Math.floor(key / w);
      e.j[r] = key - e.i[r]! * w;
    }
    e.c[r]!++;
  }
  return e;
}

/** GLSZM/GLDZM features of merged zone sets. */
export function zoneFeatures(
  parts: readonly Zones[],
  useDistance: boolean,
  nLevels: number,
  eps: number,
  out: Float64Array = new Float64Array(SM_SIZE),
): Float64Array {
  let maxJ = 1;
  let nVoxels = 0;
  for (const z of parts) {
    maxJ = Math.max(maxJ, useDistance ? z.maxDist : z.maxSize);
    nVoxels += z.nVoxels;
  }
  return sizeMatrixFeatures(zoneEntries(parts, useDistance, maxJ), nLevels, maxJ, nVoxels, eps, out);
}
