export * from './fs.js';
export * from './dicom/codes.js';
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
