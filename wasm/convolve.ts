// AssemblyScript source of the SIMD separable-correlation kernels (compiled by scripts/build-wasm.mjs
// into src/core/simd/convolve-wasm.ts). They mirror src/core/ops/convolve.ts operation for operation
// (f32 samples promoted to f64, the same sums in the same order, one rounding to f32 at the store),
// two lanes at a time with f64x2, so their output is bitwise identical to the scalar JavaScript.
//
// Memory is laid out by the caller: src and dst volumes (f32), the padded weights (f64), two i32
// offset tables, an f64 accumulator row and an f32 line buffer. All pointers are byte offsets.

@inline function reflect(i: i32, n: i32): i32 {
  if (i >= 0 && i < n) return i;
  const period = 2 * n;
  let m = i % period;
  if (m < 0) m += period;
  if (m >= n) m = period - 1 - m;
  return m;
}

@inline function ld2(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}

@inline function st2(p: usize, v: v128): void {
  v128.store64_lane(p, f32x4.demote_f64x2_zero(v), 0);
}

// Output modes of a pass: 0 stores the f32 result r; 1 stores f32(0 + scale * r) and 2 stores
// f32(dst + scale * r) (r rounded to f32 first), exactly what `out[i] = out[i] + f * term[i]` does in
// JavaScript over a zeroed then a filled Float32Array: sums of terms (LoG) are accumulated in their
// last pass instead of in separate passes over the volume.
@inline function put2(p: usize, t: v128, mode: i32, S: v128): void {
  if (mode == 0) {
    st2(p, t);
    return;
  }
  const r = f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(t));
  const base = mode == 1 ? f64x2.splat(0.0) : ld2(p);
  st2(p, f64x2.add(base, f64x2.mul(S, r)));
}

@inline function put1(p: usize, t: f64, mode: i32, scale: f64): void {
  if (mode == 0) {
    store<f32>(p, <f32>t);
    return;
  }
  const r = <f64><f32>t;
  const base: f64 = mode == 1 ? 0.0 : <f64>load<f32>(p);
  store<f32>(p, <f32>(base + scale * r));
}

/**
 * One output row of a symmetric (sign 1) or antisymmetric (sign -1) kernel, as pairedRow in
 * convolve.ts. `s` is the base of the source samples (f32), `cs` the centre offset, offA/offB element
 * offsets per tap pair (i32 tables), `wp` the padded weights (f64), `acc` an f64 row of nx.
 */
function pairedRow(
  s: usize, cs: i32, dst: usize, out: i32, nx: i32,
  offA: usize, offB: usize, wp: usize, pairs: i32, acc: usize, sign: i32, mode: i32, scale: f64,
): void {
  const S = f64x2.splat(scale);
  const c0 = sign == 1 ? load<f64>(wp) : 0.0;
  const a1 = load<i32>(offA + 4), b1 = load<i32>(offB + 4);
  const a2 = load<i32>(offA + 8), b2 = load<i32>(offB + 8);
  const a3 = load<i32>(offA + 12), b3 = load<i32>(offB + 12);
  const w1 = load<f64>(wp + 8), w2 = load<f64>(wp + 16), w3 = load<f64>(wp + 24);
  const direct = pairs == 3;
  const C0 = f64x2.splat(c0), W1 = f64x2.splat(w1), W2 = f64x2.splat(w2), W3 = f64x2.splat(w3);
  const n2 = nx & ~1;
  let x = 0;
  if (sign == 1) {
    for (; x < n2; x += 2) {
      const sx = s + (<usize>x << 2);
      let t = f64x2.mul(C0, ld2(sx + (<usize>cs << 2)));
      t = f64x2.add(t, f64x2.mul(W1, f64x2.add(ld2(sx + (<usize>b1 << 2)), ld2(sx + (<usize>a1 << 2)))));
      t = f64x2.add(t, f64x2.mul(W2, f64x2.add(ld2(sx + (<usize>b2 << 2)), ld2(sx + (<usize>a2 << 2)))));
      t = f64x2.add(t, f64x2.mul(W3, f64x2.add(ld2(sx + (<usize>b3 << 2)), ld2(sx + (<usize>a3 << 2)))));
      if (direct) put2(dst + (<usize>(out + x) << 2), t, mode, S);
      else v128.store(acc + (<usize>x << 3), t);
    }
    for (; x < nx; x++) {
      const t = c0 * <f64>load<f32>(s + (<usize>(cs + x) << 2)) +
        w1 * (<f64>load<f32>(s + (<usize>(b1 + x) << 2)) + <f64>load<f32>(s + (<usize>(a1 + x) << 2))) +
        w2 * (<f64>load<f32>(s + (<usize>(b2 + x) << 2)) + <f64>load<f32>(s + (<usize>(a2 + x) << 2))) +
        w3 * (<f64>load<f32>(s + (<usize>(b3 + x) << 2)) + <f64>load<f32>(s + (<usize>(a3 + x) << 2)));
      if (direct) put1(dst + (<usize>(out + x) << 2), t, mode, scale);
      else store<f64>(acc + (<usize>x << 3), t);
    }
  } else {
    for (; x < n2; x += 2) {
      const sx = s + (<usize>x << 2);
      let t = f64x2.mul(W1, f64x2.sub(ld2(sx + (<usize>b1 << 2)), ld2(sx + (<usize>a1 << 2))));
      t = f64x2.add(t, f64x2.mul(W2, f64x2.sub(ld2(sx + (<usize>b2 << 2)), ld2(sx + (<usize>a2 << 2)))));
      t = f64x2.add(t, f64x2.mul(W3, f64x2.sub(ld2(sx + (<usize>b3 << 2)), ld2(sx + (<usize>a3 << 2)))));
      if (direct) put2(dst + (<usize>(out + x) << 2), t, mode, S);
      else v128.store(acc + (<usize>x << 3), t);
    }
    for (; x < nx; x++) {
      const t =
        w1 * (<f64>load<f32>(s + (<usize>(b1 + x) << 2)) - <f64>load<f32>(s + (<usize>(a1 + x) << 2))) +
        w2 * (<f64>load<f32>(s + (<usize>(b2 + x) << 2)) - <f64>load<f32>(s + (<usize>(a2 + x) << 2))) +
        w3 * (<f64>load<f32>(s + (<usize>(b3 + x) << 2)) - <f64>load<f32>(s + (<usize>(a3 + x) << 2)));
      if (direct) put1(dst + (<usize>(out + x) << 2), t, mode, scale);
      else store<f64>(acc + (<usize>x << 3), t);
    }
  }
  for (let j = 4; j < pairs; j += 4) {
    const p1 = load<i32>(offA + (<usize>j << 2)), q1 = load<i32>(offB + (<usize>j << 2));
    const p2 = load<i32>(offA + (<usize>(j + 1) << 2)), q2 = load<i32>(offB + (<usize>(j + 1) << 2));
    const p3 = load<i32>(offA + (<usize>(j + 2) << 2)), q3 = load<i32>(offB + (<usize>(j + 2) << 2));
    const p4 = load<i32>(offA + (<usize>(j + 3) << 2)), q4 = load<i32>(offB + (<usize>(j + 3) << 2));
    const v1 = load<f64>(wp + (<usize>j << 3)), v2 = load<f64>(wp + (<usize>(j + 1) << 3));
    const v3 = load<f64>(wp + (<usize>(j + 2) << 3)), v4 = load<f64>(wp + (<usize>(j + 3) << 3));
    const V1 = f64x2.splat(v1), V2 = f64x2.splat(v2), V3 = f64x2.splat(v3), V4 = f64x2.splat(v4);
    const last = j + 4 >= pairs;
    x = 0;
    for (; x < n2; x += 2) {
      const sx = s + (<usize>x << 2);
      let t = v128.load(acc + (<usize>x << 3));
      if (sign == 1) {
        t = f64x2.add(t, f64x2.mul(V1, f64x2.add(ld2(sx + (<usize>q1 << 2)), ld2(sx + (<usize>p1 << 2)))));
        t = f64x2.add(t, f64x2.mul(V2, f64x2.add(ld2(sx + (<usize>q2 << 2)), ld2(sx + (<usize>p2 << 2)))));
        t = f64x2.add(t, f64x2.mul(V3, f64x2.add(ld2(sx + (<usize>q3 << 2)), ld2(sx + (<usize>p3 << 2)))));
        t = f64x2.add(t, f64x2.mul(V4, f64x2.add(ld2(sx + (<usize>q4 << 2)), ld2(sx + (<usize>p4 << 2)))));
      } else {
        t = f64x2.add(t, f64x2.mul(V1, f64x2.sub(ld2(sx + (<usize>q1 << 2)), ld2(sx + (<usize>p1 << 2)))));
        t = f64x2.add(t, f64x2.mul(V2, f64x2.sub(ld2(sx + (<usize>q2 << 2)), ld2(sx + (<usize>p2 << 2)))));
        t = f64x2.add(t, f64x2.mul(V3, f64x2.sub(ld2(sx + (<usize>q3 << 2)), ld2(sx + (<usize>p3 << 2)))));
        t = f64x2.add(t, f64x2.mul(V4, f64x2.sub(ld2(sx + (<usize>q4 << 2)), ld2(sx + (<usize>p4 << 2)))));
      }
      if (last) put2(dst + (<usize>(out + x) << 2), t, mode, S);
      else v128.store(acc + (<usize>x << 3), t);
    }
    for (; x < nx; x++) {
      const sg: f64 = sign == 1 ? 1.0 : -1.0;
      const t = load<f64>(acc + (<usize>x << 3)) +
        v1 * (<f64>load<f32>(s + (<usize>(q1 + x) << 2)) + sg * <f64>load<f32>(s + (<usize>(p1 + x) << 2))) +
        v2 * (<f64>load<f32>(s + (<usize>(q2 + x) << 2)) + sg * <f64>load<f32>(s + (<usize>(p2 + x) << 2))) +
        v3 * (<f64>load<f32>(s + (<usize>(q3 + x) << 2)) + sg * <f64>load<f32>(s + (<usize>(p3 + x) << 2))) +
        v4 * (<f64>load<f32>(s + (<usize>(q4 + x) << 2)) + sg * <f64>load<f32>(s + (<usize>(p4 + x) << 2)));
      if (last) put1(dst + (<usize>(out + x) << 2), t, mode, scale);
      else store<f64>(acc + (<usize>x << 3), t);
    }
  }
}

/** One output row of a kernel without symmetry, as generalRow in convolve.ts. `wk` is w[-r..r] (f64). */
function generalRow(
  s: usize, cs: i32, dst: usize, out: i32, nx: i32, offA: usize, offB: usize, wk: usize, r: i32, acc: usize, mode: i32, scale: f64,
): void {
  const S = f64x2.splat(scale);
  const w0 = load<f64>(wk + (<usize>r << 3));
  const W0 = f64x2.splat(w0);
  const n2 = nx & ~1;
  let x = 0;
  for (; x < n2; x += 2) v128.store(acc + (<usize>x << 3), f64x2.mul(W0, ld2(s + (<usize>(cs + x) << 2))));
  for (; x < nx; x++) store<f64>(acc + (<usize>x << 3), w0 * <f64>load<f32>(s + (<usize>(cs + x) << 2)));
  for (let j = 1; j <= r; j++) {
    const a = load<i32>(offA + (<usize>j << 2));
    const b = load<i32>(offB + (<usize>j << 2));
    const wa = load<f64>(wk + (<usize>(r - j) << 3));
    const wb = load<f64>(wk + (<usize>(r + j) << 3));
    const WA = f64x2.splat(wa), WB = f64x2.splat(wb);
    x = 0;
    for (; x < n2; x += 2) {
      const pa = acc + (<usize>x << 3);
      let t = f64x2.add(v128.load(pa), f64x2.mul(WA, ld2(s + (<usize>(a + x) << 2))));
      t = f64x2.add(t, f64x2.mul(WB, ld2(s + (<usize>(b + x) << 2))));
      v128.store(pa, t);
    }
    for (; x < nx; x++) {
      const pa = acc + (<usize>x << 3);
      store<f64>(pa, load<f64>(pa) + wa * <f64>load<f32>(s + (<usize>(a + x) << 2)) + wb * <f64>load<f32>(s + (<usize>(b + x) << 2)));
    }
  }
  x = 0;
  for (; x < n2; x += 2) put2(dst + (<usize>(out + x) << 2), v128.load(acc + (<usize>x << 3)), mode, S);
  for (; x < nx; x++) put1(dst + (<usize>(out + x) << 2), load<f64>(acc + (<usize>x << 3)), mode, scale);
}

/**
 * Correlation along y (axis 1) or z (axis 2) of the f32 volume at `src` into `dst`, as
 * correlateRows in convolve.ts. `w` holds the padded weights (sym != 0) or w[-r..r]. Only the lines
 * o0 <= o < o1 of the outer loop (z for axis 1, y for axis 2) are computed, so threads sharing the
 * memory can split a pass (the whole volume: 0, nz or 0, ny). `mode`/`scale`: see put2.
 */
export function correlateRows(
  src: usize, dst: usize, nx: i32, ny: i32, nz: i32, axis: i32,
  w: usize, r: i32, pairs: i32, sym: i32, offA: usize, offB: usize, acc: usize, o0: i32, o1: i32,
  mode: i32, scale: f64,
): void {
  const n = axis == 1 ? ny : nz;
  const stride = axis == 1 ? nx : nx * ny;
  const outerStride = axis == 1 ? nx * ny : nx;
  const tabLen = (r > pairs ? r : pairs) + 1;
  for (let o = o0; o < o1; o++) {
    const lineBase = o * outerStride;
    for (let p = 0; p < n; p++) {
      const out = lineBase + p * stride;
      for (let j = 0; j < tabLen; j++) {
        store<i32>(offA + (<usize>j << 2), j <= r ? lineBase + reflect(p - j, n) * stride : out);
        store<i32>(offB + (<usize>j << 2), j <= r ? lineBase + reflect(p + j, n) * stride : out);
      }
      if (sym == 0) generalRow(src, out, dst, out, nx, offA, offB, w, r, acc, mode, scale);
      else pairedRow(src, out, dst, out, nx, offA, offB, w, pairs, acc, sym, mode, scale);
    }
  }
}

/**
 * Correlation along x of the f32 volume at `src` into `dst`, as correlateX in convolve.ts: each row
 * is copied into the padded line buffer `line` (nx + 2r f32) with reflected ends. Only rows
 * row0 <= row < row1 (of ny * nz) are computed.
 */
export function correlateX(
  src: usize, dst: usize, nx: i32,
  w: usize, r: i32, pairs: i32, sym: i32, offA: usize, offB: usize, acc: usize, line: usize, row0: i32, row1: i32,
  mode: i32, scale: f64,
): void {
  const tabLen = (r > pairs ? r : pairs) + 1;
  for (let j = 0; j < tabLen; j++) {
    store<i32>(offA + (<usize>j << 2), j <= r ? r - j : r);
    store<i32>(offB + (<usize>j << 2), j <= r ? r + j : r);
  }
  for (let row = row0; row < row1; row++) {
    const base = row * nx;
    memory.copy(line + (<usize>r << 2), src + (<usize>base << 2), <usize>nx << 2);
    for (let j = 1; j <= r; j++) {
      store<f32>(line + (<usize>(r - j) << 2), load<f32>(line + (<usize>(r + reflect(-j, nx)) << 2)));
      store<f32>(line + (<usize>(r + nx - 1 + j) << 2), load<f32>(line + (<usize>(r + reflect(nx - 1 + j, nx)) << 2)));
    }
    if (sym == 0) generalRow(line, r, dst, base, nx, offA, offB, w, r, acc, mode, scale);
    else pairedRow(line, r, dst, base, nx, offA, offB, w, pairs, acc, sym, mode, scale);
  }
}
