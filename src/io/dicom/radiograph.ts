// readRadiograph: one 2D DICOM image (CR, DX, MG, IO; US and other single-frame images too) as
// the picture a viewer shows, through the grey-scale pipeline of PS3.3 C.11 (Modality LUT, VOI,
// Presentation LUT), with what the header says about spacing, laterality and view.
import { MedImgError } from '../../core/errors.js';
import { throwIfAborted } from '../../core/progress.js';
import type { Volume } from '../../core/volume.js';
import { toBytes } from '../fs.js';
import { percentileWindow } from '../png/window.js';
import { prepareDicomBytes } from './ds-parse.js';
import type { DicomFileInput } from './file.js';
import { openDicom } from './file.js';
import { decodeFrame } from './pixel.js';
import {
  type LookupTable,
  type RadiographHeader,
  type RadiographNotice,
  readRadiographHeader,
  type VoiCandidate,
} from './radiograph-header.js';

export type {
  LookupTable,
  RadiographHeader,
  RadiographNotice,
  RadiographSpacing,
  VoiCandidate,
} from './radiograph-header.js';

/** Options of {@link readRadiograph}. */
export interface ReadRadiographOptions {
  /**
   * The VOI transform: 'file' (default) the file's first window, else its first VOI LUT, else an
   * automatic window; a number picks that VOI of the file (windows first, then LUTs); 'auto' the
   * 0.5th-99.5th percentile of the (non-padding) values; or an explicit window in modality values.
   */
  voi?: 'file' | 'auto' | number | { center: number; width: number };
  /**
   * When the file's window leaves more than this fraction of the pixels saturated (all black or
   * all white), it is replaced by the automatic window with a WINDOW_OUTSIDE_DATA notice. Default
   * 0.98. Set 1 to always keep the file's window.
   */
  maxSaturatedFraction?: number;
  signal?: AbortSignal;
}

/** The VOI that was applied. */
export interface AppliedVoi {
  source: 'file-window' | 'file-lut' | 'auto' | 'user';
  /** Index into the header's `voi` list for file VOIs. */
  index?: number;
  center?: number;
  width?: number;
  function?: 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';
  explanation?: string;
  /** Fraction of (non-padding) pixels shown at pure black or white. */
  saturatedFraction: number;
}

/** Result of {@link readRadiograph}. */
export interface ReadRadiographResult {
  /**
   * The displayed image: grey levels in [0, 1] (0 black, 1 white) after the Modality LUT, VOI and
   * the MONOCHROME1 / Presentation LUT inversion, on a grid of [columns, rows, 1] with the spacing
   * of `header.spacing` (1 mm when unknown). Padding pixels are 0.
   */
  display: Volume<Float32Array>;
  /** Modality values (rescale or Modality LUT applied; never inverted) on the same grid. */
  values: Volume<Float32Array>;
  header: RadiographHeader;
  voi: AppliedVoi;
  /** The header's notices plus those of display (WINDOW_OUTSIDE_DATA, ...). */
  notices: RadiographNotice[];
}

/**
 * Reads one single-frame 2D DICOM image (CR; DX and MG, for presentation or for processing; IO;
 * US and other 2D greyscale images) as it should be displayed, with its presentation facts.
 *
 * Errors: NOT_DICOM, DICOM_* from the reader, NOT_2D_IMAGE (several frames or colour), ABORTED.
 *
 * @example
 * ```ts
 * import { readRadiograph } from 'medimg';
 * const cxr = await readRadiograph('chest.dcm');
 * cxr.header.laterality;      // 'R'
 * cxr.header.spacing?.plane;  // 'detector' (not corrected for magnification)
 * cxr.display.data;           // Float32Array in [0, 1], white = dense
 * ```
 */
export async function readRadiograph(
  input: DicomFileInput,
  options: ReadRadiographOptions = {},
): Promise<ReadRadiographResult> {
  const bytes = await toBytes(input);
  await prepareDicomBytes(bytes);
  const { parsed, info, meta } = openDicom(bytes);
  if (info.frames !== 1 || info.samplesPerPixel !== 1) {
    throw new MedImgError(
      'NOT_2D_IMAGE',
      `readRadiograph reads single-frame greyscale images; this one has ${info.frames} frame(s) and ${info.samplesPerPixel} sample(s) per pixel.`,
      { details: { frames: info.frames, samplesPerPixel: info.samplesPerPixel } },
    );
  }
  const header = readRadiographHeader(parsed.dataset, info.transferSyntax);
  throwIfAborted(options.signal);
  const stored = await decodeFrame(parsed, info, 0, undefined, options.signal);
  throwIfAborted(options.signal);
  const n = info.frameLength;

  // Modality values and the padding mask (padding compares stored values, PS3.3 C.7.5.1.1.2).
  const values = new Float32Array(n);
  const mlut = header.modalityLut;
  const { slope, intercept } = header.rescale;
  const pad = header.padding;
  let padCount = 0;
  const isPad = pad ? new Uint8Array(n) : undefined;
  for (let i = 0; i < n; i++) {
    const s = stored[i]!;
    values[i] = mlut ? lutAt(mlut, s) : s * slope + intercept;
    if (isPad && s >= pad!.from && s <= pad!.to) {
      isPad[i] = 1;
      padCount++;
    }
  }
  const notices = [...header.notices];
  for (const w of meta.warnings) if (!w.startsWith('MONOCHROME1')) notices.push({ code: 'READER_WARNING', message: w });
  if (mlut) notices.push({ code: 'MODALITY_LUT_APPLIED', message: 'The Modality LUT Sequence was applied.' });

  // VOI
  const auto = (): { center: number; width: number } => {
    const sample = isPad && padCount > 0 ? values.filter((_, i) => !isPad[i]) : values;
    return percentileWindow(sample, 0.5, 99.5);
  };
  const choice = options.voi ?? 'file';
  const forProcessing = header.presentationIntent === 'FOR PROCESSING';
  let picked: VoiCandidate | undefined;
  let voi: Omit<AppliedVoi, 'saturatedFraction'>;
  if (typeof choice === 'object') {
    if (!(Number.isFinite(choice.center) && Number.isFinite(choice.width) && choice.width > 0)) {
      throw new MedImgError('INVALID_ARGUMENT', 'voi must have a finite center and a positive width.');
    }
    voi = { source: 'user', center: choice.center, width: choice.width, function: 'LINEAR_EXACT' };
  } else if (typeof choice === 'number') {
    picked = header.voi[choice];
    if (!Number.isInteger(choice) || !picked) {
      throw new MedImgError(
        'INVALID_ARGUMENT',
        `voi index ${choice} is not one of the file's ${header.voi.length} VOI(s).`,
      );
    }
    voi = describe(picked, choice);
  } else if (choice === 'file' && header.voi.length && !forProcessing) {
    picked = header.voi[0]!;
    voi = describe(picked, 0);
  } else {
    const w = auto();
    voi = { source: 'auto', center: w.center, width: w.width, function: 'LINEAR_EXACT' };
  }
  const display = new Float32Array(n);
  let saturated = applyVoi(values, display, picked, voi, isPad);
  const counted = n - padCount;
  const limit = options.maxSaturatedFraction ?? 0.98;
  if (voi.source === 'file-window' && counted > 0 && saturated / counted > limit) {
    const before = saturated / counted;
    const w = auto();
    voi = { source: 'auto', center: w.center, width: w.width, function: 'LINEAR_EXACT' };
    picked = undefined;
    saturated = applyVoi(values, display, undefined, voi, isPad);
    notices.push({
      code: 'WINDOW_OUTSIDE_DATA',
      message: `The file's window would show ${(100 * before).toFixed(1)} % of the pixels pure black or white; an automatic window (0.5-99.5th percentile) was used.`,
    });
  }
  if (picked?.kind === 'lut')
    notices.push({ code: 'VOI_LUT_APPLIED', message: 'A VOI LUT Sequence item was applied.' });
  if (header.inverted) {
    for (let i = 0; i < n; i++) if (!isPad?.[i]) display[i] = 1 - display[i]!;
  }

  const sp = header.spacing;
  const grid = {
    dims: [info.columns, info.rows, 1] as [number, number, number],
    spacing: [sp?.columnMm ?? 1, sp?.rowMm ?? 1, 1] as [number, number, number],
    origin: [0, 0, 0] as [number, number, number],
    direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
  };
  const volMeta = {
    source: 'dicom',
    ...(meta.modality ? { modality: meta.modality } : {}),
    ...(meta.sopClassUid ? { sopClassUid: meta.sopClassUid } : {}),
    ...(meta.studyInstanceUid ? { studyInstanceUid: meta.studyInstanceUid } : {}),
    ...(meta.seriesInstanceUid ? { seriesInstanceUid: meta.seriesInstanceUid } : {}),
    ...(meta.sopInstanceUid ? { sopInstanceUids: [meta.sopInstanceUid] } : {}),
    ...(meta.manufacturer ? { manufacturer: meta.manufacturer } : {}),
    ...(meta.identity ?? {}),
    transferSyntaxUid: info.transferSyntax,
    spacingKnown: !!sp,
  };
  return {
    display: { ...grid, data: display, meta: { ...volMeta, units: 'display' } },
    values: { ...grid, direction: [...grid.direction], data: values, meta: volMeta },
    header,
    voi: { ...voi, saturatedFraction: counted > 0 ? saturated / counted : 0 },
    notices,
  };
}

function describe(c: VoiCandidate, index: number): Omit<AppliedVoi, 'saturatedFraction'> {
  if (c.kind === 'window') {
    return {
      source: 'file-window',
      index,
      center: c.center,
      width: c.width,
      function: c.function,
      ...(c.explanation ? { explanation: c.explanation } : {}),
    };
  }
  return { source: 'file-lut', index, ...(c.explanation ? { explanation: c.explanation } : {}) };
}

function lutAt(lut: LookupTable, v: number): number {
  const i = Math.round(v) - lut.firstMapped;
  return lut.data[i <= 0 ? 0 : Math.min(i, lut.data.length - 1)]!;
}

/**
 * Maps modality values to [0, 1] with a window (PS3.3 C.11.2.1.2 formulas, output range [0, 1])
 * or a VOI LUT; returns how many non-padding pixels hit 0 or 1. Padding pixels become 0.
 */
function applyVoi(
  values: Float32Array,
  out: Float32Array,
  lut: VoiCandidate | undefined,
  voi: Omit<AppliedVoi, 'saturatedFraction'>,
  isPad: Uint8Array | undefined,
): number {
  const n = values.length;
  let saturated = 0;
  if (lut?.kind === 'lut') {
    const scale = 1 / (2 ** lut.lut.bits - 1);
    for (let i = 0; i < n; i++) {
      if (isPad?.[i]) {
        out[i] = 0;
        continue;
      }
      const y = Math.min(1, lutAt(lut.lut, values[i]!) * scale);
      out[i] = y;
      if (y < SAT_LO || y > SAT_HI) saturated++;
    }
    return saturated;
  }
  const c = voi.center!;
  const w = voi.width!;
  const fn = voi.function ?? 'LINEAR';
  for (let i = 0; i < n; i++) {
    if (isPad?.[i]) {
      out[i] = 0;
      continue;
    }
    const x = values[i]!;
    let y: number;
    if (fn === 'SIGMOID') y = 1 / (1 + Math.exp((-4 * (x - c)) / w));
    else if (fn === 'LINEAR_EXACT') y = x <= c - w / 2 ? 0 : x > c + w / 2 ? 1 : (x - c) / w + 0.5;
    else y = x <= c - 0.5 - (w - 1) / 2 ? 0 : x > c - 0.5 + (w - 1) / 2 ? 1 : (x - (c - 0.5)) / (w - 1) + 0.5;
    out[i] = y;
    if (y < SAT_LO || y > SAT_HI) saturated++;
  }
  return saturated;
}

// Within one 8-bit grey level of black or white counts as saturated (a sigmoid never reaches 0 or 1).
const SAT_LO = 0.5 / 255;
const SAT_HI = 1 - 0.5 / 255;
