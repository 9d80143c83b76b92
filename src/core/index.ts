export * from './errors.js';
export * from './geometry.js';
export * from './progress.js';
export * from './random.js';
export * from './typed.js';
export * from './volume.js';
export * from './phantoms/index.js';
export * from './ops/index.js';
