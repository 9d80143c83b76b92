export * from './froc.js';
export * from './overlap.js';
export * from './roc.js';
export * from './subgroups.js';
export * from './surface-distance.js';
export * from './bootstrap.js';
