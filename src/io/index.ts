export * from './fs.js';
export * from './dicom/index.js';
