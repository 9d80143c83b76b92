// Everything public that is the same in Node and the browser.
export * from './core/index.js';
export * from './io/index.js';
export * from './backends/index.js';
export * from './tasks/index.js';
export { VERSION } from './version.js';
// Both core/ops and the radiomics filters export `laplacianOfGaussian`: the Volume-level op wins
// (merge fix; the radiomics one stays reachable inside the task).
export { laplacianOfGaussian } from './core/index.js';
