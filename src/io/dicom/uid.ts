import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
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

/**
 * True when `uid` is a syntactically valid UID (digits and dots, no leading zeros, <= 64 chars).
 *
 * @example
 * ```ts
 * import { isValidUid } from 'medimg/dicom';
 * isValidUid('1.2.840.10008.5.1.4.1.1.66.4'); // true
 * isValidUid('1.02.3'); // false: leading zero
 * ```
 */
export function isValidUid(uid: string): boolean {
  return uid.length > 0 && uid.length <= 64 && /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/.test(uid);
}

/**
 * A new, globally unique UID. Without `root`: `2.25.<uuid as decimal>`. With `root` (e.g. your
 * organisation's registered root): `<root>.<random decimal>` truncated to 64 characters.
 *
 * @example
 * ```ts
 * import { generateUid } from 'medimg/dicom';
 * const seriesInstanceUid = generateUid(); // '2.25.<random 128-bit decimal>'
 * ```
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

// SHA-256 and HMAC-SHA256 from @noble/hashes (audited, synchronous, no Node APIs), so
// de-identification stays a plain function in Node and the browser (WebCrypto is async only).

/** SHA-256 digest (32 bytes). */
export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

/** HMAC-SHA256 (RFC 2104) of `message` under `key` (32 bytes). */
export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  return hmac(nobleSha256, key, message);
}

/** Fresh random key bytes for a de-identification session. */
export function randomKey(n = 32): Uint8Array {
  return randomBytes(n);
}
