// Minimal typings for the lazily loaded codec packages, which ship none.
interface EmscriptenCodecDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned?: boolean };
  delete(): void;
}
interface EmscriptenCodecModule {
  JpegLSDecoder: new () => EmscriptenCodecDecoder & { getInterleaveMode(): number };
  J2KDecoder: new () => EmscriptenCodecDecoder & { readHeader(): void };
  JPEGDecoder: new () => EmscriptenCodecDecoder & { readHeader(): void };
  /** The module's linear memory (grows, never shrinks). */
  HEAPU8?: Uint8Array;
}
type EmscriptenCodecFactory = (options?: Record<string, unknown>) => Promise<EmscriptenCodecModule>;

declare module '@cornerstonejs/codec-charls/decode' {
  const factory: EmscriptenCodecFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-openjpeg/decode' {
  const factory: EmscriptenCodecFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decode' {
  const factory: EmscriptenCodecFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  const factory: EmscriptenCodecFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: EmscriptenCodecFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs' {
  const factory: EmscriptenCodecFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-openjph' {
  const factory: (options?: Record<string, unknown>) => Promise<unknown>;
  export default factory;
}
declare module '@cornerstonejs/codec-openjph/wasm' {
  /** The codec's WebAssembly binary (browser bundles inline it; see build/browser-shims.ts). */
  const wasm: Uint8Array;
  export default wasm;
}
declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    constructor(buffer?: ArrayBuffer, numBytes?: number);
    decode(buffer: ArrayBuffer, offset: number, length: number, numBytes?: number): Uint8Array | Uint16Array;
  }
}
