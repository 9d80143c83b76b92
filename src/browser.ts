/**
 * medimg for browsers and web workers: the same API as the Node entry, with onnxruntime-web
 * backends; no `node:` module is imported from here.
 *
 * @packageDocumentation
 */
export * from './common.js';
