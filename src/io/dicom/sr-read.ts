import { MedImgError } from '../../core/errors.js';
import type { Code } from './codes.js';
import {
  type DicomDataset,
  getFloat32s,
  getFloat64s,
  getItem,
  getItems,
  getNumber,
  getString,
  getUint16s,
  tag as T,
} from './ds-model.js';
import { parseDicom } from './ds-parse.js';

/** One SR content item as plain data. */
export interface SrContentItem {
  relationship?: string;
  valueType: string;
  concept?: Code;
  /** TEXT, UIDREF, DATE, TIME, DATETIME, PNAME values. */
  text?: string;
  /** CODE value. */
  code?: Code;
  /** NUM value. */
  numeric?: { value: number; unit?: Code };
  /** IMAGE / COMPOSITE reference. */
  reference?: { sopClassUid?: string; sopInstanceUid?: string; frameNumbers?: number[]; segmentNumbers?: number[] };
  /** SCOORD / SCOORD3D. */
  graphic?: { type: string; data: number[]; frameOfReferenceUid?: string };
  templateId?: string;
  children: SrContentItem[];
}

export interface SrMeasurement {
  name: Code;
  value: number;
  unit?: Code;
  derivation?: Code;
  /** Finding site given on the measurement itself (TID 1419). */
  findingSite?: Code;
}

export interface SrMeasurementGroup {
  trackingIdentifier?: string;
  trackingUid?: string;
  finding?: Code;
  findingSite?: Code;
  findingCategory?: Code;
  /** Laterality modifier (SCT 272741003) of the finding site. */
  laterality?: Code;
  /** Time point context (TID 1502): Time Point, Time Point Type, Time Point Order. */
  timePoint?: { label?: string; type?: Code; order?: number };
  /** Volumetric ROI: the SEG segment measured. */
  referencedSegment?: { sopClassUid?: string; sopInstanceUid?: string; segmentNumber?: number };
  sourceSeriesInstanceUid?: string;
  /** Planar/point ROI geometry, when the group has one. */
  roi?: { type: string; data: number[]; frameOfReferenceUid?: string; referencedSopInstanceUid?: string };
  measurements: SrMeasurement[];
  /** CODE and TEXT evaluations (e.g. Lung-RADS category). */
  qualitativeEvaluations: { name: Code; value: Code | string }[];
}

export interface DicomSrResult {
  sopClassUid: string;
  sopInstanceUid: string;
  seriesInstanceUid: string;
  studyInstanceUid: string;
  /** Template of the root container, e.g. '1500'. */
  templateId?: string;
  title?: Code;
  completionFlag?: string;
  verificationFlag?: string;
  contentDate?: string;
  contentTime?: string;
  language?: Code;
  procedureReported: Code[];
  observer: { type?: Code; name?: string; uid?: string };
  measurementGroups: SrMeasurementGroup[];
  /** The whole content tree. */
  content: SrContentItem;
}

const SR_CLASS_PREFIX = '1.2.840.10008.5.1.4.1.1.88.';

function readCode(it: DicomDataset | undefined): Code | undefined {
  if (!it) return undefined;
  return {
    value:
      getString(it, T(0x0008, 0x0100)) ?? getString(it, T(0x0008, 0x0119)) ?? getString(it, T(0x0008, 0x0120)) ?? '',
    scheme: getString(it, T(0x0008, 0x0102)) ?? '',
    meaning: getString(it, T(0x0008, 0x0104)) ?? '',
  };
}

function readItem(ds: DicomDataset, depth: number): SrContentItem {
  if (depth > 64) throw new MedImgError('SR_INVALID', 'SR content is nested too deeply.');
  const valueType = getString(ds, T(0x0040, 0xa040)) ?? '';
  const out: SrContentItem = {
    relationship: getString(ds, T(0x0040, 0xa010)) || undefined,
    valueType,
    concept: readCode(getItem(ds, T(0x0040, 0xa043))),
    children: [],
  };
  switch (valueType) {
    case 'TEXT':
      out.text = getString(ds, T(0x0040, 0xa160));
      break;
    case 'UIDREF':
      out.text = getString(ds, T(0x0040, 0xa124));
      break;
    case 'DATE':
      out.text = getString(ds, T(0x0040, 0xa121));
      break;
    case 'TIME':
      out.text = getString(ds, T(0x0040, 0xa122));
      break;
    case 'DATETIME':
      out.text = getString(ds, T(0x0040, 0xa120));
      break;
    case 'PNAME':
      out.text = getString(ds, T(0x0040, 0xa123));
      break;
    case 'CODE':
      out.code = readCode(getItem(ds, T(0x0040, 0xa168)));
      break;
    case 'NUM': {
      const mv = getItem(ds, T(0x0040, 0xa300));
      if (mv) {
        const fp = getFloat64s(mv, T(0x0040, 0xa161));
        const value = fp.length ? (fp[0] as number) : getNumber(mv, T(0x0040, 0xa30a));
        if (value !== undefined) out.numeric = { value, unit: readCode(getItem(mv, T(0x0040, 0x08ea))) };
      }
      break;
    }
    case 'IMAGE':
    case 'COMPOSITE':
    case 'WAVEFORM': {
      const r = getItem(ds, T(0x0008, 0x1199));
      if (r) {
        const frames = getString(r, T(0x0008, 0x1160));
        out.reference = {
          sopClassUid: getString(r, T(0x0008, 0x1150)),
          sopInstanceUid: getString(r, T(0x0008, 0x1155)),
          frameNumbers: frames ? frames.split('\\').map(Number) : undefined,
          segmentNumbers: r.has(T(0x0062, 0x000b)) ? getUint16s(r, T(0x0062, 0x000b)) : undefined,
        };
      }
      break;
    }
    case 'SCOORD':
    case 'SCOORD3D':
      out.graphic = {
        type: getString(ds, T(0x0070, 0x0023)) ?? '',
        data:
          valueType === 'SCOORD3D' && ds.get(T(0x0070, 0x0022))?.vr === 'FD'
            ? getFloat64s(ds, T(0x0070, 0x0022))
            : getFloat32s(ds, T(0x0070, 0x0022)),
        frameOfReferenceUid: getString(ds, T(0x3006, 0x0024)),
      };
      break;
    case 'CONTAINER': {
      const tpl = getItem(ds, T(0x0040, 0xa504));
      if (tpl) out.templateId = getString(tpl, T(0x0040, 0xdb00));
      break;
    }
  }
  for (const child of getItems(ds, T(0x0040, 0xa730))) out.children.push(readItem(child, depth + 1));
  return out;
}

const is = (c: Code | undefined, ...values: string[]) => !!c && values.includes(c.value);

function readGroup(g: SrContentItem): SrMeasurementGroup {
  const group: SrMeasurementGroup = { measurements: [], qualitativeEvaluations: [] };
  for (const c of g.children) {
    if (is(c.concept, '112039')) group.trackingIdentifier = c.text;
    else if (is(c.concept, '112040')) group.trackingUid = c.text;
    else if (is(c.concept, '121071') && c.code) group.finding = c.code;
    else if (is(c.concept, '363698007', 'G-C0E3') && c.code) {
      group.findingSite = c.code;
      const lat = c.children.find((x) => is(x.concept, '272741003', 'G-C171') && x.code);
      if (lat) group.laterality = lat.code;
    } else if (is(c.concept, 'C2348792')) group.timePoint = { ...group.timePoint, label: c.text };
    else if (is(c.concept, '126072') && c.code) group.timePoint = { ...group.timePoint, type: c.code };
    else if (is(c.concept, '126073') && c.numeric) group.timePoint = { ...group.timePoint, order: c.numeric.value };
    else if (is(c.concept, '276214006') && c.code) group.findingCategory = c.code;
    else if (is(c.concept, '121191') && c.reference)
      group.referencedSegment = {
        sopClassUid: c.reference.sopClassUid,
        sopInstanceUid: c.reference.sopInstanceUid,
        segmentNumber: c.reference.segmentNumbers?.[0],
      };
    else if (is(c.concept, '121232')) group.sourceSeriesInstanceUid = c.text;
    else if (c.valueType === 'NUM' && c.concept && c.numeric) {
      const m: SrMeasurement = { name: c.concept, value: c.numeric.value, unit: c.numeric.unit };
      for (const mod of c.children) {
        if (is(mod.concept, '121401') && mod.code) m.derivation = mod.code;
        if (is(mod.concept, '363698007', 'G-C0E3') && mod.code) m.findingSite = mod.code;
      }
      group.measurements.push(m);
    } else if ((c.valueType === 'SCOORD' || c.valueType === 'SCOORD3D') && c.graphic) {
      const img = c.children.find((x) => x.valueType === 'IMAGE');
      group.roi = { ...c.graphic, referencedSopInstanceUid: img?.reference?.sopInstanceUid };
    } else if (c.relationship === 'CONTAINS' && c.concept && (c.valueType === 'CODE' || c.valueType === 'TEXT')) {
      const value = c.valueType === 'CODE' ? c.code : c.text;
      if (value !== undefined) group.qualitativeEvaluations.push({ name: c.concept, value });
    }
  }
  return group;
}

function collectGroups(node: SrContentItem, out: SrMeasurementGroup[]): void {
  for (const c of node.children) {
    if (c.valueType === 'CONTAINER' && is(c.concept, '125007')) out.push(readGroup(c));
    else if (c.valueType === 'CONTAINER') collectGroups(c, out);
  }
}

/**
 * Reads a DICOM SR document into plain data: the whole content tree, and for TID 1500 measurement
 * reports the measurement groups with tracking identifier/UID, finding, finding site, referenced
 * segment, measurements (value, UCUM unit, derivation) and qualitative evaluations.
 *
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { readDicomSr } from 'medimg';
 * const sr = readDicomSr(await readFile('report-sr.dcm'));
 * for (const g of sr.measurementGroups) console.log(g.trackingIdentifier, g.measurements);
 * ```
 */
export function readDicomSr(bytes: Uint8Array): DicomSrResult {
  const { dataset: root } = parseDicom(bytes);
  const sopClassUid = getString(root, T(0x0008, 0x0016)) ?? '';
  if (!sopClassUid.startsWith(SR_CLASS_PREFIX) || getString(root, T(0x0040, 0xa040)) !== 'CONTAINER') {
    throw new MedImgError('SR_INVALID', 'This DICOM object is not a structured report.');
  }
  const content = readItem(root, 0);
  const measurementGroups: SrMeasurementGroup[] = [];
  collectGroups(content, measurementGroups);
  const procedureReported: Code[] = [];
  const observer: DicomSrResult['observer'] = {};
  let language: Code | undefined;
  for (const c of content.children) {
    if (is(c.concept, '121058') && c.code) procedureReported.push(c.code);
    else if (is(c.concept, '121049') && c.code) language = c.code;
    else if (is(c.concept, '121005') && c.code) observer.type = c.code;
    else if (is(c.concept, '121008', '121013')) observer.name = c.text;
    else if (is(c.concept, '121012')) observer.uid = c.text;
  }
  return {
    sopClassUid,
    sopInstanceUid: getString(root, T(0x0008, 0x0018)) ?? '',
    seriesInstanceUid: getString(root, T(0x0020, 0x000e)) ?? '',
    studyInstanceUid: getString(root, T(0x0020, 0x000d)) ?? '',
    templateId: content.templateId,
    title: content.concept,
    completionFlag: getString(root, T(0x0040, 0xa491)),
    verificationFlag: getString(root, T(0x0040, 0xa493)),
    contentDate: getString(root, T(0x0008, 0x0023)),
    contentTime: getString(root, T(0x0008, 0x0033)),
    language,
    procedureReported,
    observer,
    measurementGroups,
    content,
  };
}
