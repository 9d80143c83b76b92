import { MedImgError } from '../../core/errors.js';
import { assertSameGrid, type Volume, type VolumeMeta, type VolumeMetaKey, validateVolume } from '../../core/volume.js';
import { VERSION } from '../../version.js';
import { type Code, DCM, resolveCategory, resolveType } from './codes.js';
import { at, type DicomDataset, type DicomElement, dataset, ds, is, seq, str, tag as T, ul, us } from './ds-model.js';
import { writePart10 } from './write.js';
import { generateUid } from './uid.js';

export const SEG_SOP_CLASS_UID = '1.2.840.10008.5.1.4.1.1.66.4';
export const LABELMAP_SEG_SOP_CLASS_UID = '1.2.840.10008.5.1.4.1.1.66.7';

/** One segment of a DICOM SEG, for mask value (or mask array index) `i + 1`. */
export interface SegmentDescription {
  /** Segment Label, e.g. 'Liver'. */
  label: string;
  /** Category name ('tissue', 'organ', 'lesion', 'anatomical structure', ...) or a code. Default from the type. */
  category?: string | Code;
  /** Property type name ('liver', 'lung', 'nodule', 'tumor', 'vertebra', ...) or a code. Default from the label, else 'tissue'. */
  type?: string | Code;
  /** Default 'AUTOMATIC'. */
  algorithmType?: 'AUTOMATIC' | 'SEMIAUTOMATIC' | 'MANUAL';
  /** Default 'medimg' (required unless MANUAL). */
  algorithmName?: string;
  /** Default the medimg version. */
  algorithmVersion?: string;
  /** Algorithm Family (CID 7162). Default (123110, DCM, 'Artificial Intelligence'). */
  algorithmFamily?: Code;
  /** Display colour as sRGB 0..255; written as Recommended Display CIELab Value. */
  color?: [number, number, number];
  /** Tracking ID (e.g. 'Nodule 1') and UID, to link SR measurements to this segment. */
  trackingId?: string;
  trackingUid?: string;
}

/** Options for {@link writeDicomSeg}. */
export interface WriteDicomSegOptions {
  /**
   * 'BINARY' (1 bit per pixel) or 'FRACTIONAL' (8 bit). Default: FRACTIONAL when the mask data are
   * floating point, else BINARY.
   */
  segmentationType?: 'BINARY' | 'FRACTIONAL';
  /** For FRACTIONAL. Default 'PROBABILITY'. */
  fractionalType?: 'PROBABILITY' | 'OCCUPANCY';
  /** For FRACTIONAL: stored value for probability 1. Default 255. */
  maxFractionalValue?: number;
  /** For BINARY from floating-point masks: voxels >= threshold are in. Default 0.5. */
  threshold?: number;
  /** Write frames with no voxels set too. Default false (only non-empty frames). */
  includeEmptyFrames?: boolean;
  /** Default 300. */
  seriesNumber?: number;
  /** Default 'Segmentation'. */
  seriesDescription?: string;
  /** Default 1. */
  instanceNumber?: number;
  /** Content Label (CS, upper case). Default 'SEGMENTATION'. */
  contentLabel?: string;
  /** Default ''. */
  contentDescription?: string;
  /** Default '' (type 2). */
  contentCreatorName?: string;
  /** Default 'medimg'. */
  manufacturer?: string;
  /** Default 'medimg'. */
  manufacturerModelName?: string;
  /** Default '1'. */
  deviceSerialNumber?: string;
  /** Default the medimg version. */
  softwareVersions?: string;
  /** Root for the UIDs we create. Default the 2.25 (UUID) form. */
  uidRoot?: string;
  /** Use these instead of new UIDs (e.g. to replace an earlier SEG). */
  seriesInstanceUid?: string;
  sopInstanceUid?: string;
  /** Content date/time. Default now. Written in UTC with Timezone Offset From UTC +0000. */
  contentDateTime?: Date;
}

const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';
const PT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.128';

/** What a SEG/SR needs to know about its source series, taken from `Volume.meta`. */
export interface SourceReference {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  frameOfReferenceUid: string;
  sopClassUid: string;
  sopInstanceUids: string[];
}

/**
 * Reads the source references from a series volume's meta; throws INVALID_ARGUMENT when missing.
 * `needFrameOfReference` false: a projection radiograph (CR, DX) has no frame of reference; an SR
 * without 3D coordinates can still reference it (frameOfReferenceUid is then '').
 */
export function sourceReferenceOf(source: Volume, needInstances = true, needFrameOfReference = true): SourceReference {
  const m = (source.meta ?? {}) as VolumeMeta;
  const missing: string[] = [];
  if (!m.studyInstanceUid) missing.push('studyInstanceUid');
  if (!m.seriesInstanceUid) missing.push('seriesInstanceUid');
  if (needFrameOfReference && !m.frameOfReferenceUid) missing.push('frameOfReferenceUid');
  const uids = m.sopInstanceUids ?? [];
  if (needInstances && uids.length === 0) missing.push('sopInstanceUids');
  if (missing.length) {
    throw new MedImgError(
      'INVALID_ARGUMENT',
      `The source series lacks ${missing.join(', ')} in its meta; pass the Volume returned by readDicomSeries.`,
      { details: { missing } },
    );
  }
  if (needInstances && uids.length !== source.dims[2] && uids.length !== 1) {
    throw new MedImgError(
      'INVALID_ARGUMENT',
      `The source series meta lists ${uids.length} SOP instances for ${source.dims[2]} slices.`,
    );
  }
  let sopClassUid = m.sopClassUid;
  if (!sopClassUid) {
    const mod = (m.modality ?? '').toUpperCase();
    sopClassUid =
      mod === 'CT' ? CT_IMAGE_STORAGE : mod === 'MR' ? MR_IMAGE_STORAGE : mod === 'PT' ? PT_IMAGE_STORAGE : '';
    if (!sopClassUid) throw new MedImgError('INVALID_ARGUMENT', 'The source series meta lacks sopClassUid.');
  }
  return {
    studyInstanceUid: m.studyInstanceUid as string,
    seriesInstanceUid: m.seriesInstanceUid as string,
    frameOfReferenceUid: m.frameOfReferenceUid ?? '',
    sopClassUid,
    sopInstanceUids: uids,
  };
}

/** DA and TM strings (UTC) for a date. */
export function dicomDateTime(d: Date): { date: string; time: string } {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return {
    date: `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}`,
    time: `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}`,
  };
}

export function codeItem(c: Code): DicomDataset {
  return dataset([
    [T(0x0008, 0x0100), str('SH', c.value)],
    [T(0x0008, 0x0102), str('SH', c.scheme)],
    [T(0x0008, 0x0104), str('LO', c.meaning)],
  ]);
}

const META_STRING = (m: VolumeMeta, k: VolumeMetaKey): string => {
  const v = m[k];
  return typeof v === 'string' ? v : '';
};

/**
 * Patient and study module attributes copied from the source meta, where the reader kept them
 * (patientName, patientId, patientBirthDate, patientSex, studyDate, studyTime, studyId,
 * accessionNumber, referringPhysicianName). Type 2: written empty when unknown.
 */
export function patientStudyElements(m: VolumeMeta, ref: { studyInstanceUid: string }): [number, DicomElement][] {
  return [
    [T(0x0008, 0x0020), str('DA', META_STRING(m, 'studyDate'))],
    [T(0x0008, 0x0030), str('TM', META_STRING(m, 'studyTime'))],
    [T(0x0008, 0x0050), str('SH', META_STRING(m, 'accessionNumber'))],
    [T(0x0008, 0x0090), str('PN', META_STRING(m, 'referringPhysicianName'))],
    [T(0x0010, 0x0010), str('PN', META_STRING(m, 'patientName'))],
    [T(0x0010, 0x0020), str('LO', META_STRING(m, 'patientId'))],
    [T(0x0010, 0x0030), str('DA', META_STRING(m, 'patientBirthDate'))],
    [T(0x0010, 0x0040), str('CS', META_STRING(m, 'patientSex'))],
    [T(0x0020, 0x000d), str('UI', ref.studyInstanceUid)],
    [T(0x0020, 0x0010), str('SH', META_STRING(m, 'studyId'))],
    // derived from a de-identified series: say so, as the source did (PS3.15 E.1, PS3.3 C.7.1.1)
    ...(META_STRING(m, 'patientIdentityRemoved').toUpperCase() === 'YES'
      ? ([
          [T(0x0012, 0x0062), str('CS', 'YES')],
          [
            T(0x0012, 0x0063),
            str(
              'LO',
              ...(META_STRING(m, 'deidentificationMethod') || 'de-identified source')
                .split('\\')
                .map((s) => s.slice(0, 64)),
            ),
          ],
        ] as [number, DicomElement][])
      : []),
  ];
}

/** sRGB (0..255) to DICOM scaled CIELab (PS3.3 C.10.7.1.1), D65 white point. */
export function rgbToDicomLab(rgb: [number, number, number]): [number, number, number] {
  const lin = rgb.map((c) => {
    const v = Math.min(255, Math.max(0, c)) / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const X = (0.4124564 * lin[0] + 0.3575761 * lin[1] + 0.1804375 * lin[2]) / 0.95047;
  const Y = 0.2126729 * lin[0] + 0.7151522 * lin[1] + 0.072175 * lin[2];
  const Z = (0.0193339 * lin[0] + 0.119192 * lin[1] + 0.9503041 * lin[2]) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  const L = 116 * f(Y) - 16;
  const a = 500 * (f(X) - f(Y));
  const b = 200 * (f(Y) - f(Z));
  const clamp = (v: number) => Math.min(65535, Math.max(0, Math.round(v)));
  return [clamp((L * 65535) / 100), clamp(((a + 128) * 65535) / 255), clamp(((b + 128) * 65535) / 255)];
}

const PALETTE: [number, number, number][] = [
  [230, 25, 75],
  [60, 180, 75],
  [255, 225, 25],
  [0, 130, 200],
  [245, 130, 48],
  [145, 30, 180],
  [70, 240, 240],
  [240, 50, 230],
];

/** A Code String value: upper case, digits, space and underscore, at most 16 characters. */
function csValue(s: string): string {
  return (
    s
      .toUpperCase()
      .replace(/[^A-Z0-9 _]/g, '_')
      .slice(0, 16) || 'SEGMENTATION'
  );
}

function isFloatData(v: Volume): boolean {
  return v.data instanceof Float32Array || v.data instanceof Float64Array;
}

/**
 * Writes a DICOM Segmentation (BINARY or FRACTIONAL) for `mask` on the grid of `sourceSeries`.
 *
 * `mask` is either one label volume (segment i = voxels equal to i, i = 1..segments.length), one
 * floating-point probability volume (one segment), or an array with one volume per segment
 * (non-zero = in; probabilities for FRACTIONAL), which allows overlapping segments.
 * `sourceSeries` is the image volume as returned by `readDicomSeries`: its `meta` must carry
 * studyInstanceUid, seriesInstanceUid, frameOfReferenceUid and the per-slice sopInstanceUids.
 *
 * Each frame references its source slice (Derivation Image Sequence), has its plane position and
 * segment number, and the dimension organisation is (Referenced Segment Number, Image Position
 * Patient). Only frames with at least one voxel set are written unless `includeEmptyFrames`; a
 * segment with no voxels at all keeps one empty frame so that every segment has a frame.
 *
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises';
 * import { readDicomSeries, segmentLungs, writeDicomSeg } from 'medimg';
 * const ct = await readDicomSeries('study/ct/'); // its meta carries the UIDs the SEG references
 * const lungs = await segmentLungs(ct);
 * const seg = writeDicomSeg(lungs.lungLabels, ct, [
 *   { label: 'Right lung', type: 'right-lung' },
 *   { label: 'Left lung', type: 'left-lung' },
 * ]);
 * await writeFile('lungs-seg.dcm', seg);
 * ```
 */
export function writeDicomSeg(
  mask: Volume | Volume[],
  sourceSeries: Volume,
  segments: SegmentDescription[],
  options: WriteDicomSegOptions = {},
): Uint8Array {
  validateVolume(sourceSeries, 'sourceSeries');
  const masks = Array.isArray(mask) ? mask : [mask];
  if (masks.length === 0) throw new MedImgError('INVALID_ARGUMENT', 'No mask given.');
  for (const m of masks) {
    validateVolume(m, 'mask');
    assertSameGrid(sourceSeries, m, 'mask');
  }
  if (!Array.isArray(segments) || segments.length === 0) {
    throw new MedImgError('INVALID_ARGUMENT', 'Describe at least one segment.');
  }
  if (segments.length > 65535) throw new MedImgError('INVALID_ARGUMENT', 'Too many segments.');
  const perSegment = masks.length > 1 || (Array.isArray(mask) && masks.length === 1);
  const anyFloat = masks.some(isFloatData);
  const segType = options.segmentationType ?? (anyFloat ? 'FRACTIONAL' : 'BINARY');
  if (segType !== 'BINARY' && segType !== 'FRACTIONAL') {
    throw new MedImgError('INVALID_ARGUMENT', "segmentationType must be 'BINARY' or 'FRACTIONAL'.");
  }
  if (perSegment && masks.length !== segments.length) {
    throw new MedImgError('INVALID_ARGUMENT', `Got ${masks.length} masks for ${segments.length} segments.`);
  }
  const singleFloat = !perSegment && isFloatData(masks[0] as Volume);
  if (singleFloat && segments.length !== 1) {
    throw new MedImgError(
      'INVALID_ARGUMENT',
      'A single probability volume describes exactly one segment; pass one volume per segment.',
    );
  }
  const maxFrac = options.maxFractionalValue ?? 255;
  if (segType === 'FRACTIONAL' && (!Number.isInteger(maxFrac) || maxFrac < 1 || maxFrac > 255)) {
    throw new MedImgError('INVALID_ARGUMENT', 'maxFractionalValue must be an integer in 1..255.');
  }
  const threshold = options.threshold ?? 0.5;
  const ref = sourceReferenceOf(sourceSeries);
  const [nx, ny, nz] = sourceSeries.dims;
  const npix = nx * ny;
  const nSeg = segments.length;
  const labelMode = !perSegment && !singleFloat;

  const label = labelMode ? (masks[0] as Volume).data : undefined;
  // Stored values (0/1 for BINARY, 0..maxFrac for FRACTIONAL) of segment s on slice k, into buf.
  // One call per slice keeps the per-voxel loops free of calls and closures.
  const buf = new Uint8Array(npix);
  // 4-voxel words over a Uint8 label volume, when slices start on word boundaries.
  const words =
    label instanceof Uint8Array && label.byteOffset % 4 === 0 && npix % 4 === 0
      ? new Uint32Array(label.buffer, label.byteOffset, label.length >>> 2)
      : undefined;
  const fillSlice = (s: number, k: number): boolean => {
    const off = k * npix;
    let any = 0;
    if (label) {
      const want = s + 1;
      const on = segType === 'BINARY' ? 1 : maxFrac;
      if (words) {
        // Sparse masks: skip runs of four background voxels at a time.
        buf.fill(0);
        const w0 = off >>> 2;
        const nw = npix >>> 2;
        for (let w = 0; w < nw; w++) {
          if ((words[w0 + w] as number) === 0) continue;
          const p0 = w << 2;
          for (let q = 0; q < 4; q++) {
            if (label[off + p0 + q] === want) {
              buf[p0 + q] = on;
              any = 1;
            }
          }
        }
        return any !== 0;
      }
      for (let p = 0; p < npix; p++) {
        const v = label[off + p] === want ? on : 0;
        buf[p] = v;
        any |= v;
      }
      return any !== 0;
    }
    const m = (singleFloat ? masks[0] : masks[s]) as Volume;
    const data = m.data;
    if (isFloatData(m)) {
      if (segType === 'BINARY') {
        for (let p = 0; p < npix; p++) {
          const v = (data[off + p] as number) >= threshold ? 1 : 0;
          buf[p] = v;
          any |= v;
        }
      } else {
        for (let p = 0; p < npix; p++) {
          const x = data[off + p] as number;
          // NaN and negatives store 0; values above 1 store the maximum.
          const v = x > 0 ? (x >= 1 ? maxFrac : Math.round(x * maxFrac)) : 0;
          buf[p] = v;
          any |= v;
        }
      }
    } else {
      const on = segType === 'BINARY' ? 1 : maxFrac;
      for (let p = 0; p < npix; p++) {
        const v = (data[off + p] as number) !== 0 ? on : 0;
        buf[p] = v;
        any |= v;
      }
    }
    return any !== 0;
  };

  // Which (segment, slice) frames are non-empty.
  const nonEmpty = new Uint8Array(nSeg * nz);
  if (label) {
    for (let k = 0; k < nz; k++) {
      const off = k * npix;
      for (let p = 0; p < npix; p++) {
        if (words && (p & 3) === 0 && p + 4 <= npix && (words[(off + p) >>> 2] as number) === 0) {
          p += 3;
          continue;
        }
        const v = label[off + p] as number;
        if (v === 0) continue;
        if (v < 0 || v > nSeg) {
          throw new MedImgError(
            'INVALID_ARGUMENT',
            `The label mask holds value ${v} but only segments 1..${nSeg} are described.`,
          );
        }
        nonEmpty[(v - 1) * nz + k] = 1;
      }
    }
  } else {
    for (let s = 0; s < nSeg; s++) for (let k = 0; k < nz; k++) if (fillSlice(s, k)) nonEmpty[s * nz + k] = 1;
  }
  const frames: { s: number; k: number }[] = [];
  for (let s = 0; s < nSeg; s++) {
    let any = false;
    for (let k = 0; k < nz; k++) {
      if (options.includeEmptyFrames || nonEmpty[s * nz + k]) {
        frames.push({ s, k });
        any = true;
      }
    }
    if (!any) frames.push({ s, k: 0 });
  }

  // Pixel data: BINARY frames are bit-packed back to back (LSB first), with no per-frame padding.
  let pixelData: Uint8Array;
  if (segType === 'BINARY') {
    const nbits = frames.length * npix;
    pixelData = new Uint8Array(Math.ceil(Math.ceil(nbits / 8) / 2) * 2);
    for (let f = 0; f < frames.length; f++) {
      const { s, k } = frames[f] as { s: number; k: number };
      fillSlice(s, k);
      let bit = f * npix;
      let p = 0;
      if ((bit & 7) === 0) {
        // Byte-aligned frame start (npix a multiple of 8 or first frame): pack 8 pixels per byte.
        let byte = bit >>> 3;
        for (; p + 8 <= npix; p += 8, byte++) {
          pixelData[byte] =
            (buf[p] as number) |
            ((buf[p + 1] as number) << 1) |
            ((buf[p + 2] as number) << 2) |
            ((buf[p + 3] as number) << 3) |
            ((buf[p + 4] as number) << 4) |
            ((buf[p + 5] as number) << 5) |
            ((buf[p + 6] as number) << 6) |
            ((buf[p + 7] as number) << 7);
        }
        bit += p;
      }
      for (; p < npix; p++, bit++) {
        if (buf[p]) pixelData[bit >>> 3] = (pixelData[bit >>> 3] as number) | (1 << (bit & 7));
      }
    }
  } else {
    pixelData = new Uint8Array(Math.ceil((frames.length * npix) / 2) * 2);
    for (let f = 0; f < frames.length; f++) {
      const { s, k } = frames[f] as { s: number; k: number };
      fillSlice(s, k);
      pixelData.set(buf, f * npix);
    }
  }

  // Geometry.
  const d = sourceSeries.direction;
  const rowDir = [d[0] as number, d[3] as number, d[6] as number];
  const colDir = [d[1] as number, d[4] as number, d[7] as number];
  const sliceStep = [
    (d[2] as number) * sourceSeries.spacing[2],
    (d[5] as number) * sourceSeries.spacing[2],
    (d[8] as number) * sourceSeries.spacing[2],
  ];
  const o = sourceSeries.origin;
  const ipp = (k: number) => [o[0] + sliceStep[0]! * k, o[1] + sliceStep[1]! * k, o[2] + sliceStep[2]! * k];

  const now = options.contentDateTime ?? new Date();
  const { date, time } = dicomDateTime(now);
  const seriesUid = options.seriesInstanceUid ?? generateUid(options.uidRoot);
  const sopUid = options.sopInstanceUid ?? generateUid(options.uidRoot);
  const dimOrgUid = generateUid(options.uidRoot);
  const meta = (sourceSeries.meta ?? {}) as VolumeMeta;
  const multiFrameSource = ref.sopInstanceUids.length === 1 && nz > 1;
  const refInstance = (k: number) => (multiFrameSource ? ref.sopInstanceUids[0] : ref.sopInstanceUids[k]) as string;

  const segmentItems = segments.map((sd, s) => {
    if (!sd || typeof sd.label !== 'string' || sd.label.length === 0 || sd.label.length > 64) {
      throw new MedImgError('INVALID_ARGUMENT', `Segment ${s + 1} needs a label of 1 to 64 characters.`);
    }
    const algType = sd.algorithmType ?? 'AUTOMATIC';
    if (!['AUTOMATIC', 'SEMIAUTOMATIC', 'MANUAL'].includes(algType)) {
      throw new MedImgError(
        'INVALID_ARGUMENT',
        `Segment ${s + 1}: algorithmType must be AUTOMATIC, SEMIAUTOMATIC or MANUAL.`,
      );
    }
    const typeName = typeof sd.type === 'string' ? sd.type : sd.type ? undefined : sd.label;
    const typeCode = resolveType(sd.type, sd.label);
    const category = resolveCategory(sd.category, typeName);
    const algName = sd.algorithmName ?? 'medimg';
    const item = dataset([
      [T(0x0062, 0x0003), seq(codeItem(category))],
      [T(0x0062, 0x0004), us(s + 1)],
      [T(0x0062, 0x0005), str('LO', sd.label)],
      [T(0x0062, 0x0008), str('CS', algType)],
      [T(0x0062, 0x000d), us(...rgbToDicomLab(sd.color ?? (PALETTE[s % PALETTE.length] as [number, number, number])))],
      [T(0x0062, 0x000f), seq(codeItem(typeCode))],
    ]);
    if (algType !== 'MANUAL') {
      item.set(T(0x0062, 0x0009), str('LO', algName.slice(0, 64)));
      item.set(
        T(0x0062, 0x0007),
        seq(
          dataset([
            [T(0x0066, 0x002f), seq(codeItem(sd.algorithmFamily ?? DCM.artificialIntelligence))],
            [T(0x0066, 0x0031), str('LO', (sd.algorithmVersion ?? VERSION).slice(0, 64))],
            [T(0x0066, 0x0036), str('LO', algName.slice(0, 64))],
          ]),
        ),
      );
    }
    if (sd.trackingId) item.set(T(0x0062, 0x0020), str('UT', sd.trackingId));
    if (sd.trackingId || sd.trackingUid)
      item.set(T(0x0062, 0x0021), str('UI', sd.trackingUid ?? generateUid(options.uidRoot)));
    return item;
  });

  const perFrame = frames.map(({ s, k }) => {
    const source = dataset([
      [T(0x0008, 0x1150), str('UI', ref.sopClassUid)],
      [T(0x0008, 0x1155), str('UI', refInstance(k))],
      [T(0x0008, 0x1160), multiFrameSource ? is(k + 1) : undefined],
      [T(0x0040, 0xa170), seq(codeItem(DCM.sourceImage))],
    ]);
    return dataset([
      [
        T(0x0008, 0x9124),
        seq(
          dataset([
            [T(0x0008, 0x2112), seq(source)],
            [T(0x0008, 0x9215), seq(codeItem(DCM.segmentation))],
          ]),
        ),
      ],
      [T(0x0020, 0x9111), seq(dataset([[T(0x0020, 0x9157), ul(s + 1, k + 1)]]))],
      [T(0x0020, 0x9113), seq(dataset([[T(0x0020, 0x0032), ds(...ipp(k))]]))],
      [T(0x0062, 0x000a), seq(dataset([[T(0x0062, 0x000b), us(s + 1)]]))],
    ]);
  });

  const shared = dataset([
    [T(0x0020, 0x9116), seq(dataset([[T(0x0020, 0x0037), ds(...rowDir, ...colDir)]]))],
    [
      T(0x0028, 0x9110),
      seq(
        dataset([
          [T(0x0018, 0x0050), ds(sourceSeries.spacing[2])],
          [T(0x0018, 0x0088), ds(sourceSeries.spacing[2])],
          [T(0x0028, 0x0030), ds(sourceSeries.spacing[1], sourceSeries.spacing[0])],
        ]),
      ),
    ],
  ]);

  const referencedInstances = (multiFrameSource ? [ref.sopInstanceUids[0] as string] : ref.sopInstanceUids).map((uid) =>
    dataset([
      [T(0x0008, 0x1150), str('UI', ref.sopClassUid)],
      [T(0x0008, 0x1155), str('UI', uid)],
    ]),
  );

  const out = dataset([
    [T(0x0008, 0x0005), str('CS', 'ISO_IR 192')],
    [T(0x0008, 0x0008), str('CS', 'DERIVED', 'PRIMARY')],
    [T(0x0008, 0x0012), str('DA', date)],
    [T(0x0008, 0x0013), str('TM', time)],
    [T(0x0008, 0x0016), str('UI', SEG_SOP_CLASS_UID)],
    [T(0x0008, 0x0018), str('UI', sopUid)],
    [T(0x0008, 0x0021), str('DA', date)],
    [T(0x0008, 0x0023), str('DA', date)],
    [T(0x0008, 0x0031), str('TM', time)],
    [T(0x0008, 0x0033), str('TM', time)],
    [T(0x0008, 0x0060), str('CS', 'SEG')],
    [T(0x0008, 0x0070), str('LO', (options.manufacturer ?? 'medimg').slice(0, 64))],
    [T(0x0008, 0x0201), str('SH', '+0000')],
    [T(0x0008, 0x103e), str('LO', (options.seriesDescription ?? 'Segmentation').slice(0, 64))],
    [T(0x0008, 0x1090), str('LO', (options.manufacturerModelName ?? 'medimg').slice(0, 64))],
    [
      T(0x0008, 0x1115),
      seq(
        dataset([
          [T(0x0008, 0x114a), seq(...referencedInstances)],
          [T(0x0020, 0x000e), str('UI', ref.seriesInstanceUid)],
        ]),
      ),
    ],
    [T(0x0018, 0x1000), str('LO', (options.deviceSerialNumber ?? '1').slice(0, 64))],
    [T(0x0018, 0x1020), str('LO', (options.softwareVersions ?? VERSION).slice(0, 64))],
    [T(0x0020, 0x000e), str('UI', seriesUid)],
    [T(0x0020, 0x0011), is(options.seriesNumber ?? 300)],
    [T(0x0020, 0x0013), is(options.instanceNumber ?? 1)],
    [T(0x0020, 0x0052), str('UI', ref.frameOfReferenceUid)],
    [T(0x0020, 0x1040), str('LO', '')],
    [T(0x0020, 0x9221), seq(dataset([[T(0x0020, 0x9164), str('UI', dimOrgUid)]]))],
    [
      T(0x0020, 0x9222),
      seq(
        dataset([
          [T(0x0020, 0x9164), str('UI', dimOrgUid)],
          [T(0x0020, 0x9165), at(T(0x0062, 0x000b))],
          [T(0x0020, 0x9167), at(T(0x0062, 0x000a))],
          [T(0x0020, 0x9421), str('LO', 'Segment Number')],
        ]),
        dataset([
          [T(0x0020, 0x9164), str('UI', dimOrgUid)],
          [T(0x0020, 0x9165), at(T(0x0020, 0x0032))],
          [T(0x0020, 0x9167), at(T(0x0020, 0x9113))],
          [T(0x0020, 0x9421), str('LO', 'Image Position Patient')],
        ]),
      ),
    ],
    [T(0x0020, 0x9311), str('CS', '3D')],
    [T(0x0028, 0x0002), us(1)],
    [T(0x0028, 0x0004), str('CS', 'MONOCHROME2')],
    [T(0x0028, 0x0008), is(frames.length)],
    [T(0x0028, 0x0010), us(ny)],
    [T(0x0028, 0x0011), us(nx)],
    [T(0x0028, 0x0100), us(segType === 'BINARY' ? 1 : 8)],
    [T(0x0028, 0x0101), us(segType === 'BINARY' ? 1 : 8)],
    [T(0x0028, 0x0102), us(segType === 'BINARY' ? 0 : 7)],
    [T(0x0028, 0x0103), us(0)],
    [T(0x0028, 0x2110), str('CS', '00')],
    [T(0x0062, 0x0001), str('CS', segType)],
    [T(0x0062, 0x0002), seq(...segmentItems)],
    [T(0x0062, 0x0010), segType === 'FRACTIONAL' ? str('CS', options.fractionalType ?? 'PROBABILITY') : undefined],
    [T(0x0062, 0x000e), segType === 'FRACTIONAL' ? us(maxFrac) : undefined],
    [T(0x0070, 0x0080), str('CS', csValue(options.contentLabel ?? 'SEGMENTATION'))],
    [T(0x0070, 0x0081), str('LO', (options.contentDescription ?? '').slice(0, 64))],
    [T(0x0070, 0x0084), str('PN', options.contentCreatorName ?? '')],
    [T(0x5200, 0x9229), seq(shared)],
    [T(0x5200, 0x9230), seq(...perFrame)],
    [T(0x7fe0, 0x0010), { vr: 'OB', value: pixelData }],
    ...patientStudyElements(meta, ref),
  ]);
  return writePart10(out);
}
