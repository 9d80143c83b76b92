/**
 * `medimg/dicom`: DICOM vocabulary for building and checking objects: coded concepts (segment
 * categories and types, UCUM units, medimg's codes), SOP Class UIDs of SEG and SR, UID helpers,
 * the de-identification rule table and option check, the header cache, decoded-size and codec time limits and
 * age parsing. Reading and writing (readDicomSeries, writeDicomSeg, deidentify, DICOMweb) is in
 * the root entry.
 *
 * @example
 * ```ts
 * import { generateUid, SEG_SOP_CLASS_UID } from 'medimg/dicom';
 * const uid = generateUid();
 * ```
 *
 * @packageDocumentation
 */
export {
  COMPREHENSIVE_3D_SR_SOP_CLASS_UID,
  COMPREHENSIVE_SR_SOP_CLASS_UID,
  checkDeidentifyOptions,
  clearDicomHeaderCache,
  DEFAULT_CODEC_TIME_LIMIT,
  DEFAULT_MAX_DECODED_BYTES,
  DEID_RULES,
  DEIDENTIFICATION_METHOD_CODES,
  ENHANCED_SR_SOP_CLASS_UID,
  generateUid,
  isValidUid,
  LABELMAP_SEG_SOP_CLASS_UID,
  MEDIMG_CODES,
  MEDIMG_SCHEME,
  parseAgeYears,
  SEG_SOP_CLASS_UID,
  SEGMENT_CATEGORIES,
  SEGMENT_TYPES,
  UCUM_UNITS,
} from './io/index.js';
export type * from './io/index.js';
