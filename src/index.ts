/**
 * medimg for Node: the whole public API, with path inputs read through `node:fs`, the
 * DICOMweb over `node:https` (TLS options), the DICOM codecs in a stoppable worker thread, the onnxruntime-node backends (cpu, cuda, webgpu) and onnxruntime-web's wasm backend registered.
 *
 * @packageDocumentation
 */
import { registerNodeBackends } from './backends/ort-node.js';
import { setOnnxRuntimeWeb, webWasmBackend } from './backends/ort-web.js';
import { registerBackend } from './backends/registry.js';
import { nodeHttpTransport } from './io/dicomweb/transport-node.js';
import { setCodecRunner } from './io/dicom/codecs/run.js';
import { workerCodecRunner } from './io/dicom/codecs/worker-pool.js';
import { setHttpTransport } from './io/dicomweb/transport.js';
import { setFileSystem } from './io/fs.js';
import { nodeFileSystem, nodeGzip } from './io/fs-node.js';
import { setGzipCodec } from './io/gzip.js';

setFileSystem(nodeFileSystem);
setGzipCodec(nodeGzip);
// JPEG / JPEG-LS / JPEG 2000 / HTJ2K frames decode in a worker thread that a time limit or an abort can stop
setCodecRunner(workerCodecRunner());
setHttpTransport(nodeHttpTransport);
registerNodeBackends();
// Node bundles nothing: onnxruntime-web (an optional peer) is imported when a wasm session opens.
setOnnxRuntimeWeb(() => import('onnxruntime-web'));
registerBackend(webWasmBackend());

export * from './public.js';
