/**
 * Source of the worker threads of src/core/simd/threads.ts, started with `eval: true` so that it
 * needs no file of its own: the same string works from src/ under tsx and vitest and from dist/ in
 * ESM and CommonJS. Plain JavaScript (a CommonJS script).
 *
 * workerData: { wasm: the kernels compiled for a shared memory, ready: SharedArrayBuffer (i32,
 * counts started workers) }. Message: { memory: the shared WebAssembly.Memory holding the volumes,
 * ctl: SharedArrayBuffer (i32: [done, failed]), fn: 'x' | 'rows', args: the kernel's arguments (a
 * range of rows or outer lines, this thread's scratch buffers) }. The instance is made per message
 * (3 KB module: microseconds) so that a worker never keeps a released memory alive.
 */
export const THREAD_WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
parentPort.on('message', (m) => {
  const ctl = new Int32Array(m.ctl);
  try {
    const k = new WebAssembly.Instance(workerData.wasm, { env: { memory: m.memory } }).exports;
    if (m.fn === 'x') k.correlateX(...m.args);
    else k.correlateRows(...m.args);
  } catch {
    Atomics.store(ctl, 1, 1);
  }
  Atomics.add(ctl, 0, 1);
  Atomics.notify(ctl, 0);
});
const ready = new Int32Array(workerData.ready);
Atomics.add(ready, 0, 1);
Atomics.notify(ready, 0);
`;
