import { Gunzip, Inflate, gzipSync } from 'fflate';
import { MedImgError } from '../core/errors.js';

/**
 * gzip and raw deflate for the io layer, always bounded. fflate (pure JS) works everywhere; the
 * Node entry installs node:zlib, which inflates about 2.5x faster. A decompression bomb stops with
 * `DECODE_LIMIT_EXCEEDED` as soon as the output passes its limit, never after inflating it all.
 * Other failures are plain errors (callers map them to their own code).
 */
export interface GzipCodec {
  /** Inflates every gzip member of `data`; throws `DECODE_LIMIT_EXCEEDED` past `maxOutput` bytes. */
  gunzip(data: Uint8Array, maxOutput: number): Uint8Array;
  /** Inflates raw deflate data (deflated DICOM); throws `DECODE_LIMIT_EXCEEDED` past `maxOutput` bytes. */
  inflateRaw(data: Uint8Array, maxOutput: number): Uint8Array;
  gzip(data: Uint8Array, level: number): Uint8Array;
}

/** The default decoded-size budget: 2 GiB. Readers use the smaller of it and what the header declares. */
export const DEFAULT_MAX_DECODED_BYTES = 2 * 1024 ** 3;

let maxDecoded = DEFAULT_MAX_DECODED_BYTES;

/**
 * Sets the process-wide decoded-size budget (bytes) used where a call passes none: inflated
 * deflate/gzip data and codec output buffers never exceed it. `undefined` restores 2 GiB.
 *
 * @example
 * ```ts
 * import { setMaxDecodedBytes } from 'medimg';
 * setMaxDecodedBytes(4 * 1024 ** 3); // allow 4 GiB decoded volumes (a large 4D series)
 * setMaxDecodedBytes(undefined); // back to the default
 * ```
 */
export function setMaxDecodedBytes(bytes: number | undefined): void {
  if (bytes !== undefined && !(Number.isFinite(bytes) && bytes > 0)) {
    throw new MedImgError('INVALID_ARGUMENT', 'maxDecodedBytes must be a positive number of bytes.');
  }
  maxDecoded = bytes ?? DEFAULT_MAX_DECODED_BYTES;
}

/**
 * The decoded-size budget in force (bytes).
 *
 * @example
 * ```ts
 * import { maxDecodedBytes } from 'medimg';
 * console.log(`files decoding past ${maxDecodedBytes()} bytes are refused`);
 * ```
 */
export function maxDecodedBytes(): number {
  return maxDecoded;
}

/** The coded error for output past a budget (sizes only: no content goes in a message). */
export function decodeLimitError(limit: number, what = 'Decoded data'): MedImgError {
  return new MedImgError(
    'DECODE_LIMIT_EXCEEDED',
    `${what} would exceed the decoded-size limit of ${limit} bytes (a corrupt or hostile file?).`,
    { details: { limit } },
  );
}

/**
 * Inflates with fflate's streaming inflater, feeding the input in slices so the output is
 * checked against `maxBytes` as it grows (one slice can add at most ~1032x its size). With
 * `stopAfter`, returns as soon as that many bytes are out (a header peek: the rest is not inflated).
 */
export function inflateBounded(
  data: Uint8Array,
  format: 'gzip' | 'deflate',
  maxBytes: number,
  stopAfter?: number,
): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let done = false;
  const stream = format === 'gzip' ? new Gunzip() : new Inflate();
  stream.ondata = (chunk) => {
    total += chunk.length;
    if (total > maxBytes) throw decodeLimitError(maxBytes);
    chunks.push(chunk);
    if (stopAfter !== undefined && total >= stopAfter) done = true;
  };
  // small slices for a peek (little overshoot), larger ones for a full inflate (less overhead)
  const step = stopAfter !== undefined ? 512 : 1 << 16;
  for (let p = 0; p < data.length && !done; p += step) {
    const end = Math.min(data.length, p + step);
    stream.push(data.subarray(p, end), end === data.length);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

const fflateCodec: GzipCodec = {
  gunzip(data, maxOutput) {
    return inflateBounded(data, 'gzip', maxOutput);
  },
  inflateRaw(data, maxOutput) {
    return inflateBounded(data, 'deflate', maxOutput);
  },
  gzip(data, level) {
    return gzipSync(data, { level: Math.max(0, Math.min(9, Math.round(level))) as 6 });
  },
};

let codec: GzipCodec = fflateCodec;

/** Installs a faster codec (done by the Node entry); `undefined` restores fflate. */
export function setGzipCodec(c: GzipCodec | undefined): void {
  codec = c ?? fflateCodec;
}

/**
 * Inflates gzip data, at most `maxBytes` of output (default: the budget from
 * {@link setMaxDecodedBytes}); past it, `DECODE_LIMIT_EXCEEDED`.
 */
export function gunzip(data: Uint8Array, maxBytes = maxDecoded): Uint8Array {
  return codec.gunzip(data, maxBytes);
}

/**
 * Inflates raw deflate data, at most `maxBytes` of output (default: the budget); past it,
 * `DECODE_LIMIT_EXCEEDED`. node:zlib in Node (fflate inflates a bomb of zeros at only ~30 MB/s).
 */
export function inflateRaw(data: Uint8Array, maxBytes = maxDecoded): Uint8Array {
  return codec.inflateRaw(data, maxBytes);
}

/** The first `n` (or more) inflated bytes of gzip data, for reading a header before sizing the rest. */
export function gunzipHead(data: Uint8Array, n: number): Uint8Array {
  return inflateBounded(data, 'gzip', Math.max(n, maxDecoded), n);
}

/** gzip-compresses `data` (level 0–9, default 6). */
export function gzip(data: Uint8Array, level = 6): Uint8Array {
  return codec.gzip(data, level);
}
