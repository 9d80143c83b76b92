// Explanations: model-agnostic occlusion sensitivity, the regions it points at, and its picture.
export * from './occlusion.js';
export * from './regions.js';
export * from './picture.js';
