import { MedImgError } from '../../core/errors.js';
import { cross, dot, type Geometry, normalize3, worldToIndexFn } from '../../core/geometry.js';
import { createVolume, type Mask, type Vec3, type Volume, type VolumeMeta } from '../../core/volume.js';
import type { Code } from './codes.js';
import {
  type DicomDataset,
  getItem,
  getItems,
  getNumber,
  getNumbers,
  getString,
  getUint16,
  getUint16s,
  tag as T,
} from './ds-model.js';
import { decodeRle } from './codecs/rle.js';
import { parseDicom } from './ds-parse.js';
import { encapsulatedFrame } from './pixel.js';
import { TS } from './transfer-syntax.js';
import { LABELMAP_SEG_SOP_CLASS_UID, SEG_SOP_CLASS_UID } from './seg-write.js';

/** A segment as described in the SEG's Segment Sequence. */
export interface SegmentInfo {
  number: number;
  label: string;
  category?: Code;
  type?: Code;
  algorithmType?: string;
  algorithmName?: string;
  algorithmVersion?: string;
  trackingId?: string;
  trackingUid?: string;
  /** Recommended Display CIELab Value as stored (scaled 0..65535). */
  cielab?: [number, number, number];
}

/** One decoded frame and where it went. */
export interface SegFrameInfo {
  /** 1-based frame number in the SEG. */
  frame: number;
  /** Segment number (undefined for LABELMAP frames). */
  segmentNumber?: number;
  /** Slice index (z) on the output grid. */
  sliceIndex: number;
  /** SOP Instance UIDs of the source images this frame derives from. */
  sourceSopInstanceUids: string[];
}

export interface DicomSegResult {
  segmentationType: 'BINARY' | 'FRACTIONAL' | 'LABELMAP';
  fractionalType?: string;
  maxFractionalValue?: number;
  sopClassUid: string;
  sopInstanceUid: string;
  seriesInstanceUid: string;
  studyInstanceUid: string;
  frameOfReferenceUid: string;
  /** Series Instance UID of the source images (Referenced Series Sequence). */
  referencedSeriesInstanceUid?: string;
  /** Segments with number >= 1, in the order of `masks`. */
  segments: SegmentInfo[];
  /**
   * One volume per entry of `segments` on the output grid: Uint8 0/1, or Float32 in [0, 1] for
   * FRACTIONAL probability output. Empty with output: 'labelmap'.
   */
  masks: Volume[];
  /** Voxels claimed by more than one segment (output: 'labelmap' only). */
  overlappingVoxels?: number;
  /**
   * The label volume: for LABELMAP SEGs (slices without a frame hold Pixel Padding Value, else 0),
   * and for any SEG with output: 'labelmap'.
   */
  labelmap?: Volume<Uint8Array | Uint16Array>;
  /** LABELMAP only: the segment numbered 0, when described. */
  background?: SegmentInfo;
  frames: SegFrameInfo[];
  /** Per output slice: the source SOP Instance UID a frame referenced there, when known. */
  referencedSopInstanceUids: (string | undefined)[];
  /** 1-based numbers of frames not placed because they lie outside the reference grid (outsideGrid: 'skip'). */
  skippedFrames: number[];
}

/** Options for {@link readDicomSeg}. */
export interface ReadDicomSegOptions {
  /**
   * The source grid to place the masks on, normally the Volume from readDicomSeries. Frames are
   * matched by plane position (and by referenced SOP Instance UID against
   * `reference.meta.sopInstanceUids` when a frame has no position). Default: a grid derived from the
   * SEG's own plane positions, orientation and pixel measures.
   */
  reference?: Volume | Geometry;
  /** FRACTIONAL SEGs: 'probability' (Float32 in [0, 1], default) or 'binary' (Uint8, value >= half of the maximum). */
  fractional?: 'probability' | 'binary';
  /**
   * What to do with a frame that lies on no slice of `reference`: 'error' (default, GRID_MISMATCH)
   * or 'skip' (listed in `skippedFrames`).
   */
  outsideGrid?: 'error' | 'skip';
  /**
   * 'masks' (default): one volume per segment (overlaps kept). 'labelmap': only `labelmap`, one
   * volume with the segment number per voxel (later segments win where segments overlap; counted
   * in `overlappingVoxels`), which keeps memory flat for SEGs with many segments. FRACTIONAL
   * frames count as in where value >= half the maximum.
   */
  output?: 'masks' | 'labelmap';
}

function readCode(item: DicomDataset | undefined): Code | undefined {
  if (!item) return undefined;
  return {
    value: getString(item, T(0x0008, 0x0100)) ?? getString(item, T(0x0008, 0x0119)) ?? '',
    scheme: getString(item, T(0x0008, 0x0102)) ?? '',
    meaning: getString(item, T(0x0008, 0x0104)) ?? '',
  };
}

function fgItem(
  perFrame: DicomDataset | undefined,
  shared: DicomDataset | undefined,
  seqTag: number,
): DicomDataset | undefined {
  return (perFrame && getItem(perFrame, seqTag)) ?? (shared && getItem(shared, seqTag));
}

const POS_TOL = 0.05; // in voxel index units

/**
 * Decodes a DICOM Segmentation (BINARY, FRACTIONAL or LABELMAP, Supplement 243) into one mask
 * volume per segment on the source grid (or the SEG's own grid). Frames may come in any order
 * and be sparse; overlapping segments stay separate.
 *
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { readDicomSeg, readDicomSeries } from 'medimg';
 * const ct = await readDicomSeries('study/ct/');
 * const seg = readDicomSeg(await readFile('study/seg.dcm'), { reference: ct }); // masks on the CT grid
 * for (const [i, s] of seg.segments.entries()) console.log(s.label, seg.masks[i]!.dims);
 * ```
 */
export function readDicomSeg(bytes: Uint8Array, options: ReadDicomSegOptions = {}): DicomSegResult {
  const { dataset: root, transferSyntaxUid } = parseDicom(bytes);
  const sopClassUid = getString(root, T(0x0008, 0x0016)) ?? '';
  if (sopClassUid !== SEG_SOP_CLASS_UID && sopClassUid !== LABELMAP_SEG_SOP_CLASS_UID) {
    throw new MedImgError('SEG_INVALID', 'This DICOM object is not a Segmentation (unexpected SOP Class).');
  }
  const segmentationType = (getString(root, T(0x0062, 0x0001)) ?? '') as DicomSegResult['segmentationType'];
  if (!['BINARY', 'FRACTIONAL', 'LABELMAP'].includes(segmentationType)) {
    throw new MedImgError('SEG_INVALID', 'Unknown or missing Segmentation Type.');
  }
  const rows = getUint16(root, T(0x0028, 0x0010));
  const cols = getUint16(root, T(0x0028, 0x0011));
  const bitsAllocated = getUint16(root, T(0x0028, 0x0100));
  const nFrames = getNumber(root, T(0x0028, 0x0008)) ?? 1;
  if (!rows || !cols || !bitsAllocated)
    throw new MedImgError('DICOM_MISSING_TAG', 'The SEG lacks Rows, Columns or Bits Allocated.');
  if (!Number.isInteger(nFrames) || nFrames < 1)
    throw new MedImgError('SEG_INVALID', 'The SEG has no valid Number of Frames.');
  const pixEl = root.get(T(0x7fe0, 0x0010));
  if (!pixEl) throw new MedImgError('DICOM_NO_PIXEL_DATA', 'The SEG has no Pixel Data.');
  const npix = rows * cols;
  // Bits from one BINARY frame to the next: npix when natively packed back to back; whole bytes
  // per frame after RLE, where each frame is packed on its own.
  let frameBitStride = npix;
  let pixels: Uint8Array;
  if (pixEl.encapsulated) {
    if (transferSyntaxUid !== TS.rle) {
      throw new MedImgError(
        'DICOM_UNSUPPORTED_TRANSFER_SYNTAX',
        'Only uncompressed and RLE Lossless SEG pixel data are supported; convert the SEG first.',
      );
    }
    const frameBytes = bitsAllocated === 1 ? Math.ceil(npix / 8) : npix;
    const bps = bitsAllocated === 16 ? 2 : 1;
    pixels = new Uint8Array(nFrames * frameBytes * bps);
    for (let f = 0; f < nFrames; f++) {
      // one row of frameBytes samples: 1-bit frames are RLE-coded as packed bytes
      const d = decodeRle(encapsulatedFrame(root, nFrames, transferSyntaxUid, f), 1, frameBytes, 1, bps * 8);
      // composed values, little endian like native data
      pixels.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), f * frameBytes * bps);
    }
    if (bitsAllocated === 1) frameBitStride = frameBytes * 8;
  } else {
    pixels = pixEl.value ?? new Uint8Array(0);
  }
  const needBytes =
    bitsAllocated === 1 ? Math.ceil((nFrames * frameBitStride) / 8) : (nFrames * npix * bitsAllocated) / 8;
  if (pixels.length < needBytes) {
    throw new MedImgError(
      'DICOM_PIXEL_LENGTH_MISMATCH',
      `SEG pixel data has ${pixels.length} bytes, ${needBytes} expected.`,
    );
  }
  const maxFrac = segmentationType === 'FRACTIONAL' ? (getUint16(root, T(0x0062, 0x000e)) ?? 255) : undefined;

  // Segments.
  const allSegments: SegmentInfo[] = getItems(root, T(0x0062, 0x0002)).map((it) => {
    const alg = getItem(it, T(0x0062, 0x0007));
    const lab = getUint16s(it, T(0x0062, 0x000d));
    return {
      number: getUint16(it, T(0x0062, 0x0004)) ?? 0,
      label: getString(it, T(0x0062, 0x0005)) ?? '',
      category: readCode(getItem(it, T(0x0062, 0x0003))),
      type: readCode(getItem(it, T(0x0062, 0x000f))),
      algorithmType: getString(it, T(0x0062, 0x0008)),
      algorithmName: getString(it, T(0x0062, 0x0009)) ?? (alg ? getString(alg, T(0x0066, 0x0036)) : undefined),
      algorithmVersion: alg ? getString(alg, T(0x0066, 0x0031)) : undefined,
      trackingId: getString(it, T(0x0062, 0x0020)),
      trackingUid: getString(it, T(0x0062, 0x0021)),
      cielab: lab.length === 3 ? (lab as [number, number, number]) : undefined,
    };
  });
  const segments = allSegments.filter((s) => s.number >= 1).sort((a, b) => a.number - b.number);
  const background = allSegments.find((s) => s.number === 0);
  if (segments.length === 0) throw new MedImgError('SEG_INVALID', 'The SEG describes no segments.');
  const segIndex = new Map<number, number>();
  segments.forEach((s, i) => {
    segIndex.set(s.number, i);
  });

  // Frames: position, orientation, segment, source references.
  const shared = getItem(root, T(0x5200, 0x9229));
  const perFrameItems = getItems(root, T(0x5200, 0x9230));
  const sharedOrient = getNumbers(fgItem(undefined, shared, T(0x0020, 0x9116)) ?? new Map(), T(0x0020, 0x0037));
  const measures = fgItem(perFrameItems[0], shared, T(0x0028, 0x9110));
  const pixelSpacing = measures ? getNumbers(measures, T(0x0028, 0x0030)) : [];
  const between = measures ? getNumber(measures, T(0x0018, 0x0088)) : undefined;
  const thickness = measures ? getNumber(measures, T(0x0018, 0x0050)) : undefined;

  interface RawFrame {
    ipp?: number[];
    iop?: number[];
    segment?: number;
    sources: string[];
  }
  const rawFrames: RawFrame[] = [];
  for (let f = 0; f < nFrames; f++) {
    const pf = perFrameItems[f];
    const pos = fgItem(pf, shared, T(0x0020, 0x9113));
    const ori = fgItem(pf, shared, T(0x0020, 0x9116));
    const sid = fgItem(pf, shared, T(0x0062, 0x000a));
    const sources: string[] = [];
    for (const der of pf ? getItems(pf, T(0x0008, 0x9124)) : []) {
      for (const src of getItems(der, T(0x0008, 0x2112))) {
        const u = getString(src, T(0x0008, 0x1155));
        if (u) sources.push(u);
      }
    }
    const ipp = pos ? getNumbers(pos, T(0x0020, 0x0032)) : [];
    const iop = ori ? getNumbers(ori, T(0x0020, 0x0037)) : sharedOrient;
    rawFrames.push({
      ipp: ipp.length === 3 && ipp.every(Number.isFinite) ? ipp : undefined,
      iop: iop.length === 6 && iop.every(Number.isFinite) ? iop : undefined,
      segment: sid ? getUint16(sid, T(0x0062, 0x000b)) : undefined,
      sources,
    });
  }
  if (segmentationType !== 'LABELMAP') {
    for (const rf of rawFrames) {
      if (rf.segment === undefined)
        throw new MedImgError('SEG_INVALID', 'A SEG frame has no Referenced Segment Number.');
      if (!segIndex.has(rf.segment))
        throw new MedImgError('SEG_INVALID', `A frame references segment ${rf.segment}, which is not described.`);
    }
  }

  // Output grid.
  let grid: Geometry;
  let refUids: string[] | undefined;
  if (options.reference) {
    const r = options.reference;
    grid = {
      dims: [...r.dims] as Vec3,
      spacing: [...r.spacing] as Vec3,
      origin: [...r.origin] as Vec3,
      direction: [...r.direction],
    };
    refUids = ((r as Volume).meta as VolumeMeta | undefined)?.sopInstanceUids;
    if (grid.dims[0] !== cols || grid.dims[1] !== rows) {
      throw new MedImgError(
        'GRID_MISMATCH',
        `SEG frames are ${cols}x${rows} but the reference grid is ${grid.dims[0]}x${grid.dims[1]}.`,
      );
    }
  } else {
    grid = ownGrid(rawFrames, sharedOrient, pixelSpacing, between, thickness, rows, cols);
  }
  const d = grid.direction;
  const gridRow: Vec3 = [d[0] as number, d[3] as number, d[6] as number];
  const gridCol: Vec3 = [d[1] as number, d[4] as number, d[7] as number];
  const toIndex = worldToIndexFn(grid);
  const nz = grid.dims[2];

  // Returns the slice index, or -1 when the frame lies outside the grid.
  const sliceOf = (rf: RawFrame): number => {
    if (rf.iop) {
      const r = normalize3(rf.iop.slice(0, 3));
      const c = normalize3(rf.iop.slice(3, 6));
      if (dot(r, gridRow) < 0.999 || dot(c, gridCol) < 0.999) {
        throw new MedImgError(
          'GRID_MISMATCH',
          'SEG frame orientation differs from the reference grid (resampling is not supported).',
        );
      }
    }
    if (rf.ipp) {
      const [i, j, k] = toIndex(rf.ipp);
      const kr = Math.round(k);
      if (Math.abs(i) > POS_TOL || Math.abs(j) > POS_TOL || Math.abs(k - kr) > POS_TOL || kr < 0 || kr >= nz) return -1;
      return kr;
    }
    if (refUids) {
      for (const u of rf.sources) {
        const k = refUids.indexOf(u);
        if (k >= 0) return k;
      }
    }
    throw new MedImgError('SEG_INVALID', 'A SEG frame has neither a plane position nor a source image we can place.');
  };

  const nvox = npix * nz;
  const labelOut = options.output === 'labelmap';
  const fractionalOut =
    !labelOut && segmentationType === 'FRACTIONAL' && (options.fractional ?? 'probability') === 'probability';
  const masks: Volume[] = (labelOut ? [] : segments).map(() =>
    fractionalOut
      ? createVolume(grid.dims, new Float32Array(nvox), grid)
      : createVolume(grid.dims, new Uint8Array(nvox), grid),
  );
  const frames: SegFrameInfo[] = [];
  const referencedSopInstanceUids: (string | undefined)[] = new Array(nz).fill(undefined);
  let labelmap: Volume<Uint8Array | Uint16Array> | undefined;
  let padding: number | undefined;
  if (segmentationType === 'LABELMAP') {
    if (bitsAllocated !== 8 && bitsAllocated !== 16)
      throw new MedImgError('SEG_INVALID', 'LABELMAP SEG must have 8 or 16 bits allocated.');
    // Pixel Padding Value is US/SS (binary), so read it as a 16-bit value.
    padding = root.has(T(0x0028, 0x0120)) ? getUint16(root, T(0x0028, 0x0120)) : undefined;
    const data = bitsAllocated === 8 ? new Uint8Array(nvox) : new Uint16Array(nvox);
    labelmap = createVolume(grid.dims, data, grid);
  } else if (bitsAllocated !== (segmentationType === 'BINARY' ? 1 : 8)) {
    throw new MedImgError('SEG_INVALID', `${segmentationType} SEG with ${bitsAllocated} bits allocated is not valid.`);
  } else if (labelOut) {
    const maxNumber = segments[segments.length - 1]?.number ?? 0;
    labelmap = createVolume(grid.dims, maxNumber <= 255 ? new Uint8Array(nvox) : new Uint16Array(nvox), grid);
  }
  let overlappingVoxels = 0;
  const haveSlice = new Uint8Array(nz);
  const pdv = new DataView(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  const half = (maxFrac ?? 255) / 2;

  const skippedFrames: number[] = [];
  rawFrames.forEach((rf, f) => {
    const k = sliceOf(rf);
    if (k < 0) {
      if (options.outsideGrid === 'skip') {
        skippedFrames.push(f + 1);
        return;
      }
      throw new MedImgError('GRID_MISMATCH', 'A SEG frame does not lie on a slice of the reference grid.');
    }
    haveSlice[k] = 1;
    frames.push({ frame: f + 1, segmentNumber: rf.segment, sliceIndex: k, sourceSopInstanceUids: rf.sources });
    if (rf.sources[0] && referencedSopInstanceUids[k] === undefined) referencedSopInstanceUids[k] = rf.sources[0];
    const out = k * npix;
    if (labelOut && segmentationType !== 'LABELMAP') {
      const lm = (labelmap as Volume).data;
      const num = rf.segment as number;
      for (let p = 0; p < npix; p++) {
        const on =
          segmentationType === 'BINARY'
            ? ((pixels[(f * frameBitStride + p) >>> 3] as number) >>> ((f * frameBitStride + p) & 7)) & 1
            : (pixels[f * npix + p] as number) >= half;
        if (!on) continue;
        const cur = lm[out + p] as number;
        if (cur !== 0 && cur !== num) overlappingVoxels++;
        lm[out + p] = num;
      }
    } else if (segmentationType === 'BINARY') {
      const m = (masks[segIndex.get(rf.segment as number) as number] as Volume).data as Uint8Array;
      let bit = f * frameBitStride;
      for (let p = 0; p < npix; p++, bit++) {
        if (((pixels[bit >>> 3] as number) >>> (bit & 7)) & 1) m[out + p] = 1;
      }
    } else if (segmentationType === 'FRACTIONAL') {
      const m = (masks[segIndex.get(rf.segment as number) as number] as Volume).data;
      const inp = f * npix;
      const scale = 1 / (maxFrac ?? 255);
      if (fractionalOut) {
        for (let p = 0; p < npix; p++) {
          const v = (pixels[inp + p] as number) * scale;
          if (v > (m[out + p] as number)) m[out + p] = v;
        }
      } else {
        for (let p = 0; p < npix; p++) if ((pixels[inp + p] as number) >= half) m[out + p] = 1;
      }
    } else {
      const lm = (labelmap as Volume).data;
      const inp = f * npix;
      for (let p = 0; p < npix; p++) {
        lm[out + p] = bitsAllocated === 8 ? (pixels[inp + p] as number) : pdv.getUint16((inp + p) * 2, true);
      }
    }
  });

  if (labelmap && segmentationType === 'LABELMAP') {
    const lm = labelmap.data;
    if (padding !== undefined && padding !== 0) {
      for (let k = 0; k < nz; k++) if (!haveSlice[k]) lm.fill(padding, k * npix, (k + 1) * npix);
    }
    for (let i = 0; i < nvox; i++) {
      const v = lm[i] as number;
      if (v === 0 || v === padding) continue;
      const si = segIndex.get(v);
      if (si !== undefined && !labelOut) ((masks[si] as Volume).data as Uint8Array)[i] = 1;
    }
  }

  const refSeries = getItem(root, T(0x0008, 0x1115));
  return {
    segmentationType,
    fractionalType: getString(root, T(0x0062, 0x0010)),
    maxFractionalValue: maxFrac,
    sopClassUid,
    sopInstanceUid: getString(root, T(0x0008, 0x0018)) ?? '',
    seriesInstanceUid: getString(root, T(0x0020, 0x000e)) ?? '',
    studyInstanceUid: getString(root, T(0x0020, 0x000d)) ?? '',
    frameOfReferenceUid: getString(root, T(0x0020, 0x0052)) ?? '',
    referencedSeriesInstanceUid: refSeries ? getString(refSeries, T(0x0020, 0x000e)) : undefined,
    segments,
    masks,
    labelmap,
    background,
    frames,
    referencedSopInstanceUids,
    skippedFrames,
    overlappingVoxels: labelOut ? overlappingVoxels : undefined,
  };
}

/** Grid spanned by the SEG's own frames: in-plane from orientation and pixel spacing, slices along the normal. */
function ownGrid(
  frames: { ipp?: number[]; iop?: number[] }[],
  sharedOrient: number[],
  pixelSpacing: number[],
  between: number | undefined,
  thickness: number | undefined,
  rows: number,
  cols: number,
): Geometry {
  const iop = frames.find((f) => f.iop)?.iop ?? sharedOrient;
  if (iop.length !== 6)
    throw new MedImgError('DICOM_MISSING_TAG', 'The SEG has no Image Orientation (Patient); pass options.reference.');
  if (pixelSpacing.length !== 2)
    throw new MedImgError('DICOM_MISSING_TAG', 'The SEG has no Pixel Spacing; pass options.reference.');
  const row = normalize3(iop.slice(0, 3));
  const col = normalize3(iop.slice(3, 6));
  const normal = normalize3(cross(row, col));
  const ds: number[] = [];
  for (const f of frames) {
    if (!f.ipp)
      throw new MedImgError(
        'DICOM_MISSING_TAG',
        'A SEG frame has no Image Position (Patient); pass options.reference.',
      );
    ds.push(dot(f.ipp, normal));
  }
  const uniq = [...new Set(ds.map((v) => Math.round(v * 1e4) / 1e4))].sort((a, b) => a - b);
  let step = between && between > 0 ? between : undefined;
  if (!step) {
    let minGap = Number.POSITIVE_INFINITY;
    for (let i = 1; i < uniq.length; i++) minGap = Math.min(minGap, (uniq[i] as number) - (uniq[i - 1] as number));
    step = Number.isFinite(minGap) && minGap > 0 ? minGap : thickness && thickness > 0 ? thickness : 1;
  }
  const d0 = uniq[0] as number;
  const nz = Math.round(((uniq[uniq.length - 1] as number) - d0) / step) + 1;
  if (!Number.isFinite(nz) || nz < 1 || nz > 20000) {
    throw new MedImgError(
      'SEG_INVALID',
      'The SEG frame positions do not form a usable slice grid; pass options.reference.',
    );
  }
  const first = frames[ds.indexOf(Math.min(...ds))] as { ipp: number[] };
  // Project the first frame's position so in-plane origin is shared by all frames.
  const origin = first.ipp as Vec3;
  return {
    dims: [cols, rows, nz],
    spacing: [pixelSpacing[1] as number, pixelSpacing[0] as number, step],
    origin: [origin[0], origin[1], origin[2]],
    direction: [row[0], col[0], normal[0], row[1], col[1], normal[1], row[2], col[2], normal[2]],
  };
}

/**
 * Convenience: the label volume of non-overlapping segments (value = segment number; later segments win).
 *
 * @example
 * ```ts
 * import { readDicomSeg, segMasksToLabelmap } from 'medimg';
 * const seg = readDicomSeg(bytes, { reference: ct });
 * const labelmap = segMasksToLabelmap(seg); // value i+1 = segment i
 * ```
 */
export function segMasksToLabelmap(result: DicomSegResult): Mask {
  const first = result.masks[0] as Volume;
  const out = createVolume(first.dims, new Uint8Array(first.data.length), first);
  result.segments.forEach((s, i) => {
    const m = (result.masks[i] as Volume).data;
    for (let v = 0; v < m.length; v++) if ((m[v] as number) > 0) out.data[v] = s.number;
  });
  return out;
}
