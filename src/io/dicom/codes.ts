import { MedImgError } from '../../core/errors.js';

/** A coded concept: (CodeValue, CodingSchemeDesignator, CodeMeaning). */
export interface Code {
  value: string;
  scheme: string;
  meaning: string;
}

export function code(value: string, scheme: string, meaning: string): Code {
  return { value, scheme, meaning };
}

export function sameCode(a: Code | undefined, b: Code | undefined): boolean {
  return !!a && !!b && a.value === b.value && a.scheme === b.scheme;
}

/**
 * Segmented property categories (DICOM CID 7150), by the simple names callers may pass.
 * Codes are SNOMED CT (SCT) as used by dcmqi, highdicom and 3D Slicer.
 */
export const SEGMENT_CATEGORIES: Record<string, Code> = {
  tissue: code('85756007', 'SCT', 'Tissue'),
  'anatomical structure': code('123037004', 'SCT', 'Anatomical Structure'),
  organ: code('123037004', 'SCT', 'Anatomical Structure'),
  anatomy: code('123037004', 'SCT', 'Anatomical Structure'),
  structure: code('123037004', 'SCT', 'Anatomical Structure'),
  'morphologically abnormal structure': code('49755003', 'SCT', 'Morphologically Altered Structure'),
  abnormal: code('49755003', 'SCT', 'Morphologically Altered Structure'),
  lesion: code('49755003', 'SCT', 'Morphologically Altered Structure'),
  'body substance': code('91720002', 'SCT', 'Body Substance'),
  'physical object': code('260787004', 'SCT', 'Physical object'),
};

/** Segmented property types (DICOM CID 7151/7166/7159 and friends) by simple names. */
export const SEGMENT_TYPES: Record<string, Code> = {
  tissue: code('85756007', 'SCT', 'Tissue'),
  'soft tissue': code('87784001', 'SCT', 'Soft tissue'),
  fat: code('55603005', 'SCT', 'Adipose tissue'),
  bone: code('272673000', 'SCT', 'Bone'),
  lung: code('39607008', 'SCT', 'Lung'),
  'right lung': code('3341006', 'SCT', 'Right lung'),
  'left lung': code('44029006', 'SCT', 'Left lung'),
  liver: code('10200004', 'SCT', 'Liver'),
  heart: code('80891009', 'SCT', 'Heart'),
  brain: code('12738006', 'SCT', 'Brain'),
  kidney: code('64033007', 'SCT', 'Kidney'),
  spleen: code('78961009', 'SCT', 'Spleen'),
  aorta: code('15825003', 'SCT', 'Aorta'),
  vertebra: code('51282000', 'SCT', 'Vertebra'),
  spine: code('51282000', 'SCT', 'Vertebra'),
  csf: code('65216001', 'SCT', 'Cerebrospinal fluid'),
  lesion: code('52988006', 'SCT', 'Lesion'),
  nodule: code('27925004', 'SCT', 'Nodule'),
  mass: code('4147007', 'SCT', 'Mass'),
  tumor: code('108369006', 'SCT', 'Neoplasm'),
  tumour: code('108369006', 'SCT', 'Neoplasm'),
  neoplasm: code('108369006', 'SCT', 'Neoplasm'),
};

/** Category implied by a type name when the caller gives none. */
const DEFAULT_CATEGORY_OF_TYPE: Record<string, string> = {
  lesion: 'morphologically abnormal structure',
  nodule: 'morphologically abnormal structure',
  mass: 'morphologically abnormal structure',
  tumor: 'morphologically abnormal structure',
  tumour: 'morphologically abnormal structure',
  neoplasm: 'morphologically abnormal structure',
  tissue: 'tissue',
  'soft tissue': 'tissue',
  fat: 'tissue',
  bone: 'tissue',
  csf: 'body substance',
};

function normName(s: string): string {
  return s.trim().toLowerCase().replace(/[_-]+/g, ' ');
}

/** Resolves a category name or code; throws INVALID_ARGUMENT for unknown names. */
export function resolveCategory(c: string | Code | undefined, typeName?: string): Code {
  if (c && typeof c === 'object') return c;
  const name = c
    ? normName(c)
    : typeName
      ? (DEFAULT_CATEGORY_OF_TYPE[normName(typeName)] ?? 'anatomical structure')
      : 'tissue';
  const found = SEGMENT_CATEGORIES[name];
  if (!found) {
    throw new MedImgError(
      'INVALID_ARGUMENT',
      `Unknown segment category '${c}'. Use one of ${Object.keys(SEGMENT_CATEGORIES).join(', ')}, or pass a code.`,
    );
  }
  return found;
}

/** Resolves a property type name or code; throws INVALID_ARGUMENT for unknown names. */
export function resolveType(t: string | Code | undefined, label: string): Code {
  if (t && typeof t === 'object') return t;
  const name = normName(t ?? label);
  const found = SEGMENT_TYPES[name];
  if (found) return found;
  if (t) {
    throw new MedImgError(
      'INVALID_ARGUMENT',
      `Unknown segment type '${t}'. Use one of ${Object.keys(SEGMENT_TYPES).join(', ')}, or pass a code.`,
    );
  }
  return SEGMENT_TYPES.tissue as Code;
}

// DCM codes used by SEG and SR.
export const DCM = {
  segmentation: code('113076', 'DCM', 'Segmentation'),
  sourceImage: code('121322', 'DCM', 'Source image for image processing operation'),
  artificialIntelligence: code('123110', 'DCM', 'Artificial Intelligence'),
  imagingMeasurementReport: code('126000', 'DCM', 'Imaging Measurement Report'),
  language: code('121049', 'DCM', 'Language of Content Item and Descendants'),
  countryOfLanguage: code('121046', 'DCM', 'Country of Language'),
  observerType: code('121005', 'DCM', 'Observer Type'),
  device: code('121007', 'DCM', 'Device'),
  deviceObserverUid: code('121012', 'DCM', 'Device Observer UID'),
  deviceObserverName: code('121013', 'DCM', 'Device Observer Name'),
  deviceObserverManufacturer: code('121014', 'DCM', 'Device Observer Manufacturer'),
  deviceObserverModelName: code('121015', 'DCM', 'Device Observer Model Name'),
  procedureReported: code('121058', 'DCM', 'Procedure reported'),
  imageLibrary: code('111028', 'DCM', 'Image Library'),
  imageLibraryGroup: code('126200', 'DCM', 'Image Library Group'),
  imagingMeasurements: code('126010', 'DCM', 'Imaging Measurements'),
  measurementGroup: code('125007', 'DCM', 'Measurement Group'),
  trackingIdentifier: code('112039', 'DCM', 'Tracking Identifier'),
  trackingUid: code('112040', 'DCM', 'Tracking Unique Identifier'),
  finding: code('121071', 'DCM', 'Finding'),
  referencedSegment: code('121191', 'DCM', 'Referenced Segment'),
  sourceSeriesForSegmentation: code('121232', 'DCM', 'Source series for segmentation'),
  volumeSurface: code('121231', 'DCM', 'Volume Surface'),
  imageRegion: code('111030', 'DCM', 'Image Region'),
  sourceImageForSegmentation: code('121233', 'DCM', 'Source Image for Segmentation'),
  derivation: code('121401', 'DCM', 'Derivation'),
  attenuationCoefficient: code('112031', 'DCM', 'Attenuation Coefficient'),
  algorithmName: code('111001', 'DCM', 'Algorithm Name'),
  algorithmVersion: code('111003', 'DCM', 'Algorithm Version'),
  measurementMethod: code('370129005', 'SCT', 'Measurement Method'),
} as const;

export const SCT = {
  findingSite: code('363698007', 'SCT', 'Finding Site'),
  volume: code('118565006', 'SCT', 'Volume'),
  diameter: code('81827009', 'SCT', 'Diameter'),
  longAxis: code('103339001', 'SCT', 'Long Axis'),
  shortAxis: code('103340004', 'SCT', 'Short Axis'),
  mean: code('373098007', 'SCT', 'Mean'),
  ct: code('77477000', 'SCT', 'Computerized tomography'),
  mr: code('113091000', 'SCT', 'Magnetic resonance imaging'),
  radiography: code('363680008', 'SCT', 'Radiographic imaging procedure'),
  ultrasound: code('16310003', 'SCT', 'Diagnostic ultrasonography'),
} as const;

/** UCUM units by the short names our reports use. */
export const UCUM: Record<string, Code> = {
  ml: code('ml', 'UCUM', 'milliliter'),
  mm3: code('mm3', 'UCUM', 'cubic millimeter'),
  cm3: code('cm3', 'UCUM', 'cubic centimeter'),
  mm: code('mm', 'UCUM', 'millimeter'),
  cm: code('cm', 'UCUM', 'centimeter'),
  mm2: code('mm2', 'UCUM', 'square millimeter'),
  hu: code("[hnsf'U]", 'UCUM', 'Hounsfield unit'),
  'mg/cm3': code('mg/cm3', 'UCUM', 'milligram per cubic centimeter'),
  '1': code('1', 'UCUM', 'no units'),
  '%': code('%', 'UCUM', 'percent'),
};

/** CID 7050 De-identification Methods (DCM 1131xx). */
export const DEID_METHOD = {
  basicProfile: code('113100', 'DCM', 'Basic Application Confidentiality Profile'),
  cleanPixelData: code('113101', 'DCM', 'Clean Pixel Data Option'),
  cleanRecognizableVisualFeatures: code('113102', 'DCM', 'Clean Recognizable Visual Features Option'),
  cleanGraphics: code('113103', 'DCM', 'Clean Graphics Option'),
  cleanStructuredContent: code('113104', 'DCM', 'Clean Structured Content Option'),
  cleanDescriptors: code('113105', 'DCM', 'Clean Descriptors Option'),
  retainFullDates: code('113106', 'DCM', 'Retain Longitudinal Temporal Information Full Dates Option'),
  retainModifiedDates: code('113107', 'DCM', 'Retain Longitudinal Temporal Information Modified Dates Option'),
  retainPatientCharacteristics: code('113108', 'DCM', 'Retain Patient Characteristics Option'),
  retainDeviceIdentity: code('113109', 'DCM', 'Retain Device Identity Option'),
  retainUids: code('113110', 'DCM', 'Retain UIDs Option'),
  retainSafePrivate: code('113111', 'DCM', 'Retain Safe Private Option'),
  retainInstitutionIdentity: code('113112', 'DCM', 'Retain Institution Identity Option'),
} as const;
