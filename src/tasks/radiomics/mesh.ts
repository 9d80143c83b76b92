/**
 * Marching-cubes surface of a binary mask (iso-level 0.5 between voxel centres), as IBSI
 * (chapter 3.1) and PyRadiomics's shape class use it: the mask is padded with a zero border so
 * the surface is closed, every mesh vertex is the midpoint of a grid edge whose two voxels
 * differ, and area / volume are summed over triangles (volume by the divergence theorem).
 *
 * The triangle table is generated here, not copied: on every cube face, crossed edges are
 * joined into segments (on an ambiguous face the two corners of the class the cube is built for
 * are cut off separately); the segments form closed loops, fan-triangulated from the apex that
 * encloses the most volume for that class (as the classic table's fans do) and oriented with
 * normals pointing out of the mask.
 * With the 'watertight' variant the same face rule on both sides of a face closes the mesh; the
 * default 'classic' variant follows the Lorensen table's complement symmetry instead.
 */
import type { Vec3 } from '../../core/volume.js';

const TRIANGULATIONS = new Map<number, number[][]>();

/** Corner c of a unit cube sits at (c & 1, (c >> 1) & 1, (c >> 2) & 1). */
const EDGES: [number, number][] = [];
for (let axis = 0; axis < 3; axis++) {
  for (let c = 0; c < 8; c++) if (!(c & (1 << axis))) EDGES.push([c, c | (1 << axis)]);
}
/** Edge midpoints, doubled so they are integers. */
const EDGE_MID2: Vec3[] = EDGES.map(([a, b]) => [
  (a & 1) + (b & 1),
  ((a >> 1) & 1) + ((b >> 1) & 1),
  ((a >> 2) & 1) + ((b >> 2) & 1),
]);

function edgeIndex(a: number, b: number): number {
  for (let e = 0; e < 12; e++) {
    const [p, q] = EDGES[e]!;
    if ((p === a && q === b) || (p === b && q === a)) return e;
  }
  throw new Error('not an edge');
}

/** Faces as 4 corners in cyclic order. */
const FACES: number[][] = [];
for (let axis = 0; axis < 3; axis++) {
  const u = (axis + 1) % 3;
  const v = (axis + 2) % 3;
  for (let side = 0; side < 2; side++) {
    const base = side << axis;
    FACES.push([base, base | (1 << u), base | (1 << u) | (1 << v), base | (1 << v)]);
  }
}

/** Mesh conventions: see {@link TRI_TABLE} and {@link TRI_TABLE_WATERTIGHT}. */
export type MeshVariant = 'classic' | 'watertight';

/**
 * For each of the 256 corner configurations, triangles as triples of edge indices (flat), in the
 * classic (Lorensen / Bourke) convention that PyRadiomics's table follows and that reproduces the
 * IBSI reference meshes (digital phantom and all CT phantom configurations): every cube is
 * triangulated from the point of view of its minority class (the complement's triangles, reversed,
 * when more than four corners are inside; for four-four splits, the class without the corner at
 * (x0, y1, z1)), so ambiguous faces separate the minority corners. Not watertight.
 */
export const TRI_TABLE: Int8Array[] = buildTable('classic');

/** Watertight variant: inside corners are always cut off separately on ambiguous faces. */
export const TRI_TABLE_WATERTIGHT: Int8Array[] = buildTable('watertight');

function buildTable(variant: MeshVariant): Int8Array[] {
  const table: Int8Array[] = [];
  for (let cfg = 0; cfg < 256; cfg++) {
    let count = 0;
    for (let c = 0; c < 8; c++) count += (cfg >> c) & 1;
    // perspective: which class is treated as "inside" while building the loops
    const flip = variant === 'classic' && (count > 4 || (count === 4 && ((cfg >> 6) & 1) === 1));
    const inside = (c: number) => ((cfg >> c) & 1) ^ (flip ? 1 : 0);
    // adjacency of crossed edges through face segments
    const nb: number[][] = Array.from({ length: 12 }, () => []);
    const link = (a: number, b: number) => {
      nb[a]!.push(b);
      nb[b]!.push(a);
    };
    for (const f of FACES) {
      const crossed: number[] = [];
      for (let i = 0; i < 4; i++) {
        const a = f[i]!;
        const b = f[(i + 1) % 4]!;
        if (inside(a) !== inside(b)) crossed.push(edgeIndex(a, b));
      }
      if (crossed.length === 2) link(crossed[0]!, crossed[1]!);
      else if (crossed.length === 4) {
        // ambiguous: cut off each inside corner on its own
        for (let i = 0; i < 4; i++) {
          const c = f[i]!;
          if (!inside(c)) continue;
          link(edgeIndex(c, f[(i + 3) % 4]!), edgeIndex(c, f[(i + 1) % 4]!));
        }
      }
    }
    const tris: number[] = [];
    const seen = new Array<boolean>(12).fill(false);
    for (let e0 = 0; e0 < 12; e0++) {
      if (seen[e0] || nb[e0]!.length === 0) continue;
      const loop: number[] = [];
      let prev = -1;
      let cur = e0;
      while (!seen[cur]) {
        seen[cur] = true;
        loop.push(cur);
        const n = nb[cur]!;
        const next = n[0] !== prev ? n[0]! : n[1]!;
        prev = cur;
        cur = next;
      }
      // orientation: Newell normal must point away from the inside corners of the loop's edges
      let nx = 0;
      let ny = 0;
      let nz = 0;
      let cx = 0;
      let cy = 0;
      let cz = 0;
      let ix = 0;
      let iy = 0;
      let iz = 0;
      for (let i = 0; i < loop.length; i++) {
        const p = EDGE_MID2[loop[i]!]!;
        const q = EDGE_MID2[loop[(i + 1) % loop.length]!]!;
        nx += (p[1] - q[1]) * (p[2] + q[2]);
        ny += (p[2] - q[2]) * (p[0] + q[0]);
        nz += (p[0] - q[0]) * (p[1] + q[1]);
        cx += p[0];
        cy += p[1];
        cz += p[2];
        const [a, b] = EDGES[loop[i]!]!;
        const ins = inside(a) ? a : b;
        ix += 2 * (ins & 1);
        iy += 2 * ((ins >> 1) & 1);
        iz += 2 * ((ins >> 2) & 1);
      }
      const dot = nx * (cx - ix) + ny * (cy - iy) + nz * (cz - iz);
      if (dot < 0) loop.reverse();
      // Non-planar loops: the triangulation with the largest area in unit-cube space, as the classic
      // table's (pentagons: the fan from an end corner; hexagons: a central triangle on every other
      // vertex, preferred among equal-area ties, then the first such).
      const L = loop.length;
      let bestT = triangulations(L)[0]!;
      if (L > 3) {
        let bestScore = Number.NEGATIVE_INFINITY;
        for (const tri of triangulations(L)) {
          let area = 0;
          let central = false;
          for (let t = 0; t < tri.length; t += 3) {
            const p = EDGE_MID2[loop[tri[t]!]!]!;
            const q = EDGE_MID2[loop[tri[t + 1]!]!]!;
            const r = EDGE_MID2[loop[tri[t + 2]!]!]!;
            const ux = q[0] - p[0];
            const uy = q[1] - p[1];
            const uz = q[2] - p[2];
            const vx = r[0] - p[0];
            const vy = r[1] - p[1];
            const vz = r[2] - p[2];
            area += Math.hypot(uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx);
            if (L === 6 && (tri[t]! - tri[t + 1]!) % 2 === 0 && (tri[t + 1]! - tri[t + 2]!) % 2 === 0) central = true;
          }
          const score = Math.round(area * 1e9) / 1e9 + (central ? 1e-12 : 0);
          if (score > bestScore) {
            bestScore = score;
            bestT = tri;
          }
        }
      }
      for (let t = 0; t < bestT.length; t += 3) {
        const a = loop[bestT[t]!]!;
        const b = loop[bestT[t + 1]!]!;
        const c = loop[bestT[t + 2]!]!;
        // a flipped perspective built normals pointing inward: reverse the winding
        if (flip) tris.push(a, c, b);
        else tris.push(a, b, c);
      }
    }
    table.push(Int8Array.from(tris));
  }
  return table;
}

/** All triangulations of a convex-ordered polygon 0..n-1 (flat vertex triples, winding kept). */
function triangulations(n: number): number[][] {
  const cached = TRIANGULATIONS.get(n);
  if (cached) return cached;
  const rec = (v: number[]): number[][] => {
    if (v.length < 3) return [[]];
    const out: number[][] = [];
    const a = v[0]!;
    const b = v[v.length - 1]!;
    for (let k = 1; k < v.length - 1; k++) {
      for (const left of rec(v.slice(0, k + 1)))
        for (const right of rec(v.slice(k))) out.push([...left, a, v[k]!, b, ...right]);
    }
    return out;
  };
  const all = rec(Array.from({ length: n }, (_, i) => i));
  TRIANGULATIONS.set(n, all);
  return all;
}

/** Area and volume of the mesh, in mm² and mm³. */
export interface MeshMeasures {
  area: number;
  volume: number;
}

/** A binary mask restricted to its bounding box (what the mesh needs). */
export interface BoxMask {
  /** 1 inside, 0 outside; x fastest. */
  data: Uint8Array;
  dims: Vec3;
  spacing: Vec3;
}

/**
 * Area and volume of the marching-cubes mesh of a mask (zero border implied around the box).
 * One pass over the cubes; no mesh is stored.
 */
export function meshAreaVolume(mask: BoxMask, variant: MeshVariant = 'classic'): MeshMeasures {
  const table = variant === 'watertight' ? TRI_TABLE_WATERTIGHT : TRI_TABLE;
  const [nx, ny, nz] = mask.dims;
  const [sx, sy, sz] = mask.spacing;
  const hx = sx / 2;
  const hy = sy / 2;
  const hz = sz / 2;
  // half-spacing edge midpoint offsets in mm, per edge
  const ex = new Float64Array(12);
  const ey = new Float64Array(12);
  const ez = new Float64Array(12);
  for (let e = 0; e < 12; e++) {
    ex[e] = EDGE_MID2[e]![0] * hx;
    ey[e] = EDGE_MID2[e]![1] * hy;
    ez[e] = EDGE_MID2[e]![2] * hz;
  }
  // zero-padded copy: cube (x, y, z) has corners at padded (x..x+1, y..y+1, z..z+1), x = 0..nx
  const px = nx + 2;
  const py = ny + 2;
  const p = padded(mask);
  const sY = px;
  const sZ = px * py;
  let area = 0;
  let vol6 = 0;
  for (let z = 0; z <= nz; z++) {
    for (let y = 0; y <= ny; y++) {
      let i = sZ * z + sY * y;
      let c0 = p[i]!;
      let c2 = p[i + sY]!;
      let c4 = p[i + sZ]!;
      let c6 = p[i + sY + sZ]!;
      for (let x = 0; x <= nx; x++) {
        i++;
        const c1 = p[i]!;
        const c3 = p[i + sY]!;
        const c5 = p[i + sZ]!;
        const c7 = p[i + sY + sZ]!;
        const cfg = c0 | (c1 << 1) | (c2 << 2) | (c3 << 3) | (c4 << 4) | (c5 << 5) | (c6 << 6) | (c7 << 7);
        if (cfg !== 0 && cfg !== 255) {
          const tri = table[cfg]!;
          const ox = (x - 1) * sx;
          const oy = (y - 1) * sy;
          const oz = (z - 1) * sz;
          for (let t = 0; t < tri.length; t += 3) {
            const a = tri[t]!;
            const b = tri[t + 1]!;
            const c = tri[t + 2]!;
            const ax = ox + ex[a]!;
            const ay = oy + ey[a]!;
            const az = oz + ez[a]!;
            const bx = ox + ex[b]!;
            const by = oy + ey[b]!;
            const bz = oz + ez[b]!;
            const cx = ox + ex[c]!;
            const cy = oy + ey[c]!;
            const cz = oz + ez[c]!;
            const ux = bx - ax;
            const uy = by - ay;
            const uz = bz - az;
            const vx = cx - ax;
            const vy = cy - ay;
            const vz = cz - az;
            const kx = uy * vz - uz * vy;
            const ky = uz * vx - ux * vz;
            const kz = ux * vy - uy * vx;
            area += Math.sqrt(kx * kx + ky * ky + kz * kz);
            vol6 += ax * (by * cz - bz * cy) + ay * (bz * cx - bx * cz) + az * (bx * cy - by * cx);
          }
        }
        c0 = c1;
        c2 = c3;
        c4 = c5;
        c6 = c7;
      }
    }
  }
  return { area: area / 2, volume: vol6 / 6 };
}

/** The mask (0/1) with a one-voxel zero border. */
function padded(mask: BoxMask): Uint8Array {
  const [nx, ny, nz] = mask.dims;
  const px = nx + 2;
  const py = ny + 2;
  const p = new Uint8Array(px * py * (nz + 2));
  const d = mask.data;
  let i = 0;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) {
      const o = 1 + px * (y + 1 + py * (z + 1));
      for (let x = 0; x < nx; x++, i++) p[o + x] = d[i] ? 1 : 0;
    }
  return p;
}

/**
 * Mesh vertices (edge midpoints where the mask changes, zero border implied), in doubled index
 * units relative to the box: vertex (i, j, k) sits at index (i/2, j/2, k/2). Flat xyz triples.
 */
export function meshVertices2(mask: BoxMask): Int32Array {
  const [nx, ny, nz] = mask.dims;
  const px = nx + 2;
  const py = ny + 2;
  const p = padded(mask);
  const sY = px;
  const sZ = px * py;
  // two passes: count, then fill (no growing arrays)
  let count = 0;
  for (let pass = 0; pass < 2; pass++) {
    const out = pass === 1 ? new Int32Array(count * 3) : null;
    let k = 0;
    for (let z = 0; z <= nz; z++)
      for (let y = 0; y <= ny; y++) {
        let i = sZ * z + sY * y;
        for (let x = 0; x <= nx; x++, i++) {
          const v = p[i]!;
          if (v !== p[i + 1]) {
            if (out) {
              out[k++] = 2 * x - 1;
              out[k++] = 2 * y - 2;
              out[k++] = 2 * z - 2;
            } else count++;
          }
          if (v !== p[i + sY]) {
            if (out) {
              out[k++] = 2 * x - 2;
              out[k++] = 2 * y - 1;
              out[k++] = 2 * z - 2;
            } else count++;
          }
          if (v !== p[i + sZ]) {
            if (out) {
              out[k++] = 2 * x - 2;
              out[k++] = 2 * y - 2;
              out[k++] = 2 * z - 1;
            } else count++;
          }
        }
      }
    if (out) return out;
  }
  return new Int32Array(0);
}
