import { describe, expect, it } from 'vitest';
import { writeModalityFrame } from '../../src/io/dicom/values.js';
import { Rng } from '../../src/core/random.js';

// Reference: stored = masked (and sign-extended) BitsStored bits above the shift, then slope/intercept.
function reference(words: Uint16Array, bitsStored: number, shift: number, signed: boolean, a: number, b: number) {
  const out = new Array<number>(words.length);
  for (let i = 0; i < words.length; i++) {
    let v = (words[i]! >> shift) & ((1 << bitsStored) - 1);
    if (signed && v >= 1 << (bitsStored - 1)) v -= 1 << bitsStored;
    out[i] = v * a + b;
  }
  return out;
}

describe('writeModalityFrame: raw 16-bit words to modality values in one pass', () => {
  const rng = new Rng(7);
  // byte offsets 0 and 2 mod 4 take the two SWAR paths; odd lengths and offsets the scalar one
  for (const byteOffset of [0, 2, 4, 6])
    for (const n of [2, 3, 4, 9, 512, 1001])
      for (const [bitsStored, signed, a, b] of [
        [12, false, 1, -1024],
        [12, false, 1, 0],
        [12, true, 1, -1000],
        [16, true, 1, 0],
        [12, false, 2, -1024],
      ] as const)
        it(`offset ${byteOffset}, n ${n}, ${bitsStored}-bit ${signed ? 'signed' : 'unsigned'}, ${a}x${b >= 0 ? '+' : ''}${b}`, () => {
          const buf = new ArrayBuffer(byteOffset + 2 * n + 8);
          // garbage everywhere, also in the high bits and around the data
          const all = new Uint16Array(buf);
          for (let i = 0; i < all.length; i++) all[i] = rng.int(0, 65536);
          const words = new Uint16Array(buf, byteOffset, n);
          const before = all.slice();
          for (const dstOffset of [0, 1, 2]) {
            const dst = new Int16Array(n + 4).fill(12345);
            const ok = writeModalityFrame(words, n, dst, dstOffset, a, b, undefined, {
              shift: 0,
              bitsStored,
              signed,
            });
            expect(ok).toBe(true);
            const exp = reference(words, bitsStored, 0, signed, a, b);
            expect(Array.from(dst.subarray(dstOffset, dstOffset + n))).toEqual(exp);
            // nothing outside the frame is written, the source is untouched
            for (let i = 0; i < dstOffset; i++) expect(dst[i]).toBe(12345);
            for (let i = dstOffset + n; i < dst.length; i++) expect(dst[i]).toBe(12345);
            expect(all).toEqual(before);
          }
        });
});
