export * from './bone-density/index.js';
export * from './brain-extraction/index.js';
export * from './brain-structures/index.js';
export * from './caveats.js';
export * from './brain-tissue/index.js';
export * from './classify/index.js';
export * from './explain/index.js';
export * from './detect-nodules/index.js';
export type { Limitation, TaskOptions, TaskProvenance, TaskResult } from './contract.js';
export type { Presentation, PresentedFinding, PresentedPicture, PresentedTable } from './definition.js';
export type { TaskModel } from './internal/model-task.js';
export * from './lung-opacity/index.js';
export * from './lung-segmentation/index.js';
// Radiomics at the root: the extractor and its settings; the feature families are in medimg/radiomics.
export type * from './radiomics/index.js';
export { ALL_FEATURE_CLASSES, extractRadiomics, PYRADIOMICS_DEFAULTS, parseParameterFile } from './radiomics/index.js';
export * from './segment-structures/index.js';
// segmentTumor by name: its module also holds segmentTumorOnWholeGrid, the tests' reference, not API.
export type * from './segment-tumor/index.js';
export { lesionStats, segmentTumor } from './segment-tumor/index.js';
export * from './report.js';
export * from './compare-studies/index.js';
