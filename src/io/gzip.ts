import { gunzipSync, gzipSync } from 'fflate';

/**
 * gzip for the io layer. fflate (pure JS) works everywhere; the Node entry installs node:zlib,
 * which inflates about 2.5x faster. Errors are plain (callers map them to their own code).
 */
export interface GzipCodec {
  /** Inflates every gzip member of `data`; throws when the output would exceed `maxOutput` bytes. */
  gunzip(data: Uint8Array, maxOutput?: number): Uint8Array;
  gzip(data: Uint8Array, level: number): Uint8Array;
}

const fflateCodec: GzipCodec = {
  gunzip(data, maxOutput) {
    // A buffer of the expected size keeps a corrupt gzip size field from allocating gigabytes.
    return maxOutput !== undefined ? gunzipSync(data, { out: new Uint8Array(maxOutput) }) : gunzipSync(data);
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
 * Inflates gzip data. With `expectedSize`, first tries a bounded inflate of that size (no
 * oversized allocation from a corrupt header) and falls back to an unbounded one.
 */
export function gunzip(data: Uint8Array, expectedSize?: number): Uint8Array {
  if (expectedSize === undefined) return codec.gunzip(data);
  try {
    return codec.gunzip(data, expectedSize);
  } catch {
    return codec.gunzip(data);
  }
}

/** gzip-compresses `data` (level 0–9, default 6). */
export function gzip(data: Uint8Array, level = 6): Uint8Array {
  return codec.gzip(data, level);
}
