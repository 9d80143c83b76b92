export * from './bone-density/index.js';
export * from './brain-tissue/index.js';
export * from './detect-nodules/index.js';
export type { Limitation, TaskOptions, TaskProvenance, TaskResult } from './contract.js';
export * from './lung-opacity/index.js';
export * from './lung-segmentation/index.js';
export * from './radiomics/index.js';
export * from './segment-tumor/index.js';
export * from './report.js';
