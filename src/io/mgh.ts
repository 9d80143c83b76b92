import { isMedImgError, MedImgError } from '../core/errors.js';
import { geometryFromNiftiAffine, type Mat4, niftiAffineFromGeometry } from '../core/geometry.js';
import { dtypeOf } from '../core/typed.js';
import type { Vec3, Volume, VoxelArray } from '../core/volume.js';
import { toBytes } from './fs.js';
import { decodeLimitError, gunzip, gunzipHead, gzip, maxDecodedBytes } from './gzip.js';

/**
 * FreeSurfer MGH/MGZ volumes. The format (FreeSurfer `mghformat.c`, nibabel `mghformat.py`): a
 * big-endian 284-byte header (version 1, width/height/depth/nframes, type, dof, goodRASFlag, voxel
 * sizes, the direction cosines Mdc column by column, the RAS centre c_ras), the voxels (x fastest,
 * frames last), then an optional tail (TR, flip angle, TE, TI, FoV, tags). `.mgz` is the gzipped file.
 */

/** Options of {@link readMgh}. */
export interface ReadMghOptions {
  /** For multi-frame files, which frame (0-based) to return. Default 0. */
  volumeIndex?: number;
  /**
   * Most bytes a `.mgz` may inflate to. Default: the budget of `setMaxDecodedBytes` (2 GiB); in
   * any case no more than the size the header declares plus 1 MiB of tail, so a decompression
   * bomb ends in `DECODE_LIMIT_EXCEEDED` after inflating at most that much.
   */
  maxDecodedBytes?: number;
}

/** What the MGH header said. */
export interface MghHeaderInfo {
  version: 1;
  /** width, height, depth, nframes */
  dims: [number, number, number, number];
  /** 0 UCHAR, 1 INT, 3 FLOAT, 4 SHORT. */
  type: number;
  dof: number;
  /** False when the file carries no geometry: FreeSurfer's defaults (1 mm, LIA, centre 0) were used. */
  goodRAS: boolean;
  /** xsize, ysize, zsize (mm). */
  voxelSize: Vec3;
  /** Direction cosines of the x, y, z index axes in RAS, one column each (row-major 3x3). */
  mdc: number[];
  /** RAS position of the centre voxel (dims/2). */
  cRas: Vec3;
  /** The RAS vox2ras affine that was used. */
  affine: Mat4;
  /** Acquisition parameters of the optional tail, where present (ms, radians, mm). */
  tail?: { tr: number; flipAngle: number; te: number; ti: number; fov: number };
}

const HEADER_BYTES = 284;
const T = { UCHAR: 0, INT: 1, FLOAT: 3, SHORT: 4 } as const;
const BYTES: Record<number, number> = { [T.UCHAR]: 1, [T.INT]: 4, [T.FLOAT]: 4, [T.SHORT]: 2 };
/** Tail bytes tolerated past the declared voxels when inflating (tags are small). */
const GZIP_SLACK = 1 << 20;

const invalid = (msg: string): MedImgError => new MedImgError('MGH_INVALID', msg);

/**
 * Reads a FreeSurfer `.mgh` or `.mgz` volume into an LPS {@link Volume}. The RAS vox2ras of the
 * file (Mdc·diag(voxel size), centre voxel at c_ras) is converted to LPS here, exactly as
 * {@link readNifti} converts a RAS affine; the voxel order is kept.
 *
 * @example
 * ```ts
 * import { readMgh } from 'medimg';
 * const t1 = await readMgh('subj/mri/norm.mgz');
 * console.log(t1.dims, t1.spacing, t1.mgh.type);
 * ```
 */
export async function readMgh(
  input: string | Uint8Array | ArrayBuffer | Blob,
  options: ReadMghOptions = {},
): Promise<Volume & { mgh: MghHeaderInfo }> {
  return readMghBytes(await toBytes(input), options);
}

/**
 * Synchronous variant of {@link readMgh} for bytes already in memory.
 *
 * @example
 * ```ts
 * import { readMghBytes } from 'medimg';
 * const aseg = readMghBytes(bytes); // .mgz or .mgh bytes already in memory
 * ```
 */
export function readMghBytes(bytes: Uint8Array, options: ReadMghOptions = {}): Volume & { mgh: MghHeaderInfo } {
  const raw = maybeGunzip(bytes, options);
  const h = parseHeader(raw);
  return decode(raw, h, options);
}

interface RawHeader {
  dims: [number, number, number, number];
  type: number;
  dof: number;
  goodRAS: boolean;
  voxelSize: Vec3;
  mdc: number[];
  cRas: Vec3;
}

function parseHeader(bytes: Uint8Array): RawHeader {
  if (bytes.length < HEADER_BYTES) throw invalid('The file is too short to hold an MGH header.');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getInt32(0, false);
  if (version !== 1) throw invalid(`Not an MGH file (version ${version}, expected 1).`);
  const dims = [4, 8, 12, 16].map((o) => dv.getInt32(o, false)) as RawHeader['dims'];
  if (!dims.every((d) => d > 0)) throw invalid(`Invalid MGH dimensions ${dims.join('x')}.`);
  const type = dv.getInt32(20, false);
  if (BYTES[type] === undefined) {
    throw invalid(`Unsupported MGH type ${type} (UCHAR 0, INT 1, FLOAT 3 and SHORT 4 are read).`);
  }
  const goodRAS = dv.getInt16(28, false) > 0;
  const f = (o: number): number => dv.getFloat32(o, false);
  // FreeSurfer ignores the geometry fields unless goodRASFlag is set: 1 mm, coronal LIA, centre 0.
  const voxelSize: Vec3 = goodRAS ? [f(30), f(34), f(38)] : [1, 1, 1];
  const mdc = goodRAS ? Array.from({ length: 9 }, (_, i) => f(42 + 4 * i)) : [-1, 0, 0, 0, 0, -1, 0, 1, 0];
  const cRas: Vec3 = goodRAS ? [f(78), f(82), f(86)] : [0, 0, 0];
  if (![...voxelSize, ...mdc, ...cRas].every(Number.isFinite) || !voxelSize.every((s) => s > 0)) {
    throw invalid('The MGH geometry (voxel size, Mdc or c_ras) is not finite and positive.');
  }
  for (let c = 0; c < 3; c++) {
    if (!(Math.hypot(mdc[3 * c]!, mdc[3 * c + 1]!, mdc[3 * c + 2]!) > 1e-6))
      throw invalid('The MGH Mdc has a zero column.');
  }
  // file order is x_r x_a x_s, y_r ...: transpose so each index axis is a column
  const cols = [0, 1, 2].flatMap((r) => [mdc[r]!, mdc[3 + r]!, mdc[6 + r]!]);
  return { dims, type, dof: dv.getInt32(24, false), goodRAS, voxelSize, mdc: cols, cRas };
}

/** Bytes the header says the file holds (a float: may pass 2^53 on hostile input, which still fails the budget). */
function declaredSize(h: RawHeader): number {
  return HEADER_BYTES + h.dims[0] * h.dims[1] * h.dims[2] * h.dims[3] * BYTES[h.type]!;
}

/** Inflates a gzipped file, bounded by the declared size plus slack and by the budget. */
function maybeGunzip(bytes: Uint8Array, options: ReadMghOptions): Uint8Array {
  if (!(bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b)) return bytes;
  const budget = options.maxDecodedBytes ?? maxDecodedBytes();
  try {
    const declared = declaredSize(parseHeader(gunzipHead(bytes, HEADER_BYTES)));
    if (declared > budget) throw decodeLimitError(budget, 'The declared MGH image');
    return gunzip(bytes, Math.min(budget, declared + GZIP_SLACK));
  } catch (e) {
    if (isMedImgError(e)) throw e;
    throw new MedImgError('MGH_INVALID', 'The gzip stream is corrupt or truncated.', { cause: e });
  }
}

/** RAS vox2ras: Mdc·D with the translation that puts voxel dims/2 at c_ras (FreeSurfer's definition). */
function vox2ras(h: RawHeader): Mat4 {
  const rows: Mat4 = [];
  for (let r = 0; r < 3; r++) {
    const row = [0, 1, 2].map((c) => h.mdc[r * 3 + c]! * h.voxelSize[c]!);
    const t = h.cRas[r]! - (row[0]! * h.dims[0] + row[1]! * h.dims[1] + row[2]! * h.dims[2]) / 2;
    rows.push([...row, t]);
  }
  rows.push([0, 0, 0, 1]);
  return rows;
}

function decode(bytes: Uint8Array, h: RawHeader, options: ReadMghOptions): Volume & { mgh: MghHeaderInfo } {
  const nframes = h.dims[3];
  const frame = options.volumeIndex ?? 0;
  if (!Number.isInteger(frame) || frame < 0 || frame >= nframes) {
    throw new MedImgError('INVALID_ARGUMENT', `volumeIndex ${frame} is out of range (the file has ${nframes}).`);
  }
  const bpv = BYTES[h.type]!;
  const dims: Vec3 = [h.dims[0], h.dims[1], h.dims[2]];
  const n = dims[0] * dims[1] * dims[2];
  const end = declaredSize(h);
  if (end > bytes.length) throw invalid(`The voxel data is truncated: need ${end} bytes, file has ${bytes.length}.`);
  const off = HEADER_BYTES + frame * n * bpv;
  const dv = new DataView(bytes.buffer, bytes.byteOffset + off, n * bpv);
  let data: VoxelArray;
  // big-endian on disk: read through a DataView into a native array (one pass, no temporaries)
  switch (h.type) {
    case T.UCHAR:
      data = bytes.slice(off, off + n);
      break;
    case T.SHORT: {
      const a = new Int16Array(n);
      for (let i = 0; i < n; i++) a[i] = dv.getInt16(2 * i, false);
      data = a;
      break;
    }
    case T.INT: {
      const a = new Int32Array(n);
      for (let i = 0; i < n; i++) a[i] = dv.getInt32(4 * i, false);
      data = a;
      break;
    }
    default: {
      const a = new Float32Array(n);
      for (let i = 0; i < n; i++) a[i] = dv.getFloat32(4 * i, false);
      data = a;
    }
  }
  const affine = vox2ras(h);
  const geo = geometryFromNiftiAffine(affine, dims);
  const info: MghHeaderInfo = {
    version: 1,
    dims: h.dims,
    type: h.type,
    dof: h.dof,
    goodRAS: h.goodRAS,
    voxelSize: h.voxelSize,
    mdc: h.mdc,
    cRas: h.cRas,
    affine,
  };
  // The tail's scan parameters, when all five are there; its tags (which may hold file paths) are not read.
  if (bytes.length >= end + 20) {
    const t = new DataView(bytes.buffer, bytes.byteOffset + end, 20);
    const v = [0, 4, 8, 12, 16].map((o) => t.getFloat32(o, false));
    if (v.every(Number.isFinite)) info.tail = { tr: v[0]!, flipAngle: v[1]!, te: v[2]!, ti: v[3]!, fov: v[4]! };
  }
  return { ...geo, data, meta: { source: 'mgh' }, mgh: info };
}

/** Options of {@link writeMgh}. */
export interface WriteMghOptions {
  /** gzip the output (`.mgz`). Default false (`.mgh`). */
  gzip?: boolean;
}

/**
 * Writes a volume as FreeSurfer MGH (or MGZ with `gzip`), one frame, goodRASFlag 1, the LPS
 * geometry converted to RAS Mdc/voxel size/c_ras. uint8, int16, int32 and float32 are written as
 * they are; int8 and uint16 are widened (to SHORT, INT), float64 is narrowed to FLOAT (FreeSurfer
 * has no double type), and uint32 is written as INT when every value fits, else refused
 * (`INVALID_ARGUMENT`).
 *
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises';
 * import { writeMgh } from 'medimg';
 * await writeFile('seg.mgz', writeMgh(labels, { gzip: true }));
 * ```
 */
export function writeMgh(vol: Volume, options: WriteMghOptions = {}): Uint8Array {
  const dtype = dtypeOf(vol.data);
  const type =
    dtype === 'uint8'
      ? T.UCHAR
      : dtype === 'int16' || dtype === 'int8'
        ? T.SHORT
        : dtype === 'float32' || dtype === 'float64'
          ? T.FLOAT
          : T.INT;
  const src = vol.data;
  const n = vol.dims[0] * vol.dims[1] * vol.dims[2];
  if (src.length !== n) throw new MedImgError('INVALID_VOLUME', `The data length ${src.length} is not ${n}.`);
  if (dtype === 'uint32') {
    for (let i = 0; i < n; i++) {
      if (src[i]! > 0x7fffffff) {
        throw new MedImgError('INVALID_ARGUMENT', 'MGH has no unsigned 32-bit type and a value exceeds the INT range.');
      }
    }
  }
  const bpv = BYTES[type]!;
  const out = new Uint8Array(HEADER_BYTES + n * bpv + 20);
  const dv = new DataView(out.buffer);
  const A = niftiAffineFromGeometry(vol);
  dv.setInt32(0, 1, false);
  vol.dims.forEach((d, i) => dv.setInt32(4 + 4 * i, d, false));
  dv.setInt32(16, 1, false);
  dv.setInt32(20, type, false);
  dv.setInt16(28, 1, false);
  for (let c = 0; c < 3; c++) {
    const s = Math.hypot(A[0]![c]!, A[1]![c]!, A[2]![c]!);
    dv.setFloat32(30 + 4 * c, s, false);
    for (let r = 0; r < 3; r++) dv.setFloat32(42 + 12 * c + 4 * r, A[r]![c]! / s, false);
  }
  for (let r = 0; r < 3; r++) {
    const row = A[r]!;
    const centre = row[3]! + (row[0]! * vol.dims[0] + row[1]! * vol.dims[1] + row[2]! * vol.dims[2]) / 2;
    dv.setFloat32(78 + 4 * r, centre, false);
  }
  const body = new DataView(out.buffer, HEADER_BYTES, n * bpv);
  switch (type) {
    case T.UCHAR:
      out.set(src as Uint8Array, HEADER_BYTES);
      break;
    case T.SHORT:
      for (let i = 0; i < n; i++) body.setInt16(2 * i, src[i]!, false);
      break;
    case T.INT:
      for (let i = 0; i < n; i++) body.setInt32(4 * i, src[i]!, false);
      break;
    default:
      for (let i = 0; i < n; i++) body.setFloat32(4 * i, src[i]!, false);
  }
  // tail: TR, flip angle, TE, TI, FoV unknown (0), as FreeSurfer writes them; no tags
  return options.gzip ? gzip(out, 6) : out;
}
