import { MedImgError } from '../../core/errors.js';
import { geometryOf, worldToIndex } from '../../core/geometry.js';
import type { Volume, VolumeMeta } from '../../core/volume.js';
import { VERSION } from '../../version.js';
import { type Code, code, DCM, resolveCategory, SCT, SEGMENT_TYPES, UCUM } from './codes.js';
import { type DicomDataset, dataset, ds, fd, fl, is, seq, str, tag as T, us } from './ds-model.js';
import { codeItem, dicomDateTime, patientStudyElements, SEG_SOP_CLASS_UID, sourceReferenceOf } from './seg-write.js';
import { generateUid } from './uid.js';
import { IMPLEMENTATION_CLASS_UID, writePart10 } from './write.js';

export const COMPREHENSIVE_3D_SR_SOP_CLASS_UID = '1.2.840.10008.5.1.4.1.1.88.34';
export const COMPREHENSIVE_SR_SOP_CLASS_UID = '1.2.840.10008.5.1.4.1.1.88.33';
export const ENHANCED_SR_SOP_CLASS_UID = '1.2.840.10008.5.1.4.1.1.88.22';

/**
 * Concepts with no standard code we could verify use this private coding scheme (PS3.3 8.2: a
 * designator starting with "99"), declared in the Coding Scheme Identification Sequence.
 */
export const MEDIMG_SCHEME = '99MEDIMG';
export const MEDIMG_CODES = {
  boneMineralDensity: code('BMD-QCT', MEDIMG_SCHEME, 'Volumetric bone mineral density'),
  lungRads: code('LUNG-RADS', MEDIMG_SCHEME, 'Lung-RADS assessment category'),
  classProbability: code('CLASS-PROB', MEDIMG_SCHEME, 'Classifier probability'),
} as const;

/** Measurement kinds with default concept and unit. */
export type MeasurementKind = 'volume' | 'diameter' | 'longAxis' | 'shortAxis' | 'meanHU' | 'bmd';

export interface SrMeasurementInput {
  /** A known kind (sets concept and default unit) or give `name`. */
  kind?: MeasurementKind;
  /** Concept name code; overrides the kind's. */
  name?: Code;
  value: number;
  /** UCUM unit: a key of {@link UCUM} ('ml', 'mm3', 'mm', 'hu', 'mg/cm3', ...) or a code. Defaults per kind. */
  unit?: string | Code;
  /** Derivation (e.g. Mean, Maximum). 'meanHU' sets Mean. */
  derivation?: Code;
}

export interface SrFindingInput {
  /** Tracking Identifier (human readable), e.g. 'Nodule 1'. */
  trackingId: string;
  /** Tracking UID; default a new UID. Use the SEG segment's Tracking UID to link them. */
  trackingUid?: string;
  /** Finding: a name from the segment type table ('nodule', 'tumor', 'vertebra', 'liver', ...) or a code. */
  finding: string | Code;
  /** Finding category; default Morphologically Altered Structure for lesions/nodules/tumors, else Anatomical Structure. */
  findingCategory?: Code;
  /** Finding site: a name ('lung', 'liver', 'vertebra', ...) or a code. */
  findingSite?: string | Code;
  /**
   * Laterality (SCT 272741003, CID 244 Left/Right) as a concept modifier of the finding site
   * (the finding itself when no site is given).
   */
  laterality?: 'left' | 'right';
  /**
   * Time point context (TID 1502) of a longitudinal measurement: Time Point (UMLS C2348792, text),
   * Time Point Type (DCM 126072, CID 6146, e.g. {@link TIME_POINT_TYPES}.baseline) and Time Point
   * Order (DCM 126073).
   */
  timePoint?: { label: string; type?: Code; order?: number };
  /**
   * A point (LPS mm) for findings without a segment, e.g. a detected nodule's centre: written as a
   * SCOORD3D POINT (Volume Surface) with the nearest source slice as Source Image for Segmentation
   * (Comprehensive 3D SR only).
   */
  center?: [number, number, number];
  /** The SEG segment this finding was measured on. */
  segment?: {
    /** SOP Instance UID of the SEG (e.g. from readDicomSeg(...).sopInstanceUid). */
    sopInstanceUid: string;
    /** Series Instance UID of the SEG, for the evidence sequence. */
    seriesInstanceUid: string;
    sopClassUid?: string;
    segmentNumber: number;
  };
  measurements: SrMeasurementInput[];
  /** Lung-RADS category, e.g. '2', '4A', '4X'. Written as a TEXT qualitative evaluation. */
  lungRads?: string;
  /** Other qualitative evaluations: concept and a code or text value. */
  qualitative?: { name: Code; value: Code | string }[];
}

export interface SrReportInput {
  findings: SrFindingInput[];
  /** Procedure reported; default from the source modality (CT, MR). */
  procedureReported?: Code;
}

export interface WriteDicomSrOptions {
  /** 'comprehensive3d' (default), 'comprehensive' or 'enhanced'. */
  sopClass?: 'comprehensive3d' | 'comprehensive' | 'enhanced';
  /** Default 'Measurement Report'. */
  seriesDescription?: string;
  /** Default 301. */
  seriesNumber?: number;
  /** Default 1. */
  instanceNumber?: number;
  /** Default 'medimg'. */
  manufacturer?: string;
  /** Device observer name; default 'medimg'. */
  deviceObserverName?: string;
  /** Device Observer UID; default a fixed UID identifying medimg. */
  deviceObserverUid?: string;
  /** Default 'COMPLETE'. */
  completionFlag?: 'COMPLETE' | 'PARTIAL';
  uidRoot?: string;
  seriesInstanceUid?: string;
  sopInstanceUid?: string;
  /** Default now (UTC). */
  contentDateTime?: Date;
  /** Write an Image Library entry per source image. Default true. */
  imageLibrary?: boolean;
}

const KIND_DEFAULTS: Record<MeasurementKind, { name: Code; unit: string; derivation?: Code }> = {
  volume: { name: SCT.volume, unit: 'mm3' },
  diameter: { name: SCT.diameter, unit: 'mm' },
  longAxis: { name: SCT.longAxis, unit: 'mm' },
  shortAxis: { name: SCT.shortAxis, unit: 'mm' },
  meanHU: { name: DCM.attenuationCoefficient, unit: 'hu', derivation: SCT.mean },
  bmd: { name: MEDIMG_CODES.boneMineralDensity, unit: 'mg/cm3' },
};

/** Projection radiography modalities: the procedure reported is radiography. */
const PROJECTION_MODALITIES = new Set(['CR', 'DX', 'MG', 'IO', 'RG', 'PX']);

const FINDING_CATEGORY = code('276214006', 'SCT', 'Finding category');

/** TID 1502 Time Point Context concepts. */
const TIME_POINT = {
  timePoint: code('C2348792', 'UMLS', 'Time Point'),
  type: code('126072', 'DCM', 'Time Point Type'),
  order: code('126073', 'DCM', 'Time Point Order'),
} as const;

/** Time Point Types (CID 6146) that longitudinal reports use; the standard has no 'follow-up' type. */
export const TIME_POINT_TYPES = {
  baseline: code('C1442488', 'UMLS', 'Baseline'),
  posttreatment: code('126074', 'DCM', 'Posttreatment'),
  unscheduled: code('C1699701', 'UMLS', 'Unscheduled'),
} as const;

/** Laterality (SCT 272741003) and its values (CID 244). */
const LATERALITY = {
  concept: code('272741003', 'SCT', 'Laterality'),
  left: code('7771000', 'SCT', 'Left'),
  right: code('24028007', 'SCT', 'Right'),
} as const;
const ABNORMAL = new Set(['52988006', '27925004', '4147007', '108369006']);

function categoryOfFinding(finding: Code): Code {
  return ABNORMAL.has(finding.value)
    ? resolveCategory('morphologically abnormal structure')
    : resolveCategory('anatomical structure');
}

function resolveConcept(v: string | Code, what: string): Code {
  if (typeof v === 'object') return v;
  const c = SEGMENT_TYPES[v.trim().toLowerCase().replace(/[_-]+/g, ' ')];
  if (!c)
    throw new MedImgError(
      'INVALID_ARGUMENT',
      `Unknown ${what} '${v}'; pass a code or one of ${Object.keys(SEGMENT_TYPES).join(', ')}.`,
    );
  return c;
}

function resolveUnit(u: string | Code): Code {
  if (typeof u === 'object') return u;
  const c = UCUM[u.toLowerCase()] ?? Object.values(UCUM).find((x) => x.value === u);
  if (!c)
    throw new MedImgError(
      'INVALID_ARGUMENT',
      `Unknown unit '${u}'; pass a UCUM code or one of ${Object.keys(UCUM).join(', ')}.`,
    );
  return c;
}

// Content item builders.
function item(
  rel: string | undefined,
  valueType: string,
  concept: Code | undefined,
  extra: [number, ReturnType<typeof str> | undefined][] = [],
): DicomDataset {
  return dataset([
    [T(0x0040, 0xa010), rel ? str('CS', rel) : undefined],
    [T(0x0040, 0xa040), str('CS', valueType)],
    [T(0x0040, 0xa043), concept ? seq(codeItem(concept)) : undefined],
    ...extra,
  ]);
}
function container(
  rel: string | undefined,
  concept: Code,
  children: DicomDataset[],
  templateId?: string,
): DicomDataset {
  return item(rel, 'CONTAINER', concept, [
    [T(0x0040, 0xa050), str('CS', 'SEPARATE')],
    [
      T(0x0040, 0xa504),
      templateId
        ? seq(
            dataset([
              [T(0x0008, 0x0105), str('CS', 'DCMR')],
              [T(0x0040, 0xdb00), str('CS', templateId)],
            ]),
          )
        : undefined,
    ],
    [T(0x0040, 0xa730), children.length ? seq(...children) : undefined],
  ]);
}
const textItem = (rel: string, concept: Code, text: string) =>
  item(rel, 'TEXT', concept, [[T(0x0040, 0xa160), str('UT', text)]]);
const codeValueItem = (rel: string, concept: Code, value: Code) =>
  item(rel, 'CODE', concept, [[T(0x0040, 0xa168), seq(codeItem(value))]]);
const uidItem = (rel: string, concept: Code, uid: string) =>
  item(rel, 'UIDREF', concept, [[T(0x0040, 0xa124), str('UI', uid)]]);

function numItem(m: SrMeasurementInput, index: number): DicomDataset {
  if (!Number.isFinite(m.value))
    throw new MedImgError('INVALID_ARGUMENT', `Measurement ${index + 1} has a non-finite value.`);
  const def = m.kind ? KIND_DEFAULTS[m.kind] : undefined;
  if (m.kind && !def) throw new MedImgError('INVALID_ARGUMENT', `Unknown measurement kind '${m.kind}'.`);
  const name = m.name ?? def?.name;
  if (!name) throw new MedImgError('INVALID_ARGUMENT', `Measurement ${index + 1} needs a kind or a name code.`);
  const unit = resolveUnit(m.unit ?? def?.unit ?? '1');
  const n = item('CONTAINS', 'NUM', name, [
    [
      T(0x0040, 0xa300),
      seq(
        dataset([
          [T(0x0040, 0x08ea), seq(codeItem(unit))],
          [T(0x0040, 0xa161), fd(m.value)],
          [T(0x0040, 0xa30a), ds(m.value)],
        ]),
      ),
    ],
  ]);
  const derivation = m.derivation ?? def?.derivation;
  if (derivation) n.set(T(0x0040, 0xa730), seq(codeValueItem('HAS CONCEPT MOD', DCM.derivation, derivation)));
  return n;
}

/**
 * Writes a DICOM SR "Imaging Measurement Report" (TID 1500): one Volumetric ROI measurement group
 * (TID 1411) per finding with tracking identifier and UID, finding, finding site, the referenced
 * SEG segment and source series, measurements with UCUM units (TID 1419) and qualitative
 * evaluations (Lung-RADS). Comprehensive 3D SR by default, following the layout of dcmqi/highdicom.
 *
 * @example
 * ```ts
 * import { writeDicomSr } from 'medimg';
 * const sr = writeDicomSr(
 *   {
 *     findings: [
 *       {
 *         trackingId: 'Nodule 1',
 *         finding: 'nodule',
 *         findingSite: 'lung',
 *         center: [40, 205, -209],
 *         measurements: [{ kind: 'diameter', value: 7.5 }, { kind: 'volume', value: 221.4, unit: 'mm3' }],
 *         lungRads: '4A',
 *       },
 *     ],
 *   },
 *   ct,
 * );
 * ```
 */
export function writeDicomSr(
  report: SrReportInput,
  sourceSeries: Volume,
  options: WriteDicomSrOptions = {},
): Uint8Array {
  if (!report || !Array.isArray(report.findings))
    throw new MedImgError('INVALID_ARGUMENT', 'report.findings must be an array.');
  // 3D coordinates (finding centres) need the source's frame of reference; a radiograph has none
  const ref = sourceReferenceOf(sourceSeries, true, sourceSeries.dims[2] > 1 && report.findings.some((f) => f?.center));
  const meta = (sourceSeries.meta ?? {}) as VolumeMeta;
  const sopClass =
    options.sopClass === 'enhanced'
      ? ENHANCED_SR_SOP_CLASS_UID
      : options.sopClass === 'comprehensive'
        ? COMPREHENSIVE_SR_SOP_CLASS_UID
        : COMPREHENSIVE_3D_SR_SOP_CLASS_UID;
  const now = options.contentDateTime ?? new Date();
  const { date, time } = dicomDateTime(now);
  const mod = (meta.modality ?? '').toUpperCase();
  const procedure =
    report.procedureReported ??
    (mod === 'MR' ? SCT.mr : PROJECTION_MODALITIES.has(mod) ? SCT.radiography : mod === 'US' ? SCT.ultrasound : SCT.ct);
  let usesPrivateScheme = false;

  const groups = report.findings.map((f, gi) => {
    if (!f || typeof f.trackingId !== 'string' || !f.trackingId) {
      throw new MedImgError('INVALID_ARGUMENT', `Finding ${gi + 1} needs a trackingId.`);
    }
    const finding = resolveConcept(f.finding, 'finding');
    if (finding.scheme === MEDIMG_SCHEME) usesPrivateScheme = true;
    const children: DicomDataset[] = [
      textItem('HAS OBS CONTEXT', DCM.trackingIdentifier, f.trackingId),
      uidItem('HAS OBS CONTEXT', DCM.trackingUid, f.trackingUid ?? generateUid(options.uidRoot)),
      codeValueItem('CONTAINS', FINDING_CATEGORY, f.findingCategory ?? categoryOfFinding(finding)),
      codeValueItem('CONTAINS', DCM.finding, finding),
    ];
    if (f.timePoint) {
      const tp = f.timePoint;
      if (typeof tp.label !== 'string' || !tp.label) {
        throw new MedImgError('INVALID_ARGUMENT', `Finding ${gi + 1}: timePoint.label must be a non-empty string.`);
      }
      children.push(textItem('HAS OBS CONTEXT', TIME_POINT.timePoint, tp.label));
      if (tp.type) children.push(codeValueItem('HAS OBS CONTEXT', TIME_POINT.type, tp.type));
      if (tp.order !== undefined) {
        if (!Number.isInteger(tp.order) || tp.order < 1) {
          throw new MedImgError('INVALID_ARGUMENT', `Finding ${gi + 1}: timePoint.order must be a positive integer.`);
        }
        const order = numItem({ name: TIME_POINT.order, value: tp.order, unit: '1' }, 0);
        order.set(T(0x0040, 0xa010), str('CS', 'HAS OBS CONTEXT'));
        children.push(order);
      }
    }
    if (f.laterality !== undefined && f.laterality !== 'left' && f.laterality !== 'right') {
      throw new MedImgError('INVALID_ARGUMENT', `Finding ${gi + 1}: laterality must be 'left' or 'right'.`);
    }
    const site = f.findingSite ? resolveConcept(f.findingSite, 'finding site') : f.laterality ? finding : undefined;
    if (site) {
      const siteItem = codeValueItem('HAS CONCEPT MOD', SCT.findingSite, site);
      if (f.laterality) {
        siteItem.set(
          T(0x0040, 0xa730),
          seq(codeValueItem('HAS CONCEPT MOD', LATERALITY.concept, LATERALITY[f.laterality])),
        );
      }
      children.push(siteItem);
    }
    if (f.segment) {
      const s = f.segment;
      if (!Number.isInteger(s.segmentNumber) || s.segmentNumber < 1) {
        throw new MedImgError('INVALID_ARGUMENT', `Finding ${gi + 1}: segmentNumber must be a positive integer.`);
      }
      children.push(
        item('CONTAINS', 'IMAGE', DCM.referencedSegment, [
          [
            T(0x0008, 0x1199),
            seq(
              dataset([
                [T(0x0008, 0x1150), str('UI', s.sopClassUid ?? SEG_SOP_CLASS_UID)],
                [T(0x0008, 0x1155), str('UI', s.sopInstanceUid)],
                [T(0x0062, 0x000b), us(s.segmentNumber)],
              ]),
            ),
          ],
        ]),
      );
      children.push(uidItem('CONTAINS', DCM.sourceSeriesForSegmentation, ref.seriesInstanceUid));
    }
    if (f.center) {
      if (sopClass !== COMPREHENSIVE_3D_SR_SOP_CLASS_UID && ref.frameOfReferenceUid) {
        throw new MedImgError(
          'INVALID_ARGUMENT',
          `Finding ${gi + 1}: a center point needs the Comprehensive 3D SR (sopClass 'comprehensive3d').`,
        );
      }
      if (f.center.length !== 3 || !f.center.every(Number.isFinite)) {
        throw new MedImgError('INVALID_ARGUMENT', `Finding ${gi + 1}: center must be three finite numbers (LPS mm).`);
      }
      const at = worldToIndex(geometryOf(sourceSeries), f.center);
      const k = Math.round(at[2]);
      const kk = Math.min(ref.sopInstanceUids.length - 1, Math.max(0, k));
      const image = (rel: string, concept: Code | undefined) =>
        item(rel, 'IMAGE', concept, [
          [
            T(0x0008, 0x1199),
            seq(
              dataset([
                [T(0x0008, 0x1150), str('UI', ref.sopClassUid)],
                [T(0x0008, 0x1155), str('UI', ref.sopInstanceUids[kk] as string)],
              ]),
            ),
          ],
        ]);
      if (ref.frameOfReferenceUid) {
        children.push(
          item('CONTAINS', 'SCOORD3D', DCM.volumeSurface, [
            [T(0x0070, 0x0022), fl(...f.center)],
            [T(0x0070, 0x0023), str('CS', 'POINT')],
            [T(0x3006, 0x0024), str('UI', ref.frameOfReferenceUid)],
          ]),
        );
        children.push(image('CONTAINS', DCM.sourceImageForSegmentation));
      } else {
        // A projection image has no frame of reference: the point in image pixels (column, row;
        // 0,0 is the top left corner of the top left pixel), selected from that image (TID 1410).
        const point = item('CONTAINS', 'SCOORD', DCM.imageRegion, [
          [T(0x0070, 0x0022), fl(at[0] + 0.5, at[1] + 0.5)],
          [T(0x0070, 0x0023), str('CS', 'POINT')],
          [T(0x0040, 0xa730), seq(image('SELECTED FROM', undefined))],
        ]);
        children.push(point);
      }
    }
    (f.measurements ?? []).forEach((m, mi) => {
      if ((m.kind === 'bmd' && !m.name) || m.name?.scheme === MEDIMG_SCHEME) usesPrivateScheme = true;
      children.push(numItem(m, mi));
    });
    if (f.lungRads !== undefined) {
      if (!/^(0|1|2|3|4A|4B|4X)S?$/i.test(String(f.lungRads))) {
        throw new MedImgError('INVALID_ARGUMENT', `Finding ${gi + 1}: '${f.lungRads}' is not a Lung-RADS category.`);
      }
      usesPrivateScheme = true;
      children.push(textItem('CONTAINS', MEDIMG_CODES.lungRads, String(f.lungRads).toUpperCase()));
    }
    for (const q of f.qualitative ?? []) {
      children.push(
        typeof q.value === 'string'
          ? textItem('CONTAINS', q.name, q.value)
          : codeValueItem('CONTAINS', q.name, q.value),
      );
    }
    // TID 1411 (volumetric ROI) when the group has a segment or a 3D point, else TID 1501.
    return container('CONTAINS', DCM.measurementGroup, children, f.segment || f.center ? '1411' : '1501');
  });

  const library =
    options.imageLibrary === false
      ? []
      : ref.sopInstanceUids.map((uid) =>
          item('CONTAINS', 'IMAGE', undefined, [
            [
              T(0x0008, 0x1199),
              seq(
                dataset([
                  [T(0x0008, 0x1150), str('UI', ref.sopClassUid)],
                  [T(0x0008, 0x1155), str('UI', uid)],
                ]),
              ),
            ],
          ]),
        );

  const rootChildren: DicomDataset[] = [
    codeValueItem('HAS CONCEPT MOD', DCM.language, code('en-US', 'RFC5646', 'English (United States)')),
    codeValueItem('HAS OBS CONTEXT', DCM.observerType, DCM.device),
    uidItem('HAS OBS CONTEXT', DCM.deviceObserverUid, options.deviceObserverUid ?? IMPLEMENTATION_CLASS_UID),
    textItem('HAS OBS CONTEXT', DCM.deviceObserverName, options.deviceObserverName ?? 'medimg'),
    textItem('HAS OBS CONTEXT', DCM.deviceObserverManufacturer, options.manufacturer ?? 'medimg'),
    codeValueItem('HAS CONCEPT MOD', DCM.procedureReported, procedure),
    container(
      'CONTAINS',
      DCM.imageLibrary,
      library.length ? [container('CONTAINS', DCM.imageLibraryGroup, library)] : [],
    ),
    container('CONTAINS', DCM.imagingMeasurements, groups),
  ];
  const root = container(undefined, DCM.imagingMeasurementReport, rootChildren, '1500');

  // Evidence: the source images and every referenced SEG instance.
  const segRefs = new Map<string, { series: string; sopClass: string; instances: Set<string> }>();
  for (const f of report.findings) {
    if (!f.segment) continue;
    const e = segRefs.get(f.segment.seriesInstanceUid) ?? {
      series: f.segment.seriesInstanceUid,
      sopClass: f.segment.sopClassUid ?? SEG_SOP_CLASS_UID,
      instances: new Set(),
    };
    e.instances.add(f.segment.sopInstanceUid);
    segRefs.set(f.segment.seriesInstanceUid, e);
  }
  const refSop = (cls: string, uid: string) =>
    dataset([
      [T(0x0008, 0x1150), str('UI', cls)],
      [T(0x0008, 0x1155), str('UI', uid)],
    ]);
  const evidenceSeries = [
    dataset([
      [T(0x0008, 0x1199), seq(...ref.sopInstanceUids.map((u) => refSop(ref.sopClassUid, u)))],
      [T(0x0020, 0x000e), str('UI', ref.seriesInstanceUid)],
    ]),
    ...[...segRefs.values()].map((e) =>
      dataset([
        [T(0x0008, 0x1199), seq(...[...e.instances].map((u) => refSop(e.sopClass, u)))],
        [T(0x0020, 0x000e), str('UI', e.series)],
      ]),
    ),
  ];

  const out: DicomDataset = new Map(root);
  out.delete(T(0x0040, 0xa010));
  const top = dataset([
    [T(0x0008, 0x0005), str('CS', 'ISO_IR 192')],
    [T(0x0008, 0x0012), str('DA', date)],
    [T(0x0008, 0x0013), str('TM', time)],
    [T(0x0008, 0x0016), str('UI', sopClass)],
    [T(0x0008, 0x0018), str('UI', options.sopInstanceUid ?? generateUid(options.uidRoot))],
    [T(0x0008, 0x0023), str('DA', date)],
    [T(0x0008, 0x0033), str('TM', time)],
    [T(0x0008, 0x0060), str('CS', 'SR')],
    [T(0x0008, 0x0070), str('LO', (options.manufacturer ?? 'medimg').slice(0, 64))],
    [
      T(0x0008, 0x0110),
      usesPrivateScheme
        ? seq(
            dataset([
              [T(0x0008, 0x0102), str('SH', MEDIMG_SCHEME)],
              [T(0x0008, 0x0115), str('ST', 'medimg private concepts')],
              [T(0x0008, 0x0116), str('ST', 'medimg')],
            ]),
          )
        : undefined,
    ],
    [T(0x0008, 0x0201), str('SH', '+0000')],
    [T(0x0008, 0x103e), str('LO', (options.seriesDescription ?? 'Measurement Report').slice(0, 64))],
    [T(0x0008, 0x1111), seq()],
    [T(0x0018, 0x1020), str('LO', VERSION)],
    [T(0x0020, 0x000e), str('UI', options.seriesInstanceUid ?? generateUid(options.uidRoot))],
    [T(0x0020, 0x0011), is(options.seriesNumber ?? 301)],
    [T(0x0020, 0x0013), is(options.instanceNumber ?? 1)],
    [T(0x0040, 0xa372), seq()],
    [
      T(0x0040, 0xa375),
      seq(
        dataset([
          [T(0x0008, 0x1115), seq(...evidenceSeries)],
          [T(0x0020, 0x000d), str('UI', ref.studyInstanceUid)],
        ]),
      ),
    ],
    [T(0x0040, 0xa491), str('CS', options.completionFlag ?? 'COMPLETE')],
    [T(0x0040, 0xa493), str('CS', 'UNVERIFIED')],
    ...patientStudyElements(meta, ref),
  ]);
  for (const [k, v] of top) out.set(k, v);
  return writePart10(out);
}
