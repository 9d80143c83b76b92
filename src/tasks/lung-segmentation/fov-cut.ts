import { fillHoles } from '../../core/ops/labels.js';
import { growInt32 } from '../../core/typed.js';
import type { Vec3 } from '../../core/volume.js';

/**
 * Mean smoothed HU range of an edge pocket that is aerated lung: above the -1000 HU of the air
 * outside the patient (-960 leaves room for noise and severe emphysema, about -930), below the
 * partial-volume soft tissue of a gap in a blurred chest wall (-510 to -560 on A0002 with a 1.6 mm
 * smooth kernel; aerated lung is -700 to -900, the cut lungs of the field-of-view variants of
 * both real chest CTs -733 to -842).
 */
export const CUT_LUNG_MEAN_HU: readonly [number, number] = [-960, -650];

/** The body (outline with holes filled per slice) and its edge pockets, as voxel indices. */
export interface BodyFill {
  body: Uint8Array;
  /** Background the outline encloses except along the image's side edge: see {@link bodyWithEdgePockets}. */
  pockets: Int32Array;
}

/**
 * The body: `outline` with its holes filled per slice (background not 4-connected to the slice's
 * edge), and apart from it the edge pockets: background 4-connected to the slice's edge but to no
 * corner of it. Such a pocket lies between two parts of the body along the edge: a lung that a
 * reduced reconstruction field cuts at the side, or the air under a curved table or between an arm
 * and the chest ({@link keepCutLungs} tells them apart). One fill that counts only corners as outside,
 * then the pockets taken back out of it by a flood from the edge, so the body is the one the plain
 * per-slice fill gives and the extra cost is proportional to the pockets.
 */
export function bodyWithEdgePockets(outline: Uint8Array, dims: Vec3, spacing: Vec3): BodyFill {
  const [nx, ny, nz] = dims;
  const sxy = nx * ny;
  const body = fillHoles({ data: outline, dims, spacing }, { mode: 'slice', openAt: 'corners' }).data;
  // a pocket voxel is filled but not outline; taking it out of `body` marks it visited
  let q = new Int32Array(1024);
  let tail = 0;
  const visit = (i: number) => {
    if (!body[i] || outline[i]) return;
    body[i] = 0;
    if (tail === q.length) q = growInt32(q, 2 * q.length);
    q[tail++] = i;
  };
  for (let z = 0; z < nz; z++) {
    const o = z * sxy;
    for (let x = 0; x < nx; x++) {
      visit(o + x);
      visit(o + sxy - nx + x);
    }
    for (let y = 1; y < ny - 1; y++) {
      visit(o + nx * y);
      visit(o + nx * y + nx - 1);
    }
  }
  for (let head = 0; head < tail; head++) {
    const i = q[head]!;
    const x = i % nx;
    const y = ((i - x) / nx) % ny;
    if (x > 0) visit(i - 1);
    if (x < nx - 1) visit(i + 1);
    if (y > 0) visit(i - nx);
    if (y < ny - 1) visit(i + nx);
  }
  return { body, pockets: q.subarray(0, tail) };
}

/**
 * Keeps the edge pockets of {@link bodyWithEdgePockets} that are lung cut by the field of view: a
 * 3D group of them (6-connected) is lung when at least `minTouch` of its voxels lie next to (one
 * slice above or below) a voxel of `lungs` and its mean smoothed HU is that of aerated lung
 * ({@link CUT_LUNG_MEAN_HU}: not the air outside the patient, not a gap in a blurred chest wall). A cut lung narrows towards the
 * apex and the base, where the field holds it whole and it was found as a hole of the body; the air
 * under the table never touches the lungs. A kept group joins `body`, and its voxels below `airT`
 * that are not `airways` join `lungs` (both in place). Returns the voxels that joined the body.
 */
export function keepCutLungs(
  pockets: Int32Array,
  body: Uint8Array,
  lungs: Uint8Array,
  airways: Uint8Array,
  sm: Float32Array,
  airT: number,
  dims: Vec3,
  minTouch: number,
): number {
  const [nx, ny, nz] = dims;
  const sxy = nx * ny;
  const n = body.length;
  // most scans: pockets (under the table) that touch no lung at all, told in one pass
  let touches = 0;
  for (const i of pockets) if ((i >= sxy && lungs[i - sxy]) || (i + sxy < n && lungs[i + sxy])) touches++;
  if (touches < minTouch) return 0;
  // 1 = pocket not yet grouped; grouped voxels are cleared. Groups are runs of `order`.
  const open = new Uint8Array(n);
  for (const i of pockets) open[i] = 1;
  const order = new Int32Array(pockets.length);
  const take = (j: number, t: number): number => {
    if (!open[j]) return t;
    open[j] = 0;
    order[t] = j;
    return t + 1;
  };
  let tail = 0;
  let added = 0;
  for (const seed of pockets) {
    if (!open[seed]) continue;
    open[seed] = 0;
    const start = tail;
    order[tail++] = seed;
    let sum = 0;
    let touch = 0;
    for (let head = start; head < tail; head++) {
      const i = order[head]!;
      sum += sm[i]!;
      const x = i % nx;
      const y = ((i - x) / nx) % ny;
      const z = (i - x - nx * y) / sxy;
      if ((z > 0 && lungs[i - sxy]) || (z < nz - 1 && lungs[i + sxy])) touch++;
      if (x > 0) tail = take(i - 1, tail);
      if (x < nx - 1) tail = take(i + 1, tail);
      if (y > 0) tail = take(i - nx, tail);
      if (y < ny - 1) tail = take(i + nx, tail);
      if (z > 0) tail = take(i - sxy, tail);
      if (z < nz - 1) tail = take(i + sxy, tail);
    }
    const mean = sum / (tail - start);
    if (touch < minTouch || mean <= CUT_LUNG_MEAN_HU[0] || mean >= CUT_LUNG_MEAN_HU[1]) continue;
    for (let k = start; k < tail; k++) {
      const i = order[k]!;
      body[i] = 1;
      if (sm[i]! < airT && !airways[i]) lungs[i] = 1;
    }
    added += tail - start;
  }
  return added;
}
