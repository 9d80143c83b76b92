import { isMedImgError, MedImgError } from '../core/errors.js';
import { cross, norm } from '../core/geometry.js';
import type { Vec3, VolumeMeta, Volume, VoxelArray } from '../core/volume.js';
import { validateVolume } from '../core/volume.js';
import { toBytes } from './fs.js';
import { decodeLimitError, gunzip, gzip, maxDecodedBytes } from './gzip.js';

/**
 * NRRD reader and writer (http://teem.sourceforge.net/nrrd/format.html), NRRD0001–NRRD0005.
 *
 * Reading converts the file's `space` to the LPS {@link Volume}: RAS and LAS spaces have their
 * first/second world coordinates negated; `scanner-xyz` and `3D-right-handed` (DICOM patient
 * coordinates) are taken as LPS; a file with no space information gets an identity LPS geometry
 * from `spacings` and a warning in `meta.warnings`.
 */

/** Bytes, a Blob/File, or (Node) a path. */
export type NrrdInput = string | Uint8Array | ArrayBuffer | Blob;

/** Options of {@link readNrrd}. */
export interface ReadNrrdOptions {
  /**
   * Detached data files (`.nhdr` headers), keyed by the name written in the header's `data file`
   * field. Needed when the header is given as bytes or a File (browser); with a path in Node the
   * data files are read from the header's folder. Default none.
   */
  dataFiles?: Record<string, Uint8Array | ArrayBuffer | Blob>;
  /**
   * Let a path `data file` name an absolute path or climb out of the header's folder (`..`).
   * Default false: a header can only point at files in its own folder tree, so a crafted `.nhdr`
   * cannot read `/etc/passwd` or a neighbour's files as voxels.
   */
  allowDataFilesOutside?: boolean;
  /**
   * Most bytes the image may decode to. Default: the budget of `setMaxDecodedBytes` (2 GiB). A
   * gzip stream may in any case inflate only to the size the header declares (plus 1 MiB), so a
   * decompression bomb ends in `DECODE_LIMIT_EXCEEDED` early.
   */
  maxDecodedBytes?: number;
}

/** Options of {@link writeNrrd}. */
export interface WriteNrrdOptions {
  /** 'gzip' (default) or 'raw'. */
  encoding?: 'gzip' | 'raw';
  /** gzip level 0–9. Default 6. */
  level?: number;
}

type NrrdType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'float32' | 'float64';

const TYPE_NAMES: Record<string, NrrdType> = {};
function addTypes(t: NrrdType, names: string[]): void {
  for (const n of names) TYPE_NAMES[n] = t;
}
addTypes('int8', ['signed char', 'int8', 'int8_t']);
addTypes('uint8', ['uchar', 'unsigned char', 'uint8', 'uint8_t']);
addTypes('int16', ['short', 'short int', 'signed short', 'signed short int', 'int16', 'int16_t']);
addTypes('uint16', ['ushort', 'unsigned short', 'unsigned short int', 'uint16', 'uint16_t']);
addTypes('int32', ['int', 'signed int', 'int32', 'int32_t']);
addTypes('uint32', ['uint', 'unsigned int', 'uint32', 'uint32_t']);
addTypes('int64', [
  'longlong',
  'long long',
  'long long int',
  'signed long long',
  'signed long long int',
  'int64',
  'int64_t',
]);
addTypes('uint64', ['ulonglong', 'unsigned long long', 'unsigned long long int', 'uint64', 'uint64_t']);
addTypes('float32', ['float']);
addTypes('float64', ['double']);

const TYPE_SIZE: Record<NrrdType, number> = {
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  uint64: 8,
  float32: 4,
  float64: 8,
};

/** Sign of each world coordinate to go from the file's space to LPS, by NRRD space name. */
const SPACE_TO_LPS: Record<string, { flip: Vec3; patient: boolean; time: boolean }> = {
  'left-posterior-superior': { flip: [1, 1, 1], patient: true, time: false },
  lps: { flip: [1, 1, 1], patient: true, time: false },
  'right-anterior-superior': { flip: [-1, -1, 1], patient: true, time: false },
  ras: { flip: [-1, -1, 1], patient: true, time: false },
  'left-anterior-superior': { flip: [1, -1, 1], patient: true, time: false },
  las: { flip: [1, -1, 1], patient: true, time: false },
  'left-posterior-superior-time': { flip: [1, 1, 1], patient: true, time: true },
  lpst: { flip: [1, 1, 1], patient: true, time: true },
  'right-anterior-superior-time': { flip: [-1, -1, 1], patient: true, time: true },
  rast: { flip: [-1, -1, 1], patient: true, time: true },
  'left-anterior-superior-time': { flip: [1, -1, 1], patient: true, time: true },
  last: { flip: [1, -1, 1], patient: true, time: true },
  // DICOM's patient coordinate system is the scanner's x/y/z (LPS): taken as LPS.
  'scanner-xyz': { flip: [1, 1, 1], patient: true, time: false },
  'scanner-xyz-time': { flip: [1, 1, 1], patient: true, time: true },
  '3d-right-handed': { flip: [1, 1, 1], patient: false, time: false },
  '3d-right-handed-time': { flip: [1, 1, 1], patient: false, time: true },
  '3d-left-handed': { flip: [1, 1, 1], patient: false, time: false },
  '3d-left-handed-time': { flip: [1, 1, 1], patient: false, time: true },
};

/** Kinds that name a non-spatial (component) axis. */
const NON_SPATIAL_KINDS = new Set([
  'vector',
  'covariant-vector',
  'normal',
  'stub',
  'scalar',
  'complex',
  '2-vector',
  '3-color',
  'rgb-color',
  'hsv-color',
  'xyz-color',
  '4-color',
  'rgba-color',
  '3-vector',
  '3-gradient',
  '3-normal',
  '4-vector',
  'quaternion',
  '2d-symmetric-matrix',
  '2d-masked-symmetric-matrix',
  '2d-matrix',
  '2d-masked-matrix',
  '3d-symmetric-matrix',
  '3d-masked-symmetric-matrix',
  '3d-matrix',
  '3d-masked-matrix',
  'list',
  'point',
  'time',
]);

function invalid(message: string, details?: Record<string, unknown>): MedImgError {
  return new MedImgError('NRRD_INVALID', message, details ? { details } : undefined);
}

/** A parsed NRRD header. */
interface NrrdHeader {
  version: number;
  fields: Map<string, string>;
  keyValues: Record<string, string>;
  /** Byte offset of the data in an attached file (after the blank line). */
  dataOffset: number;
  /** Lines after `data file: LIST`. */
  listFiles: string[];
}

const MAX_HEADER_BYTES = 1 << 20;

function parseHeader(bytes: Uint8Array): NrrdHeader {
  // Magic "NRRD000X" then a line break.
  if (bytes.length < 8 || String.fromCharCode(...bytes.subarray(0, 4)) !== 'NRRD') {
    throw invalid('Not a NRRD file (missing the NRRD000X magic).');
  }
  // The header ends at the first empty line, or at the end of a detached header.
  let end = -1;
  let dataOffset = bytes.length;
  const limit = Math.min(bytes.length, MAX_HEADER_BYTES);
  for (let i = 0; i < limit; i++) {
    if (bytes[i] !== 10) continue;
    if (bytes[i + 1] === 10) {
      end = i;
      dataOffset = i + 2;
      break;
    }
    if (bytes[i + 1] === 13 && bytes[i + 2] === 10) {
      end = i;
      dataOffset = i + 3;
      break;
    }
  }
  if (end < 0) {
    if (bytes.length > MAX_HEADER_BYTES)
      throw invalid('The NRRD header has no end (no empty line in the first 1 MiB).');
    end = bytes.length;
  }
  let text = '';
  for (let i = 0; i < end; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, Math.min(end, i + 8192)));
  }
  const lines = text.split(/\r?\n/);
  const magic = lines[0]!.trim();
  const m = /^NRRD000([1-5])$/.exec(magic);
  if (!m) throw invalid(`Unsupported NRRD magic '${magic.slice(0, 12)}' (NRRD0001–NRRD0005 are read).`);
  const fields = new Map<string, string>();
  const keyValues: Record<string, string> = {};
  const listFiles: string[] = [];
  let inList = false;
  for (let li = 1; li < lines.length; li++) {
    const line = lines[li]!;
    if (inList) {
      if (line.trim() !== '') listFiles.push(line.trim());
      continue;
    }
    if (line.startsWith('#') || line.trim() === '') continue;
    const kv = line.indexOf(':=');
    let colon = line.indexOf(': ');
    let sep = 2;
    if (colon < 0 && kv < 0) {
      // Tolerate writers that omit the space after the colon.
      colon = line.indexOf(':');
      sep = 1;
    }
    if (kv >= 0 && (colon < 0 || kv < colon)) {
      keyValues[line.slice(0, kv)] = line.slice(kv + 2);
      continue;
    }
    if (colon < 0) throw invalid(`Malformed NRRD header line ${li + 1} (expected 'field: value').`);
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + sep).trim();
    fields.set(key, value);
    if ((key === 'data file' || key === 'datafile') && /^LIST(\s|$)/.test(value)) inList = true;
  }
  return { version: Number(m[1]), fields, keyValues, dataOffset, listFiles };
}

function field(h: NrrdHeader, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = h.fields.get(n);
    if (v !== undefined) return v;
  }
  return undefined;
}

function parseNumber(s: string, what: string): number {
  const t = s.trim().toLowerCase();
  if (t === 'nan') return Number.NaN;
  if (t === 'inf' || t === '+inf') return Number.POSITIVE_INFINITY;
  if (t === '-inf') return Number.NEGATIVE_INFINITY;
  const v = Number(t);
  if (t === '' || Number.isNaN(v)) throw invalid(`Malformed number in NRRD field '${what}'.`);
  return v;
}

/** Parses "(x,y,z)" vectors and `none`s. */
function parseVectors(s: string, what: string): (number[] | null)[] {
  const out: (number[] | null)[] = [];
  const re = /\(([^)]*)\)|(none)|(\S+)/gi;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    if (m[1] !== undefined) out.push(m[1].split(',').map((x) => parseNumber(x, what)));
    else if (m[2] !== undefined) out.push(null);
    else throw invalid(`Malformed vector in NRRD field '${what}'.`);
  }
  return out;
}

function parseSizes(h: NrrdHeader): number[] {
  const dimText = field(h, 'dimension');
  if (dimText === undefined) throw invalid("The NRRD header lacks the required 'dimension' field.");
  const dimension = Number(dimText);
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > 16) {
    throw invalid('The NRRD dimension must be a small positive integer.');
  }
  const sizesText = field(h, 'sizes');
  if (sizesText === undefined) throw invalid("The NRRD header lacks the required 'sizes' field.");
  const sizes = sizesText.split(/\s+/).map(Number);
  if (sizes.length !== dimension || !sizes.every((n) => Number.isInteger(n) && n > 0)) {
    throw invalid(`NRRD 'sizes' must list ${dimension} positive integers.`);
  }
  return sizes;
}

interface Layout {
  type: NrrdType;
  sizes: number[];
  count: number;
  /** Indices (into sizes) of the 2 or 3 spatial axes, fastest first. */
  spatial: number[];
}

function layoutOf(h: NrrdHeader): Layout {
  const typeText = field(h, 'type');
  if (typeText === undefined) throw invalid("The NRRD header lacks the required 'type' field.");
  const type = TYPE_NAMES[typeText.toLowerCase().replace(/\s+/g, ' ')];
  if (!type) throw invalid(`Unsupported NRRD type '${typeText.slice(0, 32)}'.`);
  const sizes = parseSizes(h);
  const dimension = sizes.length;
  let count = 1;
  for (const s of sizes) count *= s;
  if (count > 2 ** 31) throw invalid('The NRRD volume is too large (more than 2^31 samples).');

  // Which axes are spatial: from `space directions` (none = not spatial), else from `kinds`,
  // else all of them, dropping leading then trailing size-1 axes while more than 3 remain.
  const dirsText = field(h, 'space directions');
  const kindsText = field(h, 'kinds');
  let spatial: number[];
  if (dirsText !== undefined) {
    const dirs = parseVectors(dirsText, 'space directions');
    if (dirs.length !== dimension) throw invalid(`NRRD 'space directions' must have ${dimension} entries.`);
    spatial = [];
    dirs.forEach((d, i) => {
      if (d) spatial.push(i);
    });
  } else if (kindsText !== undefined) {
    const kinds = kindsText.toLowerCase().split(/\s+/);
    if (kinds.length !== dimension) throw invalid(`NRRD 'kinds' must have ${dimension} entries.`);
    spatial = [];
    kinds.forEach((k, i) => {
      if (!NON_SPATIAL_KINDS.has(k)) spatial.push(i);
    });
  } else {
    spatial = sizes.map((_, i) => i);
    while (spatial.length > 3 && sizes[spatial[0]!] === 1) spatial.shift();
    while (spatial.length > 3 && sizes[spatial[spatial.length - 1]!] === 1) spatial.pop();
  }
  for (let i = 0; i < dimension; i++) {
    if (!spatial.includes(i) && sizes[i] !== 1) {
      throw invalid(
        `NRRD axis ${i} is not spatial and has ${sizes[i]} samples: multi-component (vector, colour, time) images are not read as a Volume.`,
        { axis: i, size: sizes[i] },
      );
    }
  }
  if (spatial.length < 2 || spatial.length > 3) {
    throw invalid(`A NRRD volume needs 2 or 3 spatial axes; this one has ${spatial.length}.`, { dimension });
  }
  return { type, sizes, count, spatial };
}

interface GeometryOut {
  dims: Vec3;
  spacing: Vec3;
  origin: Vec3;
  direction: number[];
  warnings: string[];
  space?: string;
}

function geometryOfHeader(h: NrrdHeader, layout: Layout): GeometryOut {
  const warnings: string[] = [];
  const { sizes, spatial } = layout;
  const dims: Vec3 = [sizes[spatial[0]!]!, sizes[spatial[1]!]!, spatial.length === 3 ? sizes[spatial[2]!]! : 1];
  const spaceText = field(h, 'space');
  const spaceDimText = field(h, 'space dimension');
  let flip: Vec3 = [1, 1, 1];
  let spaceDim = 0;
  if (spaceText !== undefined) {
    const s = SPACE_TO_LPS[spaceText.toLowerCase()];
    if (!s) throw invalid(`Unknown NRRD space '${spaceText.slice(0, 40)}'.`);
    flip = s.flip;
    spaceDim = s.time ? 4 : 3;
    if (!s.patient) warnings.push(`NRRD space '${spaceText}' has no patient orientation; it is taken as LPS.`);
  } else if (spaceDimText !== undefined) {
    spaceDim = Number(spaceDimText);
    if (!Number.isInteger(spaceDim) || spaceDim < 2 || spaceDim > 4) throw invalid("Invalid NRRD 'space dimension'.");
    warnings.push("NRRD 'space dimension' without a named space: world coordinates are taken as LPS.");
  }

  const dirsText = field(h, 'space directions');
  const columns: Vec3[] = [];
  const spacing: Vec3 = [1, 1, 1];
  const direction = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  if (dirsText !== undefined) {
    if (spaceDim === 0) throw invalid("NRRD 'space directions' needs a 'space' or 'space dimension' field.");
    const dirs = parseVectors(dirsText, 'space directions');
    for (const ax of spatial) {
      const v = dirs[ax]!;
      if (v.length !== spaceDim) throw invalid(`NRRD 'space directions' vectors must have ${spaceDim} components.`);
      if (spaceDim === 4 && v[3] !== 0) throw invalid('A NRRD spatial axis moves in time.');
      const w: Vec3 = [(v[0] ?? 0) * flip[0], (v[1] ?? 0) * flip[1], spaceDim >= 3 ? (v[2] ?? 0) * flip[2] : 0];
      if (!w.every(Number.isFinite) || !(norm(w) > 0)) {
        throw invalid("NRRD 'space directions' has a zero or non-finite vector for a spatial axis.");
      }
      columns.push(w);
    }
  } else {
    if (spaceDim !== 0) warnings.push("NRRD has a space but no 'space directions': identity directions used.");
    const spText = field(h, 'spacings');
    const sp = spText !== undefined ? spText.split(/\s+/).map((x) => parseNumber(x, 'spacings')) : [];
    if (spText !== undefined && sp.length !== sizes.length)
      throw invalid(`NRRD 'spacings' must have ${sizes.length} entries.`);
    const unit: Vec3[] = [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ];
    spatial.forEach((ax, i) => {
      let s = sp[ax];
      if (s === undefined || !Number.isFinite(s) || s === 0) s = 1;
      // A negative spacing means the axis runs backwards.
      const u = unit[i]!;
      columns.push([u[0] * s, u[1] * s, u[2] * s]);
    });
    if (spaceDim === 0) warnings.push('NRRD has no space information: the grid is taken as LPS-aligned.');
  }
  if (columns.length === 2) {
    // A single slice: the third axis is the normal of the two in-plane axes.
    const c = cross(columns[0]!, columns[1]!);
    const n = norm(c);
    if (!(n > 0)) throw invalid('The two NRRD in-plane directions are parallel.');
    columns.push([c[0] / n, c[1] / n, c[2] / n]); // spacing 1 mm along the normal
  }
  for (let c = 0; c < 3; c++) {
    const col = columns[c]!;
    const s = norm(col);
    spacing[c] = s;
    for (let r = 0; r < 3; r++) direction[r * 3 + c] = col[r]! / s + 0; // + 0 turns -0 into 0
  }

  let origin: Vec3 = [0, 0, 0];
  const originText = field(h, 'space origin');
  if (originText !== undefined) {
    const o = parseVectors(originText, 'space origin');
    const v = o[0];
    if (o.length !== 1 || !v || v.length !== spaceDim) {
      throw invalid(`NRRD 'space origin' must be one vector of ${spaceDim || 3} numbers.`);
    }
    if (v.slice(0, 3).every(Number.isFinite)) {
      origin = [v[0]! * flip[0] + 0, v[1]! * flip[1] + 0, spaceDim >= 3 ? v[2]! * flip[2] + 0 : 0];
    } else {
      warnings.push("NRRD 'space origin' is not finite: origin set to 0.");
    }
  }
  const out: GeometryOut = { dims, spacing, origin, direction, warnings };
  if (spaceText !== undefined) out.space = spaceText;
  return out;
}

/** Trailing inflated bytes tolerated past the declared data (some writers pad); more is refused. */
const GZIP_SLACK = 1 << 20;

/** Splits off `line skip` lines from the start of a data file. */
function skipLines(bytes: Uint8Array, lines: number): Uint8Array {
  let pos = 0;
  for (let l = 0; l < lines; l++) {
    const nl = bytes.indexOf(10, pos);
    if (nl < 0) throw invalid("NRRD 'line skip' runs past the end of the data.");
    pos = nl + 1;
  }
  return bytes.subarray(pos);
}

/**
 * Decodes one data file (or the attached data) into `need` bytes of samples (raw layout, file
 * endianness) or, for text, into numbers.
 */
function decodeChunk(
  data: Uint8Array,
  encoding: string,
  need: number,
  count: number,
  lineSkip: number,
  byteSkip: number,
): Uint8Array | Float64Array {
  data = skipLines(data, lineSkip);
  switch (encoding) {
    case 'raw': {
      let start = byteSkip;
      if (byteSkip === -1) start = data.length - need;
      if (start < 0 || start + need > data.length) {
        throw invalid(
          `NRRD data is truncated: ${need} bytes expected, ${Math.max(0, data.length - Math.max(0, start))} present.`,
          {
            expected: need,
            present: data.length,
          },
        );
      }
      return data.subarray(start, start + need);
    }
    case 'gzip':
    case 'gz': {
      if (byteSkip < 0) throw invalid("NRRD 'byte skip: -1' is only allowed with raw encoding.");
      let out: Uint8Array;
      try {
        out = gunzip(data, need + byteSkip + GZIP_SLACK);
      } catch (e) {
        if (isMedImgError(e)) throw e;
        throw new MedImgError('NRRD_INVALID', 'The gzip-compressed NRRD data could not be decompressed.', { cause: e });
      }
      if (out.length < need + byteSkip) {
        throw invalid(`NRRD gzip data is truncated: ${need + byteSkip} bytes expected, ${out.length} decompressed.`, {
          expected: need + byteSkip,
          present: out.length,
        });
      }
      return out.subarray(byteSkip, byteSkip + need);
    }
    case 'ascii':
    case 'text':
    case 'txt': {
      const values = new Float64Array(count);
      let n = 0;
      let i = 0;
      const len = data.length;
      while (n < count) {
        while (i < len && !isNumberStart(data[i]!)) i++;
        if (i >= len) break;
        const s = i;
        while (i < len && isNumberChar(data[i]!)) i++;
        const tok = String.fromCharCode(...data.subarray(s, i));
        const v = Number(tok);
        if (Number.isNaN(v) && tok.toLowerCase() !== 'nan') throw invalid('Malformed number in NRRD ascii data.');
        values[n++] = v;
      }
      if (n < count) throw invalid(`NRRD ascii data is truncated: ${count} values expected, ${n} present.`);
      return values;
    }
    case 'hex': {
      const out = new Uint8Array(need);
      let n = 0;
      let hi = -1;
      for (let i = 0; i < data.length && n < need; i++) {
        const h = hexVal(data[i]!);
        if (h < 0) {
          if (data[i]! > 32) throw invalid('Malformed NRRD hex data.');
          continue;
        }
        if (hi < 0) hi = h;
        else {
          out[n++] = (hi << 4) | h;
          hi = -1;
        }
      }
      if (n < need) throw invalid(`NRRD hex data is truncated: ${need} bytes expected, ${n} present.`);
      return out;
    }
    case 'bz2':
    case 'bzip2':
      throw invalid('bzip2-encoded NRRD is not supported; re-save it with raw or gzip encoding.');
    default:
      throw invalid(`Unknown NRRD encoding '${encoding.slice(0, 20)}'.`);
  }
}

function isNumberStart(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 110 || c === 78 || c === 105 || c === 73;
}
function isNumberChar(c: number): boolean {
  return c > 32 && c !== 44; // anything but whitespace and commas
}
function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Typed array of the samples; 64-bit integers become Float64Array (exact up to 2^53). */
function samplesFromBytes(
  bytes: Uint8Array,
  type: NrrdType,
  count: number,
  bigEndian: boolean,
  owned: boolean,
): VoxelArray {
  const size = TYPE_SIZE[type];
  let copy: Uint8Array;
  if (
    owned &&
    bytes.byteOffset === 0 &&
    bytes.buffer.byteLength === count * size &&
    bytes.buffer instanceof ArrayBuffer
  ) {
    copy = bytes; // freshly decompressed and exactly the samples: use in place, no second copy
  } else {
    copy = new Uint8Array(count * size);
    copy.set(bytes.subarray(0, count * size));
  }
  if (size > 1 && bigEndian === LITTLE_ENDIAN_HOST) swapBytes(copy, size);
  const buf = copy.buffer;
  switch (type) {
    case 'int8':
      return new Int8Array(buf);
    case 'uint8':
      return copy;
    case 'int16':
      return new Int16Array(buf);
    case 'uint16':
      return new Uint16Array(buf);
    case 'int32':
      return new Int32Array(buf);
    case 'uint32':
      return new Uint32Array(buf);
    case 'float32':
      return new Float32Array(buf);
    case 'float64':
      return new Float64Array(buf);
    case 'int64':
    case 'uint64': {
      const big = type === 'int64' ? new BigInt64Array(buf) : new BigUint64Array(buf);
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = Number(big[i]!);
      return out;
    }
  }
}

function samplesFromNumbers(values: Float64Array, type: NrrdType): VoxelArray {
  switch (type) {
    case 'int8':
      return Int8Array.from(values);
    case 'uint8':
      return Uint8Array.from(values);
    case 'int16':
      return Int16Array.from(values);
    case 'uint16':
      return Uint16Array.from(values);
    case 'int32':
      return Int32Array.from(values);
    case 'uint32':
      return Uint32Array.from(values);
    case 'float32':
      return Float32Array.from(values);
    default:
      return values;
  }
}

function swapBytes(b: Uint8Array, size: number): void {
  for (let i = 0; i + size <= b.length; i += size) {
    for (let a = 0, z = size - 1; a < z; a++, z--) {
      const t = b[i + a]!;
      b[i + a] = b[i + z]!;
      b[i + z] = t;
    }
  }
}

/** Names of the detached data files, in order, or [] for attached data. */
function dataFileNames(h: NrrdHeader): string[] {
  const v = field(h, 'data file', 'datafile');
  if (v === undefined) return [];
  const list = /^LIST(?:\s+(\d+))?$/.exec(v);
  if (list) {
    if (list[1] !== undefined && Number(list[1]) !== parseSizes(h).length - 1) {
      throw invalid("Only one file per slice is supported for 'data file: LIST <subdim>'.");
    }
    if (h.listFiles.length === 0) throw invalid("NRRD 'data file: LIST' names no files.");
    return h.listFiles;
  }
  // printf-style: "<format> <min> <max> <step> [<subdim>]"
  const parts = v.split(/\s+/);
  if (parts.length >= 4 && /%[0-9]*d/.test(parts[0]!)) {
    const [fmt, a, b, c] = [parts[0]!, Number(parts[1]), Number(parts[2]), Number(parts[3])];
    if (![a, b, c].every(Number.isInteger) || c === 0 || (b - a) / c < 0 || Math.abs((b - a) / c) > 100000) {
      throw invalid("Malformed NRRD 'data file' format range.");
    }
    const names: string[] = [];
    for (let i = a; c > 0 ? i <= b : i >= b; i += c) {
      names.push(
        fmt.replace(/%(0?)(\d*)d/, (_m, zero: string, width: string) => {
          const s = String(Math.abs(i));
          const w = Number(width || 0);
          const padded = s.length < w ? (zero ? '0' : ' ').repeat(w - s.length) + s : s;
          return (i < 0 ? '-' : '') + padded;
        }),
      );
    }
    return names;
  }
  return [v];
}

function dirnameOf(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i < 0 ? '' : path.slice(0, i + 1);
}

function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(p);
}

/**
 * Reads a NRRD image (`.nrrd` with attached data, or a `.nhdr` detached header) into an LPS
 * {@link Volume}. Voxel type follows the file (64-bit integers become Float64Array).
 *
 * - 3 spatial axes, or 2 (read as one slice; the slice normal is the cross product of the two
 *   directions). Non-spatial axes (`space directions: none`, or a vector/list/colour kind) are
 *   accepted only with size 1; larger ones give NRRD_INVALID.
 * - Encodings: raw, gzip, ascii/text, hex; `endian`, `line skip`, `byte skip` (-1 for raw).
 * - Detached data (`data file`: one file, `LIST`, or a `%d` pattern) is read from the header's
 *   folder when `input` is a path (Node), else from `options.dataFiles`.
 * - `meta.source` is 'nrrd'; `meta.nrrd` keeps the space, kinds, content and key/value pairs.
 *
 * @throws MedImgError NRRD_INVALID for malformed or unsupported files; IO_READ_FAILED for
 *   unreadable paths.
 *
 * @example
 * ```ts
 * import { readNrrd } from 'medimg';
 * const seg = await readNrrd('Segmentation.seg.nrrd');
 * // detached header in a browser: pass the data file(s) it names
 * const vol = await readNrrd(bytes, { dataFiles: { 'volume.raw.gz': files[0]! } });
 * ```
 */
export async function readNrrd(input: NrrdInput, options: ReadNrrdOptions = {}): Promise<Volume> {
  const bytes = await toBytes(input);
  const header = parseHeader(bytes);
  const names = dataFileNames(header);
  const budget = options.maxDecodedBytes ?? maxDecodedBytes();
  if (names.length === 0) return volumeFromParts(header, [bytes.subarray(header.dataOffset)], budget);
  const chunks: Uint8Array[] = [];
  for (const name of names) {
    const provided = options.dataFiles?.[name];
    if (provided !== undefined) {
      chunks.push(await toBytes(provided));
    } else if (typeof input === 'string') {
      const outside = isAbsolutePath(name) || name.split(/[\\/]/).includes('..');
      if (outside && !options.allowDataFilesOutside) {
        throw invalid(
          "The NRRD 'data file' points outside the header's folder (absolute or '..'); pass allowDataFilesOutside to allow it.",
        );
      }
      const p = isAbsolutePath(name) ? name : dirnameOf(input) + name;
      chunks.push(await toBytes(p));
    } else {
      throw new MedImgError(
        'INVALID_ARGUMENT',
        `This NRRD header keeps its data in a separate file; pass it in options.dataFiles under its name (${names.length} file(s)).`,
        { details: { dataFiles: names.slice(0, 8) } },
      );
    }
  }
  return volumeFromParts(header, chunks, budget);
}

/**
 * Synchronous {@link readNrrd} for a NRRD with attached data, given as bytes.
 * @throws MedImgError NRRD_INVALID, or INVALID_ARGUMENT for a detached header.
 *
 * @example
 * ```ts
 * import { readNrrdBytes } from 'medimg';
 * const vol = readNrrdBytes(bytes); // attached data only (no detached data files)
 * ```
 */
export function readNrrdBytes(bytes: Uint8Array, options: Pick<ReadNrrdOptions, 'maxDecodedBytes'> = {}): Volume {
  if (!(bytes instanceof Uint8Array)) throw new MedImgError('INVALID_ARGUMENT', 'readNrrdBytes expects a Uint8Array.');
  const header = parseHeader(bytes);
  if (dataFileNames(header).length > 0) {
    throw new MedImgError(
      'INVALID_ARGUMENT',
      'This NRRD header keeps its data in a separate file: use readNrrd with dataFiles.',
    );
  }
  return volumeFromParts(header, [bytes.subarray(header.dataOffset)], options.maxDecodedBytes ?? maxDecodedBytes());
}

function volumeFromParts(header: NrrdHeader, chunks: Uint8Array[], budget: number): Volume {
  try {
    return buildVolume(header, chunks, budget);
  } catch (e) {
    if (e instanceof MedImgError) throw e;
    // Anything unexpected from a malformed file is still reported as a bad file, never a crash.
    throw new MedImgError('NRRD_INVALID', 'The NRRD file could not be decoded.', { cause: e });
  }
}

function buildVolume(header: NrrdHeader, chunks: Uint8Array[], budget: number): Volume {
  const layout = layoutOf(header);
  const geo = geometryOfHeader(header, layout);
  const encoding = (field(header, 'encoding') ?? '').toLowerCase();
  if (encoding === '') throw invalid("The NRRD header lacks the required 'encoding' field.");
  const size = TYPE_SIZE[layout.type];
  const isText = encoding === 'ascii' || encoding === 'text' || encoding === 'txt';
  const endianText = field(header, 'endian')?.toLowerCase();
  if (endianText !== undefined && endianText !== 'little' && endianText !== 'big') {
    throw invalid("NRRD 'endian' must be 'little' or 'big'.");
  }
  if (size > 1 && !isText && endianText === undefined) {
    throw invalid("The NRRD header lacks the 'endian' field required for multi-byte samples.");
  }
  const lineSkip = Number(field(header, 'line skip', 'lineskip') ?? 0);
  const byteSkip = Number(field(header, 'byte skip', 'byteskip') ?? 0);
  if (!Number.isInteger(lineSkip) || lineSkip < 0) throw invalid("NRRD 'line skip' must be a non-negative integer.");
  if (!Number.isInteger(byteSkip) || byteSkip < -1) throw invalid("NRRD 'byte skip' must be an integer >= -1.");

  // Split the samples evenly across the data files (one file per slice or per block).
  const total = layout.count;
  // text decodes to float64 before conversion: 8 bytes a sample
  if (total * (isText ? 8 : size) > budget) throw decodeLimitError(budget, 'The declared NRRD image');
  if (total % chunks.length !== 0) throw invalid('The NRRD sample count does not divide evenly across its data files.');
  const per = total / chunks.length;
  let data: VoxelArray;
  if (isText) {
    const all = new Float64Array(total);
    chunks.forEach((c, i) => {
      all.set(decodeChunk(c, encoding, per * size, per, lineSkip, byteSkip) as Float64Array, i * per);
    });
    data = samplesFromNumbers(all, layout.type);
  } else {
    let raw: Uint8Array;
    // Raw data views the caller's file bytes and must be copied; decoded data is ours.
    const owned = encoding !== 'raw';
    if (chunks.length === 1) {
      raw = decodeChunk(chunks[0]!, encoding, total * size, total, lineSkip, byteSkip) as Uint8Array;
    } else {
      raw = new Uint8Array(total * size);
      chunks.forEach((c, i) => {
        raw.set(decodeChunk(c, encoding, per * size, per, lineSkip, byteSkip) as Uint8Array, i * per * size);
      });
    }
    data = samplesFromBytes(raw, layout.type, total, endianText === 'big', owned || chunks.length > 1);
  }

  const nrrdMeta: Record<string, unknown> = { version: header.version };
  if (geo.space) nrrdMeta.space = geo.space;
  const kinds = field(header, 'kinds');
  if (kinds) nrrdMeta.kinds = kinds.split(/\s+/);
  const content = field(header, 'content');
  if (content) nrrdMeta.content = content;
  if (Object.keys(header.keyValues).length > 0) nrrdMeta.keyValues = header.keyValues;
  const warnings = [...geo.warnings];
  if (layout.type === 'int64' || layout.type === 'uint64') {
    warnings.push('64-bit integer samples were converted to float64 (exact up to 2^53).');
  }
  const meta: VolumeMeta = { source: 'nrrd', nrrd: nrrdMeta };
  if (warnings.length > 0) meta.warnings = warnings;
  const vol: Volume = {
    data,
    dims: geo.dims,
    spacing: geo.spacing,
    origin: geo.origin,
    direction: geo.direction,
    meta,
  };
  try {
    validateVolume(vol, 'NRRD volume');
  } catch (e) {
    throw new MedImgError('NRRD_INVALID', `The NRRD geometry is invalid: ${(e as Error).message}`, { cause: e });
  }
  return vol;
}

const WRITE_TYPE: Record<string, string> = {
  Int8Array: 'int8',
  Uint8Array: 'uint8',
  Int16Array: 'int16',
  Uint16Array: 'uint16',
  Int32Array: 'int32',
  Uint32Array: 'uint32',
  Float32Array: 'float',
  Float64Array: 'double',
};

/**
 * Writes a volume as an attached NRRD0004 file in LPS (`space: left-posterior-superior`), raw or
 * gzip, little endian. Numbers are written with full precision, so {@link readNrrd} gives the
 * same voxels and geometry back.
 *
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises';
 * import { writeNrrd } from 'medimg';
 * await writeFile('mask.nrrd', writeNrrd(mask, { encoding: 'gzip', level: 6 }));
 * ```
 */
export function writeNrrd(vol: Volume, options: WriteNrrdOptions = {}): Uint8Array {
  validateVolume(vol);
  const encoding = options.encoding ?? 'gzip';
  if (encoding !== 'gzip' && encoding !== 'raw') {
    throw new MedImgError('INVALID_ARGUMENT', "writeNrrd encoding must be 'gzip' or 'raw'.");
  }
  const type = WRITE_TYPE[vol.data.constructor.name];
  if (!type) throw new MedImgError('INVALID_ARGUMENT', 'writeNrrd: unsupported voxel array type.');
  const d = vol.direction;
  const s = vol.spacing;
  const col = (c: number) => `(${d[c]! * s[c]!},${d[3 + c]! * s[c]!},${d[6 + c]! * s[c]!})`;
  const header = [
    'NRRD0004',
    '# Complete NRRD file format specification at:',
    '# http://teem.sourceforge.net/nrrd/format.html',
    `type: ${type}`,
    'dimension: 3',
    'space: left-posterior-superior',
    `sizes: ${vol.dims.join(' ')}`,
    `space directions: ${col(0)} ${col(1)} ${col(2)}`,
    'kinds: domain domain domain',
    'endian: little',
    `encoding: ${encoding}`,
    `space origin: (${vol.origin.join(',')})`,
    '',
    '',
  ].join('\n');
  const head = new Uint8Array(header.length);
  for (let i = 0; i < header.length; i++) head[i] = header.charCodeAt(i);
  let body = new Uint8Array(vol.data.buffer, vol.data.byteOffset, vol.data.byteLength);
  if (!LITTLE_ENDIAN_HOST && vol.data.BYTES_PER_ELEMENT > 1) {
    body = body.slice();
    swapBytes(body, vol.data.BYTES_PER_ELEMENT);
  }
  if (encoding === 'gzip') body = gzip(body, options.level ?? 6);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}
