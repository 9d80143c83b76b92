import { isMedImgError, MedImgError } from '../core/errors.js';
import { geometryFromNiftiAffine, type Mat4, mat3Det, niftiAffineFromGeometry } from '../core/geometry.js';
import { dtypeOf } from '../core/typed.js';
import type { Vec3, Volume, VoxelArray } from '../core/volume.js';
import { getFileSystem, toBytes } from './fs.js';
import { decodeLimitError, gunzip, gunzipHead, gzip, maxDecodedBytes } from './gzip.js';

/** Options of {@link readNifti}. */
export interface ReadNiftiOptions {
  /**
   * Which spatial transform wins when both are set. Default 'sform' (as nibabel and dcm2niix
   * users expect): sform when `sform_code > 0`, else qform when `qform_code > 0`, else pixdim only.
   */
  prefer?: 'sform' | 'qform';
  /** Apply `scl_slope`/`scl_inter` (giving Float32 data when they are not identity). Default true. */
  applyScaling?: boolean;
  /** For 4D files, which volume (0-based) to return. Default 0. */
  volumeIndex?: number;
  /**
   * Most bytes a `.nii.gz` may inflate to. Default: the budget of `setMaxDecodedBytes` (2 GiB);
   * in any case no more than the size the header declares plus 1 MiB, so a decompression bomb
   * ends in `DECODE_LIMIT_EXCEEDED` after inflating at most that much.
   */
  maxDecodedBytes?: number;
}

/** What the header said, for callers that care about the on-disk form. */
export interface NiftiHeaderInfo {
  version: 1 | 2;
  datatype: number;
  dims: number[];
  pixdim: number[];
  qformCode: number;
  sformCode: number;
  /** The RAS affine that was used. */
  affine: Mat4;
  /** Which transform produced `affine`. */
  transform: 'sform' | 'qform' | 'pixdim';
  sclSlope: number;
  sclInter: number;
  xyztUnits: number;
  description: string;
}

const DT = {
  UINT8: 2,
  INT16: 4,
  INT32: 8,
  FLOAT32: 16,
  FLOAT64: 64,
  INT8: 256,
  UINT16: 512,
  UINT32: 768,
  INT64: 1024,
  UINT64: 1280,
} as const;

const DT_BYTES: Record<number, number> = {
  [DT.UINT8]: 1,
  [DT.INT8]: 1,
  [DT.INT16]: 2,
  [DT.UINT16]: 2,
  [DT.INT32]: 4,
  [DT.UINT32]: 4,
  [DT.FLOAT32]: 4,
  [DT.FLOAT64]: 8,
  [DT.INT64]: 8,
  [DT.UINT64]: 8,
};

const invalid = (msg: string): MedImgError => new MedImgError('NIFTI_INVALID', msg);

/**
 * Reads a NIfTI-1 or NIfTI-2 image (`.nii`, `.nii.gz`; `.hdr`/`.img` pairs from a path in Node)
 * into an LPS {@link Volume}. The RAS world of NIfTI is converted here, at the io boundary; the
 * voxel order on disk is kept (x fastest), so only the geometry changes.
 *
 * @example
 * ```ts
 * import { readNifti } from 'medimg';
 * // Node: a path; browser: a File/Blob from an <input> or fetch()
 * const ct = await readNifti('ct.nii.gz');
 * console.log(ct.dims, ct.spacing, ct.nifti.sformCode);
 * const t1 = await readNifti(await (await fetch('/t1.nii.gz')).blob(), { prefer: 'qform' });
 * ```
 */
export async function readNifti(
  input: string | Uint8Array | ArrayBuffer | Blob,
  options: ReadNiftiOptions = {},
): Promise<Volume & { nifti: NiftiHeaderInfo }> {
  let bytes = maybeGunzip(await toBytes(input), options);
  const hdr = parseHeader(bytes);
  if (hdr.pair) {
    if (typeof input !== 'string') {
      throw invalid('This is a .hdr of a .hdr/.img pair; pass the path so the .img can be read, or a single .nii.');
    }
    const imgPath = input.replace(/\.hdr(\.gz)?$/i, '.img$1');
    bytes = maybeGunzip(await getFileSystem().readFile(imgPath), options, declaredSize({ ...hdr, voxOffset: 0 }));
    hdr.voxOffset = 0;
  }
  return decode(bytes, hdr, options);
}

/**
 * Synchronous variant of {@link readNifti} for bytes already in memory.
 *
 * @example
 * ```ts
 * import { readNiftiBytes } from 'medimg';
 * const vol = readNiftiBytes(bytes, { volumeIndex: 0, applyScaling: true });
 * ```
 */
export function readNiftiBytes(bytes: Uint8Array, options: ReadNiftiOptions = {}): Volume & { nifti: NiftiHeaderInfo } {
  const raw = maybeGunzip(bytes, options);
  const hdr = parseHeader(raw);
  if (hdr.pair) throw invalid('This is the .hdr of a .hdr/.img pair; read it from a path.');
  return decode(raw, hdr, options);
}

/** Trailing bytes tolerated past the declared image (some writers pad); more is refused. */
const GZIP_SLACK = 1 << 20;

/**
 * Inflates a gzipped file, bounded: the header is inflated first, and the whole stream may then
 * inflate to no more than the size it declares (`declared` for the .img of a pair) plus slack.
 */
function maybeGunzip(bytes: Uint8Array, options: ReadNiftiOptions, declared?: number): Uint8Array {
  if (!(bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b)) return bytes;
  const budget = options.maxDecodedBytes ?? maxDecodedBytes();
  try {
    if (declared === undefined) {
      const head = gunzipHead(bytes, 540);
      const h = parseHeader(head);
      declared = h.pair ? head.length : declaredSize(h);
    }
    if (declared > budget) throw decodeLimitError(budget, 'The declared NIfTI image');
    return gunzip(bytes, Math.min(budget, declared + GZIP_SLACK));
  } catch (e) {
    if (isMedImgError(e)) throw e;
    throw new MedImgError('NIFTI_INVALID', 'The gzip stream is corrupt or truncated.', { cause: e });
  }
}

/** Bytes a header says its file holds: vox_offset plus every volume (a float: may pass 2^53 on hostile input). */
function declaredSize(h: RawHeader): number {
  const ndim = h.dim[0]!;
  let n = DT_BYTES[h.datatype] ?? 1;
  for (let i = 1; i <= Math.min(7, Math.max(1, ndim)); i++) n *= Math.max(1, h.dim[i]!);
  return Math.max(0, h.voxOffset) + n;
}

interface RawHeader {
  version: 1 | 2;
  le: boolean;
  dim: number[];
  pixdim: number[];
  datatype: number;
  voxOffset: number;
  sclSlope: number;
  sclInter: number;
  qformCode: number;
  sformCode: number;
  quatern: [number, number, number];
  qoffset: [number, number, number];
  srow: number[][];
  xyztUnits: number;
  description: string;
  pair: boolean;
}

function parseHeader(bytes: Uint8Array): RawHeader {
  if (bytes.length < 348) throw invalid('The file is too short to hold a NIfTI header.');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let le = true;
  let size = dv.getInt32(0, true);
  if (size !== 348 && size !== 540) {
    size = dv.getInt32(0, false);
    le = false;
  }
  if (size === 348) return parseV1(bytes, dv, le);
  if (size === 540) {
    if (bytes.length < 540) throw invalid('The file is too short to hold a NIfTI-2 header.');
    return parseV2(bytes, dv, le);
  }
  throw invalid('Not a NIfTI file (sizeof_hdr is neither 348 nor 540).');
}

function ascii(bytes: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) {
    const c = bytes[off + i]!;
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

function parseV1(bytes: Uint8Array, dv: DataView, le: boolean): RawHeader {
  const magic = ascii(bytes, 344, 4);
  if (magic !== 'n+1' && magic !== 'ni1') throw invalid(`Unknown NIfTI-1 magic '${magic}'.`);
  const dim = Array.from({ length: 8 }, (_, i) => dv.getInt16(40 + 2 * i, le));
  const pixdim = Array.from({ length: 8 }, (_, i) => dv.getFloat32(76 + 4 * i, le));
  const srow = [0, 1, 2].map((r) => Array.from({ length: 4 }, (_, c) => dv.getFloat32(280 + 16 * r + 4 * c, le)));
  return {
    version: 1,
    le,
    dim,
    pixdim,
    datatype: dv.getInt16(70, le),
    voxOffset: dv.getFloat32(108, le),
    sclSlope: dv.getFloat32(112, le),
    sclInter: dv.getFloat32(116, le),
    qformCode: dv.getInt16(252, le),
    sformCode: dv.getInt16(254, le),
    quatern: [dv.getFloat32(256, le), dv.getFloat32(260, le), dv.getFloat32(264, le)],
    qoffset: [dv.getFloat32(268, le), dv.getFloat32(272, le), dv.getFloat32(276, le)],
    srow,
    xyztUnits: bytes[123]!,
    description: ascii(bytes, 148, 80),
    pair: magic === 'ni1',
  };
}

function parseV2(bytes: Uint8Array, dv: DataView, le: boolean): RawHeader {
  const magic = ascii(bytes, 4, 4);
  if (magic !== 'n+2' && magic !== 'ni2') throw invalid(`Unknown NIfTI-2 magic '${magic}'.`);
  const i64 = (off: number): number => Number(dv.getBigInt64(off, le));
  const dim = Array.from({ length: 8 }, (_, i) => i64(16 + 8 * i));
  const pixdim = Array.from({ length: 8 }, (_, i) => dv.getFloat64(104 + 8 * i, le));
  const srow = [0, 1, 2].map((r) => Array.from({ length: 4 }, (_, c) => dv.getFloat64(400 + 32 * r + 8 * c, le)));
  return {
    version: 2,
    le,
    dim,
    pixdim,
    datatype: dv.getInt16(12, le),
    voxOffset: i64(168),
    sclSlope: dv.getFloat64(176, le),
    sclInter: dv.getFloat64(184, le),
    qformCode: dv.getInt32(344, le),
    sformCode: dv.getInt32(348, le),
    quatern: [dv.getFloat64(352, le), dv.getFloat64(360, le), dv.getFloat64(368, le)],
    qoffset: [dv.getFloat64(376, le), dv.getFloat64(384, le), dv.getFloat64(392, le)],
    srow,
    xyztUnits: dv.getInt32(500, le),
    description: ascii(bytes, 240, 80),
    pair: magic === 'ni2',
  };
}

/** The RAS affine from the quaternion representation (NIfTI-1 method 2). */
function qformAffine(h: RawHeader): Mat4 {
  const [b, c, d] = h.quatern;
  const a = Math.sqrt(Math.max(0, 1 - (b * b + c * c + d * d)));
  const qfac = h.pixdim[0]! < 0 ? -1 : 1;
  const R = [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - b * b - c * c],
  ];
  const s = [Math.abs(h.pixdim[1]!) || 1, Math.abs(h.pixdim[2]!) || 1, (Math.abs(h.pixdim[3]!) || 1) * qfac];
  return [
    [R[0]![0]! * s[0]!, R[0]![1]! * s[1]!, R[0]![2]! * s[2]!, h.qoffset[0]],
    [R[1]![0]! * s[0]!, R[1]![1]! * s[1]!, R[1]![2]! * s[2]!, h.qoffset[1]],
    [R[2]![0]! * s[0]!, R[2]![1]! * s[1]!, R[2]![2]! * s[2]!, h.qoffset[2]],
    [0, 0, 0, 1],
  ];
}

function chooseAffine(
  h: RawHeader,
  prefer: 'sform' | 'qform',
): { affine: Mat4; transform: NiftiHeaderInfo['transform'] } {
  const sform = (): Mat4 => [...h.srow.map((r) => [...r]), [0, 0, 0, 1]];
  const sformOk = h.sformCode > 0 && h.srow.every((r) => r.every(Number.isFinite)) && sformNonSingular(h.srow);
  const qformOk = h.qformCode > 0 && [...h.quatern, ...h.qoffset].every(Number.isFinite);
  if (prefer === 'qform' && qformOk) return { affine: qformAffine(h), transform: 'qform' };
  if (sformOk) return { affine: sform(), transform: 'sform' };
  if (qformOk) return { affine: qformAffine(h), transform: 'qform' };
  // Method 1 (ANALYZE compatibility): scaling only.
  const s = [1, 2, 3].map((i) => Math.abs(h.pixdim[i]!) || 1);
  return {
    affine: [
      [s[0]!, 0, 0, 0],
      [0, s[1]!, 0, 0],
      [0, 0, s[2]!, 0],
      [0, 0, 0, 1],
    ],
    transform: 'pixdim',
  };
}

function sformNonSingular(srow: number[][]): boolean {
  const m = [0, 1, 2].flatMap((r) => [srow[r]![0]!, srow[r]![1]!, srow[r]![2]!]);
  return Math.abs(mat3Det(m)) > 1e-12;
}

function decode(bytes: Uint8Array, h: RawHeader, options: ReadNiftiOptions): Volume & { nifti: NiftiHeaderInfo } {
  const ndim = h.dim[0]!;
  if (!(ndim >= 1 && ndim <= 7)) throw invalid(`dim[0] must be 1..7, got ${ndim}.`);
  const dims: Vec3 = [1, 2, 3].map((i) => (i <= ndim ? h.dim[i]! : 1)) as Vec3;
  if (!dims.every((d) => Number.isInteger(d) && d > 0)) throw invalid(`Invalid image dimensions ${dims.join('x')}.`);
  let nvol = 1;
  for (let i = 4; i <= ndim; i++) nvol *= Math.max(1, h.dim[i]!);
  const volIdx = options.volumeIndex ?? 0;
  if (!Number.isInteger(volIdx) || volIdx < 0 || volIdx >= nvol) {
    throw new MedImgError('INVALID_ARGUMENT', `volumeIndex ${volIdx} is out of range (the file has ${nvol}).`);
  }
  const bpv = DT_BYTES[h.datatype];
  if (!bpv) throw invalid(`Unsupported NIfTI datatype ${h.datatype} (RGB and complex images are not scalar volumes).`);
  const n = dims[0] * dims[1] * dims[2];
  const offset = Math.round(h.voxOffset) + volIdx * n * bpv;
  if (!(h.voxOffset >= 0) || offset + n * bpv > bytes.length) {
    throw invalid(`The voxel data is truncated: need ${offset + n * bpv} bytes, file has ${bytes.length}.`);
  }
  // Copy into an aligned array, swapping bytes when the file is big-endian.
  const src = bytes.subarray(offset, offset + n * bpv);
  const copy = new Uint8Array(src);
  if (!h.le && bpv > 1) {
    for (let i = 0; i < copy.length; i += bpv) copy.subarray(i, i + bpv).reverse();
  }
  let data: VoxelArray;
  switch (h.datatype) {
    case DT.UINT8:
      data = copy;
      break;
    case DT.INT8:
      data = new Int8Array(copy.buffer);
      break;
    case DT.INT16:
      data = new Int16Array(copy.buffer);
      break;
    case DT.UINT16:
      data = new Uint16Array(copy.buffer);
      break;
    case DT.INT32:
      data = new Int32Array(copy.buffer);
      break;
    case DT.UINT32:
      data = new Uint32Array(copy.buffer);
      break;
    case DT.FLOAT32:
      data = new Float32Array(copy.buffer);
      break;
    case DT.FLOAT64:
      data = new Float64Array(copy.buffer);
      break;
    default: {
      // 64-bit integers: no 64-bit integer volume type, so widen to float64 (exact below 2^53).
      const big = h.datatype === DT.INT64 ? new BigInt64Array(copy.buffer) : new BigUint64Array(copy.buffer);
      const f = new Float64Array(n);
      for (let i = 0; i < n; i++) f[i] = Number(big[i]!);
      data = f;
    }
  }
  const slope = h.sclSlope;
  const inter = h.sclInter;
  if ((options.applyScaling ?? true) && Number.isFinite(slope) && slope !== 0 && !(slope === 1 && inter === 0)) {
    const out = new Float32Array(n);
    const itc = Number.isFinite(inter) ? inter : 0;
    for (let i = 0; i < n; i++) out[i] = data[i]! * slope + itc;
    data = out;
  }
  const { affine, transform } = chooseAffine(h, options.prefer ?? 'sform');
  const geo = geometryFromNiftiAffine(affine, dims);
  const info: NiftiHeaderInfo = {
    version: h.version,
    datatype: h.datatype,
    dims: h.dim.slice(1, ndim + 1),
    pixdim: h.pixdim,
    qformCode: h.qformCode,
    sformCode: h.sformCode,
    affine,
    transform,
    sclSlope: slope,
    sclInter: inter,
    xyztUnits: h.xyztUnits,
    description: h.description,
  };
  return { ...geo, data, meta: { source: 'nifti' }, nifti: info };
}

/** Options of {@link writeNifti}. */
export interface WriteNiftiOptions {
  /** 1 (348-byte header, float32 geometry; most compatible) or 2 (double geometry, exact). Default 1. */
  version?: 1 | 2;
  /** gzip the output (`.nii.gz`). Default false. */
  gzip?: boolean;
  /** Text for the `descrip` field (at most 79 ASCII characters). Default 'medimg'. */
  description?: string;
}

const WRITE_DT: Record<string, number> = {
  uint8: DT.UINT8,
  int8: DT.INT8,
  int16: DT.INT16,
  uint16: DT.UINT16,
  int32: DT.INT32,
  uint32: DT.UINT32,
  float32: DT.FLOAT32,
  float64: DT.FLOAT64,
};

/**
 * Writes a volume as a single-file NIfTI (`.nii`, or `.nii.gz` with `gzip`). Both sform and qform
 * are set (code 1, scanner anatomical) from the LPS geometry converted to RAS; the qform is left
 * unset when the direction has shear, which a quaternion cannot express.
 *
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises';
 * import { writeNifti } from 'medimg';
 * await writeFile('mask.nii.gz', writeNifti(mask, { gzip: true, description: 'lungs' }));
 * ```
 */
export function writeNifti(vol: Volume, options: WriteNiftiOptions = {}): Uint8Array {
  const version = options.version ?? 1;
  const dtype = dtypeOf(vol.data);
  const datatype = WRITE_DT[dtype]!;
  const bpv = DT_BYTES[datatype]!;
  const voxOffset = version === 1 ? 352 : 544;
  const out = new Uint8Array(voxOffset + vol.data.length * bpv);
  const dv = new DataView(out.buffer);
  const affine = niftiAffineFromGeometry(vol);
  const q = quaternionFromAffine(affine, vol.spacing);
  const desc = (options.description ?? 'medimg').replace(/[^\x20-\x7e]/g, '?').slice(0, 79);
  const dim = [3, vol.dims[0], vol.dims[1], vol.dims[2], 1, 1, 1, 1];
  const pixdim = [q ? q.qfac : 1, vol.spacing[0], vol.spacing[1], vol.spacing[2], 0, 0, 0, 0];
  const writeAscii = (off: number, s: string): void => {
    for (let i = 0; i < s.length; i++) out[off + i] = s.charCodeAt(i);
  };
  if (version === 1) {
    dv.setInt32(0, 348, true);
    dim.forEach((d, i) => dv.setInt16(40 + 2 * i, d, true));
    dv.setInt16(70, datatype, true);
    dv.setInt16(72, bpv * 8, true);
    pixdim.forEach((p, i) => dv.setFloat32(76 + 4 * i, p, true));
    dv.setFloat32(108, voxOffset, true);
    dv.setFloat32(112, 1, true);
    out[123] = 2 | 8; // mm, seconds
    writeAscii(148, desc);
    dv.setInt16(252, q ? 1 : 0, true);
    dv.setInt16(254, 1, true);
    if (q) {
      [q.b, q.c, q.d, affine[0]![3]!, affine[1]![3]!, affine[2]![3]!].forEach((v, i) =>
        dv.setFloat32(256 + 4 * i, v, true),
      );
    }
    for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) dv.setFloat32(280 + 16 * r + 4 * c, affine[r]![c]!, true);
    writeAscii(344, 'n+1\0');
  } else {
    dv.setInt32(0, 540, true);
    writeAscii(4, 'n+2\0\r\n\x1a\n');
    dv.setInt16(12, datatype, true);
    dv.setInt16(14, bpv * 8, true);
    dim.forEach((d, i) => dv.setBigInt64(16 + 8 * i, BigInt(d), true));
    pixdim.forEach((p, i) => dv.setFloat64(104 + 8 * i, p, true));
    dv.setBigInt64(168, BigInt(voxOffset), true);
    dv.setFloat64(176, 1, true);
    writeAscii(240, desc);
    dv.setInt32(344, q ? 1 : 0, true);
    dv.setInt32(348, 1, true);
    if (q) {
      [q.b, q.c, q.d, affine[0]![3]!, affine[1]![3]!, affine[2]![3]!].forEach((v, i) =>
        dv.setFloat64(352 + 8 * i, v, true),
      );
    }
    for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) dv.setFloat64(400 + 32 * r + 8 * c, affine[r]![c]!, true);
    dv.setInt32(500, 2 | 8, true);
  }
  out.set(new Uint8Array(vol.data.buffer, vol.data.byteOffset, vol.data.byteLength), voxOffset);
  return options.gzip ? gzip(out, 6) : out;
}

/** Quaternion of the rotation part of a RAS affine, or undefined when it is not a rotation (shear). */
function quaternionFromAffine(
  affine: Mat4,
  spacing: Vec3,
): { b: number; c: number; d: number; qfac: number } | undefined {
  const R = [0, 1, 2].map((r) => [0, 1, 2].map((c) => affine[r]![c]! / spacing[c]!));
  // orthonormality check
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      const d = R[0]![i]! * R[0]![j]! + R[1]![i]! * R[1]![j]! + R[2]![i]! * R[2]![j]!;
      if (Math.abs(d - (i === j ? 1 : 0)) > 1e-4) return undefined;
    }
  }
  const det = mat3Det(R.flat());
  let qfac = 1;
  if (det < 0) {
    qfac = -1;
    for (let r = 0; r < 3; r++) R[r]![2] = -R[r]![2]!;
  }
  const [r11, r12, r13] = R[0]!;
  const [r21, r22, r23] = R[1]!;
  const [r31, r32, r33] = R[2]!;
  let a = r11! + r22! + r33! + 1;
  let b: number;
  let c: number;
  let d: number;
  if (a > 0.5) {
    a = 0.5 * Math.sqrt(a);
    b = (0.25 * (r32! - r23!)) / a;
    c = (0.25 * (r13! - r31!)) / a;
    d = (0.25 * (r21! - r12!)) / a;
  } else {
    const xd = 1 + r11! - (r22! + r33!);
    const yd = 1 + r22! - (r11! + r33!);
    const zd = 1 + r33! - (r11! + r22!);
    if (xd > 1) {
      b = 0.5 * Math.sqrt(xd);
      c = (0.25 * (r12! + r21!)) / b;
      d = (0.25 * (r13! + r31!)) / b;
      a = (0.25 * (r32! - r23!)) / b;
    } else if (yd > 1) {
      c = 0.5 * Math.sqrt(yd);
      b = (0.25 * (r12! + r21!)) / c;
      d = (0.25 * (r23! + r32!)) / c;
      a = (0.25 * (r13! - r31!)) / c;
    } else {
      d = 0.5 * Math.sqrt(zd);
      b = (0.25 * (r13! + r31!)) / d;
      c = (0.25 * (r23! + r32!)) / d;
      a = (0.25 * (r21! - r12!)) / d;
    }
    if (a < 0) {
      b = -b;
      c = -c;
      d = -d;
    }
  }
  return { b, c, d, qfac };
}
