/**
 * The "C" (clean) action of PS3.15 Table E.1-1 for text: the value is kept with identifying text
 * removed. What counts as identifying (every match replaced by `*`):
 * - the identifiers the file itself holds: every name component (2+ characters) of a person name
 *   at the top level of the data set, and the values of the ID, address, telephone, institution,
 *   station and device-serial attributes listed in IDENTIFYING_TAGS, matched case-insensitively;
 *   the Patient's Birth Date also as YYYY-MM-DD, DD.MM.YYYY, DD/MM/YYYY and MM/DD/YYYY;
 * - anything shaped like a date (YYYYMMDD, YYYY-MM-DD, D.M.YY[YY], D/M/YY[YY]), a run of 5 or more
 *   digits (record numbers, phone numbers, accession numbers) or an e-mail address.
 * What it cannot see: a name or ID the file does not hold elsewhere (e.g. a relative's name typed
 * in a comment), initials, and identifying prose. docs/privacy.md states this residual risk.
 */
import { type DicomDataset, getString, tag as T } from './ds-model.js';

/** Attributes whose values, wherever else they appear in text, identify the patient or the site. */
const IDENTIFYING_TAGS = [
  T(0x0008, 0x0050), // Accession Number
  T(0x0008, 0x0080), // Institution Name
  T(0x0008, 0x0081), // Institution Address
  T(0x0008, 0x0092), // Referring Physician's Address
  T(0x0008, 0x0094), // Referring Physician's Telephone Numbers
  T(0x0008, 0x1010), // Station Name
  T(0x0008, 0x1040), // Institutional Department Name
  T(0x0010, 0x0020), // Patient ID
  T(0x0010, 0x0021), // Issuer of Patient ID
  T(0x0010, 0x1000), // Other Patient IDs
  T(0x0010, 0x1040), // Patient's Address
  T(0x0010, 0x1090), // Medical Record Locator
  T(0x0010, 0x2154), // Patient's Telephone Numbers
  T(0x0018, 0x1000), // Device Serial Number
  T(0x0020, 0x0010), // Study ID
  T(0x0038, 0x0010), // Admission ID
  T(0x0040, 0x2016), // Placer Order Number
  T(0x0040, 0x2017), // Filler Order Number
];
const BIRTH_DATE = T(0x0010, 0x0030);

const GENERIC: RegExp[] = [
  /\b(?:1[89]|20|21)\d\d[-./]?(?:0[1-9]|1[0-2])[-./]?(?:0[1-9]|[12]\d|3[01])\b/g,
  /\b\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})\b/g,
  /\d{5,}/g,
  /[^\s@]+@[^\s@]+\.[^\s@]+/g,
];

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The identifying strings of one file (top level of its data set), longest first, as one pattern. */
export function identifyingPattern(ds: DicomDataset): RegExp | undefined {
  const terms = new Set<string>();
  for (const [t, e] of ds) {
    if (e.vr !== 'PN' || !e.value) continue;
    for (const part of (getString(ds, t) ?? '').split(/[\\^=\s,]+/)) if (part.length >= 2) terms.add(part);
  }
  for (const t of IDENTIFYING_TAGS) {
    for (const v of (getString(ds, t) ?? '').split('\\')) {
      const s = v.trim();
      if (s.length >= 2) terms.add(s);
      // an address or institution also identifies by its words
      for (const w of s.split(/[\s,^]+/)) if (w.length >= 4 && /[A-Za-z]/.test(w)) terms.add(w);
    }
  }
  const bd = /^(\d{4})(\d{2})(\d{2})$/.exec((getString(ds, BIRTH_DATE) ?? '').trim());
  if (bd) {
    const [, y, m, d] = bd;
    for (const f of [`${y}${m}${d}`, `${y}-${m}-${d}`, `${d}.${m}.${y}`, `${d}/${m}/${y}`, `${m}/${d}/${y}`])
      terms.add(f);
  }
  if (terms.size === 0) return undefined;
  const sorted = [...terms].sort((a, b) => b.length - a.length).map(escapeRe);
  return new RegExp(sorted.join('|'), 'gi');
}

/** Text with identifying parts replaced by `*` (see the module comment for what is identifying). */
export function cleanText(text: string, identifying: RegExp | undefined): string {
  let s = identifying ? text.replace(identifying, '*') : text;
  for (const re of GENERIC) s = s.replace(re, '*');
  return s;
}

/** Coding scheme designators of local/private codes (PS3.16 8.2: "99" prefix, "L"/"LOCAL"). */
export function isLocalCodingScheme(designator: string): boolean {
  const d = designator.trim().toUpperCase();
  return d.startsWith('99') || d === 'L' || d === 'LOCAL';
}
