export * from './fs.js';
export * from './nifti.js';
export * from './dicom/index.js';
