/**
 * IBSI morphology (chapter 3.1): 25 features keyed by IBSI code. The mesh comes from the
 * morphological mask padded with a zero border (marching cubes, iso-level 0.5); intensity-based
 * features (integrated intensity, centre of mass shift, Moran's I, Geary's C) use the intensity
 * mask. The OMBB / MVEE densities have no reference values and are not computed.
 */
import { convexHullMeasures, diameters } from './hull.js';
import { fft3d, nextPow2 } from './fft.js';
import { type BoxMask, meshAreaVolume, meshVertices2 } from './mesh.js';
import { pcaEigenvalues } from './roi.js';

/** Inputs of {@link morphologyFeatures}, all on the same box grid. */
export interface MorphologyInput {
  /** Morphological mask (1 inside). */
  morph: BoxMask;
  /** Intensity mask (1 inside; subset of the morphological mask). */
  intensityMask: Uint8Array;
  /** Image intensities on the box grid. */
  image: ArrayLike<number>;
  /** Skip Moran's I and Geary's C (O(N²) in the ROI size). Default false. */
  skipAutocorrelation?: boolean;
}

/** Surface area of an ellipsoid with semi-axes a ≥ b ≥ c (IBSI's Legendre series, 20 terms). */
export function ellipsoidArea(a: number, b: number, c: number): number {
  const alpha = Math.sqrt(Math.max(0, 1 - (b * b) / (a * a)));
  const beta = Math.sqrt(Math.max(0, 1 - (c * c) / (a * a)));
  // Q_n = (alpha*beta)^n P_n(t), t = (alpha²+beta²)/(2 alpha beta): recurrence free of division by alpha*beta
  const ab = alpha * beta;
  const s = (alpha * alpha + beta * beta) / 2;
  let qPrev = 1;
  let q = s;
  let sum = 1;
  sum += q / (1 - 4);
  for (let n = 1; n < 20; n++) {
    const qNext = ((2 * n + 1) * s * q - n * ab * ab * qPrev) / (n + 1);
    qPrev = q;
    q = qNext;
    const nu = n + 1;
    sum += q / (1 - 4 * nu * nu);
  }
  return 4 * Math.PI * a * b * sum;
}

/**
 * IBSI morphological features (chapter 3.1) of a ROI, keyed by IBSI code: mesh area and volume,
 * compactness, sphericity, extents and, unless `skipAutocorrelation`, Moran's I and Geary's C.
 *
 * @example
 * ```ts
 * import { morphologyFeatures } from 'medimg/radiomics';
 * const m = morphologyFeatures({ morph: mask, intensityMask: mask.data, image: ct.data }); // IBSI 3.1, by IBSI code
 * ```
 */
export function morphologyFeatures(input: MorphologyInput): Record<string, number> {
  const { morph, intensityMask, image } = input;
  const [nx, ny, nz] = morph.dims;
  const [sx, sy, sz] = morph.spacing;
  const { area: A, volume: V } = meshAreaVolume(morph);
  let nMorph = 0;
  let gx = 0;
  let gy = 0;
  let gz = 0;
  let nInt = 0;
  let sumI = 0;
  let wx = 0;
  let wy = 0;
  let wz = 0;
  let i = 0;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) {
        if (morph.data[i]) {
          nMorph++;
          gx += x;
          gy += y;
          gz += z;
        }
        if (intensityMask[i]) {
          const v = image[i]!;
          nInt++;
          sumI += v;
          wx += v * x;
          wy += v * y;
          wz += v * z;
        }
      }
  const voxVol = sx * sy * sz;
  const com = Math.hypot(
    (gx / nMorph - wx / sumI) * sx,
    (gy / nMorph - wy / sumI) * sy,
    (gz / nMorph - wz / sumI) * sz,
  );
  const v2 = meshVertices2(morph);
  const dia = diameters(v2, morph.spacing);
  // axis-aligned bounding box of the mesh vertices
  let x0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y0 = x0;
  let y1 = x1;
  let z0 = x0;
  let z1 = x1;
  for (let k = 0; k < v2.length; k += 3) {
    const a = v2[k]!;
    const b = v2[k + 1]!;
    const c = v2[k + 2]!;
    if (a < x0) x0 = a;
    if (a > x1) x1 = a;
    if (b < y0) y0 = b;
    if (b > y1) y1 = b;
    if (c < z0) z0 = c;
    if (c > z1) z1 = c;
  }
  const ex = ((x1 - x0) / 2) * sx;
  const ey = ((y1 - y0) / 2) * sy;
  const ez = ((z1 - z0) / 2) * sz;
  const vAabb = ex * ey * ez;
  const aAabb = 2 * (ex * ey + ey * ez + ex * ez);
  const [l1, l2, l3] = pcaEigenvalues(morph, true);
  const a = 2 * Math.sqrt(Math.max(0, l1));
  const b = 2 * Math.sqrt(Math.max(0, l2));
  const c = 2 * Math.sqrt(Math.max(0, l3));
  const vAee = (4 * Math.PI * a * b * c) / 3;
  const aAee = ellipsoidArea(a, b, c);
  const hull = convexHullMeasures(v2, dia.hullCandidates, morph.spacing);
  const out: Record<string, number> = {
    RNU0: V,
    YEKZ: nMorph * voxVol,
    C0JK: A,
    '2PR5': A / V,
    SKGS: V / Math.sqrt(Math.PI * A ** 3),
    BQWJ: (36 * Math.PI * V * V) / A ** 3,
    KRCK: A / Math.cbrt(36 * Math.PI * V * V),
    QCFX: Math.cbrt(36 * Math.PI * V * V) / A,
    '25C7': Math.cbrt(A ** 3 / (36 * Math.PI * V * V)) - 1,
    KLMA: com,
    L0JK: dia.max3d,
    TDIC: 4 * Math.sqrt(Math.max(0, l1)),
    P9VJ: 4 * Math.sqrt(Math.max(0, l2)),
    '7J51': 4 * Math.sqrt(Math.max(0, l3)),
    Q3CK: Math.sqrt(l2 / l1),
    N17B: Math.sqrt(l3 / l1),
    PBX1: V / vAabb,
    R59B: A / aAabb,
    '6BDE': V / vAee,
    RDD2: A / aAee,
    R3ER: V / hull.volume,
    '7T7F': A / hull.area,
    '99N0': V * (sumI / nInt),
  };
  if (!input.skipAutocorrelation) {
    const { moran, geary } = moranGeary(image, intensityMask, morph.dims, morph.spacing);
    out.N365 = moran;
    out.NPT7 = geary;
  }
  return out;
}

/**
 * Moran's I and Geary's C over intensity-mask voxels with weights 1/distance (mm). The pair sums
 * Σ w·m·m, Σ w·y·y and Σ w·(y_i - y_j)² are convolutions with the 1/distance kernel, computed by
 * FFT on a zero-padded grid (exact up to rounding) for large ROIs, by direct pair sums otherwise.
 */
export function moranGeary(
  image: ArrayLike<number>,
  mask: Uint8Array,
  dims: [number, number, number],
  spacing: [number, number, number],
): { moran: number; geary: number } {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) n++;
  return n > 3000 ? moranGearyFft(image, mask, dims, spacing) : moranGearyDirect(image, mask, dims, spacing);
}

function moranGearyFft(
  image: ArrayLike<number>,
  mask: Uint8Array,
  dims: [number, number, number],
  spacing: [number, number, number],
): { moran: number; geary: number } {
  const [nx, ny, nz] = dims;
  const P: [number, number, number] = [nextPow2(2 * nx - 1), nextPow2(2 * ny - 1), nextPow2(2 * nz - 1)];
  const total = P[0] * P[1] * P[2];
  let n = 0;
  let mean = 0;
  for (let i = 0; i < mask.length; i++)
    if (mask[i]) {
      n++;
      mean += image[i]!;
    }
  mean /= n;
  // field: real = mask, imaginary = centred intensity
  const re = new Float64Array(total);
  const im = new Float64Array(total);
  let denom = 0;
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) {
        if (!mask[i]) continue;
        const j = x + P[0] * (y + P[1] * z);
        const v = image[i]! - mean;
        re[j] = 1;
        im[j] = v;
        denom += v * v;
      }
  // kernel 1/d on the torus (even, so its spectrum is real)
  const kr = new Float64Array(total);
  const ki = new Float64Array(total);
  for (let dz = -(nz - 1); dz < nz; dz++)
    for (let dy = -(ny - 1); dy < ny; dy++)
      for (let dx = -(nx - 1); dx < nx; dx++) {
        if (dx === 0 && dy === 0 && dz === 0) continue;
        const j = ((dx + P[0]) % P[0]) + P[0] * (((dy + P[1]) % P[1]) + P[1] * ((dz + P[2]) % P[2]));
        kr[j] = 1 / Math.hypot(dx * spacing[0], dy * spacing[1], dz * spacing[2]);
      }
  fft3d(re, im, P, -1);
  fft3d(kr, ki, P, -1);
  for (let j = 0; j < total; j++) {
    const a = kr[j]!;
    re[j]! *= a;
    im[j]! *= a;
  }
  fft3d(re, im, P, 1);
  let W = 0;
  let sMoran = 0;
  let sY2Km = 0;
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) {
        if (!mask[i]) continue;
        const j = x + P[0] * (y + P[1] * z);
        const km = re[j]! / total;
        const ky = im[j]! / total;
        const v = image[i]! - mean;
        W += km;
        sMoran += v * ky;
        sY2Km += v * v * km;
      }
  const sGeary = 2 * sY2Km - 2 * sMoran;
  if (n < 2 || denom === 0) return { moran: Number.NaN, geary: Number.NaN };
  return { moran: (n / W) * (sMoran / denom), geary: ((n - 1) / (2 * W)) * (sGeary / denom) };
}

/** Direct O(N²) pair sums with a weight table indexed by the voxel offset. */
export function moranGearyDirect(
  image: ArrayLike<number>,
  mask: Uint8Array,
  dims: [number, number, number],
  spacing: [number, number, number],
): { moran: number; geary: number } {
  const [nx, ny] = dims;
  const nz = dims[2];
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) n++;
  const px = new Int32Array(n);
  const py = new Int32Array(n);
  const pz = new Int32Array(n);
  const val = new Float64Array(n);
  let k = 0;
  let mean = 0;
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) {
        if (!mask[i]) continue;
        px[k] = x;
        py[k] = y;
        pz[k] = z;
        val[k] = image[i]!;
        mean += image[i]!;
        k++;
      }
  mean /= n;
  for (let j = 0; j < n; j++) val[j]! -= mean;
  let denom = 0;
  for (let j = 0; j < n; j++) denom += val[j]! * val[j]!;
  // weight table over offsets (dx in -nx+1..nx-1 etc.)
  const wx = 2 * nx - 1;
  const wy = 2 * ny - 1;
  const wz = 2 * nz - 1;
  const lut = new Float64Array(wx * wy * wz);
  for (let dz = 0; dz < wz; dz++)
    for (let dy = 0; dy < wy; dy++)
      for (let dx = 0; dx < wx; dx++) {
        const d = Math.hypot((dx - nx + 1) * spacing[0], (dy - ny + 1) * spacing[1], (dz - nz + 1) * spacing[2]);
        lut[dx + wx * (dy + wy * dz)] = d > 0 ? 1 / d : 0;
      }
  let W = 0;
  let sMoran = 0;
  let sGeary = 0;
  const base = nx - 1 + wx * (ny - 1 + wy * (nz - 1));
  for (let a = 0; a < n; a++) {
    const va = val[a]!;
    const oa = base - (px[a]! + wx * (py[a]! + wy * pz[a]!));
    let w = 0;
    let sm = 0;
    let sg = 0;
    for (let b = a + 1; b < n; b++) {
      const wt = lut[oa + px[b]! + wx * (py[b]! + wy * pz[b]!)]!;
      const vb = val[b]!;
      w += wt;
      sm += wt * vb;
      const dv = va - vb;
      sg += wt * dv * dv;
    }
    W += w;
    sMoran += va * sm;
    sGeary += sg;
  }
  // pairs counted once: double for the symmetric sums
  W *= 2;
  sMoran *= 2;
  sGeary *= 2;
  if (n < 2 || denom === 0) return { moran: Number.NaN, geary: Number.NaN };
  return { moran: (n / W) * (sMoran / denom), geary: ((n - 1) / (2 * W)) * (sGeary / denom) };
}
