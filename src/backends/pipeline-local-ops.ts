/**
 * Minimal image operations the card-driven pipeline needs until core/ops lands on this branch.
 * Each is small, exact for what the pipeline uses, and marked for replacement at merge time.
 * The MeshNet path (fixed 256³ grid, no orientation or spacing in its card) uses none of them.
 */
import { directionFromOrientation, mat3Inv, orientationFromDirection } from '../core/geometry.js';
import type { Vec3, Volume, VoxelArray } from '../core/volume.js';

/** Grid geometry without data. */
export interface Grid {
  dims: Vec3;
  spacing: Vec3;
  origin: Vec3;
  direction: number[];
}

// TODO(merge): replace with core/ops reorient
/**
 * Permutes/flips the axes of `vol` so its orientation code becomes `code` (exact, no
 * interpolation). Returns the input itself when it already has that orientation.
 */
export function reorientLocal<T extends VoxelArray>(vol: Volume<T>, code: string): Volume<T> {
  const current = orientationFromDirection(vol.direction);
  if (current === code.toUpperCase()) return vol;
  const target = directionFromOrientation(code);
  // For each new axis j: the old axis i it comes from and whether it is flipped.
  const src = [0, 0, 0];
  const flip = [false, false, false];
  const curDir = directionFromOrientation(current);
  for (let j = 0; j < 3; j++) {
    for (let i = 0; i < 3; i++) {
      for (let r = 0; r < 3; r++) {
        const t = target[r * 3 + j]!;
        const c = curDir[r * 3 + i]!;
        if (t !== 0 && c !== 0) {
          src[j] = i;
          flip[j] = t !== c;
        }
      }
    }
  }
  const od = vol.dims;
  const nd: Vec3 = [od[src[0]!]!, od[src[1]!]!, od[src[2]!]!];
  const out = new (vol.data.constructor as { new (n: number): T })(vol.data.length);
  const ostride = [1, od[0], od[0] * od[1]];
  // Old index of new voxel (0,0,0) and the old-index step per new-axis step.
  let base = 0;
  const step = [0, 0, 0];
  for (let j = 0; j < 3; j++) {
    const s = ostride[src[j]!]!;
    if (flip[j]) {
      base += (nd[j]! - 1) * s;
      step[j] = -s;
    } else step[j] = s;
  }
  let k = 0;
  for (let z = 0; z < nd[2]; z++)
    for (let y = 0; y < nd[1]; y++) {
      let o = base + z * step[2]! + y * step[1]!;
      for (let x = 0; x < nd[0]; x++, o += step[0]!) out[k++] = vol.data[o]!;
    }
  const direction = new Array<number>(9).fill(0);
  const spacing: Vec3 = [vol.spacing[src[0]!]!, vol.spacing[src[1]!]!, vol.spacing[src[2]!]!];
  for (let j = 0; j < 3; j++)
    for (let r = 0; r < 3; r++) direction[r * 3 + j] = vol.direction[r * 3 + src[j]!]! * (flip[j] ? -1 : 1);
  // Origin: world position of the old voxel that became index 0.
  const oi = [0, 0, 0];
  for (let j = 0; j < 3; j++) oi[src[j]!] = flip[j] ? nd[j]! - 1 : 0;
  const origin = [0, 1, 2].map(
    (r) => vol.origin[r]! + [0, 1, 2].reduce((a, i) => a + vol.direction[r * 3 + i]! * vol.spacing[i]! * oi[i]!, 0),
  ) as Vec3;
  return { data: out, dims: nd, spacing, origin, direction, ...(vol.meta ? { meta: vol.meta } : {}) };
}

// TODO(merge): replace with core/ops resample
/**
 * Resamples `vol` onto `grid`, which must share its direction (the pipeline only changes spacing):
 * trilinear with edge clamping, or nearest neighbour (for labels). Output is Float32 for linear,
 * the input type for nearest.
 */
export function resampleLocal(vol: Volume, grid: Grid, interpolation: 'linear' | 'nearest'): Volume {
  const [nx, ny, nz] = vol.dims;
  const inv = mat3Inv(vol.direction);
  const d = [0, 1, 2].map((r) => grid.origin[r]! - vol.origin[r]!);
  // Source continuous index of target voxel (0,0,0) and per-step increments (same direction).
  const off = [0, 1, 2].map(
    (i) => (inv[i * 3]! * d[0]! + inv[i * 3 + 1]! * d[1]! + inv[i * 3 + 2]! * d[2]!) / vol.spacing[i]!,
  );
  const inc = [0, 1, 2].map((i) => grid.spacing[i]! / vol.spacing[i]!);
  const [mx, my, mz] = grid.dims;
  const n = mx * my * mz;
  const src = vol.data;
  if (interpolation === 'nearest') {
    const out = new (src.constructor as { new (n: number): VoxelArray })(n);
    const ix = new Int32Array(mx);
    for (let x = 0; x < mx; x++) ix[x] = Math.min(nx - 1, Math.max(0, Math.round(off[0]! + x * inc[0]!)));
    let k = 0;
    for (let z = 0; z < mz; z++) {
      const sz = Math.min(nz - 1, Math.max(0, Math.round(off[2]! + z * inc[2]!)));
      for (let y = 0; y < my; y++) {
        const sy = Math.min(ny - 1, Math.max(0, Math.round(off[1]! + y * inc[1]!)));
        const row = (sz * ny + sy) * nx;
        for (let x = 0; x < mx; x++) out[k++] = src[row + ix[x]!]!;
      }
    }
    return { ...grid, dims: [...grid.dims], data: out, ...(vol.meta ? { meta: vol.meta } : {}) };
  }
  const out = new Float32Array(n);
  const clampPos = (p: number, size: number): [number, number, number] => {
    const c = Math.min(size - 1, Math.max(0, p));
    const i0 = Math.min(size - 2, Math.floor(c));
    if (size === 1) return [0, 0, 0];
    return [i0, i0 + 1, c - i0];
  };
  const xs = Array.from({ length: mx }, (_, x) => clampPos(off[0]! + x * inc[0]!, nx));
  let k = 0;
  for (let z = 0; z < mz; z++) {
    const [z0, z1, fz] = clampPos(off[2]! + z * inc[2]!, nz);
    for (let y = 0; y < my; y++) {
      const [y0, y1, fy] = clampPos(off[1]! + y * inc[1]!, ny);
      const r00 = (z0 * ny + y0) * nx;
      const r01 = (z0 * ny + y1) * nx;
      const r10 = (z1 * ny + y0) * nx;
      const r11 = (z1 * ny + y1) * nx;
      for (let x = 0; x < mx; x++) {
        const [x0, x1, fx] = xs[x]!;
        const a = src[r00 + x0]! + (src[r00 + x1]! - src[r00 + x0]!) * fx;
        const b = src[r01 + x0]! + (src[r01 + x1]! - src[r01 + x0]!) * fx;
        const c = src[r10 + x0]! + (src[r10 + x1]! - src[r10 + x0]!) * fx;
        const e = src[r11 + x0]! + (src[r11 + x1]! - src[r11 + x0]!) * fx;
        const ab = a + (b - a) * fy;
        const ce = c + (e - c) * fy;
        out[k++] = ab + (ce - ab) * fz;
      }
    }
  }
  return { ...grid, dims: [...grid.dims], data: out, ...(vol.meta ? { meta: vol.meta } : {}) };
}

// TODO(merge): replace with core/ops connectedComponents (largest component)
/** Keeps only the largest 6-connected component of `label` in `labels` (others set to 0), in place. */
export function keepLargestComponentLocal(labels: Uint8Array, dims: Vec3, label: number): void {
  const [nx, ny, nz] = dims;
  const n = labels.length;
  const comp = new Int32Array(n); // 0 = unvisited
  const stack = new Int32Array(n);
  let best = 0;
  let bestSize = 0;
  let id = 0;
  const visit = (w: number, top: number): number => {
    comp[w] = id;
    stack[top] = w;
    return top + 1;
  };
  for (let s = 0; s < n; s++) {
    if (labels[s] !== label || comp[s] !== 0) continue;
    id++;
    let top = 0;
    let size = 0;
    stack[top++] = s;
    comp[s] = id;
    while (top > 0) {
      const v = stack[--top]!;
      size++;
      const x = v % nx;
      const y = ((v - x) / nx) % ny;
      const z = (v - x - y * nx) / (nx * ny);
      const slab = nx * ny;
      // Six neighbours, inline (no per-voxel allocation).
      if (x > 0 && labels[v - 1] === label && comp[v - 1] === 0) top = visit(v - 1, top);
      if (x < nx - 1 && labels[v + 1] === label && comp[v + 1] === 0) top = visit(v + 1, top);
      if (y > 0 && labels[v - nx] === label && comp[v - nx] === 0) top = visit(v - nx, top);
      if (y < ny - 1 && labels[v + nx] === label && comp[v + nx] === 0) top = visit(v + nx, top);
      if (z > 0 && labels[v - slab] === label && comp[v - slab] === 0) top = visit(v - slab, top);
      if (z < nz - 1 && labels[v + slab] === label && comp[v + slab] === 0) top = visit(v + slab, top);
    }
    if (size > bestSize) {
      bestSize = size;
      best = id;
    }
  }
  for (let i = 0; i < n; i++) if (labels[i] === label && comp[i] !== best) labels[i] = 0;
}
