import { assertArg } from '../errors.js';
import { symmetricEigenvalues3 } from '../geometry.js';
import { type Vec3, type Volume, validateVolume, withData } from '../volume.js';
import { correlateRows, correlateSeparable, correlateX, kernelSymmetry, sumSeparableTermsFast } from './convolve.js';
import { gaussianKernel1d, sigmaTriple } from './gaussian.js';

/** Options shared by the Gaussian derivative filters. */
export interface DerivativeOptions {
  /** Gaussian scale in mm (one value or per axis); must be > 0. */
  sigmaMm: number | Vec3;
  /** Kernel half-width in standard deviations. Default 4. */
  truncate?: number;
}

/** Options of {@link laplacianOfGaussian}. */
export interface LogOptions extends DerivativeOptions {
  /**
   * Multiply each second derivative by sigma² (mm²) so responses are comparable across scales
   * (Lindeberg's scale normalisation; a ball of radius r peaks at sigma = r / sqrt(3)). Default true.
   */
  normalized?: boolean;
}

/** Options of {@link hessianEigen}. */
export interface HessianOptions extends DerivativeOptions {
  /** Multiply the Hessian by sigma² (scale normalisation, as Frangi's vesselness). Default false. */
  normalized?: boolean;
  /**
   * Sort order of the eigenvalues per voxel: 'value' (default): l1 <= l2 <= l3; 'magnitude':
   * |l1| <= |l2| <= |l3| (Frangi's convention).
   */
  order?: 'value' | 'magnitude';
  /**
   * Slices computed at a time: bounds the memory of the Hessian components to a few slabs. Results
   * do not depend on it. Default 16.
   */
  slabSlices?: number;
}

type Kernels = [Float32Array | null, Float32Array | null, Float32Array | null];

/** Per-axis kernels of a derivative of the given orders, scaled to mm units. */
function derivativeKernels(
  vol: Volume,
  sig: Vec3,
  orders: [0 | 1 | 2, 0 | 1 | 2, 0 | 1 | 2],
  truncate: number,
): Kernels {
  return [0, 1, 2].map((a) => {
    const sv = sig[a]! / vol.spacing[a]!;
    const order = orders[a]!;
    const k = gaussianKernel1d(sv, truncate, order);
    if (order > 0) {
      const f = 1 / vol.spacing[a]! ** order;
      for (let i = 0; i < k.length; i++) k[i] = k[i]! * f;
    }
    return k;
  }) as Kernels;
}

function positiveSigma(vol: Volume, options: DerivativeOptions): { sig: Vec3; truncate: number } {
  validateVolume(vol);
  assertArg(options && typeof options === 'object', 'Derivative filters need options { sigmaMm }.');
  const sig = sigmaTriple(options.sigmaMm);
  assertArg(
    sig.every((s) => s > 0),
    'sigmaMm must be > 0 for derivative filters.',
  );
  const truncate = options.truncate ?? 4;
  assertArg(Number.isFinite(truncate) && truncate > 0, 'truncate must be > 0.');
  return { sig, truncate };
}

/**
 * Laplacian of Gaussian `sum_i d²(G * I)/dx_i²` in mm⁻² (times sigma² when normalised), with
 * reflect boundaries. Bright blobs give negative responses at their centre. Float32 result.
 */
export function laplacianOfGaussian(vol: Volume, options: LogOptions): Volume<Float32Array> {
  const { sig, truncate } = positiveSigma(vol, options);
  const norm = options.normalized ?? true;
  const scale = (a: number): number => (norm ? sig[a]! * sig[a]! : 1);
  // One WebAssembly program where it can run (bitwise what the SIMD path gives for the loop below).
  const g = derivativeKernels(vol, sig, [0, 0, 0], truncate);
  const d = derivativeKernels(vol, sig, [2, 2, 2], truncate);
  const fast = sumSeparableTermsFast(vol.data, vol.dims, [
    { kernels: [d[0]!, g[1]!, g[2]!], scale: scale(0) },
    { kernels: [g[0]!, d[1]!, g[2]!], scale: scale(1) },
    { kernels: [g[0]!, g[1]!, d[2]!], scale: scale(2) },
  ]);
  if (fast) return withData(vol, fast);
  const out = new Float32Array(vol.data.length);
  separableTerms(vol, sig, truncate, 2, (a, d) => {
    const f = norm ? sig[a]! * sig[a]! : 1;
    for (let i = 0; i < out.length; i++) out[i] = out[i]! + f * d[i]!;
  });
  return withData(vol, out);
}

/**
 * The three terms d^order/dx_a^order (G * I), a = 0, 1, 2, handed to `use` in that order. Each is
 * the x pass, then the y pass, then the z pass, as one correlateSeparable call would do them; the
 * terms for y and z start with the same x smoothing, computed once (8 passes instead of 9). Each
 * pass stores f32, so the result is bitwise that of three separate calls.
 */
function separableTerms(
  vol: Volume,
  sig: Vec3,
  truncate: number,
  order: 1 | 2,
  use: (axis: number, term: Float32Array) => void,
): void {
  const g = derivativeKernels(vol, sig, [0, 0, 0], truncate);
  const d = derivativeKernels(vol, sig, [order, order, order], truncate);
  use(0, correlateSeparable(vol.data, vol.dims, [d[0], g[1], g[2]]));
  const gx = correlateSeparable(vol.data, vol.dims, [g[0], null, null]);
  use(1, correlateSeparable(gx, vol.dims, [null, d[1], g[2]]));
  use(2, correlateSeparable(gx, vol.dims, [null, g[1], d[2]]));
}

/** Gradient magnitude of the Gaussian-smoothed image, in intensity units per mm. Float32 result. */
export function gradientMagnitude(vol: Volume, options: DerivativeOptions): Volume<Float32Array> {
  const { sig, truncate } = positiveSigma(vol, options);
  const out = new Float32Array(vol.data.length);
  separableTerms(vol, sig, truncate, 1, (_a, d) => {
    for (let i = 0; i < out.length; i++) out[i] = out[i]! + d[i]! * d[i]!;
  });
  for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(out[i]!);
  return withData(vol, out);
}

/** Eigenvalues of the Hessian per voxel, sorted (see {@link HessianOptions.order}). */
export interface HessianEigenResult {
  l1: Volume<Float32Array>;
  l2: Volume<Float32Array>;
  l3: Volume<Float32Array>;
}

/**
 * Eigenvalues of the Hessian of the Gaussian-smoothed image (mm⁻² units, times sigma² when
 * normalised) at every voxel, for blob (all three negative) and vessel (two negative, one near 0)
 * measures. Separable derivative filters (15 passes: the z and y stages are shared by the six
 * components), then a closed-form symmetric 3x3 eigen-solve, slab by slab along z so only the three
 * outputs are full size.
 */
export function hessianEigen(vol: Volume, options: HessianOptions): HessianEigenResult {
  const { sig, truncate } = positiveSigma(vol, options);
  const order = options.order ?? 'value';
  assertArg(order === 'value' || order === 'magnitude', "order must be 'value' or 'magnitude'.");
  const norm = options.normalized ?? false;
  const slab = options.slabSlices ?? 16;
  assertArg(Number.isInteger(slab) && slab >= 1, 'slabSlices must be an integer >= 1.');
  const [nx, ny, nz] = vol.dims;
  const plane = nx * ny;
  // kernels[axis][order], in mm units.
  const kernels = [0, 1, 2].map((a) =>
    ([0, 1, 2] as const).map((o) => {
      const orders: [0 | 1 | 2, 0 | 1 | 2, 0 | 1 | 2] = [0, 0, 0];
      orders[a] = o;
      return derivativeKernels(vol, sig, orders, truncate)[a]!;
    }),
  );
  const sym = kernels.map((ks) => ks.map((k) => kernelSymmetry(k)));
  const src = vol.data instanceof Float32Array ? vol.data : Float32Array.from(vol.data as ArrayLike<number>);
  const s = norm ? [sig[0], sig[1], sig[2]] : [1, 1, 1];
  const f = [s[0]! * s[0]!, s[1]! * s[1]!, s[2]! * s[2]!, s[0]! * s[1]!, s[0]! * s[2]!, s[1]! * s[2]!];
  const byMag = order === 'magnitude';
  const l1 = new Float32Array(vol.data.length);
  const l2 = new Float32Array(vol.data.length);
  const l3 = new Float32Array(vol.data.length);
  // Slab buffers, reused: z-filtered (orders 0, 1, 2), one y-filtered temp, six components.
  const size = Math.min(slab, nz) * plane;
  const zb = [0, 1, 2].map(() => new Float32Array(size));
  const tmp = new Float32Array(size);
  const comp = [0, 1, 2, 3, 4, 5].map(() => new Float32Array(size));
  // Component c = x-order, y-order, z-order; 15 passes share the z and y stages.
  const plan: [number, number, number][] = [
    [2, 0, 0], // xx
    [0, 2, 0], // yy
    [0, 0, 2], // zz
    [1, 1, 0], // xy
    [1, 0, 1], // xz
    [0, 1, 1], // yz
  ];
  for (let z0 = 0; z0 < nz; z0 += slab) {
    const z1 = Math.min(nz, z0 + slab);
    const len = (z1 - z0) * plane;
    const dims: Vec3 = [nx, ny, z1 - z0];
    // z stage: the slab's slices of the three z-filtered volumes (reflecting at the full extent).
    for (let o = 0; o < 3; o++) {
      const out = zb[o]!.subarray(0, len);
      if (nz === 1) {
        let sum = 0;
        for (const w of kernels[2]![o]!) sum += w;
        for (let i = 0; i < len; i++) out[i] = sum * src[i]!;
      } else correlateRows(src, out, vol.dims, 2, kernels[2]![o]!, sym[2]![o]!, [z0, z1]);
    }
    for (let c = 0; c < 6; c++) {
      const [ox, oy, oz] = plan[c]!;
      const t = tmp.subarray(0, len);
      correlateRows(zb[oz]!.subarray(0, len), t, dims, 1, kernels[1]![oy]!, sym[1]![oy]!);
      correlateX(t, comp[c]!.subarray(0, len), dims, kernels[0]![ox]!, sym[0]![ox]!);
    }
    const [xx, yy, zz, xy, xz, yz] = comp as [
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
    ];
    const g = z0 * plane;
    for (let i = 0; i < len; i++) {
      symEig3(
        f[0]! * xx[i]!,
        f[1]! * yy[i]!,
        f[2]! * zz[i]!,
        f[3]! * xy[i]!,
        f[4]! * xz[i]!,
        f[5]! * yz[i]!,
        byMag,
        l1,
        l2,
        l3,
        g + i,
      );
    }
  }
  return { l1: withData(vol, l1), l2: withData(vol, l2), l3: withData(vol, l3) };
}

/**
 * Eigenvalues of the symmetric matrix [[a, d, e], [d, b, f], [e, f, c]] (trigonometric closed
 * form, in doubles), sorted by value or by magnitude, stored at index i of o1, o2, o3.
 */
const EIG = new Float64Array(3);

function symEig3(
  a: number,
  b: number,
  c: number,
  d: number,
  e: number,
  f: number,
  byMag: boolean,
  o1: Float32Array,
  o2: Float32Array,
  o3: Float32Array,
  i: number,
): void {
  symmetricEigenvalues3(a, b, c, d, e, f, EIG);
  let e1 = EIG[0]!;
  let e2 = EIG[1]!;
  let e3 = EIG[2]!;
  // Ascending by value already; reorder by magnitude when asked.
  let t: number;
  if (byMag) {
    if (Math.abs(e1) > Math.abs(e2)) {
      t = e1;
      e1 = e2;
      e2 = t;
    }
    if (Math.abs(e2) > Math.abs(e3)) {
      t = e2;
      e2 = e3;
      e3 = t;
    }
    if (Math.abs(e1) > Math.abs(e2)) {
      t = e1;
      e1 = e2;
      e2 = t;
    }
  }
  o1[i] = e1;
  o2[i] = e2;
  o3[i] = e3;
}
