import {
  type DicomDataset,
  getItem,
  getItems,
  readNumber as num,
  readNumbers as nums,
  readText as str,
  readTexts as strs,
  tag,
} from './ds-model.js';
import type { ParsedDicom } from './ds-parse.js';

/** The attributes the image readers use, as numeric tags. */
const TAG = {
  sopClassUid: tag(0x0008, 0x0016),
  sopInstanceUid: tag(0x0008, 0x0018),
  imageType: tag(0x0008, 0x0008),
  modality: tag(0x0008, 0x0060),
  manufacturer: tag(0x0008, 0x0070),
  model: tag(0x0008, 0x1090),
  seriesDescription: tag(0x0008, 0x103e),
  patientSex: tag(0x0010, 0x0040),
  patientName: tag(0x0010, 0x0010),
  patientId: tag(0x0010, 0x0020),
  patientBirthDate: tag(0x0010, 0x0030),
  studyDate: tag(0x0008, 0x0020),
  studyTime: tag(0x0008, 0x0030),
  studyId: tag(0x0020, 0x0010),
  accessionNumber: tag(0x0008, 0x0050),
  referringPhysicianName: tag(0x0008, 0x0090),
  patientIdentityRemoved: tag(0x0012, 0x0062),
  deidentificationMethod: tag(0x0012, 0x0063),
  patientAge: tag(0x0010, 0x1010),
  sliceThickness: tag(0x0018, 0x0050),
  spacingBetweenSlices: tag(0x0018, 0x0088),
  kernel: tag(0x0018, 0x1210),
  protocolName: tag(0x0018, 0x1030),
  ctdiVol: tag(0x0018, 0x9345),
  exposure: tag(0x0018, 0x1152),
  kvp: tag(0x0018, 0x0060),
  gantryTilt: tag(0x0018, 0x1120),
  echoNumbers: tag(0x0018, 0x0086),
  studyUid: tag(0x0020, 0x000d),
  seriesUid: tag(0x0020, 0x000e),
  seriesNumber: tag(0x0020, 0x0011),
  acquisitionNumber: tag(0x0020, 0x0012),
  instanceNumber: tag(0x0020, 0x0013),
  ipp: tag(0x0020, 0x0032),
  iop: tag(0x0020, 0x0037),
  frameOfReferenceUid: tag(0x0020, 0x0052),
  temporalPositionId: tag(0x0020, 0x0100),
  photometric: tag(0x0028, 0x0004),
  pixelSpacing: tag(0x0028, 0x0030),
  imagerPixelSpacing: tag(0x0018, 0x1164),
  rescaleIntercept: tag(0x0028, 0x1052),
  rescaleSlope: tag(0x0028, 0x1053),
  modalityLutSeq: tag(0x0028, 0x3000),
  sharedFG: tag(0x5200, 0x9229),
  perFrameFG: tag(0x5200, 0x9230),
  pixelMeasuresSeq: tag(0x0028, 0x9110),
  planePositionSeq: tag(0x0020, 0x9113),
  planeOrientationSeq: tag(0x0020, 0x9116),
  pixelValueTransformSeq: tag(0x0028, 0x9145),
  frameContentSeq: tag(0x0020, 0x9111),
  stackId: tag(0x0020, 0x9056),
  temporalPositionIndex: tag(0x0020, 0x9128),
  mrFrameTypeSeq: tag(0x0018, 0x9226),
  ctFrameTypeSeq: tag(0x0018, 0x9329),
  frameType: tag(0x0008, 0x9007),
  mrEchoSeq: tag(0x0018, 0x9114),
  effectiveEchoTime: tag(0x0018, 0x9082),
} as const;

const firstItem = (ds: DicomDataset | undefined, t: number): DicomDataset | undefined =>
  ds ? getItem(ds, t) : undefined;

/** Identifying and descriptive facts of one DICOM object (what `VolumeMeta` keeps). */
export interface DicomObjectMeta {
  modality?: string;
  sopClassUid?: string;
  sopInstanceUid?: string;
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  frameOfReferenceUid?: string;
  seriesNumber?: number;
  seriesDescription?: string;
  manufacturer?: string;
  manufacturerModelName?: string;
  convolutionKernel?: string;
  protocolName?: string;
  ctdiVolMGy?: number;
  exposureMAs?: number;
  kvp?: number;
  patientSex?: string;
  patientAgeYears?: number;
  /** Patient and study identification, carried so derived SEG/SR objects join the same patient and study. */
  identity?: DicomIdentity;
  imageType?: string[];
  transferSyntaxUid: string;
  /** Non-fatal problems found in this object. */
  warnings: string[];
}

/**
 * Identifying attributes of the patient and study. They travel in `meta` only so that SEG and SR
 * written from a series file under the same patient and study in a PACS; medimg never prints or
 * logs them, and `deidentify` removes them from files.
 */
export interface DicomIdentity {
  patientName?: string;
  patientId?: string;
  patientBirthDate?: string;
  studyDate?: string;
  studyTime?: string;
  studyId?: string;
  accessionNumber?: string;
  referringPhysicianName?: string;
  /** Patient Identity Removed (0012,0062): 'YES' for a de-identified source (its SEG/SR say so too). */
  patientIdentityRemoved?: string;
  /** De-identification Method (0012,0063) of a de-identified source. */
  deidentificationMethod?: string;
}

const IDENTITY_KEYS = [
  'patientName',
  'patientId',
  'patientBirthDate',
  'studyDate',
  'studyTime',
  'studyId',
  'accessionNumber',
  'referringPhysicianName',
  'patientIdentityRemoved',
  'deidentificationMethod',
] as const;

/** Geometry and value transform of one frame (the only frame of a single-frame object). */
export interface FrameRecord {
  frameIndex: number;
  /** LPS mm of the centre of the first transmitted pixel; undefined when absent. */
  position?: [number, number, number];
  /** Row direction then column direction (IOP), unit vectors; undefined when absent. */
  orientation?: [number, number, number, number, number, number];
  /** [row spacing (between rows), column spacing (between columns)] mm. */
  pixelSpacing?: [number, number];
  sliceThickness?: number;
  slope: number;
  intercept: number;
  /** Values that must be equal for frames to form one 3D stack (frame type, echo). */
  stackLabel: string;
  /** Sort keys that order repeated acquisitions of one position (4D). */
  temporal: number[];
  instanceNumber?: number;
  gantryTilt?: number;
  /** True when the position was derived (classic multi-frame without per-frame positions). */
  derivedPosition?: boolean;
}

/**
 * Parses the PatientAge AS value ('045Y', '006M', '010W', '003D') to years.
 *
 * @example
 * ```ts
 * import { parseAgeYears } from 'medimg/dicom';
 * parseAgeYears('063Y'); // 63
 * parseAgeYears('018M'); // 1.5
 * ```
 */
export function parseAgeYears(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const m = /^(\d{1,3})\s*([DWMY]?)$/i.exec(s.trim());
  if (!m) return undefined;
  const v = Number(m[1]);
  const unit = (m[2] || 'Y').toUpperCase();
  const years = unit === 'Y' ? v : unit === 'M' ? v / 12 : unit === 'W' ? (v * 7) / 365.25 : v / 365.25;
  return Math.round(years * 1000) / 1000;
}

/**
 * An FD attribute: read as typed when the VR is known; in implicit-VR files (VR 'UN' here) its 8
 * value bytes are the little-endian double itself. Finite values only.
 */
function readFD(ds: DicomDataset, t: number): number | undefined {
  const e = ds.get(t);
  if (!e?.value) return undefined;
  if (e.vr !== 'UN') return num(ds, t);
  if (e.value.length !== 8) return undefined;
  const v = new DataView(e.value.buffer, e.value.byteOffset, 8).getFloat64(0, true);
  return Number.isFinite(v) ? v : undefined;
}

/** Object-level facts. */
export function readObjectMeta(parsed: ParsedDicom): DicomObjectMeta {
  const ds = parsed.dataset;
  const meta: DicomObjectMeta = { transferSyntaxUid: parsed.transferSyntaxUid, warnings: [] };
  const set = <K extends keyof DicomObjectMeta>(k: K, v: DicomObjectMeta[K] | undefined) => {
    if (v !== undefined && v !== '') meta[k] = v;
  };
  set('modality', str(ds, TAG.modality));
  set('sopClassUid', str(ds, TAG.sopClassUid));
  set('sopInstanceUid', str(ds, TAG.sopInstanceUid));
  set('studyInstanceUid', str(ds, TAG.studyUid));
  set('seriesInstanceUid', str(ds, TAG.seriesUid));
  set('frameOfReferenceUid', str(ds, TAG.frameOfReferenceUid));
  set('seriesNumber', num(ds, TAG.seriesNumber));
  set('seriesDescription', str(ds, TAG.seriesDescription));
  set('manufacturer', str(ds, TAG.manufacturer));
  set('manufacturerModelName', str(ds, TAG.model));
  const kernel = strs(ds, TAG.kernel).filter(Boolean).join('\\');
  set('convolutionKernel', kernel || undefined);
  set('protocolName', str(ds, TAG.protocolName));
  set('ctdiVolMGy', readFD(ds, TAG.ctdiVol));
  set('exposureMAs', num(ds, TAG.exposure));
  set('kvp', num(ds, TAG.kvp));
  set('patientSex', str(ds, TAG.patientSex));
  set('patientAgeYears', parseAgeYears(str(ds, TAG.patientAge)));
  const identity: DicomIdentity = {};
  for (const k of IDENTITY_KEYS) {
    const v = str(ds, TAG[k]);
    if (v) identity[k] = v;
  }
  if (Object.keys(identity).length) meta.identity = identity;
  const it = strs(ds, TAG.imageType);
  if (it.length) meta.imageType = it;
  if (parsed.noMetaHeader) meta.warnings.push('No Part 10 file meta header; parsed as a bare little-endian data set.');
  if (parsed.unknownCharsets?.length) {
    meta.warnings.push(
      `Specific Character Set ${parsed.unknownCharsets.join('\\')} is not supported: text read as UTF-8/Latin-1.`,
    );
  }
  if (ds.has(TAG.modalityLutSeq) && !ds.has(TAG.rescaleSlope)) {
    meta.warnings.push('Modality LUT Sequence present but not applied: values are stored values.');
  }
  if ((str(ds, TAG.photometric) ?? '').toUpperCase() === 'PALETTE COLOR') {
    meta.warnings.push('PALETTE COLOR: values are palette indices; the palette is not applied.');
  }
  return meta;
}

function vec3(v: number[]): [number, number, number] | undefined {
  return v.length >= 3 ? [v[0]!, v[1]!, v[2]!] : undefined;
}

function iop(v: number[]): FrameRecord['orientation'] {
  if (v.length < 6) return undefined;
  const r = [v[0]!, v[1]!, v[2]!];
  const c = [v[3]!, v[4]!, v[5]!];
  const nr = Math.hypot(r[0]!, r[1]!, r[2]!);
  const nc = Math.hypot(c[0]!, c[1]!, c[2]!);
  if (!(nr > 0.5 && nc > 0.5)) return undefined;
  // writers often round IOP to a few digits: renormalise
  return [r[0]! / nr, r[1]! / nr, r[2]! / nr, c[0]! / nc, c[1]! / nc, c[2]! / nc];
}

function spacing(v: number[]): [number, number] | undefined {
  return v.length >= 2 && v[0]! > 0 && v[1]! > 0 ? [v[0]!, v[1]!] : undefined;
}

/**
 * One record per frame. Enhanced objects take position, orientation, spacing and rescale from the
 * per-frame functional groups, falling back to the shared ones (PS3.3 C.7.6.16); classic objects
 * from the top-level attributes.
 */
export function readFrameRecords(parsed: ParsedDicom, frames: number): FrameRecord[] {
  const ds = parsed.dataset;
  const shared = firstItem(ds, TAG.sharedFG);
  const perFrame = getItems(ds, TAG.perFrameFG);
  const topSlope = num(ds, TAG.rescaleSlope);
  const topIntercept = num(ds, TAG.rescaleIntercept);
  const instanceNumber = num(ds, TAG.instanceNumber);
  const acquisitionNumber = num(ds, TAG.acquisitionNumber);
  const temporalId = num(ds, TAG.temporalPositionId);
  const echo = num(ds, TAG.echoNumbers);
  const tilt = num(ds, TAG.gantryTilt);
  const out: FrameRecord[] = [];
  const enhanced = !!shared || perFrame.length > 0;
  const topPos = vec3(nums(ds, TAG.ipp));
  const topIop = iop(nums(ds, TAG.iop));
  const topSpacing = spacing(nums(ds, TAG.pixelSpacing)) ?? spacing(nums(ds, TAG.imagerPixelSpacing));
  const topThickness = num(ds, TAG.sliceThickness);
  // Classic multi-frame objects (NM, old MR) give one position for all frames: stack them along the
  // normal by SpacingBetweenSlices (else SliceThickness), flagged as derived.
  let step: [number, number, number] | undefined;
  if (!enhanced && frames > 1 && topPos && topIop) {
    const gap = num(ds, TAG.spacingBetweenSlices) ?? topThickness ?? 1;
    const n = [
      topIop[1] * topIop[5] - topIop[2] * topIop[4],
      topIop[2] * topIop[3] - topIop[0] * topIop[5],
      topIop[0] * topIop[4] - topIop[1] * topIop[3],
    ];
    step = [n[0]! * gap, n[1]! * gap, n[2]! * gap];
  }
  for (let f = 0; f < frames; f++) {
    if (!enhanced) {
      out.push({
        frameIndex: f,
        position: step && topPos ? [topPos[0] + f * step[0], topPos[1] + f * step[1], topPos[2] + f * step[2]] : topPos,
        ...(step ? { derivedPosition: true } : {}),
        orientation: topIop,
        pixelSpacing: topSpacing,
        sliceThickness: topThickness,
        slope: finiteOr(topSlope, 1, true),
        intercept: finiteOr(topIntercept, 0, false),
        stackLabel: echo !== undefined ? `echo ${echo}` : '',
        temporal: [temporalId ?? 0, acquisitionNumber ?? 0, instanceNumber ?? 0, f],
        instanceNumber,
        gantryTilt: tilt,
      });
      continue;
    }
    const pf: DicomDataset | undefined = perFrame[f];
    const fg = (t: number): DicomDataset | undefined => firstItem(pf, t) ?? firstItem(shared, t);
    const pos = fg(TAG.planePositionSeq);
    const ori = fg(TAG.planeOrientationSeq);
    const pm = fg(TAG.pixelMeasuresSeq);
    const pv = fg(TAG.pixelValueTransformSeq);
    const fc = firstItem(pf, TAG.frameContentSeq);
    const ft = fg(TAG.mrFrameTypeSeq) ?? fg(TAG.ctFrameTypeSeq);
    const ec = fg(TAG.mrEchoSeq);
    const frameType = ft ? str(ft, TAG.frameType) : undefined;
    const te = ec ? num(ec, TAG.effectiveEchoTime) : undefined;
    const labels: string[] = [];
    if (frameType) labels.push(`frame type ${frameType}`);
    if (te !== undefined) labels.push(`TE ${te}`);
    const stackId = fc ? str(fc, TAG.stackId) : undefined;
    if (stackId) labels.push(`stack ${stackId}`);
    const tpi = fc ? num(fc, TAG.temporalPositionIndex) : undefined;
    out.push({
      frameIndex: f,
      position: (pos && vec3(nums(pos, TAG.ipp))) ?? topPos,
      orientation: (ori && iop(nums(ori, TAG.iop))) ?? topIop,
      pixelSpacing: (pm && spacing(nums(pm, TAG.pixelSpacing))) ?? topSpacing,
      sliceThickness: (pm && num(pm, TAG.sliceThickness)) ?? topThickness,
      slope: finiteOr(pv ? num(pv, TAG.rescaleSlope) : undefined, finiteOr(topSlope, 1, true), true),
      intercept: finiteOr(pv ? num(pv, TAG.rescaleIntercept) : undefined, finiteOr(topIntercept, 0, false), false),
      stackLabel: labels.join(', '),
      temporal: [tpi ?? 0, temporalId ?? 0, acquisitionNumber ?? 0, instanceNumber ?? 0, f],
      instanceNumber,
      gantryTilt: tilt,
    });
  }
  return out;
}

function finiteOr(v: number | undefined, fallback: number, nonZero: boolean): number {
  if (v === undefined || !Number.isFinite(v) || (nonZero && v === 0)) return fallback;
  return v;
}
