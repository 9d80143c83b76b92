export * from './fs.js';
export * from './nifti.js';
