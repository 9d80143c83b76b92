import { MedImgError } from '../../core/errors.js';

/**
 * DICOM UIDs. New UIDs use the "2.25." root (PS3.5 B.2): the decimal form of a 128-bit random
 * UUID, so no registered organisation root is needed. A caller with its own root may pass it; the
 * random part is then appended as decimal digits, keeping the UID within 64 characters.
 */

function randomBytes(n: number): Uint8Array {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (!c?.getRandomValues) {
    throw new MedImgError('UNSUPPORTED_ENVIRONMENT', 'No secure random source (crypto.getRandomValues) is available.');
  }
  return c.getRandomValues(new Uint8Array(n));
}

function bytesToBigInt(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

/** 2.25 UID from 16 bytes, shaped as a version-4 (random) or version-8 (custom hash) UUID. */
function uuidBytesToUid(b: Uint8Array, version: 4 | 8): string {
  const u = b.slice(0, 16);
  u[6] = ((u[6] ?? 0) & 0x0f) | (version << 4);
  u[8] = ((u[8] ?? 0) & 0x3f) | 0x80;
  return `2.25.${bytesToBigInt(u).toString()}`;
}

/** True when `uid` is a syntactically valid UID (digits and dots, no leading zeros, <= 64 chars). */
export function isValidUid(uid: string): boolean {
  return uid.length > 0 && uid.length <= 64 && /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/.test(uid);
}

/**
 * A new, globally unique UID. Without `root`: `2.25.<uuid as decimal>`. With `root` (e.g. your
 * organisation's registered root): `<root>.<random decimal>` truncated to 64 characters.
 */
export function generateUid(root?: string): string {
  if (!root) return uuidBytesToUid(randomBytes(16), 4);
  const r = root.replace(/\.$/, '');
  if (!isValidUid(r) || r.length > 40) {
    throw new MedImgError('INVALID_ARGUMENT', 'The UID root must be a valid UID of at most 40 characters.');
  }
  const digits = bytesToBigInt(randomBytes(16)).toString();
  const room = 64 - r.length - 1;
  const tail = digits.slice(0, room).replace(/^0+/, '') || '1';
  return `${r}.${tail}`;
}

/** Deterministic 2.25 UID from a 32-byte digest (used for keyed UID remapping). */
export function uidFromDigest(digest: Uint8Array): string {
  return uuidBytesToUid(digest, 8);
}

// ---------------------------------------------------------------------------------------------
// SHA-256 and HMAC-SHA256, synchronous and dependency-free, so de-identification stays a plain
// function in Node and the browser (WebCrypto's subtle digest is async only).
// ---------------------------------------------------------------------------------------------

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

/** SHA-256 of `data` (FIPS 180-4). */
export function sha256(data: Uint8Array): Uint8Array {
  const h = new Uint32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]);
  const bitLen = data.length * 8;
  const padded = new Uint8Array(Math.ceil((data.length + 9) / 64) * 64);
  padded.set(data);
  padded[data.length] = 0x80;
  const pdv = new DataView(padded.buffer);
  pdv.setUint32(padded.length - 8, Math.floor(bitLen / 2 ** 32), false);
  pdv.setUint32(padded.length - 4, bitLen >>> 0, false);
  const w = new Uint32Array(64);
  for (let off = 0; off < padded.length; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = pdv.getUint32(off + i * 4, false);
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15] as number;
      const y = w[i - 2] as number;
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = ((w[i - 16] as number) + s0 + (w[i - 7] as number) + s1) >>> 0;
    }
    let a = h[0] as number;
    let b = h[1] as number;
    let c = h[2] as number;
    let d = h[3] as number;
    let e = h[4] as number;
    let f = h[5] as number;
    let g = h[6] as number;
    let hh = h[7] as number;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + S1 + ch + (K[i] as number) + (w[i] as number)) >>> 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) >>> 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    h[0] = ((h[0] as number) + a) >>> 0;
    h[1] = ((h[1] as number) + b) >>> 0;
    h[2] = ((h[2] as number) + c) >>> 0;
    h[3] = ((h[3] as number) + d) >>> 0;
    h[4] = ((h[4] as number) + e) >>> 0;
    h[5] = ((h[5] as number) + f) >>> 0;
    h[6] = ((h[6] as number) + g) >>> 0;
    h[7] = ((h[7] as number) + hh) >>> 0;
  }
  const out = new Uint8Array(32);
  const odv = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) odv.setUint32(i * 4, h[i] as number, false);
  return out;
}

/** HMAC-SHA256 (RFC 2104). */
export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  let k = key.length > 64 ? sha256(key) : key;
  if (k.length < 64) {
    const kk = new Uint8Array(64);
    kk.set(k);
    k = kk;
  }
  const inner = new Uint8Array(64 + message.length);
  const outer = new Uint8Array(64 + 32);
  for (let i = 0; i < 64; i++) {
    inner[i] = (k[i] as number) ^ 0x36;
    outer[i] = (k[i] as number) ^ 0x5c;
  }
  inner.set(message, 64);
  outer.set(sha256(inner), 64);
  return sha256(outer);
}

/** Fresh random key bytes for a de-identification session. */
export function randomKey(n = 32): Uint8Array {
  return randomBytes(n);
}
