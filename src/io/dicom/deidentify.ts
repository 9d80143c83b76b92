import { MedImgError } from '../../core/errors.js';
import { type Code, DEID_METHOD } from './codes.js';
import { DEID_RULES, DEID_TABLE_EDITION, type DeidRule } from './deid-table.js';
import { guessVr, isStandardUid, vrRule } from './deid-vr-rules.js';
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

/** Options for {@link deidentify}. Defaults give the plain Basic Application Level Confidentiality Profile. */
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
  /** Retain Device Identity Option (113109). Default false. */
  retainDeviceIdentity?: boolean;
  /** Retain Institution Identity Option (113112). Default false. */
  retainInstitutionIdentity?: boolean;
  /** Retain Patient Characteristics Option (113108): sex, age, size, weight, ethnic group, smoking/pregnancy status. Default false. */
  retainPatientCharacteristics?: boolean;
  /**
   * Retain Safe Private Option (113111): private blocks whose Private Creator is in this list are
   * kept (the caller vouches that they are safe). Default: all private attributes removed.
   */
  retainPrivateCreators?: string[];
  /**
   * SR documents: Content Sequence has action D, which we apply by keeping the content tree (codes,
   * numbers, references with remapped UIDs) and replacing every free-text, date, time and person
   * value in it with a dummy. Set true to keep those values when you have cleaned them yourself
   * (Clean Structured Content Option, 113104). Default false.
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

/** Resolves the table action for the chosen options into one of K, X, Z, D, U, U*, C. */
function effectiveAction(rule: DeidRule, vr: string, o: DeidentifyOptions): string {
  if (o.retainUids && rule.retainUids) return 'K';
  if (o.retainDeviceIdentity && rule.retainDevice) return 'K';
  if (o.retainInstitutionIdentity && rule.retainInstitution) return 'K';
  if (o.retainPatientCharacteristics && rule.retainPatientCharacteristics) return 'K';
  if (rule.temporal && o.dates === 'keep') return 'K';
  if (rule.temporal && o.dates === 'shift') return 'C';
  switch (rule.action) {
    case 'X/Z':
      return 'Z';
    case 'X/D':
      return 'D';
    case 'Z/D':
      return isTemporal(vr) ? 'D' : 'Z';
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

function isRepeatingGroupRemoval(t: number): boolean {
  const g = tagGroup(t);
  const e = t & 0xffff;
  // Curve data (50xx) are removed; overlay data and comments (60xx,3000/4000) too.
  if (g >= 0x5000 && g <= 0x501e && g % 2 === 0) return true;
  if (g >= 0x6000 && g <= 0x601e && g % 2 === 0 && (e === 0x3000 || e === 0x4000)) return true;
  return false;
}

const CONTENT_SEQUENCE = 0x0040a730;
/** SR content item values that may carry identifying text, with their VRs. */
const SR_VALUE_TAGS = new Map<number, string>([
  [0x0040a160, 'UT'], // Text Value
  [0x0040a120, 'DT'], // DateTime
  [0x0040a121, 'DA'], // Date
  [0x0040a122, 'TM'], // Time
]);

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
    if (isRepeatingGroupRemoval(t)) {
      count(ctx, 'X', t);
      continue;
    }
    if (ctx.inContent && ctx.o.retainStructuredContentText && SR_VALUE_TAGS.has(t)) {
      // the caller cleaned the content tree's text, dates and times (Clean Structured Content)
      count(ctx, 'K', t);
      out.set(t, e);
      continue;
    }
    if (ctx.inContent && !ctx.o.retainStructuredContentText && SR_VALUE_TAGS.has(t)) {
      count(ctx, 'D', t);
      out.set(t, dummyValue(e.vr === 'UN' ? (SR_VALUE_TAGS.get(t) as string) : e.vr));
      continue;
    }
    const rule = DEID_RULES.get(t);
    if (!rule) {
      if (e.items) out.set(t, { vr: e.vr, items: e.items.map((it) => processDataset(it, ctx)) });
      else applyVrRule(out, ds, t, e, ctx);
      continue;
    }
    const vr = e.vr === 'UN' || (ctx.implicit && !e.items) ? rule.vr : e.vr;
    const action = effectiveAction(rule, vr, ctx.o);
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
      case 'C': {
        // Only reached for dates with the Modified Dates option.
        const v = getString(ds, t) ?? '';
        if (vr === 'DA' || vr === 'DT') {
          out.set(t, str(vr, ...v.split('\\').map((x) => shiftDate(x, ctx.shiftDays))));
        } else if (vr === 'TM' || vr === 'SH') out.set(t, e);
        else out.set(t, dummyValue(vr));
        break;
      }
      default:
        throw new MedImgError('INVALID_ARGUMENT', `Unknown de-identification action for ${tagHex(t)}.`);
    }
  }
  return out;
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
  switch (vrRule(t, vr)) {
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
        count(ctx, 'K', t);
        out.set(t, e);
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
  const ctx: Ctx = {
    inContent: false,
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

/** {@link deidentifyWithReport} returning only the bytes. */
export function deidentify(dicomBytes: Uint8Array, options: DeidentifyOptions = {}): Uint8Array {
  return deidentifyWithReport(dicomBytes, options).bytes;
}
