import { MedImgError } from './errors.js';
import type { Vec3, Volume } from './volume.js';

/** Row-major 3x3 matrix as 9 numbers. */
export type Mat3 = number[];
/** Row-major 4x4 matrix as 4 rows of 4 numbers. */
export type Mat4 = number[][];

/** Geometry of a grid, without voxel data. */
export interface Geometry {
  dims: Vec3;
  spacing: Vec3;
  origin: Vec3;
  direction: number[];
}

/** Product of two row-major 3x3 matrices. */
export function mat3Mul(a: Mat3, b: Mat3): Mat3 {
  const r = new Array<number>(9);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      r[i * 3 + j] = a[i * 3]! * b[j]! + a[i * 3 + 1]! * b[3 + j]! + a[i * 3 + 2]! * b[6 + j]!;
    }
  }
  return r;
}

/** Determinant of a row-major 3x3 matrix. */
export function mat3Det(m: Mat3): number {
  return (
    m[0]! * (m[4]! * m[8]! - m[5]! * m[7]!) -
    m[1]! * (m[3]! * m[8]! - m[5]! * m[6]!) +
    m[2]! * (m[3]! * m[7]! - m[4]! * m[6]!)
  );
}

/** Inverse of a row-major 3x3 matrix; throws INVALID_VOLUME when singular. */
export function mat3Inv(m: Mat3): Mat3 {
  const det = mat3Det(m);
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) {
    throw new MedImgError('INVALID_VOLUME', 'Direction matrix is singular.');
  }
  const inv = 1 / det;
  return [
    (m[4]! * m[8]! - m[5]! * m[7]!) * inv,
    (m[2]! * m[7]! - m[1]! * m[8]!) * inv,
    (m[1]! * m[5]! - m[2]! * m[4]!) * inv,
    (m[5]! * m[6]! - m[3]! * m[8]!) * inv,
    (m[0]! * m[8]! - m[2]! * m[6]!) * inv,
    (m[2]! * m[3]! - m[0]! * m[5]!) * inv,
    (m[3]! * m[7]! - m[4]! * m[6]!) * inv,
    (m[1]! * m[6]! - m[0]! * m[7]!) * inv,
    (m[0]! * m[4]! - m[1]! * m[3]!) * inv,
  ];
}

/** Cross product. */
export function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

/** Dot product. */
export function dot(a: readonly number[], b: readonly number[]): number {
  return a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
}

/** Euclidean norm. */
export function norm(a: readonly number[]): number {
  return Math.sqrt(dot(a, a));
}

/** `a` scaled to unit length. */
export function normalize3(a: readonly number[]): Vec3 {
  const n = norm(a);
  if (!(n > 0)) throw new MedImgError('INVALID_ARGUMENT', 'Cannot normalise a zero vector.');
  return [a[0]! / n, a[1]! / n, a[2]! / n];
}

/** The 3x3 matrix M = D * diag(spacing) taking a (continuous) index to an LPS offset. */
export function indexToWorldMatrix(g: Geometry): Mat3 {
  const d = g.direction;
  const s = g.spacing;
  return [
    d[0]! * s[0], d[1]! * s[1], d[2]! * s[2],
    d[3]! * s[0], d[4]! * s[1], d[5]! * s[2],
    d[6]! * s[0], d[7]! * s[1], d[8]! * s[2],
  ]; // biome-ignore format: matrix layout
}

/** LPS position (mm) of a continuous index [i, j, k]. */
export function indexToWorld(g: Geometry, index: readonly number[]): Vec3 {
  const m = indexToWorldMatrix(g);
  const [i, j, k] = [index[0]!, index[1]!, index[2]!];
  return [
    g.origin[0] + m[0]! * i + m[1]! * j + m[2]! * k,
    g.origin[1] + m[3]! * i + m[4]! * j + m[5]! * k,
    g.origin[2] + m[6]! * i + m[7]! * j + m[8]! * k,
  ];
}

/**
 * Continuous index of an LPS point (not rounded). Precompute with {@link worldToIndexFn} in loops.
 */
export function worldToIndex(g: Geometry, point: readonly number[]): Vec3 {
  return worldToIndexFn(g)(point);
}

/** A function mapping LPS points to continuous indices, with the inverse matrix computed once. */
export function worldToIndexFn(g: Geometry): (point: readonly number[]) => Vec3 {
  const inv = mat3Inv(indexToWorldMatrix(g));
  const [ox, oy, oz] = g.origin;
  return (p) => {
    const x = p[0]! - ox;
    const y = p[1]! - oy;
    const z = p[2]! - oz;
    return [
      inv[0]! * x + inv[1]! * y + inv[2]! * z,
      inv[3]! * x + inv[4]! * y + inv[5]! * z,
      inv[6]! * x + inv[7]! * y + inv[8]! * z,
    ];
  };
}

/** An orientation code: for each index axis, the LPS-space direction it increases toward. */
export type OrientationCode = string;

const AXIS_LETTERS: [string, string][] = [
  ['L', 'R'],
  ['P', 'A'],
  ['S', 'I'],
];

/**
 * Orientation code of a direction matrix, e.g. identity → 'LPS', a NIfTI-style RAS grid → 'RAS'.
 * Each index axis is named by the patient axis its direction column is closest to.
 */
export function orientationFromDirection(direction: readonly number[]): OrientationCode {
  const used = new Set<number>();
  let code = '';
  // Assign the strongest components first so oblique grids still get three distinct letters.
  const order = [0, 1, 2].sort((a, b) => maxAbsColumn(direction, b) - maxAbsColumn(direction, a));
  const letters: string[] = ['', '', ''];
  for (const col of order) {
    let best = -1;
    let bestVal = -1;
    for (let row = 0; row < 3; row++) {
      if (used.has(row)) continue;
      const v = Math.abs(direction[row * 3 + col]!);
      if (v > bestVal) {
        bestVal = v;
        best = row;
      }
    }
    used.add(best);
    const sign = direction[best * 3 + col]! >= 0 ? 0 : 1;
    letters[col] = AXIS_LETTERS[best]![sign]!;
  }
  code = letters.join('');
  return code;
}

function maxAbsColumn(d: readonly number[], col: number): number {
  return Math.max(Math.abs(d[col]!), Math.abs(d[3 + col]!), Math.abs(d[6 + col]!));
}

/** Direction matrix (row-major 3x3) of an orientation code such as 'LPS', 'RAS', 'LAS', 'PSR'. */
export function directionFromOrientation(code: OrientationCode): number[] {
  const c = code.toUpperCase();
  if (c.length !== 3) throw new MedImgError('INVALID_ARGUMENT', `Orientation code must have 3 letters, got '${code}'.`);
  const d = new Array<number>(9).fill(0);
  const seen = new Set<number>();
  for (let col = 0; col < 3; col++) {
    const ch = c[col]!;
    const row = AXIS_LETTERS.findIndex(([pos, neg]) => ch === pos || ch === neg);
    if (row < 0 || seen.has(row)) {
      throw new MedImgError('INVALID_ARGUMENT', `Invalid orientation code '${code}'.`);
    }
    seen.add(row);
    d[row * 3 + col] = ch === AXIS_LETTERS[row]![0] ? 1 : -1;
  }
  return d;
}

/**
 * The NIfTI (RAS) 4x4 affine of a grid: `[x_RAS, 1] = A * [i, j, k, 1]`.
 * LPS→RAS negates the first two world coordinates.
 */
export function niftiAffineFromGeometry(g: Geometry): Mat4 {
  const m = indexToWorldMatrix(g);
  const flip = [-1, -1, 1];
  const rows: Mat4 = [];
  for (let r = 0; r < 3; r++) {
    rows.push([m[r * 3]! * flip[r]!, m[r * 3 + 1]! * flip[r]!, m[r * 3 + 2]! * flip[r]!, g.origin[r]! * flip[r]!]);
  }
  rows.push([0, 0, 0, 1]);
  return rows;
}

/**
 * Grid geometry (LPS) from a NIfTI RAS affine. Spacing is the column norms; the direction keeps
 * any shear the affine has (it is not forced orthonormal).
 */
export function geometryFromNiftiAffine(affine: Mat4, dims: Vec3): Geometry {
  const flip = [-1, -1, 1];
  const spacing: Vec3 = [0, 0, 0];
  const direction = new Array<number>(9).fill(0);
  for (let c = 0; c < 3; c++) {
    const col = [affine[0]![c]!, affine[1]![c]!, affine[2]![c]!];
    const s = norm(col);
    if (!(s > 0) || !Number.isFinite(s)) {
      throw new MedImgError('NIFTI_INVALID', 'The NIfTI affine has a zero or invalid column.');
    }
    spacing[c] = s;
    for (let r = 0; r < 3; r++) direction[r * 3 + c] = (col[r]! * flip[r]!) / s;
  }
  const origin: Vec3 = [affine[0]![3]! * -1, affine[1]![3]! * -1, affine[2]![3]!];
  return { dims: [...dims], spacing, origin, direction };
}

/**
 * The affine of the same grid with index axis `axis` reversed (as dcm2niix does to rows):
 * index i' = n-1-i on that axis.
 */
export function flipAffineAxis(affine: Mat4, axis: 0 | 1 | 2, n: number): Mat4 {
  const out = affine.map((r) => [...r]);
  for (let r = 0; r < 3; r++) {
    out[r]![3] = affine[r]![3]! + affine[r]![axis]! * (n - 1);
    out[r]![axis] = -affine[r]![axis]!;
  }
  return out;
}

/** LPS corners' bounding box (min, max) of a grid's voxel centres. */
export function worldBoundingBox(g: Geometry): { min: Vec3; max: Vec3 } {
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (let c = 0; c < 8; c++) {
    const p = indexToWorld(g, [c & 1 ? g.dims[0] - 1 : 0, c & 2 ? g.dims[1] - 1 : 0, c & 4 ? g.dims[2] - 1 : 0]);
    for (let a = 0; a < 3; a++) {
      min[a] = Math.min(min[a]!, p[a]!);
      max[a] = Math.max(max[a]!, p[a]!);
    }
  }
  return { min, max };
}

/** Geometry part of a volume (no data). */
export function geometryOf(v: Volume): Geometry {
  return { dims: [...v.dims], spacing: [...v.spacing], origin: [...v.origin], direction: [...v.direction] };
}

/**
 * Eigenvalues, ascending, of the symmetric matrix [[a, d, e], [d, b, f], [e, f, c]] (trigonometric
 * closed form, Smith 1961), written to `out[0..2]`. The one 3x3 eigen-solver of the code base:
 * Hessians per voxel, candidate points, covariance axes.
 */
export function symmetricEigenvalues3(
  a: number,
  b: number,
  c: number,
  d: number,
  e: number,
  f: number,
  out: Float64Array | number[],
): void {
  const p1 = d * d + e * e + f * f;
  let e1: number;
  let e2: number;
  let e3: number;
  if (p1 <= 1e-30 * (a * a + b * b + c * c) || p1 === 0) {
    // diagonal: sort three values
    e1 = Math.min(a, b, c);
    e3 = Math.max(a, b, c);
    e2 = a + b + c - e1 - e3;
  } else {
    const q = (a + b + c) / 3;
    const aq = a - q;
    const bq = b - q;
    const cq = c - q;
    const p = Math.sqrt((aq * aq + bq * bq + cq * cq + 2 * p1) / 6);
    const ip = 1 / p;
    const b11 = aq * ip;
    const b22 = bq * ip;
    const b33 = cq * ip;
    const b12 = d * ip;
    const b13 = e * ip;
    const b23 = f * ip;
    // det(B) / 2 with B = (A - qI) / p, clamped against rounding
    let r = (b11 * (b22 * b33 - b23 * b23) - b12 * (b12 * b33 - b23 * b13) + b13 * (b12 * b23 - b22 * b13)) / 2;
    if (r < -1) r = -1;
    else if (r > 1) r = 1;
    const phi = Math.acos(r) / 3;
    e3 = q + 2 * p * Math.cos(phi);
    e1 = q + 2 * p * Math.cos(phi + (2 * Math.PI) / 3);
    e2 = 3 * q - e1 - e3;
  }
  out[0] = e1;
  out[1] = e2;
  out[2] = e3;
}
