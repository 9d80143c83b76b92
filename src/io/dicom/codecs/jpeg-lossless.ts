import { MedImgError } from '../../../core/errors.js';
import type { DecodedFrame } from './emscripten.js';

let decoderModule: Promise<typeof import('jpeg-lossless-decoder-js')> | undefined;

/** Loads the decoder ahead of a decode (the codec worker does, so that its time limit counts decoding only). */
export async function loadJpegLossless(): Promise<void> {
  try {
    decoderModule ??= import('jpeg-lossless-decoder-js');
    await decoderModule;
  } catch {
    decoderModule = undefined; // fails again, coded, in the decode
  }
}

/** JPEG lossless, non-hierarchical (processes 14 and 14 SV1), via jpeg-lossless-decoder-js. */
export async function decodeJpegLossless(
  bytes: Uint8Array,
  rows: number,
  columns: number,
  samples: number,
  bitsAllocated: number,
): Promise<DecodedFrame> {
  let mod: typeof import('jpeg-lossless-decoder-js');
  try {
    decoderModule ??= import('jpeg-lossless-decoder-js');
    mod = await decoderModule;
  } catch (e) {
    decoderModule = undefined;
    throw new MedImgError('DICOM_UNSUPPORTED_TRANSFER_SYNTAX', 'The JPEG lossless codec could not be loaded here.', {
      cause: e,
    });
  }
  const Decoder = mod.Decoder ?? (mod as unknown as { default: { Decoder: typeof mod.Decoder } }).default.Decoder;
  const numBytes = bitsAllocated <= 8 ? 1 : 2;
  let out: Uint8Array | Uint16Array;
  try {
    // the decoder reads through a DataView over the ArrayBuffer, so hand it an exact copy
    // (not .slice(): on a Node Buffer that is a view of the whole file)
    const copy = new Uint8Array(bytes);
    out = new Decoder().decode(copy.buffer, 0, copy.byteLength, numBytes);
  } catch (e) {
    throw new MedImgError('DICOM_DECODE_FAILED', 'The JPEG lossless frame could not be decoded.', { cause: e });
  }
  const n = rows * columns * samples;
  if (!out || out.length < n)
    throw new MedImgError('DICOM_DECODE_FAILED', 'The JPEG lossless frame is smaller than the image.');
  return {
    data: out.length === n ? out : out.subarray(0, n),
    width: columns,
    height: rows,
    components: samples,
    bitsPerSample: numBytes * 8,
    signed: false,
  };
}
