export * from './fs.js';
export * from './nrrd.js';
