export type { DicomFrameGeometry, DicomFileInput, DicomImage, ReadDicomFileOptions } from './file.js';
export { readDicomFile } from './file.js';
export type { DicomIdentity, DicomObjectMeta } from './header.js';
export type { ValueArray } from './values.js';
export { parseAgeYears } from './header.js';
export type { StoredArray } from './pixel.js';
export type { ReadDicomSeriesOptions, SeriesInfo } from './series.js';
export { listDicomSeries, readDicomSeries } from './series.js';
export type { DicomSeriesInput } from './sources.js';
export type { SkippedFile } from './stack.js';
export { clearDicomHeaderCache } from './stack.js';
export type {
  AppliedVoi,
  LookupTable,
  RadiographHeader,
  RadiographNotice,
  RadiographSpacing,
  ReadRadiographOptions,
  ReadRadiographResult,
  VoiCandidate,
} from './radiograph.js';
export { readRadiograph } from './radiograph.js';
export { readRadiographHeader } from './radiograph-header.js';
