// The curated root API, the same in Node and the browser: volumes, file and DICOM IO, the tasks,
// inference sessions and models, validation, errors. Everything else has a subpath:
// `medimg/ops` (image operations, geometry, progress helpers), `medimg/dicom` (DICOM codes, UIDs,
// SOP classes, de-identification rules), `medimg/radiomics` (feature families and discretisation),
// `medimg/metrics` (overlap, distance, detection and ROC metrics) and `medimg/testing` (phantoms
// and ONNX graph builders). Every type stays importable from the root.

// ---- types (all of them: types cost nothing at run time)
export type * from './core/index.js';
export type * from './io/index.js';
export type * from './backends/index.js';
export type * from './validation/index.js';

// ---- errors
export { isMedImgError, MedImgError } from './core/errors.js';

// ---- volumes and their geometry
export {
  createVolume,
  createVolumeLike,
  IDENTITY_DIRECTION,
  sameGrid,
  validateVolume,
  voxelCount,
  voxelIndex,
  voxelVolumeMm3,
  withData,
} from './core/volume.js';
export {
  indexToWorld,
  orientationFromDirection,
  worldBoundingBox,
  worldToIndex,
  worldToIndexFn,
} from './core/geometry.js';

// ---- IO: NIfTI, NRRD, MGH, DICOM images, SEG, SR, de-identification, DICOMweb, PNG
export { getFileSystem, setFileSystem } from './io/fs.js';
export { readNifti, readNiftiBytes, writeNifti } from './io/nifti.js';
export { readNrrd, readNrrdBytes, writeNrrd } from './io/nrrd.js';
export { readMgh, readMghBytes, writeMgh } from './io/mgh.js';
export { maxDecodedBytes, setMaxDecodedBytes } from './io/gzip.js';
export { type CodecTimeLimit, codecTimeLimit, setCodecTimeLimit } from './io/dicom/codecs/run.js';
export {
  AUTO_WINDOW_PERCENTILES,
  DEFAULT_LABEL_COLORS,
  EDGE_LETTERS,
  encodePng,
  renderMosaic,
  renderMosaicPng,
  renderSlice,
  renderSlicePng,
  resolveWindow,
  sliceView,
  WINDOW_PRESETS,
  worldToViewPixel,
} from './io/png/index.js';
export {
  listDicomSeries,
  readDicomFile,
  readDicomSeries,
  readRadiograph,
  readRadiographHeader,
} from './io/dicom/index.js';
export { writeDicomSeg } from './io/dicom/seg-write.js';
export { readDicomSeg, segMasksToLabelmap } from './io/dicom/seg-read.js';
export { TIME_POINT_TYPES, writeDicomSr } from './io/dicom/sr-write.js';
export { readDicomSr } from './io/dicom/sr-read.js';
export { deidentify, deidentifyWithReport } from './io/dicom/deidentify.js';
export {
  fetchTransport,
  isDicomWebSeriesRef,
  retrieveDicomWebSeries,
  searchDicomWebInstances,
  searchDicomWebSeries,
  searchDicomWebStudies,
  setHttpTransport,
  storeDicomWebInstances,
} from './io/dicomweb/index.js';

// ---- inference: backends, sessions, model cards and caches, model runs
export {
  BRAINCHOP_APARC50_CARD,
  BRAINCHOP_CARDS,
  BRAINCHOP_DK104_CARD,
  BRAINCHOP_MINDGRAB_CARD,
  BRAINCHOP_SUBCORTICAL18_CARD,
  configureWebBackends,
  createSession,
  cacheStorageModelCache,
  folderModelCache,
  getRegisteredBackend,
  inspectModel,
  listBackends,
  parseModelCard,
  planModelRun,
  probeBackend,
  registerBackend,
  runBoxModel,
  runSegmentationModel,
  setOnnxRuntimeWeb,
  slidingWindowInference,
  validateModelCard,
} from './backends/index.js';

// ---- tasks (their types come with them): every task folder's public functions and constants (a new task adds its line to
// src/tasks/index.ts); helpers that are not tasks go to a subpath entry, not here.
export * from './tasks/index.js';

// ---- validation harness
export {
  parseValidationManifest,
  resolveManifestPath,
  VALIDATION_MANIFEST_VERSION,
  VALIDATION_REPORT_VERSION,
  VALIDATION_TASKS,
  validate,
} from './validation/index.js';
export { VERSION } from './version.js';
