/**
 * medimg for browsers and web workers: the same API as the Node entry, with onnxruntime-web
 * backends (webgpu, wasm); no `node:` module is imported from here.
 *
 * @packageDocumentation
 */
import { registerWebBackends } from './backends/ort-web.js';

registerWebBackends();

export * from './public.js';
