/** Transfer syntax UIDs (PS3.5 section 10 and annex A) medimg reads or writes: the one table. */
export const TS = {
  implicitLE: '1.2.840.10008.1.2',
  explicitLE: '1.2.840.10008.1.2.1',
  deflatedLE: '1.2.840.10008.1.2.1.99',
  explicitBE: '1.2.840.10008.1.2.2',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
  jpegExtended: '1.2.840.10008.1.2.4.51',
  jpegLossless14: '1.2.840.10008.1.2.4.57',
  jpegLosslessSV1: '1.2.840.10008.1.2.4.70',
  jpegLsLossless: '1.2.840.10008.1.2.4.80',
  jpegLsNear: '1.2.840.10008.1.2.4.81',
  j2kLossless: '1.2.840.10008.1.2.4.90',
  j2k: '1.2.840.10008.1.2.4.91',
  rle: '1.2.840.10008.1.2.5',
  htj2kLossless: '1.2.840.10008.1.2.4.201',
  htj2kLosslessRpcl: '1.2.840.10008.1.2.4.202',
  htj2k: '1.2.840.10008.1.2.4.203',
} as const;

const NATIVE = new Set<string>([TS.implicitLE, TS.explicitLE, TS.deflatedLE, TS.explicitBE]);

/** High-Throughput JPEG 2000: lossless, lossless with RPCL progression, lossless or lossy. */
export const HTJ2K_SYNTAXES: ReadonlySet<string> = new Set<string>([TS.htj2kLossless, TS.htj2kLosslessRpcl, TS.htj2k]);

/** True for transfer syntaxes whose pixel data is encapsulated (compressed). */
export function isEncapsulatedSyntax(ts: string): boolean {
  return !NATIVE.has(ts);
}
