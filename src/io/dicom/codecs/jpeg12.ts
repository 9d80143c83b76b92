import { MedImgError } from '../../../core/errors.js';
import type { DecodedFrame } from './emscripten.js';

/**
 * Sequential Huffman DCT JPEG (ISO 10918-1 processes 1, 2 and 4) for one greyscale component at
 * 8 or 12 bits: the 12-bit "JPEG extended" DICOM uses (1.2.840.10008.1.2.4.51), which the 8-bit
 * libjpeg-turbo build cannot decode. The inverse DCT is IJG's integer "islow" (jidctint.c), the
 * default of the libjpeg-based decoders in DCMTK and GDCM, so results match theirs bit for bit.
 */
export function decodeJpegGrey(b: Uint8Array): DecodedFrame {
  const fail = (why: string): never => {
    throw new MedImgError('DICOM_DECODE_FAILED', `JPEG extended frame: ${why}.`);
  };
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) fail('no start-of-image marker');
  const qt: (Int32Array | undefined)[] = [];
  const dcTables: (Huffman | undefined)[] = [];
  const acTables: (Huffman | undefined)[] = [];
  let precision = 8;
  let width = 0;
  let height = 0;
  let compId = -1;
  let compQ = 0;
  let restartInterval = 0;
  let out: Uint16Array | undefined;
  let p = 2;
  const u16 = (i: number) => ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
  while (p + 4 <= b.length) {
    if (b[p] !== 0xff) {
      p++;
      continue;
    }
    const m = b[p + 1]!;
    if (m === 0xff || m === 0x00 || (m >= 0xd0 && m <= 0xd7)) {
      p++;
      continue;
    }
    if (m === 0xd9) break;
    const len = u16(p + 2);
    const seg = p + 4;
    const end = p + 2 + len;
    if (len < 2 || end > b.length) fail('segment runs past the end');
    if (m === 0xdb) {
      let q = seg;
      while (q < end) {
        const pq = b[q]! >> 4;
        const tq = b[q]! & 15;
        q++;
        const t = new Int32Array(64);
        for (let k = 0; k < 64; k++) t[ZIGZAG[k]!] = pq ? u16(q + 2 * k) : b[q + k]!;
        q += pq ? 128 : 64;
        if (tq > 3 || q > end) fail('bad quantisation table');
        qt[tq] = t;
      }
    } else if (m === 0xc4) {
      let q = seg;
      while (q < end) {
        const tc = b[q]! >> 4;
        const th = b[q]! & 15;
        const counts = b.subarray(q + 1, q + 17);
        let total = 0;
        for (let i = 0; i < 16; i++) total += counts[i] ?? 0;
        if (q + 17 + total > end || th > 3) fail('bad Huffman table');
        const h = buildHuffman(counts, b.subarray(q + 17, q + 17 + total));
        if (tc === 0) dcTables[th] = h;
        else acTables[th] = h;
        q += 17 + total;
      }
    } else if (m === 0xdd) {
      restartInterval = u16(seg);
    } else if (m === 0xc0 || m === 0xc1) {
      precision = b[seg]!;
      height = u16(seg + 1);
      width = u16(seg + 3);
      const nc = b[seg + 5]!;
      if (nc !== 1) fail(`${nc} components (only greyscale is handled here)`);
      if (precision !== 8 && precision !== 12) fail(`precision ${precision}`);
      if (width < 1 || height < 1 || width * height > 1 << 28) fail('bad image size');
      compId = b[seg + 6]!;
      compQ = b[seg + 8]!;
    } else if (m >= 0xc2 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      fail('progressive, lossless or arithmetic-coded JPEG in a baseline/extended transfer syntax');
    } else if (m === 0xda) {
      if (!width) fail('scan before frame header');
      const ns = b[seg]!;
      if (ns !== 1 || b[seg + 1] !== compId) fail('unexpected scan components');
      const dc = dcTables[b[seg + 2]! >> 4];
      const ac = acTables[b[seg + 2]! & 15];
      const q = qt[compQ];
      if (!dc || !ac || !q) fail('missing Huffman or quantisation table');
      out = new Uint16Array(width * height);
      p = decodeScan(b, seg + 1 + 2 * ns + 3, dc!, ac!, q!, width, height, precision, restartInterval, out);
      continue;
    }
    p = end;
  }
  if (!out) fail('no image data');
  return { data: out!, width, height, components: 1, bitsPerSample: precision, signed: false };
}

interface Huffman {
  maxcode: Int32Array; // per length 1..16, -1 when none
  valptr: Int32Array;
  mincode: Int32Array;
  values: Uint8Array;
}

function buildHuffman(counts: Uint8Array, values: Uint8Array): Huffman {
  const maxcode = new Int32Array(18).fill(-1);
  const valptr = new Int32Array(17);
  const mincode = new Int32Array(17);
  let code = 0;
  let k = 0;
  for (let l = 1; l <= 16; l++) {
    const n = counts[l - 1]!;
    if (n) {
      valptr[l] = k;
      mincode[l] = code;
      code += n;
      k += n;
      maxcode[l] = code - 1;
    }
    code <<= 1;
  }
  maxcode[17] = 0x7fffffff;
  return { maxcode, valptr, mincode, values: values.slice() };
}

const ZIGZAG = new Int32Array([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47,
  55, 62, 63,
]);

/** Entropy-coded segment reader: byte stuffing removed, stops (feeding zeros) at a marker. */
class Bits {
  pos: number;
  acc = 0;
  n = 0;
  marker = false;
  constructor(
    private readonly b: Uint8Array,
    start: number,
  ) {
    this.pos = start;
  }
  bit(): number {
    if (this.n === 0) {
      let byte = 0;
      if (!this.marker && this.pos < this.b.length) {
        byte = this.b[this.pos]!;
        if (byte === 0xff) {
          const next = this.b[this.pos + 1];
          if (next === 0) this.pos += 2;
          else {
            this.marker = true;
            byte = 0;
          }
        } else this.pos++;
      }
      this.acc = byte;
      this.n = 8;
    }
    this.n--;
    return (this.acc >> this.n) & 1;
  }
  bits(k: number): number {
    let v = 0;
    for (let i = 0; i < k; i++) v = (v << 1) | this.bit();
    return v;
  }
  decode(h: Huffman): number {
    let code = 0;
    for (let l = 1; l <= 16; l++) {
      code = (code << 1) | this.bit();
      if (code <= h.maxcode[l]!) return h.values[h.valptr[l]! + code - h.mincode[l]!] ?? 0;
    }
    throw new MedImgError('DICOM_DECODE_FAILED', 'JPEG extended frame: corrupt Huffman code.');
  }
  /** Skips to the next RSTn marker after a restart interval. */
  restart(): void {
    this.n = 0;
    this.marker = false;
    while (
      this.pos + 1 < this.b.length &&
      !(this.b[this.pos] === 0xff && this.b[this.pos + 1]! >= 0xd0 && this.b[this.pos + 1]! <= 0xd7)
    )
      this.pos++;
    this.pos += 2;
  }
}

function extend(v: number, s: number): number {
  return v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
}

function decodeScan(
  b: Uint8Array,
  start: number,
  dc: Huffman,
  ac: Huffman,
  q: Int32Array,
  width: number,
  height: number,
  precision: number,
  restartInterval: number,
  out: Uint16Array,
): number {
  const bx = Math.ceil(width / 8);
  const by = Math.ceil(height / 8);
  const bits = new Bits(b, start);
  const coef = new Int32Array(64);
  const ws = new Float64Array(64);
  const block = new Int32Array(64);
  const pass1 = precision === 8 ? 2 : 1;
  const center = 1 << (precision - 1);
  const maxv = (1 << precision) - 1;
  let pred = 0;
  let mcu = 0;
  for (let y = 0; y < by; y++) {
    for (let x = 0; x < bx; x++) {
      if (restartInterval && mcu > 0 && mcu % restartInterval === 0) {
        bits.restart();
        pred = 0;
      }
      mcu++;
      coef.fill(0);
      const t = bits.decode(dc);
      if (t > 16) throw new MedImgError('DICOM_DECODE_FAILED', 'JPEG extended frame: corrupt DC code.');
      pred += t ? extend(bits.bits(t), t) : 0;
      coef[0] = pred * q[0]!;
      for (let k = 1; k < 64; ) {
        const rs = bits.decode(ac);
        const r = rs >> 4;
        const s = rs & 15;
        if (s) {
          k += r;
          if (k > 63) break;
          const z = ZIGZAG[k]!;
          coef[z] = extend(bits.bits(s), s) * q[z]!;
          k++;
        } else if (r === 15) k += 16;
        else break;
      }
      idctIslow(coef, ws, block, pass1, center, maxv);
      const x0 = x * 8;
      const y0 = y * 8;
      for (let r = 0; r < 8 && y0 + r < height; r++) {
        const o = (y0 + r) * width + x0;
        for (let c = 0; c < 8 && x0 + c < width; c++) out[o + c] = block[r * 8 + c]!;
      }
    }
  }
  return bits.pos;
}

const CB = 13;
const F0298 = 2446;
const F0390 = 3196;
const F0541 = 4433;
const F0765 = 6270;
const F0899 = 7373;
const F1175 = 9633;
const F1501 = 12299;
const F1847 = 15137;
const F1961 = 16069;
const F2053 = 16819;
const F2562 = 20995;
const F3072 = 25172;

function descale(x: number, n: number): number {
  return Math.floor((x + 2 ** (n - 1)) / 2 ** n);
}

/** IJG jidctint.c jpeg_idct_islow, in doubles (exact for these integer ranges). */
function idctIslow(
  c: Int32Array,
  ws: Float64Array,
  out: Int32Array,
  pass1: number,
  center: number,
  maxv: number,
): void {
  const s1 = CB - pass1;
  for (let col = 0; col < 8; col++) {
    let z2 = c[16 + col]!;
    let z3 = c[48 + col]!;
    let z1 = (z2 + z3) * F0541;
    let tmp2 = z1 - z3 * F1847;
    let tmp3 = z1 + z2 * F0765;
    z2 = c[col]!;
    z3 = c[32 + col]!;
    let tmp0 = (z2 + z3) * 8192;
    let tmp1 = (z2 - z3) * 8192;
    const tmp10 = tmp0 + tmp3;
    const tmp13 = tmp0 - tmp3;
    const tmp11 = tmp1 + tmp2;
    const tmp12 = tmp1 - tmp2;
    tmp0 = c[56 + col]!;
    tmp1 = c[40 + col]!;
    tmp2 = c[24 + col]!;
    tmp3 = c[8 + col]!;
    z1 = tmp0 + tmp3;
    z2 = tmp1 + tmp2;
    z3 = tmp0 + tmp2;
    let z4 = tmp1 + tmp3;
    const z5 = (z3 + z4) * F1175;
    tmp0 *= F0298;
    tmp1 *= F2053;
    tmp2 *= F3072;
    tmp3 *= F1501;
    z1 *= -F0899;
    z2 *= -F2562;
    z3 = z3 * -F1961 + z5;
    z4 = z4 * -F0390 + z5;
    tmp0 += z1 + z3;
    tmp1 += z2 + z4;
    tmp2 += z2 + z3;
    tmp3 += z1 + z4;
    ws[col] = descale(tmp10 + tmp3, s1);
    ws[56 + col] = descale(tmp10 - tmp3, s1);
    ws[8 + col] = descale(tmp11 + tmp2, s1);
    ws[48 + col] = descale(tmp11 - tmp2, s1);
    ws[16 + col] = descale(tmp12 + tmp1, s1);
    ws[40 + col] = descale(tmp12 - tmp1, s1);
    ws[24 + col] = descale(tmp13 + tmp0, s1);
    ws[32 + col] = descale(tmp13 - tmp0, s1);
  }
  const s2 = CB + pass1 + 3;
  for (let row = 0; row < 64; row += 8) {
    let z2 = ws[row + 2]!;
    let z3 = ws[row + 6]!;
    let z1 = (z2 + z3) * F0541;
    let tmp2 = z1 - z3 * F1847;
    let tmp3 = z1 + z2 * F0765;
    let tmp0 = (ws[row]! + ws[row + 4]!) * 8192;
    let tmp1 = (ws[row]! - ws[row + 4]!) * 8192;
    const tmp10 = tmp0 + tmp3;
    const tmp13 = tmp0 - tmp3;
    const tmp11 = tmp1 + tmp2;
    const tmp12 = tmp1 - tmp2;
    tmp0 = ws[row + 7]!;
    tmp1 = ws[row + 5]!;
    tmp2 = ws[row + 3]!;
    tmp3 = ws[row + 1]!;
    z1 = tmp0 + tmp3;
    z2 = tmp1 + tmp2;
    z3 = tmp0 + tmp2;
    let z4 = tmp1 + tmp3;
    const z5 = (z3 + z4) * F1175;
    tmp0 *= F0298;
    tmp1 *= F2053;
    tmp2 *= F3072;
    tmp3 *= F1501;
    z1 *= -F0899;
    z2 *= -F2562;
    z3 = z3 * -F1961 + z5;
    z4 = z4 * -F0390 + z5;
    tmp0 += z1 + z3;
    tmp1 += z2 + z4;
    tmp2 += z2 + z3;
    tmp3 += z1 + z4;
    out[row] = clamp(descale(tmp10 + tmp3, s2) + center, maxv);
    out[row + 7] = clamp(descale(tmp10 - tmp3, s2) + center, maxv);
    out[row + 1] = clamp(descale(tmp11 + tmp2, s2) + center, maxv);
    out[row + 6] = clamp(descale(tmp11 - tmp2, s2) + center, maxv);
    out[row + 2] = clamp(descale(tmp12 + tmp1, s2) + center, maxv);
    out[row + 5] = clamp(descale(tmp12 - tmp1, s2) + center, maxv);
    out[row + 3] = clamp(descale(tmp13 + tmp0, s2) + center, maxv);
    out[row + 4] = clamp(descale(tmp13 - tmp0, s2) + center, maxv);
  }
}

function clamp(v: number, maxv: number): number {
  return v < 0 ? 0 : v > maxv ? maxv : v;
}
