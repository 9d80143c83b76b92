/**
 * medimg for Node: the whole public API, with path inputs read through `node:fs` and the
 * onnxruntime-node backends registered.
 *
 * @packageDocumentation
 */
import { setFileSystem } from './io/fs.js';
import { nodeFileSystem, nodeGzip } from './io/fs-node.js';
import { setGzipCodec } from './io/gzip.js';

setFileSystem(nodeFileSystem);
setGzipCodec(nodeGzip);

export * from './common.js';
