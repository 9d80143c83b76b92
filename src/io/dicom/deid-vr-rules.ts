/**
 * De-identification rules by value representation, for attributes that Table E.1-1 as transcribed
 * in deid-table.ts does not list: the table names attributes one by one, and every edition adds
 * more (Instance Creation Date/Time, Date of Last Calibration, Frame Acquisition DateTime, Contrast
 * Bolus Start/Stop Time, Acquisition UID...), so a value the table misses would leak. Any date,
 * time, person name, AE title, instance UID, free text or encapsulated document not in the table
 * is handled here by what it is, not by which tag holds it.
 *
 * Implicit VR files carry no VR: there a few attributes known to hold such values are listed, and
 * values that look like a DICOM date, time or UID are treated as one.
 */

/** What to do with an attribute the table does not list. */
export type VrRuleKind = 'temporal' | 'person' | 'ae' | 'uid' | 'text' | 'document' | 'keep';

/** Tags whose UID values name standards and coding schemes, never an instance: kept. */
export const STANDARD_UID_TAGS = new Set<number>([
  0x00020002, // Media Storage SOP Class UID
  0x00020010, // Transfer Syntax UID
  0x00020012, // Implementation Class UID
  0x00080016, // SOP Class UID
  0x0008001a, // Related General SOP Class UID
  0x0008001b, // Original Specialized SOP Class UID
  0x0008010c, // Coding Scheme UID
  0x0008010d, // Context Group Extension Creator UID
  0x00080118, // Mapping Resource UID
  0x00081150, // Referenced SOP Class UID
  0x00041510, // Referenced SOP Class UID in File
  0x00041512, // Referenced Transfer Syntax UID in File
  0x0040db0c, // Template Extension Organization UID
  0x0040db0d, // Template Extension Creator UID
]);

/** The encapsulated document of an Encapsulated PDF/CDA/STL... object. */
export const ENCAPSULATED_DOCUMENT = 0x00420011;

/** Attributes not in the transcribed table whose VR an implicit VR file does not say. */
export const IMPLICIT_VR_HINTS = new Map<number, string>([
  [0x00080012, 'DA'], // Instance Creation Date
  [0x00080013, 'TM'], // Instance Creation Time
  [0x00080015, 'DT'], // Instance Coercion DateTime
  [0x00080017, 'UI'], // Acquisition UID
  [0x00080019, 'UI'], // Pyramid UID
  [0x00080054, 'AE'], // Retrieve AE Title
  [0x00080055, 'AE'], // Station AE Title
  [0x00181012, 'DA'], // Date of Secondary Capture
  [0x00181014, 'TM'], // Time of Secondary Capture
  [0x00181042, 'TM'], // Contrast/Bolus Start Time
  [0x00181043, 'TM'], // Contrast/Bolus Stop Time
  [0x00181072, 'TM'], // Radiopharmaceutical Start Time
  [0x00181073, 'TM'], // Radiopharmaceutical Stop Time
  [0x00181078, 'DT'], // Radiopharmaceutical Start DateTime
  [0x00181079, 'DT'], // Radiopharmaceutical Stop DateTime
  [0x00181200, 'DA'], // Date of Last Calibration
  [0x00181201, 'TM'], // Time of Last Calibration
  [0x00189074, 'DT'], // Frame Acquisition DateTime
  [0x00189151, 'DT'], // Frame Reference DateTime
  [0x0018a002, 'DT'], // Contribution DateTime
  [0x00321000, 'DA'], // Scheduled Study Start Date
  [0x00321001, 'TM'], // Scheduled Study Start Time
  [0x00400002, 'DA'], // Scheduled Procedure Step Start Date
  [0x00400003, 'TM'],
  [0x00400004, 'DA'],
  [0x00400005, 'TM'],
  [0x00402004, 'DA'], // Issue Date of Imaging Service Request
  [0x00402005, 'TM'], // Issue Time of Imaging Service Request
  [0x0040a030, 'DT'], // Verification DateTime
  [0x0040a032, 'DT'], // Observation DateTime
  [0x0040a121, 'DA'],
  [0x0040a122, 'TM'],
  [0x0040a123, 'PN'],
  [0x0040a124, 'UI'], // UID (SR content item)
  [0x00700082, 'DA'], // Presentation Creation Date
  [0x00700083, 'TM'],
  [0x30060008, 'DA'], // Structure Set Date
  [0x30060009, 'TM'],
  [0x00420011, 'OB'], // Encapsulated Document
]);

const DATE = /^(19|20|21)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/;
const TIME = /^([01]\d|2[0-3])([0-5]\d)([0-5]\d)(\.\d{1,6})?$/;
const DATETIME =
  /^(19|20|21)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])([01]\d|2[0-3])([0-5]\d)?([0-5]\d)?(\.\d{1,6})?([+-]\d{4})?$/;
const UID = /^[0-2](\.(0|[1-9]\d*)){3,}$/;

/** The VR an unlisted attribute's value reveals in an implicit VR file ('UN' when nothing fits). */
export function guessVr(t: number, text: string | undefined): string {
  const hint = IMPLICIT_VR_HINTS.get(t);
  if (hint) return hint;
  if (text === undefined || text.length > 64) return 'UN';
  const v = text.split('\\')[0]!.trim();
  if (DATE.test(v)) return 'DA';
  if (DATETIME.test(v) && v.length > 8) return 'DT';
  if (TIME.test(v) && v.length >= 6) return 'TM';
  if (UID.test(v) && v.length >= 10) return 'UI';
  return 'UN';
}

/** What an unlisted attribute of this VR is, for the rules in deidentify.ts. */
export function vrRule(t: number, vr: string): VrRuleKind {
  if (t === ENCAPSULATED_DOCUMENT) return 'document';
  switch (vr) {
    case 'DA':
    case 'DT':
    case 'TM':
      return 'temporal';
    case 'PN':
      return 'person';
    case 'AE':
      return 'ae';
    case 'UI':
      return STANDARD_UID_TAGS.has(t) ? 'keep' : 'uid';
    case 'LT':
    case 'ST':
    case 'UT':
      return 'text';
    default:
      return 'keep';
  }
}

/** True for a UID of the DICOM standard itself (SOP classes, transfer syntaxes, code schemes). */
export function isStandardUid(uid: string): boolean {
  return uid.startsWith('1.2.840.10008.');
}
