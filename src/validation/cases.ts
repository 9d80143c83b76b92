// Loads a manifest case: its image, its truth resolved on the image grid, and its attributes.
import { MedImgError } from '../core/errors.js';
import { indexToWorld } from '../core/geometry.js';
import { makeChestCtPhantom } from '../core/phantoms/chest-ct.js';
import type { LongRunOptions } from '../core/progress.js';
import type { Mask, Vec3, Volume } from '../core/volume.js';
import { readDicomSeg } from '../io/dicom/seg-read.js';
import { readDicomSeries } from '../io/dicom/series.js';
import { getFileSystem } from '../io/fs.js';
import { readMgh } from '../io/mgh.js';
import { readNifti } from '../io/nifti.js';
import { readNrrd } from '../io/nrrd.js';
import type { ManifestBox, ManifestCase, ManifestExpectedValue, ManifestRoots } from './manifest.js';
import { resolveManifestPath } from './manifest.js';
import type { TruthLesion } from './metrics.js';

/** A case ready to run: image, truth on its grid and attributes. */
export interface LoadedCase {
  image: Volume;
  lesions: TruthLesion[];
  expected: ManifestExpectedValue[];
  attributes: Record<string, string | number>;
}

/** Slice-thickness band used by the subgroup audit. */
export function sliceBand(mm: number): string {
  if (!Number.isFinite(mm)) return 'unknown';
  if (mm <= 1.5) return '<=1.5 mm';
  if (mm <= 3) return '1.5-3 mm';
  if (mm <= 5) return '3-5 mm';
  return '>5 mm';
}

async function readVolume(path: string, format: string | undefined, opts: LongRunOptions): Promise<Volume> {
  const lower = path.toLowerCase();
  if (format === 'dicom' || (!format && (await getFileSystem().isDirectory(path))))
    return readDicomSeries(path, { ...(opts.signal ? { signal: opts.signal } : {}) });
  if (format === 'nifti' || /\.nii(\.gz)?$|\.hdr(\.gz)?$/.test(lower)) return readNifti(path);
  if (format === 'nrrd' || /\.n(rr|h)d$/.test(lower)) return readNrrd(path);
  if (format === 'mgh' || /\.mg[hz]$/.test(lower)) return readMgh(path);
  throw new MedImgError(
    'INVALID_ARGUMENT',
    'Case image: expected a DICOM folder, a NIfTI, an NRRD or an MGH/MGZ file.',
  );
}

function sameGrid(a: Volume, b: Volume): boolean {
  const close = (x: readonly number[], y: readonly number[], tol: number): boolean =>
    x.length === y.length && x.every((v, i) => Math.abs(v - y[i]!) <= tol);
  return (
    close(a.dims, b.dims, 0) &&
    close(a.spacing, b.spacing, 1e-3) &&
    close(a.origin, b.origin, 0.05) &&
    close(a.direction, b.direction, 1e-4)
  );
}

async function readLabelMask(path: string, label: number, image: Volume): Promise<Mask> {
  let vol: Volume;
  if (/\.dcm$/i.test(path) || !/\.(nii(\.gz)?|nrrd|nhdr|mg[hz])$/i.test(path)) {
    const seg = readDicomSeg(await getFileSystem().readFile(path), { reference: image });
    const i = seg.segments.findIndex((s) => s.number === label);
    if (i < 0) throw new MedImgError('INVALID_ARGUMENT', `Truth mask: the SEG has no segment number ${label}.`);
    vol = seg.masks[i]!;
    label = -1; // any non-zero value
  } else {
    vol = /\.nii(\.gz)?$/i.test(path)
      ? await readNifti(path)
      : /\.mg[hz]$/i.test(path)
        ? await readMgh(path)
        : await readNrrd(path);
  }
  if (!sameGrid(vol, image))
    throw new MedImgError('GRID_MISMATCH', 'Truth mask: its grid differs from the image grid (resample it first).');
  const data = new Uint8Array(vol.data.length);
  let n = 0;
  for (let i = 0; i < data.length; i++) {
    const v = vol.data[i]!;
    if (label < 0 ? v > 0 : Math.round(v) === label) {
      data[i] = 1;
      n++;
    }
  }
  if (n === 0)
    throw new MedImgError('EMPTY_MASK', `Truth mask: no voxel carries label ${label < 0 ? 'of the segment' : label}.`);
  return {
    data,
    dims: [...image.dims],
    spacing: [...image.spacing],
    origin: [...image.origin],
    direction: [...image.direction],
  };
}

/** Centroid (LPS mm) and equivalent-sphere radius (mm) of a mask. */
export function maskCentroid(mask: Mask): { centerMm: Vec3; radiusMm: number } {
  const [nx, ny] = mask.dims;
  let sx = 0;
  let sy = 0;
  let sz = 0;
  let n = 0;
  for (let i = 0; i < mask.data.length; i++) {
    if (!mask.data[i]) continue;
    sx += i % nx;
    sy += Math.floor(i / nx) % ny;
    sz += Math.floor(i / (nx * ny));
    n++;
  }
  const vol = n * mask.spacing[0] * mask.spacing[1] * mask.spacing[2];
  return { centerMm: indexToWorld(mask, [sx / n, sy / n, sz / n]), radiusMm: Math.cbrt((3 * vol) / (4 * Math.PI)) };
}

/** Per-slice boxes (LPS mm) of a mask, one per slice holding it, in slice order. */
export function maskSliceBoxes(mask: Mask): ManifestBox[] {
  const [nx, ny, nz] = mask.dims;
  const out: ManifestBox[] = [];
  for (let z = 0; z < nz; z++) {
    let x0 = nx;
    let y0 = ny;
    let x1 = -1;
    let y1 = -1;
    const base = nx * ny * z;
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++)
        if (mask.data[base + x + nx * y]) {
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
        }
    if (x1 < 0) continue;
    const a = indexToWorld(mask, [x0, y0, z]);
    const b = indexToWorld(mask, [x1, y1, z]);
    out.push({
      min: [0, 1, 2].map((k) => Math.min(a[k]!, b[k]!)) as Vec3,
      max: [0, 1, 2].map((k) => Math.max(a[k]!, b[k]!)) as Vec3,
    });
  }
  return out;
}

function boxesHull(boxes: ManifestBox[]): ManifestBox {
  const min = [0, 1, 2].map((a) => Math.min(...boxes.map((b) => b.min[a]!))) as Vec3;
  const max = [0, 1, 2].map((a) => Math.max(...boxes.map((b) => b.max[a]!))) as Vec3;
  return { min, max };
}

/** Loads a case's image, resolves its truth on the image grid and collects its attributes. */
export async function loadCase(c: ManifestCase, roots: ManifestRoots, opts: LongRunOptions = {}): Promise<LoadedCase> {
  const attributes: Record<string, string | number> = {};
  let image: Volume;
  const lesions: TruthLesion[] = [];
  const expected: ManifestExpectedValue[] = [...(c.truth?.expected ?? [])];
  if ('phantom' in c.image) {
    const p = makeChestCtPhantom(c.image.options as Parameters<typeof makeChestCtPhantom>[0]);
    image = p.image;
    attributes.scanner = 'phantom';
    attributes.kernel = 'synthetic';
    attributes.modality = 'CT';
    if (p.truth.tumor) {
      const m: Mask = { ...p.truth.tumor.mask };
      const { radiusMm } = maskCentroid(m);
      lesions.push({ id: 'tumor', centerMm: p.truth.tumor.centerMm, radiusMm, mask: m });
    }
    p.truth.nodules.forEach((n) =>
      lesions.push({ id: `nodule${n.label}`, centerMm: n.centerMm, radiusMm: n.diameterMm / 2 }),
    );
    for (const v of p.truth.vertebrae)
      expected.push({ id: `vertebra-${v.level}`, kind: 'hu', centerMm: v.centerMm, value: v.trabecularHU });
  } else {
    const path = resolveManifestPath(c.image.path, c.image.root, roots);
    image = await readVolume(path, c.image.format, opts);
    const m = image.meta ?? {};
    if (m.manufacturer) attributes.scanner = [m.manufacturer, m.manufacturerModelName].filter(Boolean).join(' ');
    if (m.convolutionKernel) attributes.kernel = m.convolutionKernel;
    if (m.patientSex) attributes.sex = m.patientSex;
    if (typeof m.patientAgeYears === 'number') {
      const lo = Math.floor(m.patientAgeYears / 10) * 10;
      attributes.ageBand = `${lo}-${lo + 9}`;
    }
    if (m.modality) attributes.modality = m.modality;
  }
  for (const [k, v] of Object.entries(c.attributes ?? {}))
    if (v !== undefined && attributes[k] === undefined) attributes[k] = v;
  const thick = typeof attributes.sliceThicknessMm === 'number' ? attributes.sliceThicknessMm : image.spacing[2];
  attributes.sliceThicknessMm = Math.round(thick * 100) / 100;
  attributes.sliceBand = sliceBand(thick);

  const masks = new Map<string, Mask>();
  for (const m of c.truth?.masks ?? []) {
    masks.set(m.lesion, await readLabelMask(resolveManifestPath(m.path, m.root, roots), m.label ?? 1, image));
  }
  for (const l of c.truth?.lesions ?? []) {
    const mask = masks.get(l.id);
    let centerMm = l.centerMm;
    let radiusMm = l.diameterMm !== undefined ? l.diameterMm / 2 : undefined;
    if (mask && (!centerMm || radiusMm === undefined)) {
      const mc = maskCentroid(mask);
      centerMm ??= mc.centerMm;
      radiusMm ??= mc.radiusMm;
    }
    if (l.boxes && (!centerMm || radiusMm === undefined)) {
      const h = boxesHull(l.boxes);
      centerMm ??= [0, 1, 2].map((a) => (h.min[a]! + h.max[a]!) / 2) as Vec3;
      radiusMm ??= Math.max(h.max[0] - h.min[0], h.max[1] - h.min[1]) / 2;
    }
    if (!centerMm || radiusMm === undefined)
      throw new MedImgError('INVALID_ARGUMENT', `Lesion '${l.id}': give a centre and diameter, boxes or a mask.`);
    lesions.push({ id: l.id, centerMm, radiusMm, ...(l.boxes ? { boxes: l.boxes } : {}), ...(mask ? { mask } : {}) });
  }
  for (const [id, mask] of masks) {
    if (lesions.some((l) => l.id === id)) continue;
    const mc = maskCentroid(mask);
    lesions.push({ id, centerMm: mc.centerMm, radiusMm: mc.radiusMm, mask });
  }
  return { image, lesions, expected, attributes };
}

/** The prompts (seed or box) of an interactive task from the truth; one per run. */
export function promptsFor(
  lesion: TruthLesion,
  kind: 'centre' | 'box-3d' | 'slice-box',
  slice: 'largest' | 'middle' | 'all' | number = 'largest',
): { seed?: Vec3; box?: ManifestBox; boxIndex?: number }[] {
  if (kind === 'centre') return [{ seed: lesion.mask ? maskCentroid(lesion.mask).centerMm : lesion.centerMm }];
  const boxes = lesion.boxes ?? (lesion.mask ? maskSliceBoxes(lesion.mask) : []);
  if (kind === 'box-3d') {
    if (boxes.length === 0) {
      const r = lesion.radiusMm;
      const c = lesion.centerMm;
      return [{ box: { min: [c[0] - r, c[1] - r, c[2] - r], max: [c[0] + r, c[1] + r, c[2] + r] } }];
    }
    return [{ box: boxesHull(boxes) }];
  }
  if (boxes.length === 0)
    throw new MedImgError('INVALID_ARGUMENT', `Lesion '${lesion.id}' has no boxes or mask to prompt from.`);
  const sorted = [...boxes].sort((a, b) => a.min[2] - b.min[2]);
  if (slice === 'all') return sorted.map((box, i) => ({ box, boxIndex: i }));
  if (slice === 'middle')
    return [{ box: sorted[Math.floor((sorted.length - 1) / 2)]!, boxIndex: Math.floor((sorted.length - 1) / 2) }];
  if (typeof slice === 'number') {
    if (slice >= sorted.length)
      throw new MedImgError('INVALID_ARGUMENT', `Lesion '${lesion.id}' has only ${sorted.length} boxes.`);
    return [{ box: sorted[slice]!, boxIndex: slice }];
  }
  let bi = 0;
  const area = (b: ManifestBox): number => (b.max[0] - b.min[0]) * (b.max[1] - b.min[1]);
  sorted.forEach((b, i) => {
    if (area(b) > area(sorted[bi]!)) bi = i;
  });
  return [{ box: sorted[bi]!, boxIndex: bi }];
}
