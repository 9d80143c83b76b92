export * from './fs.js';
export * from './nifti.js';
export * from './nrrd.js';
export * from './mgh.js';
export { DEFAULT_MAX_DECODED_BYTES, maxDecodedBytes, setMaxDecodedBytes } from './gzip.js';
export {
  type CodecTimeLimit,
  codecTimeLimit,
  DEFAULT_CODEC_TIME_LIMIT,
  setCodecTimeLimit,
} from './dicom/codecs/run.js';
export * from './png/index.js';
export {
  type Code,
  SEGMENT_CATEGORIES,
  SEGMENT_TYPES,
  UCUM as UCUM_UNITS,
  DEID_METHOD as DEIDENTIFICATION_METHOD_CODES,
} from './dicom/codes.js';
export { generateUid, isValidUid } from './dicom/uid.js';
export {
  writeDicomSeg,
  SEG_SOP_CLASS_UID,
  LABELMAP_SEG_SOP_CLASS_UID,
  type SegmentDescription,
  type WriteDicomSegOptions,
} from './dicom/seg-write.js';
export {
  readDicomSeg,
  segMasksToLabelmap,
  type DicomSegResult,
  type ReadDicomSegOptions,
  type SegmentInfo,
  type SegFrameInfo,
} from './dicom/seg-read.js';
export {
  writeDicomSr,
  COMPREHENSIVE_3D_SR_SOP_CLASS_UID,
  COMPREHENSIVE_SR_SOP_CLASS_UID,
  ENHANCED_SR_SOP_CLASS_UID,
  MEDIMG_CODES,
  MEDIMG_SCHEME,
  type MeasurementKind,
  type SrFindingInput,
  type SrMeasurementInput,
  type SrReportInput,
  TIME_POINT_TYPES,
  type WriteDicomSrOptions,
} from './dicom/sr-write.js';
export {
  readDicomSr,
  type DicomSrResult,
  type SrContentItem,
  type SrMeasurement,
  type SrMeasurementGroup,
} from './dicom/sr-read.js';
export {
  checkDeidentifyOptions,
  deidentify,
  deidentifyWithReport,
  type DeidentifyOptions,
  type DeidentifyReport,
} from './dicom/deidentify.js';
export { DEID_RULES, type DeidOptionColumn, type DeidRule } from './dicom/deid-table.js';
export * from './dicom/index.js';
export * from './dicomweb/index.js';
export type { DicomDataset, DicomElement, PixelFragment, Tag } from './dicom/ds-model.js';
