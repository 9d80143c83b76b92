export * from './fs.js';
export * from './nifti.js';
export * from './nrrd.js';
export * from './png/index.js';
export * from './dicom/index.js';
