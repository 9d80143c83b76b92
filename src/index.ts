/**
 * medimg for Node: the whole public API, with path inputs read through `node:fs` and the
 * onnxruntime-node backends registered.
 *
 * @packageDocumentation
 */
import { setFileSystem } from './io/fs.js';
import { nodeFileSystem } from './io/fs-node.js';

setFileSystem(nodeFileSystem);

export * from './common.js';
