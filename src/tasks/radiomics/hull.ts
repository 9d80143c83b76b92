/**
 * Convex hulls and maximum diameters of marching-cubes vertices. Vertices are integer (doubled
 * index) coordinates, so orientation tests are exact in float64. Distances are computed in mm
 * by scaling each axis with its spacing (an axis scaling maps hull vertices onto hull vertices).
 *
 * Maximum diameters: a point that is a vertex of the 3D hull is extreme within its own plane,
 * so it is a vertex of that plane's 2D hull. The union of per-plane 2D hulls is therefore a
 * small candidate set that contains the 3D hull, and brute force over it is exact.
 */
import type { Vec3 } from '../../core/volume.js';

/**
 * 2D convex hull (monotone chain) of points already sorted by (u, v); writes hull point indices
 * into `out` and returns their count. Collinear points are dropped.
 */
function hull2dSorted(
  idx: Int32Array,
  u: Int32Array,
  v: Int32Array,
  n: number,
  out: Int32Array,
  stack: Int32Array,
): number {
  if (n <= 2) {
    for (let i = 0; i < n; i++) out[i] = idx[i]!;
    return n;
  }
  const cross = (o: number, a: number, b: number) =>
    (u[a]! - u[o]!) * (v[b]! - v[o]!) - (v[a]! - v[o]!) * (u[b]! - u[o]!);
  let k = 0;
  for (let i = 0; i < n; i++) {
    while (k >= 2 && cross(stack[k - 2]!, stack[k - 1]!, i) <= 0) k--;
    stack[k++] = i;
  }
  const lower = k;
  for (let i = n - 2; i >= 0; i--) {
    while (k > lower && cross(stack[k - 2]!, stack[k - 1]!, i) <= 0) k--;
    stack[k++] = i;
  }
  k--; // last point equals the first
  for (let i = 0; i < k; i++) out[i] = idx[stack[i]!]!;
  return Math.max(k, 1);
}

/** Diameters of a vertex set (doubled index coordinates, flat xyz), in mm. */
export interface Diameters {
  /** Largest distance between any two vertices (PyRadiomics Maximum3DDiameter, IBSI L0JK). */
  max3d: number;
  /** Largest distance between vertices of one axial plane (same z). */
  maxSlice: number;
  /** Same y (coronal plane, PyRadiomics Maximum2DDiameterColumn). */
  maxColumn: number;
  /** Same x (sagittal plane, PyRadiomics Maximum2DDiameterRow). */
  maxRow: number;
  /** Candidate vertices that contain the 3D hull (indices into the vertex list). */
  hullCandidates: number[];
}

export function diameters(v2: Int32Array, spacing: Vec3): Diameters {
  const n = v2.length / 3;
  const h = [spacing[0] / 2, spacing[1] / 2, spacing[2] / 2];
  // scratch buffers shared by the three plane families
  const perm = new Int32Array(n);
  const keys = new Float64Array(n);
  const gi = new Int32Array(n);
  const gu = new Int32Array(n);
  const gv = new Int32Array(n);
  const loc = new Int32Array(n);
  const hullOut = new Int32Array(n + 1);
  const stack = new Int32Array(2 * n + 2);
  const range = [0, 0, 0];
  for (let i = 0; i < v2.length; i++) if (v2[i]! + 3 > range[i % 3]!) range[i % 3] = v2[i]! + 3;
  const planeMax = (axis: number): { max: number; cands: number[] } => {
    const a = (axis + 1) % 3;
    const b = (axis + 2) % 3;
    // counting sort of vertices by plane
    const R = range[axis]!;
    const offs = new Int32Array(R + 1);
    for (let i = 0; i < n; i++) offs[v2[3 * i + axis]! + 2]!++;
    for (let r = 0, acc = 0; r <= R; r++) {
      const c = offs[r]!;
      offs[r] = acc;
      acc += c;
    }
    for (let i = 0; i < n; i++) perm[offs[v2[3 * i + axis]! + 2]!++] = i;
    const Rv = range[b]!;
    const ha = h[a]!;
    const hb = h[b]!;
    let max = 0;
    const cands: number[] = [];
    let start = 0;
    while (start < n) {
      const plane = v2[3 * perm[start]! + axis]!;
      let end = start;
      while (end < n && v2[3 * perm[end]! + axis] === plane) end++;
      const m = end - start;
      // sort the plane's points by (u, v): one numeric key with the local index in the low bits
      const kk = keys.subarray(0, m);
      for (let q = 0; q < m; q++) {
        const i = perm[start + q]!;
        kk[q] = ((v2[3 * i + a]! + 2) * Rv + (v2[3 * i + b]! + 2)) * 2097152 + q;
      }
      kk.sort();
      for (let q = 0; q < m; q++) {
        const i = perm[start + (kk[q]! % 2097152)]!;
        gi[q] = i;
        gu[q] = v2[3 * i + a]!;
        gv[q] = v2[3 * i + b]!;
        loc[q] = q;
      }
      const hn = hull2dSorted(loc, gu, gv, m, hullOut, stack);
      for (let p = 0; p < hn; p++) {
        const la = hullOut[p]!;
        cands.push(gi[la]!);
        for (let q = p + 1; q < hn; q++) {
          const lb = hullOut[q]!;
          const du = (gu[la]! - gu[lb]!) * ha;
          const dv = (gv[la]! - gv[lb]!) * hb;
          const dd = du * du + dv * dv;
          if (dd > max) max = dd;
        }
      }
      start = end;
    }
    return { max: Math.sqrt(max), cands };
  };
  const z = planeMax(2);
  const y = planeMax(1);
  const x = planeMax(0);
  const cands = z.cands;
  let max = 0;
  const [hx, hy, hz] = h as Vec3;
  const nc = cands.length;
  const cx = new Float64Array(nc);
  const cy = new Float64Array(nc);
  const cz = new Float64Array(nc);
  for (let p = 0; p < nc; p++) {
    const i = cands[p]!;
    cx[p] = v2[3 * i]! * hx;
    cy[p] = v2[3 * i + 1]! * hy;
    cz[p] = v2[3 * i + 2]! * hz;
  }
  for (let p = 0; p < nc; p++) {
    const ax = cx[p]!;
    const ay = cy[p]!;
    const az = cz[p]!;
    for (let q = p + 1; q < nc; q++) {
      const dx = cx[q]! - ax;
      const dy = cy[q]! - ay;
      const dz = cz[q]! - az;
      const dd = dx * dx + dy * dy + dz * dz;
      if (dd > max) max = dd;
    }
  }
  return { max3d: Math.sqrt(max), maxSlice: z.max, maxColumn: y.max, maxRow: x.max, hullCandidates: cands };
}

/** Area (mm²) and volume (mm³) of the 3D convex hull of the given vertices. */
export function convexHullMeasures(
  v2: Int32Array,
  candidates: number[],
  spacing: Vec3,
): { area: number; volume: number } {
  // unique candidate points
  const seen = new Set<string>();
  const P: number[][] = [];
  for (const i of candidates) {
    const key = `${v2[3 * i]},${v2[3 * i + 1]},${v2[3 * i + 2]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    P.push([v2[3 * i]!, v2[3 * i + 1]!, v2[3 * i + 2]!]);
  }
  const faces = hull3d(P);
  if (!faces) return { area: 0, volume: 0 };
  const h = [spacing[0] / 2, spacing[1] / 2, spacing[2] / 2];
  let area = 0;
  let vol6 = 0;
  const c = P[0]!;
  for (let f = 0; f < faces.length; f += 3) {
    const a = P[faces[f]!]!;
    const b = P[faces[f + 1]!]!;
    const d = P[faces[f + 2]!]!;
    const ax = (a[0]! - c[0]!) * h[0]!;
    const ay = (a[1]! - c[1]!) * h[1]!;
    const az = (a[2]! - c[2]!) * h[2]!;
    const bx = (b[0]! - c[0]!) * h[0]!;
    const by = (b[1]! - c[1]!) * h[1]!;
    const bz = (b[2]! - c[2]!) * h[2]!;
    const dx = (d[0]! - c[0]!) * h[0]!;
    const dy = (d[1]! - c[1]!) * h[1]!;
    const dz = (d[2]! - c[2]!) * h[2]!;
    const ux = bx - ax;
    const uy = by - ay;
    const uz = bz - az;
    const vx = dx - ax;
    const vy = dy - ay;
    const vz = dz - az;
    const kx = uy * vz - uz * vy;
    const ky = uz * vx - ux * vz;
    const kz = ux * vy - uy * vx;
    area += Math.sqrt(kx * kx + ky * ky + kz * kz) / 2;
    vol6 += ax * (by * dz - bz * dy) + ay * (bz * dx - bx * dz) + az * (bx * dy - by * dx);
  }
  return { area, volume: Math.abs(vol6) / 6 };
}

function orient(a: number[], b: number[], c: number[], p: number[]): number {
  const ax = a[0]! - p[0]!;
  const ay = a[1]! - p[1]!;
  const az = a[2]! - p[2]!;
  const bx = b[0]! - p[0]!;
  const by = b[1]! - p[1]!;
  const bz = b[2]! - p[2]!;
  const cx = c[0]! - p[0]!;
  const cy = c[1]! - p[1]!;
  const cz = c[2]! - p[2]!;
  return ax * (by * cz - bz * cy) - ay * (bx * cz - bz * cx) + az * (bx * cy - by * cx);
}

/**
 * Incremental 3D convex hull of integer points (exact orientation). Returns triangles (flat
 * vertex indices) oriented outward, or null when all points are coplanar.
 */
export function hull3d(P: number[][]): number[] | null {
  const n = P.length;
  if (n < 4) return null;
  // initial tetrahedron
  const i0 = 0;
  let i1 = -1;
  for (let i = 1; i < n; i++)
    if (P[i]![0] !== P[i0]![0] || P[i]![1] !== P[i0]![1] || P[i]![2] !== P[i0]![2]) {
      i1 = i;
      break;
    }
  if (i1 < 0) return null;
  let i2 = -1;
  for (let i = 1; i < n; i++) {
    const a = P[i0]!;
    const b = P[i1]!;
    const c = P[i]!;
    const ux = b[0]! - a[0]!;
    const uy = b[1]! - a[1]!;
    const uz = b[2]! - a[2]!;
    const vx = c[0]! - a[0]!;
    const vy = c[1]! - a[1]!;
    const vz = c[2]! - a[2]!;
    if (uy * vz - uz * vy !== 0 || uz * vx - ux * vz !== 0 || ux * vy - uy * vx !== 0) {
      i2 = i;
      break;
    }
  }
  if (i2 < 0) return null;
  let i3 = -1;
  for (let i = 1; i < n; i++)
    if (orient(P[i0]!, P[i1]!, P[i2]!, P[i]!) !== 0) {
      i3 = i;
      break;
    }
  if (i3 < 0) return null;
  // faces stored as [a,b,c] with orient(a,b,c,p) < 0 for interior p (outward)
  let fa: number[] = [];
  let fb: number[] = [];
  let fc: number[] = [];
  const addFace = (a: number, b: number, c: number, interior: number[]) => {
    if (orient(P[a]!, P[b]!, P[c]!, interior) > 0) {
      fa.push(a);
      fb.push(c);
      fc.push(b);
    } else {
      fa.push(a);
      fb.push(b);
      fc.push(c);
    }
  };
  const centroid = [0, 1, 2].map((k) => (P[i0]![k]! + P[i1]![k]! + P[i2]![k]! + P[i3]![k]!) / 4);
  addFace(i0, i1, i2, centroid);
  addFace(i0, i1, i3, centroid);
  addFace(i0, i2, i3, centroid);
  addFace(i1, i2, i3, centroid);
  const visible: boolean[] = [];
  for (let p = 0; p < n; p++) {
    if (p === i0 || p === i1 || p === i2 || p === i3) continue;
    const pt = P[p]!;
    let any = false;
    const nf = fa.length;
    visible.length = nf;
    for (let f = 0; f < nf; f++) {
      // visible when p is strictly outside the face plane (orient > 0 with our convention)
      const v = orient(P[fa[f]!]!, P[fb[f]!]!, P[fc[f]!]!, pt) > 0;
      visible[f] = v;
      if (v) any = true;
    }
    if (!any) continue;
    // horizon: directed edges of visible faces whose reverse is not on a visible face
    const edges = new Map<number, number>();
    const key = (a: number, b: number) => a * n + b;
    for (let f = 0; f < nf; f++) {
      if (!visible[f]) continue;
      const a = fa[f]!;
      const b = fb[f]!;
      const c = fc[f]!;
      for (const [u, w] of [
        [a, b],
        [b, c],
        [c, a],
      ] as [number, number][]) {
        const rev = key(w, u);
        if (edges.has(rev)) edges.delete(rev);
        else edges.set(key(u, w), 1);
      }
    }
    const na: number[] = [];
    const nb: number[] = [];
    const nc: number[] = [];
    for (let f = 0; f < nf; f++) {
      if (visible[f]) continue;
      na.push(fa[f]!);
      nb.push(fb[f]!);
      nc.push(fc[f]!);
    }
    for (const k of edges.keys()) {
      const u = Math.floor(k / n);
      const w = k - u * n;
      na.push(u);
      nb.push(w);
      nc.push(p);
    }
    fa = na;
    fb = nb;
    fc = nc;
  }
  const out: number[] = [];
  for (let f = 0; f < fa.length; f++) out.push(fa[f]!, fb[f]!, fc[f]!);
  return out;
}
