// AssemblyScript source of the SIMD separable-correlation kernels (compiled by scripts/build-wasm.mjs
// into src/core/simd/convolve-wasm.ts). They mirror src/core/ops/convolve.ts tap for tap, in f32
// arithmetic four lanes at a time (f32x4; the JavaScript sums in f64 and rounds once), so the two
// agree within float32 rounding (bound and measurements in test/core/simd.test.ts). A row's tail
// runs the same f32 operations in scalar code: a voxel's value does not depend on its lane or on
// how threads split the rows.
//
// Memory is laid out by the caller: src and dst volumes (f32), the padded weights (f64 holding f32
// values), two i32 offset tables, an f32 accumulator row and an f32 line buffer. All pointers are byte offsets.

@inline function reflect(i: i32, n: i32): i32 {
  if (i >= 0 && i < n) return i;
  const period = 2 * n;
  let m = i % period;
  if (m < 0) m += period;
  if (m >= n) m = period - 1 - m;
  return m;
}

@inline function ld4(p: usize): v128 {
  return v128.load(p);
}

// Output modes of a pass: 0 stores the result r; 1 stores f32(0 + scale * r) and 2 stores
// f32(dst + scale * r), both in f64 as `out[i] = out[i] + f * term[i]` on Float32Arrays in
// JavaScript: sums of terms (LoG) are accumulated in their last pass, bitwise as separate passes
// followed by that loop.
@inline function mad2(p: usize, base: v128, S: v128, r: v128): v128 {
  return f32x4.demote_f64x2_zero(f64x2.add(base, f64x2.mul(S, r)));
}

@inline function put4(p: usize, t: v128, mode: i32, S: v128): void {
  if (mode == 0) {
    v128.store(p, t);
    return;
  }
  const rHi = v128.shuffle<i32>(t, t, 2, 3, 2, 3);
  const zero = f64x2.splat(0.0);
  let bLo = zero;
  let bHi = zero;
  if (mode == 2) {
    const d = v128.load(p);
    bLo = f64x2.promote_low_f32x4(d);
    bHi = f64x2.promote_low_f32x4(v128.shuffle<i32>(d, d, 2, 3, 2, 3));
  }
  const lo = mad2(p, bLo, S, f64x2.promote_low_f32x4(t));
  const hi = mad2(p, bHi, S, f64x2.promote_low_f32x4(rHi));
  v128.store(p, v128.shuffle<i32>(lo, hi, 0, 1, 4, 5));
}

@inline function put1(p: usize, t: f32, mode: i32, scale: f64): void {
  if (mode == 0) {
    store<f32>(p, t);
    return;
  }
  const base: f64 = mode == 1 ? 0.0 : <f64>load<f32>(p);
  store<f32>(p, <f32>(base + scale * <f64>t));
}

@inline function at(s: usize, o: i32, x: i32): usize {
  return s + (<usize>(o + x) << 2);
}

/**
 * One output row of a symmetric (sign 1) or antisymmetric (sign -1) kernel, as pairedRow in
 * convolve.ts but in f32 arithmetic, four lanes at a time (the tail in scalar f32 with the same
 * operations, so a voxel's value does not depend on its lane). `s` is the base of the source
 * samples (f32), `cs` the centre offset, offA/offB element offsets per tap pair (i32 tables), `wp`
 * the padded weights (f64 holding f32 values), `acc` an f32 row of nx.
 */
function pairedRow(
  s: usize, cs: i32, dst: usize, out: i32, nx: i32,
  offA: usize, offB: usize, wp: usize, pairs: i32, acc: usize, sign: i32, mode: i32, scale: f64,
): void {
  const S = f64x2.splat(scale);
  const c0: f32 = sign == 1 ? <f32>load<f64>(wp) : 0.0;
  const a1 = load<i32>(offA + 4), b1 = load<i32>(offB + 4);
  const a2 = load<i32>(offA + 8), b2 = load<i32>(offB + 8);
  const a3 = load<i32>(offA + 12), b3 = load<i32>(offB + 12);
  const w1 = <f32>load<f64>(wp + 8), w2 = <f32>load<f64>(wp + 16), w3 = <f32>load<f64>(wp + 24);
  const direct = pairs == 3;
  const C0 = f32x4.splat(c0), W1 = f32x4.splat(w1), W2 = f32x4.splat(w2), W3 = f32x4.splat(w3);
  const n4 = nx & ~3;
  let x = 0;
  if (sign == 1) {
    for (; x < n4; x += 4) {
      let t = f32x4.mul(C0, ld4(at(s, cs, x)));
      t = f32x4.add(t, f32x4.mul(W1, f32x4.add(ld4(at(s, b1, x)), ld4(at(s, a1, x)))));
      t = f32x4.add(t, f32x4.mul(W2, f32x4.add(ld4(at(s, b2, x)), ld4(at(s, a2, x)))));
      t = f32x4.add(t, f32x4.mul(W3, f32x4.add(ld4(at(s, b3, x)), ld4(at(s, a3, x)))));
      if (direct) put4(at(dst, out, x), t, mode, S);
      else v128.store(acc + (<usize>x << 2), t);
    }
    for (; x < nx; x++) {
      let t = c0 * load<f32>(at(s, cs, x));
      t += w1 * (load<f32>(at(s, b1, x)) + load<f32>(at(s, a1, x)));
      t += w2 * (load<f32>(at(s, b2, x)) + load<f32>(at(s, a2, x)));
      t += w3 * (load<f32>(at(s, b3, x)) + load<f32>(at(s, a3, x)));
      if (direct) put1(at(dst, out, x), t, mode, scale);
      else store<f32>(acc + (<usize>x << 2), t);
    }
  } else {
    for (; x < n4; x += 4) {
      let t = f32x4.mul(W1, f32x4.sub(ld4(at(s, b1, x)), ld4(at(s, a1, x))));
      t = f32x4.add(t, f32x4.mul(W2, f32x4.sub(ld4(at(s, b2, x)), ld4(at(s, a2, x)))));
      t = f32x4.add(t, f32x4.mul(W3, f32x4.sub(ld4(at(s, b3, x)), ld4(at(s, a3, x)))));
      if (direct) put4(at(dst, out, x), t, mode, S);
      else v128.store(acc + (<usize>x << 2), t);
    }
    for (; x < nx; x++) {
      let t = w1 * (load<f32>(at(s, b1, x)) - load<f32>(at(s, a1, x)));
      t += w2 * (load<f32>(at(s, b2, x)) - load<f32>(at(s, a2, x)));
      t += w3 * (load<f32>(at(s, b3, x)) - load<f32>(at(s, a3, x)));
      if (direct) put1(at(dst, out, x), t, mode, scale);
      else store<f32>(acc + (<usize>x << 2), t);
    }
  }
  for (let j = 4; j < pairs; j += 4) {
    const p1 = load<i32>(offA + (<usize>j << 2)), q1 = load<i32>(offB + (<usize>j << 2));
    const p2 = load<i32>(offA + (<usize>(j + 1) << 2)), q2 = load<i32>(offB + (<usize>(j + 1) << 2));
    const p3 = load<i32>(offA + (<usize>(j + 2) << 2)), q3 = load<i32>(offB + (<usize>(j + 2) << 2));
    const p4 = load<i32>(offA + (<usize>(j + 3) << 2)), q4 = load<i32>(offB + (<usize>(j + 3) << 2));
    const v1 = <f32>load<f64>(wp + (<usize>j << 3)), v2 = <f32>load<f64>(wp + (<usize>(j + 1) << 3));
    const v3 = <f32>load<f64>(wp + (<usize>(j + 2) << 3)), v4 = <f32>load<f64>(wp + (<usize>(j + 3) << 3));
    const V1 = f32x4.splat(v1), V2 = f32x4.splat(v2), V3 = f32x4.splat(v3), V4 = f32x4.splat(v4);
    const last = j + 4 >= pairs;
    x = 0;
    for (; x < n4; x += 4) {
      let t = v128.load(acc + (<usize>x << 2));
      if (sign == 1) {
        t = f32x4.add(t, f32x4.mul(V1, f32x4.add(ld4(at(s, q1, x)), ld4(at(s, p1, x)))));
        t = f32x4.add(t, f32x4.mul(V2, f32x4.add(ld4(at(s, q2, x)), ld4(at(s, p2, x)))));
        t = f32x4.add(t, f32x4.mul(V3, f32x4.add(ld4(at(s, q3, x)), ld4(at(s, p3, x)))));
        t = f32x4.add(t, f32x4.mul(V4, f32x4.add(ld4(at(s, q4, x)), ld4(at(s, p4, x)))));
      } else {
        t = f32x4.add(t, f32x4.mul(V1, f32x4.sub(ld4(at(s, q1, x)), ld4(at(s, p1, x)))));
        t = f32x4.add(t, f32x4.mul(V2, f32x4.sub(ld4(at(s, q2, x)), ld4(at(s, p2, x)))));
        t = f32x4.add(t, f32x4.mul(V3, f32x4.sub(ld4(at(s, q3, x)), ld4(at(s, p3, x)))));
        t = f32x4.add(t, f32x4.mul(V4, f32x4.sub(ld4(at(s, q4, x)), ld4(at(s, p4, x)))));
      }
      if (last) put4(at(dst, out, x), t, mode, S);
      else v128.store(acc + (<usize>x << 2), t);
    }
    for (; x < nx; x++) {
      let t = load<f32>(acc + (<usize>x << 2));
      if (sign == 1) {
        t += v1 * (load<f32>(at(s, q1, x)) + load<f32>(at(s, p1, x)));
        t += v2 * (load<f32>(at(s, q2, x)) + load<f32>(at(s, p2, x)));
        t += v3 * (load<f32>(at(s, q3, x)) + load<f32>(at(s, p3, x)));
        t += v4 * (load<f32>(at(s, q4, x)) + load<f32>(at(s, p4, x)));
      } else {
        t += v1 * (load<f32>(at(s, q1, x)) - load<f32>(at(s, p1, x)));
        t += v2 * (load<f32>(at(s, q2, x)) - load<f32>(at(s, p2, x)));
        t += v3 * (load<f32>(at(s, q3, x)) - load<f32>(at(s, p3, x)));
        t += v4 * (load<f32>(at(s, q4, x)) - load<f32>(at(s, p4, x)));
      }
      if (last) put1(at(dst, out, x), t, mode, scale);
      else store<f32>(acc + (<usize>x << 2), t);
    }
  }
}

/** One output row of a kernel without symmetry, as generalRow in convolve.ts, in f32. `wk` is w[-r..r] (f64). */
function generalRow(
  s: usize, cs: i32, dst: usize, out: i32, nx: i32, offA: usize, offB: usize, wk: usize, r: i32, acc: usize,
  mode: i32, scale: f64,
): void {
  const S = f64x2.splat(scale);
  const w0 = <f32>load<f64>(wk + (<usize>r << 3));
  const W0 = f32x4.splat(w0);
  const n4 = nx & ~3;
  let x = 0;
  for (; x < n4; x += 4) v128.store(acc + (<usize>x << 2), f32x4.mul(W0, ld4(at(s, cs, x))));
  for (; x < nx; x++) store<f32>(acc + (<usize>x << 2), w0 * load<f32>(at(s, cs, x)));
  for (let j = 1; j <= r; j++) {
    const a = load<i32>(offA + (<usize>j << 2));
    const b = load<i32>(offB + (<usize>j << 2));
    const wa = <f32>load<f64>(wk + (<usize>(r - j) << 3));
    const wb = <f32>load<f64>(wk + (<usize>(r + j) << 3));
    const WA = f32x4.splat(wa), WB = f32x4.splat(wb);
    x = 0;
    for (; x < n4; x += 4) {
      const pa = acc + (<usize>x << 2);
      let t = f32x4.add(v128.load(pa), f32x4.mul(WA, ld4(at(s, a, x))));
      t = f32x4.add(t, f32x4.mul(WB, ld4(at(s, b, x))));
      v128.store(pa, t);
    }
    for (; x < nx; x++) {
      const pa = acc + (<usize>x << 2);
      let t = load<f32>(pa) + wa * load<f32>(at(s, a, x));
      t += wb * load<f32>(at(s, b, x));
      store<f32>(pa, t);
    }
  }
  x = 0;
  for (; x < n4; x += 4) put4(at(dst, out, x), v128.load(acc + (<usize>x << 2)), mode, S);
  for (; x < nx; x++) put1(at(dst, out, x), load<f32>(acc + (<usize>x << 2)), mode, scale);
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
