// What the brain-tissue task uses from the layers below (one place to see its dependencies).
export { MedImgError } from '../../core/errors.js';
export type { LongRunOptions } from '../../core/progress.js';
export { type Volume, validateVolume, voxelVolumeMm3 } from '../../core/volume.js';
export type { ModelCache } from '../../backends/model-cache.js';
export { runSegmentationModel } from '../../backends/pipeline.js';
export { type BackendAttempt, type ModelSource, type Session, createSession } from '../../backends/session.js';
export type { BackendChoice, BackendName } from '../../backends/types.js';
export { VERSION } from '../../version.js';
