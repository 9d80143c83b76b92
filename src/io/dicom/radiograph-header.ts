// The presentation facts of a projection radiograph (CR, DX, MG, IO) or another single-frame 2D
// image, read from the header alone: grey-scale pipeline attributes (Modality LUT, VOI windows and
// LUTs, Presentation LUT Shape), which spacing to trust (PS3.3 10.7.1: Pixel Spacing vs Imager
// Pixel Spacing, magnification, calibration), laterality and view. readRadiograph applies them.
import { type DicomDataset, getItem, getItems, readNumbers, readText, readTexts, tag } from './ds-model.js';

const T = {
  modality: tag(0x0008, 0x0060),
  sopClassUid: tag(0x0008, 0x0016),
  presentationIntent: tag(0x0008, 0x0068),
  bodyPart: tag(0x0018, 0x0015),
  photometric: tag(0x0028, 0x0004),
  pixelSpacing: tag(0x0028, 0x0030),
  imagerPixelSpacing: tag(0x0018, 0x1164),
  nominalScannedPixelSpacing: tag(0x0018, 0x2010),
  ermf: tag(0x0018, 0x1114),
  calibrationType: tag(0x0028, 0x0a02),
  calibrationDescription: tag(0x0028, 0x0a04),
  distanceSourceToDetector: tag(0x0018, 0x1110),
  distanceSourceToPatient: tag(0x0018, 0x1111),
  usRegions: tag(0x0018, 0x6011),
  physicalUnitsX: tag(0x0018, 0x6024),
  physicalUnitsY: tag(0x0018, 0x6026),
  physicalDeltaX: tag(0x0018, 0x602c),
  physicalDeltaY: tag(0x0018, 0x602e),
  rescaleSlope: tag(0x0028, 0x1053),
  rescaleIntercept: tag(0x0028, 0x1052),
  rescaleType: tag(0x0028, 0x1054),
  modalityLutSeq: tag(0x0028, 0x3000),
  voiLutSeq: tag(0x0028, 0x3010),
  lutDescriptor: tag(0x0028, 0x3002),
  lutExplanation: tag(0x0028, 0x3003),
  lutData: tag(0x0028, 0x3006),
  windowCenter: tag(0x0028, 0x1050),
  windowWidth: tag(0x0028, 0x1051),
  windowExplanation: tag(0x0028, 0x1055),
  voiLutFunction: tag(0x0028, 0x1056),
  presentationLutShape: tag(0x2050, 0x0020),
  pixelPadding: tag(0x0028, 0x0120),
  pixelPaddingRangeLimit: tag(0x0028, 0x0121),
  imageLaterality: tag(0x0020, 0x0062),
  laterality: tag(0x0020, 0x0060),
  frameAnatomySeq: tag(0x0020, 0x9071),
  frameLaterality: tag(0x0020, 0x9072),
  sharedFG: tag(0x5200, 0x9229),
  viewPosition: tag(0x0018, 0x5101),
  viewCodeSeq: tag(0x0054, 0x0220),
  viewModifierCodeSeq: tag(0x0054, 0x0222),
  codeValue: tag(0x0008, 0x0100),
  codingScheme: tag(0x0008, 0x0102),
  codeMeaning: tag(0x0008, 0x0104),
  patientOrientation: tag(0x0020, 0x0020),
  fovRotation: tag(0x0018, 0x7032),
  fovFlip: tag(0x0018, 0x7034),
  lossyCompression: tag(0x0028, 0x2110),
  lossyRatio: tag(0x0028, 0x2112),
  pixelRepresentation: tag(0x0028, 0x0103),
} as const;

/** A coded problem with how a radiograph can be shown or measured (plain data; no patient data). */
export interface RadiographNotice {
  /**
   * SPACING_UNKNOWN (no usable spacing: distances are in pixels), SPACING_AT_DETECTOR (spacing at the
   * detector plane, not corrected for magnification: anatomy is overstated, typically 5-20 %),
   * SPACING_DEGENERATE (a zero or negative spacing ignored), WINDOW_OUTSIDE_DATA (the file's window
   * leaves almost every pixel black or white: an automatic window was used), FOR_PROCESSING (an image
   * not meant for display: automatic window), PRESENTATION_LUT_INCONSISTENT (Presentation LUT Shape
   * disagrees with the photometric interpretation; the photometric interpretation was followed),
   * LATERALITY_CONFLICT (image and series laterality differ), LOSSY_COMPRESSION (the pixels were
   * lossy compressed), MODALITY_LUT_APPLIED / VOI_LUT_APPLIED (a LUT sequence was used), NOT_PROJECTION
   * (not a projection radiograph, e.g. US: read as a 2D image).
   */
  code: string;
  message: string;
}

/** Which spacing a radiograph's measurements use, and at which plane it holds. */
export interface RadiographSpacing {
  /** Distance between rows (mm), i.e. along a column: DICOM's first Pixel Spacing value. */
  rowMm: number;
  /** Distance between columns (mm), along a row. */
  columnMm: number;
  /** Attribute(s) it came from. */
  source:
    | 'PixelSpacing'
    | 'ImagerPixelSpacing'
    | 'ImagerPixelSpacing/EstimatedRadiographicMagnificationFactor'
    | 'NominalScannedPixelSpacing'
    | 'SequenceOfUltrasoundRegions';
  /**
   * 'patient': calibrated or magnification-corrected to the patient plane; 'detector': at the
   * detector (front plane), not corrected for magnification; 'unspecified': Pixel Spacing of an
   * object that does not say which plane (e.g. CR without Imager Pixel Spacing); 'film': digitised
   * film; 'ultrasound-region': the physical delta of the first ultrasound region.
   */
  plane: 'patient' | 'detector' | 'unspecified' | 'film' | 'ultrasound-region';
  /** Pixel Spacing Calibration Type (0028,0A02), e.g. 'GEOMETRY' or 'FIDUCIAL', when given. */
  calibrationType?: string;
}

/** One VOI transform the file offers: a window, or a VOI LUT. */
export type VoiCandidate =
  | {
      kind: 'window';
      center: number;
      width: number;
      /** VOI LUT Function (0028,1056). Default 'LINEAR'. */
      function: 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';
      explanation?: string;
    }
  | { kind: 'lut'; lut: LookupTable; explanation?: string };

/** A Modality or VOI LUT (PS3.3 C.11.1 / C.11.2): `data[i]` is the output of input `firstMapped + i`. */
export interface LookupTable {
  firstMapped: number;
  /** Bits per entry (output range 0 .. 2^bits - 1). */
  bits: number;
  data: Uint16Array;
}

/** What the header says about how to show and measure the image. Plain data, no patient data. */
export interface RadiographHeader {
  modality?: string;
  sopClassUid?: string;
  /** Presentation Intent Type (0008,0068): 'FOR PRESENTATION' or 'FOR PROCESSING' (DX, MG, IO). */
  presentationIntent?: string;
  bodyPartExamined?: string;
  photometricInterpretation: string;
  /** Presentation LUT Shape (2050,0020) when present. */
  presentationLutShape?: string;
  /**
   * True when the display shows low modality values bright: MONOCHROME1. An image IOD's INVERSE
   * shape only restates MONOCHROME1 (PS3.3 C.8.11.6: "other than to account for the value of
   * Photometric Interpretation"), so the image is inverted exactly once.
   */
  inverted: boolean;
  rescale: { slope: number; intercept: number; type?: string };
  modalityLut?: LookupTable;
  /** Windows first (in file order), then VOI LUTs. */
  voi: VoiCandidate[];
  /** Pixel Padding Value and Range Limit: stored values that are not image (shown black, not in auto windows). */
  padding?: { from: number; to: number };
  spacing: RadiographSpacing | null;
  imagerPixelSpacing?: [number, number];
  pixelSpacing?: [number, number];
  estimatedMagnification?: number;
  distanceSourceToDetectorMm?: number;
  distanceSourceToPatientMm?: number;
  /** 'R', 'L', 'B' (both) or 'U' (unpaired) from Image Laterality, Frame Laterality or Laterality. */
  laterality?: string;
  lateralitySource?: 'ImageLaterality' | 'FrameLaterality' | 'Laterality';
  /** View Position (0018,5101), e.g. 'PA', 'AP', 'LL', 'CC', 'MLO'. */
  viewPosition?: string;
  /** The view as an abbreviation from the View Code Sequence (MG: 'CC', 'MLO', 'ML', 'LM', 'XCCL', ...), else viewPosition. */
  view?: string;
  /** The View Code Sequence's code as written. */
  viewCode?: { value?: string; scheme?: string; meaning?: string };
  /** Meanings of the View Modifier Code Sequence (e.g. 'spot compression', 'magnification'). */
  viewModifiers: string[];
  /** Patient Orientation (0020,0020): direction of the rows and of the columns, e.g. ['L', 'F']. */
  patientOrientation?: [string, string];
  fieldOfViewRotationDeg?: number;
  fieldOfViewHorizontalFlip?: boolean;
  lossyCompression: boolean;
  notices: RadiographNotice[];
}

/** Mammography view codes (SNOMED / SRT meanings of CID 4014) to their ACR abbreviations. */
const VIEW_ABBREVIATIONS: Record<string, string> = {
  'cranio-caudal': 'CC',
  'medio-lateral oblique': 'MLO',
  'medio-lateral': 'ML',
  'latero-medial': 'LM',
  'latero-medial oblique': 'LMO',
  'exaggerated cranio-caudal': 'XCC',
  'cranio-caudal exaggerated laterally': 'XCCL',
  'cranio-caudal exaggerated medially': 'XCCM',
  'caudo-cranial (from below)': 'FB',
  'superolateral to inferomedial oblique': 'SIO',
  'inferomedial to superolateral oblique': 'ISO',
  cleavage: 'CV',
  'axillary tail': 'AT',
  'postero-anterior': 'PA',
  'antero-posterior': 'AP',
  'left lateral': 'LL',
  'right lateral': 'RL',
};

function normMeaning(s: string): string {
  return s.toLowerCase().replace(/\s+/g, ' ').replace(/ - /g, '-').trim();
}

const LOSSY_SYNTAXES = new Set([
  '1.2.840.10008.1.2.4.50',
  '1.2.840.10008.1.2.4.51',
  '1.2.840.10008.1.2.4.81',
  '1.2.840.10008.1.2.4.91',
  '1.2.840.10008.1.2.4.93',
  '1.2.840.10008.1.2.4.100',
  '1.2.840.10008.1.2.4.101',
  '1.2.840.10008.1.2.4.102',
  '1.2.840.10008.1.2.4.103',
]);

const PROJECTION = new Set(['CR', 'DX', 'MG', 'IO', 'PX', 'RG', 'XA', 'RF']);

/** Two positive numbers, else undefined; `degenerate` is set when the attribute was there but unusable. */
function pair(ds: DicomDataset, t: number, onDegenerate: () => void): [number, number] | undefined {
  const v = readNumbers(ds, t);
  if (v.length === 0 && !readText(ds, t)) return undefined;
  if (v.length >= 2 && v[0]! > 0 && v[1]! > 0) return [v[0]!, v[1]!];
  onDegenerate();
  return undefined;
}

/** A LUT item's descriptor and data; undefined when malformed. */
export function readLut(item: DicomDataset, signedInput: boolean): LookupTable | undefined {
  const d = item.get(T.lutDescriptor);
  const data = item.get(T.lutData);
  if (!d?.value || d.value.length < 6 || !data?.value) return undefined;
  const dv = new DataView(d.value.buffer, d.value.byteOffset, d.value.byteLength);
  let entries = dv.getUint16(0, true);
  if (entries === 0) entries = 65536;
  // The first mapped value is signed when the input is (PS3.3 C.11.1.1.1), whatever the VR says.
  const firstMapped = signedInput || d.vr === 'SS' ? dv.getInt16(2, true) : dv.getUint16(2, true);
  const bits = dv.getUint16(4, true);
  if (!(bits >= 1 && bits <= 16)) return undefined;
  const raw = data.value;
  const out = new Uint16Array(entries);
  if (raw.length >= entries * 2) {
    const w = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < entries; i++) out[i] = w.getUint16(i * 2, true);
  } else if (raw.length >= entries && bits <= 8) {
    out.set(raw.subarray(0, entries));
  } else return undefined;
  return { firstMapped, bits, data: out };
}

/**
 * Reads the presentation facts of a 2D image from its data set. Never throws: unusable values
 * are ignored with a notice. `transferSyntaxUid` tells whether the pixels were lossy compressed.
 *
 * @example
 * ```ts
 * import { readRadiograph } from 'medimg';
 * // readRadiograph reads the file and calls this on its data set; most callers use its header
 * const { header } = await readRadiograph('chest.dcm');
 * console.log(header.laterality, header.spacing?.plane);
 * ```
 */
export function readRadiographHeader(ds: DicomDataset, transferSyntaxUid = ''): RadiographHeader {
  const notices: RadiographNotice[] = [];
  const note = (code: string, message: string): void => {
    if (!notices.some((n) => n.code === code)) notices.push({ code, message });
  };
  const modality = readText(ds, T.modality)?.toUpperCase();
  const photometric = (readText(ds, T.photometric) ?? 'MONOCHROME2').toUpperCase();
  const shape = readText(ds, T.presentationLutShape)?.toUpperCase();
  const inverted = photometric === 'MONOCHROME1';
  if ((shape === 'INVERSE' && !inverted) || (shape === 'IDENTITY' && inverted)) {
    note(
      'PRESENTATION_LUT_INCONSISTENT',
      `Presentation LUT Shape ${shape} with ${photometric}: shown as ${photometric} says (low values ${inverted ? 'white' : 'black'}).`,
    );
  }
  const signed = (readNumbers(ds, T.pixelRepresentation)[0] ?? 0) === 1;
  const presentationIntent = readText(ds, T.presentationIntent)?.toUpperCase();
  if (presentationIntent === 'FOR PROCESSING') {
    note('FOR_PROCESSING', 'A "for processing" image: not meant for display; an automatic window is used.');
  }
  if (modality && !PROJECTION.has(modality)) {
    note('NOT_PROJECTION', `Modality ${modality} is not a projection radiograph: read as a plain 2D image.`);
  }

  // Modality LUT: rescale, or a LUT sequence (which then replaces the rescale).
  const slope = readNumbers(ds, T.rescaleSlope)[0];
  const intercept = readNumbers(ds, T.rescaleIntercept)[0];
  const rescaleType = readText(ds, T.rescaleType);
  const mItem = getItems(ds, T.modalityLutSeq)[0];
  const modalityLut = mItem && slope === undefined ? readLut(mItem, signed) : undefined;

  // VOI: windows (several values = several windows), then VOI LUTs.
  const voi: VoiCandidate[] = [];
  const centers = readNumbers(ds, T.windowCenter);
  const widths = readNumbers(ds, T.windowWidth);
  const explanations = readTexts(ds, T.windowExplanation);
  const fnText = readText(ds, T.voiLutFunction)?.toUpperCase();
  const fn = fnText === 'SIGMOID' || fnText === 'LINEAR_EXACT' ? fnText : 'LINEAR';
  for (let i = 0; i < Math.min(centers.length, widths.length); i++) {
    const w = widths[i]!;
    // LINEAR needs width >= 1, the others width > 0 (PS3.3 C.11.2.1.2)
    if (!(fn === 'LINEAR' ? w >= 1 : w > 0)) continue;
    voi.push({
      kind: 'window',
      center: centers[i]!,
      width: w,
      function: fn,
      ...(explanations[i] ? { explanation: explanations[i] } : {}),
    });
  }
  for (const item of getItems(ds, T.voiLutSeq)) {
    const lut = readLut(item, signed && !modalityLut && (slope ?? 1) > 0);
    const explanation = readText(item, T.lutExplanation);
    if (lut) voi.push({ kind: 'lut', lut, ...(explanation ? { explanation } : {}) });
  }

  // Padding
  const padV = readNumbers(ds, T.pixelPadding)[0];
  const padL = readNumbers(ds, T.pixelPaddingRangeLimit)[0];
  const padding =
    padV === undefined ? undefined : { from: Math.min(padV, padL ?? padV), to: Math.max(padV, padL ?? padV) };

  // Spacing (PS3.3 10.7.1.1-10.7.1.3)
  const degenerate = (name: string) => () =>
    note('SPACING_DEGENERATE', `${name} is zero, negative or unreadable and was ignored.`);
  const ps = pair(ds, T.pixelSpacing, degenerate('Pixel Spacing'));
  const ips = pair(ds, T.imagerPixelSpacing, degenerate('Imager Pixel Spacing'));
  const nsps = pair(ds, T.nominalScannedPixelSpacing, degenerate('Nominal Scanned Pixel Spacing'));
  const ermfRaw = readNumbers(ds, T.ermf)[0];
  const ermf = ermfRaw !== undefined && ermfRaw > 0 ? ermfRaw : undefined;
  const calibrationType = readText(ds, T.calibrationType)?.toUpperCase();
  const sid = readNumbers(ds, T.distanceSourceToDetector)[0];
  const sod = readNumbers(ds, T.distanceSourceToPatient)[0];
  const same = (a: [number, number], b: [number, number]) =>
    Math.abs(a[0] - b[0]) <= 1e-4 * a[0] && Math.abs(a[1] - b[1]) <= 1e-4 * a[1];
  let spacing: RadiographSpacing | null = null;
  if (ps && (calibrationType || (ips && !same(ps, ips)))) {
    spacing = {
      rowMm: ps[0],
      columnMm: ps[1],
      source: 'PixelSpacing',
      plane: 'patient',
      ...(calibrationType ? { calibrationType } : {}),
    };
  } else if (ips && ermf) {
    spacing = {
      rowMm: ips[0] / ermf,
      columnMm: ips[1] / ermf,
      source: 'ImagerPixelSpacing/EstimatedRadiographicMagnificationFactor',
      plane: 'patient',
    };
  } else if (ips) {
    spacing = {
      rowMm: ips[0],
      columnMm: ips[1],
      source: ps ? 'PixelSpacing' : 'ImagerPixelSpacing',
      plane: 'detector',
    };
  } else if (ps) {
    spacing = { rowMm: ps[0], columnMm: ps[1], source: 'PixelSpacing', plane: nsps ? 'film' : 'unspecified' };
  } else if (nsps) {
    spacing = { rowMm: nsps[0], columnMm: nsps[1], source: 'NominalScannedPixelSpacing', plane: 'film' };
  } else {
    spacing = usRegionSpacing(ds);
  }
  if (!spacing) note('SPACING_UNKNOWN', 'No usable pixel spacing: distances and areas are in pixels.');
  else if (spacing.plane === 'detector') {
    note(
      'SPACING_AT_DETECTOR',
      'Spacing is at the detector and not corrected for geometric magnification: anatomy measures larger than it is.',
    );
  }

  // Laterality and view
  const imageLat = readText(ds, T.imageLaterality)?.toUpperCase();
  const seriesLat = readText(ds, T.laterality)?.toUpperCase();
  const frameAnatomy = getItem(getItem(ds, T.sharedFG) ?? new Map(), T.frameAnatomySeq);
  const frameLat = frameAnatomy ? readText(frameAnatomy, T.frameLaterality)?.toUpperCase() : undefined;
  let laterality: string | undefined;
  let lateralitySource: RadiographHeader['lateralitySource'];
  if (imageLat) [laterality, lateralitySource] = [imageLat, 'ImageLaterality'];
  else if (frameLat) [laterality, lateralitySource] = [frameLat, 'FrameLaterality'];
  else if (seriesLat) [laterality, lateralitySource] = [seriesLat, 'Laterality'];
  if (imageLat && seriesLat && imageLat !== seriesLat && 'RL'.includes(imageLat) && 'RL'.includes(seriesLat)) {
    note(
      'LATERALITY_CONFLICT',
      `Image Laterality ${imageLat} differs from the series Laterality ${seriesLat}; the image's is used.`,
    );
  }
  const viewPosition = readText(ds, T.viewPosition)?.toUpperCase();
  const vItem = getItems(ds, T.viewCodeSeq)[0];
  let viewCode: RadiographHeader['viewCode'];
  let view = viewPosition;
  if (vItem) {
    const meaning = readText(vItem, T.codeMeaning);
    const value = readText(vItem, T.codeValue);
    const scheme = readText(vItem, T.codingScheme);
    viewCode = { ...(value ? { value } : {}), ...(scheme ? { scheme } : {}), ...(meaning ? { meaning } : {}) };
    const abbr = meaning ? VIEW_ABBREVIATIONS[normMeaning(meaning)] : undefined;
    if (abbr) view = abbr;
    else if (meaning && !view) view = meaning;
  }
  const viewModifiers: string[] = [];
  for (const item of vItem ? getItems(vItem, T.viewModifierCodeSeq) : []) {
    const m = readText(item, T.codeMeaning);
    if (m) viewModifiers.push(m);
  }
  for (const item of getItems(ds, T.viewModifierCodeSeq)) {
    const m = readText(item, T.codeMeaning);
    if (m && !viewModifiers.includes(m)) viewModifiers.push(m);
  }
  const po = readTexts(ds, T.patientOrientation);
  const rotation = readNumbers(ds, T.fovRotation)[0];
  const flip = readText(ds, T.fovFlip)?.toUpperCase();

  const lossy = readText(ds, T.lossyCompression) === '01' || LOSSY_SYNTAXES.has(transferSyntaxUid);
  if (lossy) note('LOSSY_COMPRESSION', 'The pixels were lossy compressed.');
  const bodyPart = readText(ds, T.bodyPart);
  const sopClassUid = readText(ds, T.sopClassUid);
  return {
    ...(modality ? { modality } : {}),
    ...(sopClassUid ? { sopClassUid } : {}),
    ...(presentationIntent ? { presentationIntent } : {}),
    ...(bodyPart ? { bodyPartExamined: bodyPart } : {}),
    photometricInterpretation: photometric,
    ...(shape ? { presentationLutShape: shape } : {}),
    inverted,
    rescale: {
      slope: slope !== undefined && slope !== 0 ? slope : 1,
      intercept: intercept ?? 0,
      ...(rescaleType ? { type: rescaleType } : {}),
    },
    ...(modalityLut ? { modalityLut } : {}),
    voi,
    ...(padding ? { padding } : {}),
    spacing,
    ...(ips ? { imagerPixelSpacing: ips } : {}),
    ...(ps ? { pixelSpacing: ps } : {}),
    ...(ermf ? { estimatedMagnification: ermf } : {}),
    ...(sid !== undefined && sid > 0 ? { distanceSourceToDetectorMm: sid } : {}),
    ...(sod !== undefined && sod > 0 ? { distanceSourceToPatientMm: sod } : {}),
    ...(laterality ? { laterality, lateralitySource } : {}),
    ...(viewPosition ? { viewPosition } : {}),
    ...(view ? { view } : {}),
    ...(viewCode ? { viewCode } : {}),
    viewModifiers,
    ...(po.length === 2 && po[0] && po[1] ? { patientOrientation: [po[0], po[1]] as [string, string] } : {}),
    ...(rotation !== undefined ? { fieldOfViewRotationDeg: rotation } : {}),
    ...(flip === 'YES' || flip === 'NO' ? { fieldOfViewHorizontalFlip: flip === 'YES' } : {}),
    lossyCompression: lossy,
    notices,
  };
}

/** Spacing from the first ultrasound region whose physical units are cm (PS3.3 C.8.5.5.1.15: 3 = cm). */
function usRegionSpacing(ds: DicomDataset): RadiographSpacing | null {
  for (const r of getItems(ds, T.usRegions)) {
    const ux = readNumbers(r, T.physicalUnitsX)[0];
    const uy = readNumbers(r, T.physicalUnitsY)[0];
    const dx = readNumbers(r, T.physicalDeltaX)[0];
    const dy = readNumbers(r, T.physicalDeltaY)[0];
    if (ux === 3 && uy === 3 && dx !== undefined && dy !== undefined && dx > 0 && dy > 0) {
      return {
        rowMm: Math.abs(dy) * 10,
        columnMm: Math.abs(dx) * 10,
        source: 'SequenceOfUltrasoundRegions',
        plane: 'ultrasound-region',
      };
    }
  }
  return null;
}
