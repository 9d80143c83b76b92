import { readFile } from 'node:fs/promises';
import type { Volume } from '../../core/volume.js';
import { readDicomSeg } from '../../io/dicom/seg-read.js';
import { UsageError } from '../args.js';
import { isVolumeFile, readVolumeFile } from './input.js';

/** A region of interest read from the command line. */
export interface MaskInput {
  /** On the image's grid: a label map (NIfTI/NRRD) or a 0/1 mask (one DICOM SEG segment). */
  mask: Volume;
  /** The label that marks the ROI in `mask`, when it is fixed by the input (1 for a SEG segment). */
  label?: number;
  /** Which SEG segment was taken, for the output (number and label; no patient data). */
  segment?: { number: number; label: string };
}

/**
 * Reads a mask for the image: a NIfTI/NRRD label map on the same grid, or a DICOM SEG placed on
 * the image's grid. `segment` picks a SEG segment by number or by label (case-insensitive); a SEG
 * with one segment needs none. FRACTIONAL segments are thresholded at half their maximum.
 */
export async function readMaskInput(path: string, image: Volume, segment?: string): Promise<MaskInput> {
  if (isVolumeFile(path)) {
    if (segment !== undefined) {
      throw new UsageError('--segment picks a segment of a DICOM SEG; for a label map use --label <n>.');
    }
    return { mask: await readVolumeFile(path) };
  }
  const bytes = new Uint8Array(await readFile(path));
  const seg = readDicomSeg(bytes, { reference: image, fractional: 'binary' });
  const list = seg.segments.map((s) => `${s.number} '${s.label}'`).join(', ');
  let index: number;
  if (segment === undefined) {
    if (seg.segments.length !== 1) {
      throw new UsageError(
        `The SEG holds ${seg.segments.length} segments (${list}): pick one with --segment <n|label>.`,
      );
    }
    index = 0;
  } else {
    const n = /^\d+$/.test(segment.trim()) ? Number(segment) : undefined;
    index = seg.segments.findIndex((s) =>
      n !== undefined ? s.number === n : s.label.toLowerCase() === segment.trim().toLowerCase(),
    );
    if (index < 0) throw new UsageError(`No segment '${segment}' in the SEG; it holds ${list}.`);
  }
  const s = seg.segments[index]!;
  return { mask: seg.masks[index]!, label: 1, segment: { number: s.number, label: s.label } };
}
