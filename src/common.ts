// Everything public that is the same in Node and the browser.
export * from './core/index.js';
export * from './io/index.js';
export * from './backends/index.js';
export * from './tasks/index.js';
export { VERSION } from './version.js';
export * from './validation/index.js';
