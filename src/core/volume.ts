import { MedImgError } from './errors.js';

/** A 3-vector: [x, y, z]. Points in patient space are LPS millimetres. */
export type Vec3 = [number, number, number];

/** Typed arrays a volume may hold. */
export type VoxelArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

/** Constructor of any {@link VoxelArray}. */
export type VoxelArrayConstructor =
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

/** What we know about where a volume came from. Never required by computations. */
export interface VolumeMeta {
  /** DICOM modality, e.g. 'CT', 'MR'. */
  modality?: string;
  /** Units of the voxel values, e.g. 'HU'. */
  units?: string;
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  frameOfReferenceUid?: string;
  /** Per-slice SOP Instance UIDs in slice (z) order, for DICOM SEG/SR references. */
  sopInstanceUids?: string[];
  /** SOP Class UID of the source images. */
  sopClassUid?: string;
  seriesDescription?: string;
  manufacturer?: string;
  manufacturerModelName?: string;
  convolutionKernel?: string;
  /** Protocol Name (0018,1030). */
  protocolName?: string;
  /** CT: CTDIvol (0018,9345) of the first slice, mGy. */
  ctdiVolMGy?: number;
  /** CT: Exposure (0018,1152) of the first slice, mAs. */
  exposureMAs?: number;
  /** CT: KVP (0018,0060), kV. */
  kvp?: number;
  patientSex?: string;
  /** Patient age in years, where known. */
  patientAgeYears?: number;
  /**
   * Patient and study identification (name, ID, birth date, study date/time/ID, accession number,
   * referring physician) from DICOM, kept so derived SEG/SR objects join the same patient and study.
   * Identifying data: medimg never prints or logs it; strip it before sharing a volume's meta.
   */
  patientName?: string;
  patientId?: string;
  patientBirthDate?: string;
  studyDate?: string;
  studyTime?: string;
  studyId?: string;
  accessionNumber?: string;
  referringPhysicianName?: string;
  /** Patient Identity Removed (0012,0062) of a DICOM source ('YES' when de-identified). */
  patientIdentityRemoved?: string;
  /** De-identification Method (0012,0063) of a de-identified DICOM source. */
  deidentificationMethod?: string;
  /** Where the volume came from, e.g. 'dicom', 'nifti', 'phantom'. */
  source?: string;
  // ---- DICOM series facts (set by readDicomSeries) ----
  seriesNumber?: number;
  /** Transfer syntax UID of the first slice's file. */
  transferSyntaxUid?: string;
  /** What sets the stack apart inside its series (frame type, echo), as in SeriesInfo. */
  stackLabel?: string;
  /** SliceThickness (0018,0050) of the first slice, mm. */
  sliceThickness?: number;
  /** 1-based frame numbers per slice (z order), for multi-frame sources. */
  frameNumbers?: number[];
  /** Repeated acquisitions of the same positions in the stack, and which one was read (0-based). */
  volumeCount?: number;
  volumeIndex?: number;
  uniformSpacing?: boolean;
  gantryTiltDeg?: number;
  /** Distance of each slice from the first along the slice normal, mm (the grid's after resampling). */
  slicePositions?: number[];
  /** With `resampledToUniform`: the source slices' distances. */
  sourceSlicePositions?: number[];
  resampledToUniform?: boolean;
  /** Geometry could not be read from the files and a fallback was used (see warnings). */
  geometryFallback?: boolean;
  /** Non-fatal problems found while reading (uneven spacing, tilt, fallbacks used). */
  /** A DICOM series read with `allowGaps` although files were unreadable or slices missing. */
  gaps?: { unreadableFiles: number; missingSlices: number };
  warnings?: string[];
  /** NRRD readers: the header's space, kinds, content and key/value pairs. */
  nrrd?: Record<string, unknown>;
  /** Radiographs: false when the file gave no usable pixel spacing (the grid is then 1 mm). */
  spacingKnown?: boolean;
  /**
   * Anything else a reader or caller wants to keep. Code that reads or writes DICOM attributes
   * uses the declared keys ({@link VolumeMetaKey}), never this index.
   */
  [key: string]: unknown;
}

/** The declared (typed) keys of {@link VolumeMeta}, without its index signature. */
export type VolumeMetaKey = keyof {
  [K in keyof VolumeMeta as string extends K ? never : number extends K ? never : K]: VolumeMeta[K];
};

/**
 * A 3D image on a regular grid, with ITK conventions in LPS patient space.
 *
 * `data` is x (column) fastest, then y (row), then z (slice):
 * `index = x + nx * (y + ny * z)`. World position of voxel (i, j, k) is
 * `origin + D * diag(spacing) * [i, j, k]` with `D` the row-major 3x3 `direction`.
 */
export interface Volume<T extends VoxelArray = VoxelArray> {
  data: T;
  /** [nx, ny, nz] */
  dims: Vec3;
  /** Voxel size in mm along each index axis. */
  spacing: Vec3;
  /** LPS position (mm) of the centre of voxel (0, 0, 0). */
  origin: Vec3;
  /** 9 numbers, row-major 3x3; columns are the unit directions of the index axes in LPS. */
  direction: number[];
  meta?: VolumeMeta;
}

/** A binary or label mask on the same grid as its image. */
export type Mask = Volume<Uint8Array>;

/**
 * A regular voxel grid: all that the grid operations (morphology, labelling, distances, filters,
 * bounding boxes) need. A {@link Volume} is one; so is a task's intermediate `{ data, dims, spacing }`,
 * which needs no invented geometry. Operations given a Volume return a Volume (geometry and meta
 * carried over); given a bare grid they return a bare grid. Where a world position is reported
 * (component centroids), a grid without `origin`/`direction` is taken at origin 0, identity axes.
 *
 * @example
 * ```ts
 * const grown = dilate({ data: mask, dims, spacing }, { radiusMm: 2 }).data;
 * ```
 */
export interface Grid<T extends VoxelArray = VoxelArray> {
  data: T;
  /** [nx, ny, nz] */
  dims: Vec3;
  /** Voxel size in mm along each index axis. */
  spacing: Vec3;
  origin?: Vec3;
  direction?: number[];
  meta?: VolumeMeta;
}

/** Identity direction matrix (axes aligned with L, P, S). */
export const IDENTITY_DIRECTION: readonly number[] = Object.freeze([1, 0, 0, 0, 1, 0, 0, 0, 1]);

/** Options for {@link createVolume}. */
export interface CreateVolumeOptions {
  /** Default [1, 1, 1]. */
  spacing?: Vec3;
  /** Default [0, 0, 0]. */
  origin?: Vec3;
  /** Default identity. */
  direction?: number[];
  meta?: VolumeMeta;
}

/** Number of voxels of a grid. */
export function voxelCount(dims: Vec3): number {
  return dims[0] * dims[1] * dims[2];
}

/**
 * Creates a volume. With `data` a constructor, allocates zeros; with an array, wraps it (no copy)
 * after checking its length.
 */
export function createVolume<T extends VoxelArray>(
  dims: Vec3,
  data: T | { new (length: number): T },
  options: CreateVolumeOptions = {},
): Volume<T> {
  validateDims(dims);
  const n = voxelCount(dims);
  const arr = typeof data === 'function' ? new data(n) : data;
  if (arr.length !== n) {
    throw new MedImgError(
      'INVALID_VOLUME',
      `Voxel array has ${arr.length} elements but dims ${dims.join('x')} need ${n}.`,
    );
  }
  const vol: Volume<T> = {
    data: arr,
    dims: [dims[0], dims[1], dims[2]],
    spacing: options.spacing ? [...options.spacing] : [1, 1, 1],
    origin: options.origin ? [...options.origin] : [0, 0, 0],
    direction: options.direction ? [...options.direction] : [...IDENTITY_DIRECTION],
  };
  if (options.meta) vol.meta = options.meta;
  validateVolume(vol);
  return vol;
}

/**
 * A new volume on the same grid as `like` (geometry copied, meta shared by reference), with zeroed
 * data of the given type.
 */
export function createVolumeLike<T extends VoxelArray>(like: Volume, ctor: { new (length: number): T }): Volume<T> {
  return {
    data: new ctor(voxelCount(like.dims)),
    dims: [...like.dims],
    spacing: [...like.spacing],
    origin: [...like.origin],
    direction: [...like.direction],
    ...(like.meta ? { meta: like.meta } : {}),
  };
}

/**
 * Same geometry (dims, spacing, and origin, direction where `like` has them), with `data` replaced.
 * No copy of `data`; meta shared by reference.
 */
export function withData<T extends VoxelArray>(like: Volume, data: T): Volume<T>;
export function withData<T extends VoxelArray>(like: Grid, data: T): Grid<T>;
export function withData<T extends VoxelArray>(like: Grid, data: T): Grid<T> {
  if (data.length !== voxelCount(like.dims)) {
    throw new MedImgError('INVALID_VOLUME', 'Data length does not match the grid.');
  }
  const out: Grid<T> = { data, dims: [...like.dims], spacing: [...like.spacing] };
  if (like.origin) out.origin = [...like.origin];
  if (like.direction) out.direction = [...like.direction];
  if (like.meta) out.meta = like.meta;
  return out;
}

function validateDims(dims: Vec3): void {
  if (!Array.isArray(dims) || dims.length !== 3 || !dims.every((d) => Number.isInteger(d) && d > 0 && d < 1 << 20)) {
    throw new MedImgError('INVALID_VOLUME', `dims must be three positive integers, got ${String(dims)}.`);
  }
}

/** Checks that a volume is well formed: dims, data length, finite positive spacing, direction. */
export function validateVolume(vol: Volume, name = 'volume'): void {
  validateGrid(vol, name);
  if (vol.origin?.length !== 3 || !vol.origin.every(Number.isFinite)) {
    throw new MedImgError('INVALID_VOLUME', `${name}.origin must be three finite numbers.`);
  }
  if (vol.direction?.length !== 9 || !vol.direction.every(Number.isFinite)) {
    throw new MedImgError('INVALID_VOLUME', `${name}.direction must be nine finite numbers.`);
  }
}

/**
 * Checks that a grid is well formed: dims, data length, finite positive spacing, and origin and
 * direction where present.
 */
export function validateGrid(grid: Grid, name = 'volume'): void {
  if (!grid || typeof grid !== 'object') throw new MedImgError('INVALID_VOLUME', `${name} is not a Volume.`);
  validateDims(grid.dims);
  if (!ArrayBuffer.isView(grid.data) || grid.data.length !== voxelCount(grid.dims)) {
    throw new MedImgError('INVALID_VOLUME', `${name}.data length does not match dims ${grid.dims.join('x')}.`);
  }
  if (grid.spacing?.length !== 3 || !grid.spacing.every((s) => Number.isFinite(s) && s > 0)) {
    throw new MedImgError('INVALID_VOLUME', `${name}.spacing must be three finite positive numbers.`);
  }
  if (grid.origin !== undefined && (grid.origin?.length !== 3 || !grid.origin.every(Number.isFinite))) {
    throw new MedImgError('INVALID_VOLUME', `${name}.origin must be three finite numbers.`);
  }
  if (grid.direction !== undefined && (grid.direction?.length !== 9 || !grid.direction.every(Number.isFinite))) {
    throw new MedImgError('INVALID_VOLUME', `${name}.direction must be nine finite numbers.`);
  }
}

/**
 * True when two grids share dims, and spacing (and origin/direction where both have them) within
 * `tol`.
 */
export function sameGrid(a: Grid, b: Grid, tol = 1e-4): boolean {
  for (let i = 0; i < 3; i++) {
    if (a.dims[i] !== b.dims[i]) return false;
    if (Math.abs(a.spacing[i]! - b.spacing[i]!) > tol) return false;
    if (a.origin && b.origin && Math.abs(a.origin[i]! - b.origin[i]!) > tol * Math.max(1, Math.abs(a.origin[i]!)))
      return false;
  }
  if (a.direction && b.direction)
    for (let i = 0; i < 9; i++) if (Math.abs(a.direction[i]! - b.direction[i]!) > tol) return false;
  return true;
}

/** Throws GRID_MISMATCH unless `mask` lies on the grid of `image`. */
export function assertSameGrid(image: Grid, mask: Grid, what = 'mask'): void {
  if (!sameGrid(image, mask)) {
    throw new MedImgError(
      'GRID_MISMATCH',
      `The ${what} is not on the image grid (image ${image.dims.join('x')}, ${what} ${mask.dims.join('x')}); resample it onto the image first.`,
    );
  }
}

/** Linear index of voxel (x, y, z). */
export function voxelIndex(dims: Vec3, x: number, y: number, z: number): number {
  return x + dims[0] * (y + dims[1] * z);
}

/** Volume of one voxel in mm³. */
export function voxelVolumeMm3(vol: Grid): number {
  return vol.spacing[0] * vol.spacing[1] * vol.spacing[2];
}
