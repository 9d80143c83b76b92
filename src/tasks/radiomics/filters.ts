/**
 * PyRadiomics image types: Laplacian of Gaussian (`log-sigma-<s>-mm-3D`) and the undecimated
 * wavelet (`wavelet-LLH` ... `wavelet-HHH`, `wavelet-LLL`).
 *
 * LoG: PyRadiomics uses ITK's recursive Gaussian (normalised across scale, i.e. × sigma²); here
 * the operator is a separable sampled Gaussian with its second derivative, kernels corrected so
 * they are exact on quadratics, mirror boundaries. Expect small differences from ITK's recursive
 * approximation near the image border.
 * Wavelet: pywt.swtn level 1 along x, y, z with periodic extension (odd sizes padded by one
 * wrapped voxel, then cropped), as PyRadiomics's _swt3; letters name the filter per axis in
 * x, y, z order. Only 'coif1' and 'haar' filter banks are built in.
 */
import { MedImgError } from '../../core/errors.js';
import type { Vec3 } from '../../core/volume.js';

/**
 * Applies a 1D kernel along one axis: out[i] = Σ_j k[j]·in[i + center - j], with mirror ('reflect',
 * d c b a | a b c d | d c b a) or periodic boundaries. Each line is copied once into an extended
 * buffer so the inner loop has no boundary logic.
 */
function convolveAxis(
  src: Float64Array,
  dims: Vec3,
  axis: 0 | 1 | 2,
  k: Float64Array,
  center: number,
  periodic = false,
): Float64Array {
  const out = new Float64Array(src.length);
  const n = dims[axis];
  const stride = axis === 0 ? 1 : axis === 1 ? dims[0] : dims[0] * dims[1];
  const kl = k.length;
  const left = kl - 1 - center; // samples needed before index 0
  const right = center; // after n - 1
  const ext = new Float64Array(n + left + right);
  // extended-buffer index of source position p (may be outside [0, n))
  const srcIndex = (p: number) => {
    if (periodic) return ((p % n) + n) % n;
    while (p < 0 || p >= n) p = p < 0 ? -p - 1 : 2 * n - p - 1;
    return p;
  };
  const mapLeft = new Int32Array(left);
  for (let q = 0; q < left; q++) mapLeft[q] = srcIndex(q - left);
  const mapRight = new Int32Array(right);
  for (let q = 0; q < right; q++) mapRight[q] = srcIndex(n + q);
  // reversed kernel so the inner loop walks forward: out[i] = Σ_t kr[t]·ext[i + t]
  const kr = new Float64Array(kl);
  for (let t = 0; t < kl; t++) kr[t] = k[kl - 1 - t]!;
  const [a, b] = axis === 0 ? [1, 2] : axis === 1 ? [0, 2] : [0, 1];
  const sa = a === 0 ? 1 : a === 1 ? dims[0] : dims[0] * dims[1];
  const sb = b === 0 ? 1 : b === 1 ? dims[0] : dims[0] * dims[1];
  const na = dims[a]!;
  const nb = dims[b]!;
  for (let ib = 0; ib < nb; ib++)
    for (let ia = 0; ia < na; ia++) {
      const base = ia * sa + ib * sb;
      for (let i = 0; i < n; i++) ext[left + i] = src[base + i * stride]!;
      for (let q = 0; q < left; q++) ext[q] = ext[left + mapLeft[q]!]!;
      for (let q = 0; q < right; q++) ext[left + n + q] = ext[left + mapRight[q]!]!;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let t = 0; t < kl; t++) s += kr[t]! * ext[i + t]!;
        out[base + i * stride] = s;
      }
    }
  return out;
}

/** Laplacian of Gaussian with sigma in mm, normalised across scale (× sigma²). */
export function laplacianOfGaussian(data: ArrayLike<number>, dims: Vec3, spacing: Vec3, sigmaMm: number): Float64Array {
  if (!(sigmaMm > 0)) throw new MedImgError('INVALID_ARGUMENT', 'LoG sigma must be > 0.');
  const src = Float64Array.from(data);
  const g: Float64Array[] = [];
  const g2: Float64Array[] = [];
  const rad: number[] = [];
  for (let a = 0; a < 3; a++) {
    const s = sigmaMm / spacing[a]!;
    const r = Math.max(1, Math.ceil(4 * s));
    const k = new Float64Array(2 * r + 1);
    const k2 = new Float64Array(2 * r + 1);
    let sum = 0;
    for (let i = -r; i <= r; i++) {
      const v = Math.exp((-0.5 * i * i) / (s * s));
      k[i + r] = v;
      sum += v;
    }
    for (let i = 0; i < k.length; i++) k[i]! /= sum;
    // second derivative: (x²/s⁴ - 1/s²) g, then fixed so Σk2 = 0 and Σ k2·x²/2 = 1 (exact on x²)
    let m0 = 0;
    for (let i = -r; i <= r; i++) {
      k2[i + r] = ((i * i) / s ** 4 - 1 / (s * s)) * k[i + r]!;
      m0 += k2[i + r]!;
    }
    for (let i = -r; i <= r; i++) k2[i + r]! -= m0 * k[i + r]!;
    let m2 = 0;
    for (let i = -r; i <= r; i++) m2 += (k2[i + r]! * i * i) / 2;
    const sp2 = spacing[a]! * spacing[a]!;
    for (let i = 0; i < k2.length; i++) k2[i] = k2[i]! / m2 / sp2;
    g.push(k);
    g2.push(k2);
    rad.push(r);
  }
  const out = new Float64Array(src.length);
  for (let d = 0; d < 3; d++) {
    let cur: Float64Array = src;
    for (let a = 0; a < 3; a++) {
      const k = a === d ? g2[a]! : g[a]!;
      if (dims[a] === 1 && a !== d) continue;
      cur = convolveAxis(cur, dims, a as 0 | 1 | 2, k, rad[a]!);
    }
    for (let i = 0; i < out.length; i++) out[i]! += cur[i]!;
  }
  const s2 = sigmaMm * sigmaMm;
  for (let i = 0; i < out.length; i++) out[i]! *= s2;
  return out;
}

/** PyRadiomics image type name of a LoG sigma: 'log-sigma-1-0-mm-3D'. */
export function logImageName(sigma: number): string {
  const s = Number.isInteger(sigma) ? sigma.toFixed(1) : String(sigma);
  return `log-sigma-${s.replace('.', '-')}-mm-3D`;
}

/** Decomposition low-pass filters (pywt dec_lo). High-pass: dec_hi[k] = (-1)^(k+1) dec_lo[L-1-k]. */
const DEC_LO: Record<string, number[]> = {
  coif1: [
    -0.01565572813546454, -0.0727326195128539, 0.38486484686420286, 0.8525720202122554, 0.3378976624578092,
    -0.0727326195128539,
  ],
  haar: [Math.SQRT1_2, Math.SQRT1_2],
};

function filterBank(name: string): { lo: Float64Array; hi: Float64Array } {
  const lo = DEC_LO[name];
  if (!lo) throw new MedImgError('INVALID_ARGUMENT', `Unsupported wavelet "${name}" (supported: coif1, haar).`);
  const L = lo.length;
  const hi = new Float64Array(L);
  for (let k = 0; k < L; k++) hi[k] = (k % 2 === 0 ? -1 : 1) * lo[L - 1 - k]!;
  return { lo: Float64Array.from(lo), hi };
}

/**
 * Undecimated wavelet decompositions (level `start_level + 1`, PyRadiomics `level` 1). Returns the
 * 8 sub-bands keyed 'LLH', ..., 'HHH', 'LLL' (letter i = axis x, y, z).
 */
export function waveletDecompositions(
  data: ArrayLike<number>,
  dims: Vec3,
  opts: { wavelet?: string; start_level?: number; level?: number } = {},
): Map<string, Float64Array> {
  const { lo, hi } = filterBank(opts.wavelet ?? 'coif1');
  const startLevel = opts.start_level ?? 0;
  const level = opts.level ?? 1;
  // pad odd axes by one wrapped voxel
  const pd: Vec3 = [dims[0] + (dims[0] % 2), dims[1] + (dims[1] % 2), dims[2] + (dims[2] % 2)];
  let cur: Float64Array = new Float64Array(pd[0] * pd[1] * pd[2]);
  for (let z = 0; z < pd[2]; z++)
    for (let y = 0; y < pd[1]; y++)
      for (let x = 0; x < pd[0]; x++)
        cur[x + pd[0] * (y + pd[1] * z)] = data[(x % dims[0]) + dims[0] * ((y % dims[1]) + dims[1] * (z % dims[2]))]!;
  const result = new Map<string, Float64Array>();
  for (let lev = 0; lev < startLevel + level; lev++) {
    // à trous: filters upsampled by 2^lev
    const up = 2 ** lev;
    const upK = (k: Float64Array) => {
      const o = new Float64Array((k.length - 1) * up + 1);
      for (let i = 0; i < k.length; i++) o[i * up] = k[i]!;
      return o;
    };
    const L = upK(lo);
    const H = upK(hi);
    const c = Math.floor(L.length / 2);
    let bands = new Map<string, Float64Array>([['', cur]]);
    for (let a = 0; a < 3; a++) {
      const next = new Map<string, Float64Array>();
      for (const [name, arr] of bands) {
        next.set(`${name}L`, convolveAxis(arr, pd, a as 0 | 1 | 2, L, c, true));
        next.set(`${name}H`, convolveAxis(arr, pd, a as 0 | 1 | 2, H, c, true));
      }
      bands = next;
    }
    cur = bands.get('LLL')!;
    if (lev >= startLevel) {
      const idx = lev - startLevel + 1;
      for (const [name, arr] of bands) {
        if (name === 'LLL') continue;
        result.set(idx === 1 ? name : `${idx}:${name}`, crop(arr, pd, dims));
      }
    }
  }
  result.set(level === 1 ? 'LLL' : `${level}:LLL`, crop(cur, pd, dims));
  return result;
}

function crop(a: Float64Array, pd: Vec3, dims: Vec3): Float64Array {
  if (pd[0] === dims[0] && pd[1] === dims[1] && pd[2] === dims[2]) return a;
  const out = new Float64Array(dims[0] * dims[1] * dims[2]);
  let o = 0;
  for (let z = 0; z < dims[2]; z++)
    for (let y = 0; y < dims[1]; y++) for (let x = 0; x < dims[0]; x++) out[o++] = a[x + pd[0] * (y + pd[1] * z)]!;
  return out;
}
