/**
 * medimg for Node: the whole public API, with path inputs read through `node:fs`, the
 * onnxruntime-node backends (cpu, cuda, webgpu) and onnxruntime-web's wasm backend registered.
 *
 * @packageDocumentation
 */
import { registerNodeBackends } from './backends/ort-node.js';
import { webWasmBackend } from './backends/ort-web.js';
import { registerBackend } from './backends/registry.js';
import { setFileSystem } from './io/fs.js';
import { nodeFileSystem } from './io/fs-node.js';

setFileSystem(nodeFileSystem);
registerNodeBackends();
registerBackend(webWasmBackend());

export * from './common.js';
