/** In-place radix-2 complex FFTs (1D on line buffers, 3D over a power-of-two grid). */

/** Forward (sign -1) or inverse (sign +1, unnormalised) FFT of length n = 2^k. */
export function fft1d(re: Float64Array, im: Float64Array, sign: 1 | -1): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i]!;
      re[i] = re[j]!;
      re[j] = t;
      t = im[i]!;
      im[i] = im[j]!;
      im[j] = t;
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (sign * 2 * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    const half = len >> 1;
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < half; k++) {
        const a = i + k;
        const b = a + half;
        const xr = re[b]! * cr - im[b]! * ci;
        const xi = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - xr;
        im[b] = im[a]! - xi;
        re[a]! += xr;
        im[a]! += xi;
        const t = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = t;
      }
    }
  }
}

/** 3D FFT over dims (each a power of two), x fastest. Inverse is unnormalised. */
export function fft3d(re: Float64Array, im: Float64Array, dims: [number, number, number], sign: 1 | -1): void {
  const [nx, ny, nz] = dims;
  const strides = [1, nx, nx * ny];
  for (let axis = 0; axis < 3; axis++) {
    const n = dims[axis]!;
    if (n === 1) continue;
    const st = strides[axis]!;
    const lr = new Float64Array(n);
    const li = new Float64Array(n);
    const total = nx * ny * nz;
    for (let base = 0; base < total; base++) {
      // visit each line once: base has coordinate 0 along `axis`
      if (Math.floor(base / st) % n !== 0) continue;
      for (let k = 0; k < n; k++) {
        lr[k] = re[base + k * st]!;
        li[k] = im[base + k * st]!;
      }
      fft1d(lr, li, sign);
      for (let k = 0; k < n; k++) {
        re[base + k * st] = lr[k]!;
        im[base + k * st] = li[k]!;
      }
    }
  }
}

export function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p <<= 1;
  return p;
}
