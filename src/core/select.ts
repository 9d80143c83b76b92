/**
 * k-th smallest value of `a` (0-based), found in place by Hoare-partition quickselect with a
 * median-of-three pivot: O(n) on average instead of a sort's O(n log n). Afterwards
 * a[0..k) <= a[k] <= a(k..), which callers use to read neighbouring order statistics cheaply.
 * The value is exactly the one a sort would put at k (NaN-free input).
 */
export function kthSmallest(a: Float64Array | Float32Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    let x = a[lo]!;
    let y = a[mid]!;
    let z = a[hi]!;
    if (x > y) [x, y] = [y, x];
    if (y > z) [y, z] = [z, y];
    if (x > y) [x, y] = [y, x];
    const pivot = y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}
