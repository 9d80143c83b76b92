export type { DicomFrameGeometry, DicomFileInput, DicomImage, ReadDicomFileOptions } from './file.js';
export { readDicomFile } from './file.js';
export type { DicomObjectMeta } from './header.js';
export { parseAgeYears } from './header.js';
export type { StoredArray } from './pixel.js';
export type { ReadDicomSeriesOptions, SeriesInfo } from './series.js';
export { listDicomSeries, readDicomSeries } from './series.js';
export type { DicomSeriesInput } from './sources.js';
export type { SkippedFile } from './stack.js';
