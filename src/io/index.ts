export * from './dicom/index.js';
export * from './fs.js';
export * from './nifti.js';
export * from './nrrd.js';
export * from './png/index.js';
