import { MedImgError } from '../../core/errors.js';
import { type Code, DEID_METHOD } from './codes.js';
import { cleanText, identifyingPattern, isLocalCodingScheme } from './deid-clean.js';
import { DEID_TABLE_EDITION, type DeidOptionColumn, type DeidRule, deidRule } from './deid-table.js';
import { ENCAPSULATED_DOCUMENT, guessVr, isStandardUid, vrRule } from './deid-vr-rules.js';
import {
  type DicomDataset,
  type DicomElement,
  dataset,
  getString,
  seq,
  str,
  tag as T,
  tagGroup,
  tagHex,
} from './ds-model.js';
import { parseDicom } from './ds-parse.js';
import { codeItem } from './seg-write.js';
import { hmacSha256, randomKey, uidFromDigest } from './uid.js';
import { TS } from './transfer-syntax.js';
import { writePart10 } from './write.js';

/**
 * Options for {@link deidentify}. Defaults give the plain Basic Application Level Confidentiality
 * Profile; each option is one column of PS3.15 Table E.1-1 (or, where said, a medimg extension)
 * and adds its CID 7050 code to De-identification Method Code Sequence (0012,0064).
 */
export interface DeidentifyOptions {
  /**
   * Session key for UID remapping (HMAC-SHA256 -> 2.25 UID) and the derived date shift: the same
   * input UID always maps to the same output UID under the same key, so a study de-identified file
   * by file stays consistent. Default: one random key per process (or page), never exported.
   */
  key?: string | Uint8Array;
  /** Retain UIDs Option (113110): keep all UIDs. Default false (remap). */
  retainUids?: boolean;
  /**
   * Dates and times: 'remove' (Basic Profile, default), 'keep' (Retain Longitudinal Temporal
   * Information with Full Dates, 113106) or 'shift' (Modified Dates, 113107: DA and DT values moved
   * by `dateShiftDays`, default a key-derived shift of 1..3650 days into the past; TM kept).
   */
  dates?: 'remove' | 'keep' | 'shift';
  /** Days to add to every date with dates: 'shift'. */
  dateShiftDays?: number;
  /**
   * Retain Device Identity Option (113109): device IDs, serial numbers and station names kept; AE
   * titles (column C) replaced by a key-derived pseudonym `AE` + 8 hex digits, the same for the same
   * title under the same key. Default false.
   */
  retainDeviceIdentity?: boolean;
  /** Retain Institution Identity Option (113112). Default false. */
  retainInstitutionIdentity?: boolean;
  /**
   * Retain Patient Characteristics Option (113108): sex, age, size, weight, ethnic group,
   * smoking/pregnancy status kept; allergies, special needs, patient state and pre-medication
   * (column C) kept with identifying text removed (see {@link DeidentifyOptions.cleanDescriptors}). Default false.
   */
  retainPatientCharacteristics?: boolean;
  /**
   * Clean Descriptors Option (113105): the descriptions and comments the table marks C (Study and
   * Series Description, Protocol Name, Image Comments, Derivation Description...) are kept with
   * identifying text replaced by `*`: every name, ID, address, institution and birth date the file
   * itself holds, and anything shaped like a date, a 5+ digit number or an e-mail address (rules in
   * deid-clean.ts). Code sequences marked C keep items of standard coding schemes only (local
   * "99..."/"L" schemes dropped), their Code Meaning cleaned the same way. Default false: removed
   * or emptied as the Basic Profile says.
   */
  cleanDescriptors?: boolean;
  /**
   * Clean Structured Content Option (113104): Content Sequence, Acquisition Context Sequence,
   * Specimen Preparation Sequence and Waveform Annotation Sequence keep their tree: text values
   * cleaned as {@link DeidentifyOptions.cleanDescriptors} does, person names dummied, dates and
   * times as the `dates` option says, UIDs remapped. Default false: Content Sequence kept with every
   * text, name, date and time value dummied (action D); the other three emptied or removed.
   */
  cleanStructuredContent?: boolean;
  /**
   * Clean Graphics Option (113103): Graphic Annotation Sequence keeps its graphics with text objects
   * cleaned; curve data (50xx) and overlay bitmaps (60xx,3000) kept, overlay comments cleaned.
   * Overlay bitmaps are not inspected: text burned into them stays (see docs/privacy.md). Default
   * false: curves, overlay data and comments removed; text in graphic annotations dummied.
   */
  cleanGraphics?: boolean;
  /**
   * Retain Safe Private Option (113111): private blocks whose Private Creator is in this list are
   * kept (the caller vouches that they are safe). Default: all private attributes removed.
   */
  retainPrivateCreators?: string[];
  /**
   * medimg extension, not a PS3.15 option: keep SR Text Value/Date/Time/DateTime verbatim inside
   * Content Sequence, for content the caller has cleaned itself. Prefer
   * {@link DeidentifyOptions.cleanStructuredContent}. Default false.
   */
  retainStructuredContentText?: boolean;
  /**
   * Keep free-text attributes (LT, ST, UT) that Table E.1-1 does not list. Default false: they are
   * removed, since free text is where names, IDs and dates hide.
   */
  retainFreeText?: boolean;
  /**
   * Keep the Encapsulated Document (0042,0011) of an encapsulated PDF/CDA object. Default false:
   * removed (a PDF report holds the name, MRN and birth date in its text, out of reach of this profile).
   */
  retainEncapsulatedDocuments?: boolean;
  /** Pseudonyms written instead of empty Patient's Name / Patient ID (e.g. a study subject code). */
  patientName?: string;
  patientId?: string;
}

/** What {@link deidentifyWithReport} did, without any original values. */
export interface DeidentifyReport {
  /** Burned In Annotation (0028,0301) of the input: pixel data are never changed by this function. */
  burnedInAnnotation: 'YES' | 'NO' | 'UNKNOWN';
  /** True when text may be burned into the pixels (flag YES, or unknown for modalities where it is common). */
  burnedInAnnotationRisk: boolean;
  /** Count of attributes per applied action (D, Z, X, U, C, K). */
  actionCounts: Record<string, number>;
  /** Tags (as "(GGGG,EEEE)") that were changed or removed, top level and nested. */
  changedTags: string[];
  privateTagsRemoved: number;
  uidsRemapped: number;
  /** CID 7050 codes written to De-identification Method Code Sequence. */
  methods: Code[];
}

let processKey: Uint8Array | undefined;
const enc = new TextEncoder();

const MODALITIES_WITH_BURNED_IN_TEXT = new Set([
  'US',
  'XA',
  'RF',
  'SC',
  'OT',
  'ES',
  'XC',
  'GM',
  'SM',
  'DOC',
  'CR',
  'DX',
  'IO',
  'PX',
  'MG',
]);

interface Ctx {
  /** Inside an SR Content Sequence. */
  inContent: boolean;
  /** Inside a sequence being cleaned (action C): text is cleaned rather than removed. */
  cleaning: boolean;
  /** Identifying strings of the file, for cleaning text. */
  identifying: RegExp | undefined;
  /** Output text may hold non-ASCII characters (Specific Character Set ISO_IR 192). */
  utf8: boolean;
  o: DeidentifyOptions;
  key: Uint8Array;
  implicit: boolean;
  shiftDays: number;
  report: DeidentifyReport;
  changed: Set<string>;
  uidCache: Map<string, string>;
}

function remapUid(ctx: Ctx, uid: string): string {
  let out = ctx.uidCache.get(uid);
  if (!out) {
    out = uidFromDigest(hmacSha256(ctx.key, enc.encode(`uid:${uid}`)));
    ctx.uidCache.set(uid, out);
    ctx.report.uidsRemapped++;
  }
  return out;
}

function isTemporal(vr: string): boolean {
  return vr === 'DA' || vr === 'TM' || vr === 'DT';
}

/** Whether the option of a Table E.1-1 column is on. */
function columnOn(c: DeidOptionColumn, o: DeidentifyOptions): boolean {
  switch (c) {
    case 'retainSafePrivate':
      return !!o.retainPrivateCreators?.length;
    case 'retainUids':
      return !!o.retainUids;
    case 'retainDeviceIdentity':
      return !!o.retainDeviceIdentity;
    case 'retainInstitutionIdentity':
      return !!o.retainInstitutionIdentity;
    case 'retainPatientCharacteristics':
      return !!o.retainPatientCharacteristics;
    case 'retainFullDates':
      return o.dates === 'keep';
    case 'retainModifiedDates':
      return o.dates === 'shift';
    case 'cleanDescriptors':
      return !!o.cleanDescriptors;
    case 'cleanStructuredContent':
      return !!o.cleanStructuredContent;
    case 'cleanGraphics':
      return !!o.cleanGraphics;
  }
}

/**
 * Resolves a row for the chosen options into one of K, X, Z, D, U, U*, C. Dates and times follow
 * the `dates` option only (so Retain Device Identity never keeps a calibration date the dates option
 * removes); otherwise an option column saying K wins over one saying C, and with none on the Basic
 * Profile action applies. Inside a sequence being cleaned, a row with a Clean Descriptors column is
 * cleaned. Compound actions keep the IOD valid without knowing it: X/Z -> Z, X/D -> D, Z/D and X/Z/D
 * -> D for dates, times and Device Serial Number (Type 1 where present) else Z, X/Z/U* -> U* (the
 * sequence kept, its UIDs remapped).
 */
function effectiveAction(rule: DeidRule, vr: string, ctx: Ctx): string {
  const o = ctx.o;
  if (rule.temporal) {
    if (o.dates === 'keep') return 'K';
    if (o.dates === 'shift') return 'C';
  } else {
    let clean = false;
    for (const [c, a] of Object.entries(rule.options) as [DeidOptionColumn, 'K' | 'C'][]) {
      if (!columnOn(c, o) && !(ctx.cleaning && c === 'cleanDescriptors')) continue;
      if (a === 'K') return 'K';
      clean = true;
    }
    if (clean) return 'C';
  }
  switch (rule.action) {
    case 'X/Z':
      return 'Z';
    case 'X/D':
      return 'D';
    case 'Z/D':
    case 'X/Z/D':
      return isTemporal(vr) || rule.tag === 0x00181000 ? 'D' : 'Z';
    case 'X/Z/U*':
      return 'U*';
    default:
      return rule.action;
  }
}

function dummyValue(vr: string): DicomElement {
  switch (vr) {
    case 'PN':
      return str('PN', 'ANONYMIZED');
    case 'DA':
      return str('DA', '19000101');
    case 'TM':
      return str('TM', '000000');
    case 'DT':
      return str('DT', '19000101000000');
    case 'AS':
      return str('AS', '000Y');
    case 'DS':
    case 'IS':
      return str(vr, '0');
    case 'UI':
      return str('UI', '2.25.0');
    case 'CS':
      return str('CS', 'ANONYMIZED');
    case 'US':
    case 'SS':
      return { vr, value: new Uint8Array(2) };
    case 'UL':
    case 'SL':
    case 'FL':
      return { vr, value: new Uint8Array(4) };
    case 'FD':
      return { vr, value: new Uint8Array(8) };
    case 'OB':
    case 'OW':
    case 'UN':
      return { vr, value: new Uint8Array(2) };
    default:
      return str(vr, 'ANONYMIZED');
  }
}

function shiftDate(s: string, days: number): string {
  const m = /^(\d{4})(\d{2})(\d{2})(.*)$/.exec(s.trim());
  if (!m) return '';
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  d.setUTCDate(d.getUTCDate() + days);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${m[4]}`;
}

function count(ctx: Ctx, action: string, t: number): void {
  ctx.report.actionCounts[action] = (ctx.report.actionCounts[action] ?? 0) + 1;
  if (action !== 'K') ctx.changed.add(tagHex(t));
}

/** An AE title replaced by a key-derived pseudonym (Retain Device Identity, column C). */
function pseudonymAe(ctx: Ctx, ae: string): string {
  const h = hmacSha256(ctx.key, enc.encode(`ae:${ae.trim()}`));
  return `AE${[...h.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join('')}`.toUpperCase();
}

const TEXT_VRS = new Set(['LO', 'SH', 'LT', 'ST', 'UT', 'UC']);
/** Code Value, Coding Scheme Designator/Version, Long and URN Code Value: codes, never cleaned. */
const CODE_TAGS = new Set([0x00080100, 0x00080102, 0x00080103, 0x00080119, 0x00080120]);

/** A text value with identifying parts replaced (deid-clean.ts); non-ASCII dropped unless the file is UTF-8. */
function cleanString(ctx: Ctx, vr: string, text: string): DicomElement {
  let s = cleanText(text, ctx.identifying);
  if (!ctx.utf8) s = s.replace(/[^\x20-\x7e\r\n\t\\]/g, '?');
  return str(vr, s);
}

/** Items of a sequence being cleaned; for a code sequence, items coding with a local scheme are dropped. */
function cleanItems(items: DicomDataset[], ctx: Ctx, codes: boolean): DicomDataset[] {
  const outer = ctx.cleaning;
  ctx.cleaning = true;
  const out = items
    .filter((it) => !codes || !isLocalCodingScheme(getString(it, T(0x0008, 0x0102)) ?? ''))
    .map((it) => processDataset(it, ctx));
  ctx.cleaning = outer;
  return out;
}

/**
 * Action C: dates shifted (Modified Dates), AE titles pseudonymised, text cleaned, sequences cleaned
 * item by item (code sequences of Clean Descriptors without local codes); binary graphics (curve and
 * overlay data, Clean Graphics) kept, other binary values removed as they cannot be cleaned.
 */
function applyClean(
  out: DicomDataset,
  ds: DicomDataset,
  t: number,
  e: DicomElement,
  vr: string,
  ctx: Ctx,
  rule?: DeidRule,
): void {
  if (e.items || vr === 'SQ') {
    const outer = ctx.inContent;
    if (t === CONTENT_SEQUENCE) ctx.inContent = true;
    out.set(t, { vr: 'SQ', items: cleanItems(e.items ?? [], ctx, rule?.options.cleanDescriptors !== undefined) });
    ctx.inContent = outer;
    return;
  }
  const v = getString(ds, t) ?? '';
  if (vr === 'DA' || vr === 'DT') out.set(t, str(vr, ...v.split('\\').map((x) => shiftDate(x, ctx.shiftDays))));
  else if (vr === 'TM') out.set(t, e);
  else if (vr === 'AE') out.set(t, str('AE', ...v.split('\\').map((x) => pseudonymAe(ctx, x))));
  else if (TEXT_VRS.has(vr) || vr === 'PN') out.set(t, cleanString(ctx, vr, v));
  else if (vr === 'UN' && isPrintable(e.value)) out.set(t, cleanString(ctx, 'UN', v));
  else if (rule?.options.cleanGraphics && (vr === 'OB' || vr === 'OW')) out.set(t, e);
  else if (vr === 'OB' || vr === 'OW' || vr === 'UN') count(ctx, 'X', t);
  else out.set(t, e); // codes and numbers (CS, DS, IS...) hold no free text (PS3.15 E.1.1 note 9)
}

const CONTENT_SEQUENCE = 0x0040a730;
const TEXT_VALUE = 0x0040a160;
/** SR content item values kept verbatim with retainStructuredContentText. */
const SR_VALUE_TAGS = new Set<number>([TEXT_VALUE, 0x0040a120, 0x0040a121, 0x0040a122]);

function processDataset(ds: DicomDataset, ctx: Ctx): DicomDataset {
  const out: DicomDataset = new Map();
  // Private creators retained (by block) in this data set.
  const keptBlocks = new Set<number>();
  const retain = ctx.o.retainPrivateCreators ?? [];
  if (retain.length) {
    for (const [t, e] of ds) {
      const g = tagGroup(t);
      const el = t & 0xffff;
      if (g % 2 === 1 && el >= 0x10 && el <= 0xff && e.value) {
        const creator = getString(ds, t) ?? '';
        if (retain.includes(creator)) keptBlocks.add(((g << 8) | el) >>> 0);
      }
    }
  }
  for (const [t, e] of ds) {
    const g = tagGroup(t);
    if (g % 2 === 1) {
      const el = t & 0xffff;
      const block = el >= 0x10 && el <= 0xff ? ((g << 8) | el) >>> 0 : ((g << 8) | (el >>> 8)) >>> 0;
      if (keptBlocks.has(block) && el >= 0x10) {
        out.set(t, e.items ? { vr: e.vr, items: e.items.map((it) => processDataset(it, ctx)) } : e);
        count(ctx, 'K', t);
      } else {
        ctx.report.privateTagsRemoved++;
        count(ctx, 'X', t);
      }
      continue;
    }
    if (ctx.inContent && ctx.o.retainStructuredContentText && SR_VALUE_TAGS.has(t)) {
      // the caller cleaned the content tree's text, dates and times (Clean Structured Content)
      count(ctx, 'K', t);
      out.set(t, e);
      continue;
    }
    if (ctx.inContent && t === TEXT_VALUE) {
      // Text Value is not a row of the table: dummied under action D, cleaned under C
      count(ctx, ctx.cleaning ? 'C' : 'D', t);
      out.set(t, ctx.cleaning ? cleanString(ctx, 'UT', getString(ds, t) ?? '') : dummyValue('UT'));
      continue;
    }
    if (t === ENCAPSULATED_DOCUMENT && ctx.o.retainEncapsulatedDocuments) {
      count(ctx, 'K', t);
      out.set(t, e);
      continue;
    }
    const rule = deidRule(t);
    if (!rule) {
      if (e.items) out.set(t, { vr: e.vr, items: e.items.map((it) => processDataset(it, ctx)) });
      else applyVrRule(out, ds, t, e, ctx);
      continue;
    }
    let vr = e.vr === 'UN' || (ctx.implicit && !e.items) ? rule.vr : e.vr;
    if (vr === 'UN' && !e.items) vr = guessVr(t, shortText(e));
    const action = effectiveAction(rule, vr, ctx);
    count(ctx, action === 'U*' ? 'U' : action, t);
    switch (action) {
      case 'K':
        out.set(t, e.items ? { vr: e.vr, items: e.items.map((it) => processDataset(it, ctx)) } : e);
        break;
      case 'X':
        break;
      case 'Z':
        out.set(t, e.items || vr === 'SQ' ? seq() : { vr, value: new Uint8Array(0) });
        break;
      case 'D':
        // For sequences a dummy item would break the IOD; clean the items recursively instead
        // (for the SR Content Sequence, text/date/time values inside become dummies).
        if (e.items || vr === 'SQ') {
          const outer = ctx.inContent;
          if (t === CONTENT_SEQUENCE) ctx.inContent = true;
          out.set(t, { vr: 'SQ', items: (e.items ?? []).map((it) => processDataset(it, ctx)) });
          ctx.inContent = outer;
        } else out.set(t, dummyValue(vr));
        break;
      case 'U': {
        const uids = (getString(ds, t) ?? '').split('\\').filter(Boolean);
        out.set(t, str('UI', ...uids.map((u) => remapUid(ctx, u.trim()))));
        break;
      }
      case 'U*':
        out.set(t, { vr: 'SQ', items: (e.items ?? []).map((it) => processDataset(it, ctx)) });
        break;
      case 'C':
        applyClean(out, ds, t, e, vr, ctx, rule);
        break;
      default:
        throw new MedImgError('INVALID_ARGUMENT', `Unknown de-identification action for ${tagHex(t)}.`);
    }
  }
  return out;
}

/** True when a value of unknown VR is plain text (so it can be cleaned as text). */
function isPrintable(v: Uint8Array | undefined): boolean {
  if (!v) return true;
  for (let i = 0; i < v.length; i++) {
    const b = v[i]!;
    if (b < 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09 && b !== 0) return false;
  }
  return true;
}

/** Printable text of a short value (for guessing the VR of an implicit VR element), else undefined. */
function shortText(e: DicomElement): string | undefined {
  const v = e.value;
  if (!v || v.length > 64) return undefined;
  for (let i = 0; i < v.length; i++) if (v[i]! < 0x20 && v[i] !== 0) return undefined;
  return String.fromCharCode(...v).replace(/[\0 ]+$/, '');
}

/**
 * Attributes the table does not list, by what their value is (see deid-vr-rules.ts): every date
 * and time shifted with the same offset, kept, or dummied as the dates option says; names dummied;
 * AE titles removed unless device identity is retained; instance UIDs remapped unless UIDs are
 * retained; free text and encapsulated documents removed unless an option keeps them.
 */
function applyVrRule(out: DicomDataset, ds: DicomDataset, t: number, e: DicomElement, ctx: Ctx): void {
  const vr = e.vr === 'UN' ? guessVr(t, shortText(e)) : e.vr;
  const o = ctx.o;
  const kind = vrRule(t, vr);
  if (ctx.cleaning && !CODE_TAGS.has(t) && (kind === 'text' || (kind === 'keep' && TEXT_VRS.has(vr)))) {
    // inside a sequence being cleaned, unlisted text (Code Meaning, Text Value...) is cleaned
    count(ctx, 'C', t);
    out.set(t, cleanString(ctx, vr, getString(ds, t) ?? ''));
    return;
  }
  switch (kind) {
    case 'keep':
      out.set(t, e);
      return;
    case 'temporal': {
      if (o.dates === 'keep') {
        count(ctx, 'K', t);
        out.set(t, e);
      } else if (o.dates === 'shift') {
        count(ctx, 'C', t);
        const v = getString(ds, t) ?? '';
        out.set(t, vr === 'TM' ? str('TM', v) : str(vr, ...v.split('\\').map((x) => shiftDate(x, ctx.shiftDays))));
      } else {
        count(ctx, 'D', t);
        out.set(t, dummyValue(vr));
      }
      return;
    }
    case 'person':
      count(ctx, 'D', t);
      out.set(t, dummyValue('PN'));
      return;
    case 'ae':
      if (o.retainDeviceIdentity) {
        count(ctx, 'C', t);
        applyClean(out, ds, t, e, 'AE', ctx);
      } else count(ctx, 'X', t);
      return;
    case 'uid': {
      if (o.retainUids) {
        count(ctx, 'K', t);
        out.set(t, e);
        return;
      }
      const uids = (getString(ds, t) ?? '').split('\\').map((u) => u.trim());
      count(ctx, 'U', t);
      out.set(t, str('UI', ...uids.filter(Boolean).map((u) => (isStandardUid(u) ? u : remapUid(ctx, u)))));
      return;
    }
    case 'text':
      if (o.retainFreeText) {
        count(ctx, 'K', t);
        out.set(t, e);
      } else count(ctx, 'X', t);
      return;
    case 'document':
      if (o.retainEncapsulatedDocuments) {
        count(ctx, 'K', t);
        out.set(t, e);
      } else count(ctx, 'X', t);
      return;
  }
}

/**
 * Checks de-identification options without touching a file, so a caller handling many files can
 * refuse bad options once instead of failing every file: `dates` one of remove/keep/shift, `key`
 * at least 16 bytes (UTF-8 for a string), `dateShiftDays` an integer. {@link deidentify} runs the
 * same checks.
 *
 * @throws MedImgError `INVALID_ARGUMENT` naming the option (never its value).
 * @example
 * ```ts
 * import { checkDeidentifyOptions } from 'medimg/dicom';
 * checkDeidentifyOptions({ key: process.env.DEID_KEY, dates: 'shift' }); // throws before any file is read
 * ```
 */
export function checkDeidentifyOptions(options: DeidentifyOptions): void {
  if (options.dates !== undefined && !['remove', 'keep', 'shift'].includes(options.dates)) {
    throw new MedImgError('INVALID_ARGUMENT', "dates must be 'remove', 'keep' or 'shift'.");
  }
  if (options.key !== undefined) keyBytes(options.key);
  if (options.dateShiftDays !== undefined && !Number.isInteger(options.dateShiftDays)) {
    throw new MedImgError('INVALID_ARGUMENT', 'dateShiftDays must be an integer.');
  }
}

function keyBytes(k: string | Uint8Array | undefined): Uint8Array {
  if (k === undefined) {
    processKey ??= randomKey();
    return processKey;
  }
  const b = typeof k === 'string' ? enc.encode(k) : k;
  if (b.length < 16)
    throw new MedImgError('INVALID_ARGUMENT', 'The de-identification key must have at least 16 bytes.');
  return b;
}

/**
 * De-identifies one DICOM Part 10 file with the PS3.15 Annex E Basic Application Level
 * Confidentiality Profile (actions of Table E.1-1) and the chosen options, and returns the new file
 * and a report. Pixel data are copied byte for byte (check `report.burnedInAnnotationRisk`).
 * UIDs are remapped deterministically per key; private attributes are removed unless their creator
 * is retained; Patient Identity Removed = YES and the De-identification Method (Code Sequence, CID
 * 7050) are set. Works in Node and the browser (no Node APIs).
 *
 * @example
 * ```ts
 * import { deidentifyWithReport } from 'medimg';
 * const { bytes: clean, report } = deidentifyWithReport(bytes, { dates: 'remove', cleanDescriptors: true });
 * console.log(report);
 * ```
 */
export function deidentifyWithReport(
  dicomBytes: Uint8Array,
  options: DeidentifyOptions = {},
): { bytes: Uint8Array; report: DeidentifyReport } {
  if (!(dicomBytes instanceof Uint8Array))
    throw new MedImgError('INVALID_ARGUMENT', 'deidentify expects the file as a Uint8Array.');
  checkDeidentifyOptions(options);
  const parsed = parseDicom(dicomBytes);
  const key = keyBytes(options.key);
  const derivedShift = -(1 + (new DataView(hmacSha256(key, enc.encode('date-shift')).buffer).getUint32(0) % 3650));
  const shiftDays = options.dateShiftDays ?? derivedShift;
  if (!Number.isInteger(shiftDays)) throw new MedImgError('INVALID_ARGUMENT', 'dateShiftDays must be an integer.');
  const methods: Code[] = [DEID_METHOD.basicProfile];
  if (options.retainUids) methods.push(DEID_METHOD.retainUids);
  if (options.retainDeviceIdentity) methods.push(DEID_METHOD.retainDeviceIdentity);
  if (options.retainInstitutionIdentity) methods.push(DEID_METHOD.retainInstitutionIdentity);
  if (options.retainPatientCharacteristics) methods.push(DEID_METHOD.retainPatientCharacteristics);
  if (options.dates === 'keep') methods.push(DEID_METHOD.retainFullDates);
  if (options.dates === 'shift') methods.push(DEID_METHOD.retainModifiedDates);
  if (options.retainPrivateCreators?.length) methods.push(DEID_METHOD.retainSafePrivate);
  if (options.cleanDescriptors) methods.push(DEID_METHOD.cleanDescriptors);
  if (options.cleanStructuredContent) methods.push(DEID_METHOD.cleanStructuredContent);
  if (options.cleanGraphics) methods.push(DEID_METHOD.cleanGraphics);

  const bia = (getString(parsed.dataset, T(0x0028, 0x0301)) ?? '').toUpperCase();
  const modality = (getString(parsed.dataset, T(0x0008, 0x0060)) ?? '').toUpperCase();
  const burnedInAnnotation: DeidentifyReport['burnedInAnnotation'] =
    bia === 'YES' ? 'YES' : bia === 'NO' ? 'NO' : 'UNKNOWN';
  const report: DeidentifyReport = {
    burnedInAnnotation,
    burnedInAnnotationRisk:
      burnedInAnnotation === 'YES' ||
      (burnedInAnnotation === 'UNKNOWN' && MODALITIES_WITH_BURNED_IN_TEXT.has(modality)),
    actionCounts: {},
    changedTags: [],
    privateTagsRemoved: 0,
    uidsRemapped: 0,
    methods,
  };
  const charset = getString(parsed.dataset, T(0x0008, 0x0005)) ?? '';
  const ctx: Ctx = {
    inContent: false,
    cleaning: false,
    identifying:
      options.cleanDescriptors ||
      options.cleanStructuredContent ||
      options.cleanGraphics ||
      options.retainPatientCharacteristics
        ? identifyingPattern(parsed.dataset)
        : undefined,
    utf8: charset.includes('192'),
    o: options,
    key,
    implicit: parsed.implicit,
    shiftDays,
    report,
    changed: new Set(),
    uidCache: new Map(),
  };
  const out = processDataset(parsed.dataset, ctx);

  if (options.patientName !== undefined) out.set(T(0x0010, 0x0010), str('PN', options.patientName));
  if (options.patientId !== undefined) out.set(T(0x0010, 0x0020), str('LO', options.patientId));
  out.set(T(0x0012, 0x0062), str('CS', 'YES'));
  out.set(T(0x0012, 0x0063), str('LO', ...methods.map((m) => m.meaning.slice(0, 64)), DEID_TABLE_EDITION));
  out.set(T(0x0012, 0x0064), seq(...methods.map(codeItem)));
  out.set(
    T(0x0028, 0x0303),
    str('CS', options.dates === 'keep' ? 'UNMODIFIED' : options.dates === 'shift' ? 'MODIFIED' : 'REMOVED'),
  );

  // File meta: the media storage SOP instance follows the (remapped) SOP Instance UID.
  const meta: DicomDataset = new Map(parsed.meta);
  const sop = getString(out, T(0x0008, 0x0018));
  if (sop) meta.set(T(0x0002, 0x0003), str('UI', sop));
  for (const t of [...meta.keys()]) {
    const el = t & 0xffff;
    // Source/sending/receiving AE titles and private meta information may identify the site.
    if (el === 0x0016 || el === 0x0017 || el === 0x0018 || el === 0x0100 || el === 0x0102) meta.delete(t);
  }
  // big endian and deflated inputs were read into little-endian values: written explicit VR little endian
  const ts = parsed.transferSyntaxUid;
  const bytes = writePart10(out, {
    transferSyntaxUid: ts === TS.explicitBE || ts === TS.deflatedLE ? TS.explicitLE : ts,
    meta: dataset([...meta.entries()]),
    preamble: undefined,
  });
  report.changedTags = [...ctx.changed].sort();
  return { bytes, report };
}

/**
 * {@link deidentifyWithReport} returning only the bytes.
 *
 * @example
 * ```ts
 * import { readFile, writeFile } from 'node:fs/promises';
 * import { deidentify } from 'medimg';
 * const key = process.env.DEID_KEY!; // at least 16 bytes; the same key maps the same UIDs and dates the same way
 * const out = deidentify(await readFile('in/IM0001.dcm'), { key, dates: 'shift', retainPatientCharacteristics: true });
 * await writeFile('out/IM0001.dcm', out);
 * ```
 */
export function deidentify(dicomBytes: Uint8Array, options: DeidentifyOptions = {}): Uint8Array {
  return deidentifyWithReport(dicomBytes, options).bytes;
}
