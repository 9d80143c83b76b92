import { join } from 'node:path';
import type { Mask } from '../../core/volume.js';
import { writeNifti } from '../../io/nifti.js';
import { ensureDir, writeFileAtomic } from '../safe-write.js';

/** File name of a segment's mask: its number and label, e.g. `masks/02-tumor.nii.gz`. */
export function maskFileName(index: number, label: string): string {
  const slug =
    label
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'segment';
  return `masks/${String(index + 1).padStart(2, '0')}-${slug}.nii.gz`;
}

/**
 * Writes each mask as a gzipped NIfTI-1 (uint8 0/1, the image's LPS geometry as qform/sform) under
 * `<outDir>/masks/`, for tools that take no DICOM SEG (ITK-SNAP, 3D Slicer, nnU-Net, PyRadiomics).
 * The numbering follows the SEG's segment numbers. Returns the relative file names.
 */
export async function writeMaskNiftis(
  outDir: string,
  masks: readonly Mask[],
  labels: readonly string[],
): Promise<string[]> {
  if (masks.length === 0) return [];
  await ensureDir(join(outDir, 'masks'));
  const files: string[] = [];
  for (let i = 0; i < masks.length; i++) {
    const file = maskFileName(i, labels[i] ?? '');
    await writeFileAtomic(
      join(outDir, file),
      writeNifti(masks[i]!, { gzip: true, description: `medimg ${labels[i] ?? ''}`.slice(0, 79) }),
    );
    files.push(file);
  }
  return files;
}
