/**
 * Eigenvalues of a dense real symmetric matrix: Householder reduction to tridiagonal form, then
 * the implicit QL algorithm with Wilkinson-style shifts. O(n³); used by PyRadiomics's MCC.
 */

/**
 * Eigenvalues (unsorted) of the symmetric n×n matrix `a` (row-major; overwritten).
 */
export function symmetricEigenvalues(a: Float64Array, n: number): Float64Array {
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n === 0) return d;
  if (n === 1) {
    d[0] = a[0]!;
    return d;
  }
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  // Householder: zero column k below the subdiagonal, for k = 0..n-3.
  for (let k = 0; k < n - 2; k++) {
    let norm = 0;
    for (let i = k + 1; i < n; i++) norm += a[i * n + k]! * a[i * n + k]!;
    norm = Math.sqrt(norm);
    d[k] = a[k * n + k]!;
    if (norm === 0) {
      e[k] = 0;
      continue;
    }
    const x0 = a[(k + 1) * n + k]!;
    const alpha = x0 > 0 ? -norm : norm;
    // v = x - alpha e1, normalised.
    let vn = 0;
    for (let i = k + 1; i < n; i++) {
      v[i] = a[i * n + k]!;
      if (i === k + 1) v[i]! -= alpha;
      vn += v[i]! * v[i]!;
    }
    vn = Math.sqrt(vn);
    e[k] = alpha;
    if (vn === 0) continue;
    for (let i = k + 1; i < n; i++) v[i]! /= vn;
    // p = B v, K = vᵀ p, q = p - K v; B ← B - 2 v qᵀ - 2 q vᵀ on the trailing block.
    let kk = 0;
    for (let i = k + 1; i < n; i++) {
      let s = 0;
      const row = i * n;
      for (let j = k + 1; j < n; j++) s += a[row + j]! * v[j]!;
      p[i] = s;
      kk += v[i]! * s;
    }
    for (let i = k + 1; i < n; i++) p[i] = p[i]! - kk * v[i]!;
    for (let i = k + 1; i < n; i++) {
      const row = i * n;
      const vi = v[i]!;
      const qi = p[i]!;
      for (let j = k + 1; j < n; j++) a[row + j] = a[row + j]! - 2 * (vi * p[j]! + qi * v[j]!);
    }
  }
  d[n - 2] = a[(n - 2) * n + n - 2]!;
  d[n - 1] = a[(n - 1) * n + n - 1]!;
  e[n - 2] = a[(n - 1) * n + n - 2]!;
  e[n - 1] = 0;
  // Implicit QL on the tridiagonal (d diagonal, e[i] couples i and i+1).
  for (let l = 0; l < n; l++) {
    let iter = 0;
    let m: number;
    do {
      for (m = l; m < n - 1; m++) {
        const dd = Math.abs(d[m]!) + Math.abs(d[m + 1]!);
        if (Math.abs(e[m]!) <= Number.EPSILON * dd) break;
      }
      if (m !== l) {
        if (iter++ === 100) break;
        let g = (d[l + 1]! - d[l]!) / (2 * e[l]!);
        let r = Math.hypot(g, 1);
        g = d[m]! - d[l]! + e[l]! / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
        let s = 1;
        let c = 1;
        let pp = 0;
        let i: number;
        let underflow = false;
        for (i = m - 1; i >= l; i--) {
          const f = s * e[i]!;
          const b = c * e[i]!;
          r = Math.hypot(f, g);
          e[i + 1] = r;
          if (r === 0) {
            d[i + 1]! -= pp;
            e[m] = 0;
            underflow = true;
            break;
          }
          s = f / r;
          c = g / r;
          g = d[i + 1]! - pp;
          r = (d[i]! - g) * s + 2 * c * b;
          pp = s * r;
          d[i + 1] = g + pp;
          g = c * r - b;
        }
        if (underflow) continue;
        d[l]! -= pp;
        e[l] = g;
        e[m] = 0;
      }
    } while (m !== l);
  }
  return d;
}
