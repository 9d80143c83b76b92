export * from './fs.js';
export * from './nrrd.js';
export * from './png/index.js';
