import { assertArg } from '../errors.js';
import { indexToWorldMatrix } from '../geometry.js';
import {
  assertSameGrid,
  type Grid,
  IDENTITY_DIRECTION,
  type Mask,
  type Vec3,
  type Volume,
  type VoxelArray,
  validateGrid,
  voxelVolumeMm3,
  withData,
} from '../volume.js';
import { boxDims, boxFraction, cropBytes, nonzeroBox, pasteBox } from './work-box.js';

/** Voxel connectivity in 3D: faces (6), faces + edges (18), faces + edges + corners (26). */
export type Connectivity = 6 | 18 | 26;

/** Options of {@link connectedComponents}. */
export interface ConnectedComponentsOptions {
  /** Default 26 (any shared face, edge or corner connects). */
  connectivity?: Connectivity;
  /**
   * Compute per-component statistics. Default true; false returns `components: []` and saves
   * most of the time on masks with very many components (only the label volume and count).
   */
  stats?: boolean;
}

/** Statistics of one connected component. */
export interface ComponentStats {
  /** Label value in the label volume (1..count). */
  label: number;
  voxelCount: number;
  /** voxelCount times the voxel volume. */
  volumeMm3: number;
  /** Inclusive voxel-index bounding box. */
  bboxMin: Vec3;
  bboxMax: Vec3;
  /** Mean voxel index of the component. */
  centroidIndex: Vec3;
  /** Centroid in LPS millimetres. */
  centroidMm: Vec3;
  /** Mean image value over the component, when an image was given. */
  meanIntensity?: number;
}

/**
 * Result of {@link connectedComponents}: `labels` is a Volume when the mask was one, a bare
 * {@link Grid} otherwise.
 */
export interface ConnectedComponentsResult<L extends Grid<Int32Array> = Volume<Int32Array>> {
  /** 0 = background, components 1..count numbered in raster order of their first voxel (as scipy). */
  labels: L;
  count: number;
  /** Voxel count of each label, indexed by label (length count + 1, `sizes[0]` = 0); also with `stats: false`. */
  sizes: Float64Array;
  /** Statistics, index i describes label i + 1 (empty with `stats: false`). */
  components: ComponentStats[];
}

/** Foreground runs of every x-row and their union-find forest (internal). */
interface RunTable {
  /** Number of runs. */
  n: number;
  start: Int32Array;
  /** Exclusive end. */
  end: Int32Array;
  /** Index of the first run of each row (row = y + ny * z), length rows + 1. */
  rowFirst: Int32Array;
  parent: Int32Array;
}

/**
 * Finds the runs of voxels equal to "foreground" (nonzero when `foreground` is true, zero otherwise)
 * of every row and unions the runs of neighbouring rows. Neighbour rows are those earlier in raster
 * order: (dy, dz) with a flag saying whether diagonal x steps connect (edge/corner neighbours).
 */
function buildRuns(
  data: VoxelArray,
  dims: Vec3,
  foreground: boolean,
  neighbours: [number, number, boolean][],
): RunTable {
  const [nx, ny, nz] = dims;
  const rows = ny * nz;
  let cap = 1 << 16;
  let start = new Int32Array(cap);
  let end = new Int32Array(cap);
  const rowFirst = new Int32Array(rows + 1);
  let n = 0;
  const bytes = data instanceof Uint8Array ? data : null;
  const words =
    bytes && nx % 4 === 0 && bytes.byteOffset % 4 === 0
      ? new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2)
      : null;
  for (let row = 0; row < rows; row++) {
    rowFirst[row] = n;
    const base = row * nx;
    let x = 0;
    while (x < nx) {
      // Skip to the next foreground voxel.
      if (bytes) {
        if (foreground) {
          // Sparse masks: skip empty 4-byte words at once.
          if (words) {
            while (x < nx && (x & 3) !== 0 && bytes[base + x] === 0) x++;
            if ((x & 3) === 0) while (x + 4 <= nx && words[(base + x) >> 2] === 0) x += 4;
          }
          while (x < nx && bytes[base + x] === 0) x++;
        } else while (x < nx && bytes[base + x] !== 0) x++;
      } else if (foreground) while (x < nx && data[base + x] === 0) x++;
      else while (x < nx && data[base + x] !== 0) x++;
      if (x >= nx) break;
      const s = x;
      if (bytes) {
        if (foreground) while (x < nx && bytes[base + x] !== 0) x++;
        else while (x < nx && bytes[base + x] === 0) x++;
      } else if (foreground) while (x < nx && data[base + x] !== 0) x++;
      else while (x < nx && data[base + x] === 0) x++;
      if (n === cap) {
        cap *= 2;
        const ns = new Int32Array(cap);
        ns.set(start);
        start = ns;
        const ne = new Int32Array(cap);
        ne.set(end);
        end = ne;
      }
      start[n] = s;
      end[n] = x;
      n++;
    }
  }
  rowFirst[rows] = n;
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const row = y + ny * z;
      const a0 = rowFirst[row]!;
      const a1 = rowFirst[row + 1]!;
      if (a0 === a1) continue;
      for (let k = 0; k < neighbours.length; k++) {
        const nb = neighbours[k]!;
        const yy = y + nb[0];
        const zz = z + nb[1];
        if (yy < 0 || yy >= ny || zz < 0) continue;
        const nrow = yy + ny * zz;
        // Diagonal x steps extend each run by one on both sides for the overlap test.
        const ext = nb[2] ? 1 : 0;
        let i = a0;
        let j = rowFirst[nrow]!;
        const j1 = rowFirst[nrow + 1]!;
        while (i < a1 && j < j1) {
          const si = start[i]!;
          const ei = end[i]!;
          const sj = start[j]!;
          const ej = end[j]!;
          if (si < ej + ext && sj < ei + ext) union(parent, i, j);
          // Advance the run that ends first.
          if (ei < ej) i++;
          else j++;
        }
      }
    }
  }
  return { n, start: start.subarray(0, n), end: end.subarray(0, n), rowFirst, parent };
}

function find(parent: Int32Array, i: number): number {
  while (parent[i] !== i) {
    const p = parent[parent[i]!]!;
    parent[i] = p;
    i = p;
  }
  return i;
}

/** Union keeping the smaller index as root, so a root is the first run of its component. */
function union(parent: Int32Array, a: number, b: number): void {
  let ra = find(parent, a);
  let rb = find(parent, b);
  if (ra === rb) return;
  if (ra > rb) {
    const t = ra;
    ra = rb;
    rb = t;
  }
  parent[rb] = ra;
}

/** Neighbour rows (earlier in raster order) for a connectivity; `planar` restricts to the slice. */
function neighbourRows(connectivity: Connectivity | 4 | 8): [number, number, boolean][] {
  switch (connectivity) {
    case 4:
      return [[-1, 0, false]];
    case 8:
      return [[-1, 0, true]];
    case 6:
      return [
        [-1, 0, false],
        [0, -1, false],
      ];
    case 18:
      return [
        [-1, 0, true],
        [0, -1, true],
        [-1, -1, false],
        [1, -1, false],
      ];
    case 26:
      return [
        [-1, 0, true],
        [0, -1, true],
        [-1, -1, true],
        [1, -1, true],
      ];
  }
}

/** Component id (0-based, raster order of first voxel) of every run, and the component count. */
function componentOfRuns(t: RunTable): { comp: Int32Array; count: number } {
  const comp = new Int32Array(t.n);
  let count = 0;
  for (let i = 0; i < t.n; i++) {
    const r = find(t.parent, i);
    // Roots are the first run of their component, so they are met before any other member.
    comp[i] = r === i ? count++ : comp[r]!;
  }
  return { comp, count };
}

function checkConnectivity(c: unknown): Connectivity {
  assertArg(c === 6 || c === 18 || c === 26, 'connectivity must be 6, 18 or 26.');
  return c;
}

/**
 * Labels the connected components of the nonzero voxels of `mask` (run-based two-pass labelling
 * with union-find) and measures each one. With `image` (same grid), the mean intensity of each
 * component is reported too.
 */
export function connectedComponents(
  mask: Volume,
  options?: ConnectedComponentsOptions,
  image?: Grid,
): ConnectedComponentsResult;
export function connectedComponents(
  mask: Grid,
  options?: ConnectedComponentsOptions,
  image?: Grid,
): ConnectedComponentsResult<Grid<Int32Array>>;
export function connectedComponents(
  mask: Grid,
  options: ConnectedComponentsOptions = {},
  image?: Grid,
): ConnectedComponentsResult<Grid<Int32Array>> {
  validateGrid(mask, 'mask');
  const connectivity = checkConnectivity(options.connectivity ?? 26);
  if (image) {
    validateGrid(image, 'image');
    assertSameGrid(image, mask, 'mask');
  }
  const [nx, ny] = mask.dims;
  const t = buildRuns(mask.data, mask.dims, true, neighbourRows(connectivity));
  const { comp, count } = componentOfRuns(t);
  const labels = new Int32Array(mask.data.length);
  const rows = t.rowFirst.length - 1;
  const { start, end, rowFirst } = t;
  const sizes = new Float64Array(count + 1);
  if (options.stats === false) {
    for (let row = 0; row < rows; row++) {
      const base = row * nx;
      for (let i = rowFirst[row]!; i < rowFirst[row + 1]!; i++) {
        const lab = comp[i]! + 1;
        const e = base + end[i]!;
        for (let x = base + start[i]!; x < e; x++) labels[x] = lab;
        sizes[lab] = sizes[lab]! + end[i]! - start[i]!;
      }
    }
    return { labels: withData(mask, labels), count, sizes, components: [] };
  }
  // One interleaved record per component (count, sums of x/y/z/intensity, bbox): a run touches
  // one or two cache lines instead of one per statistic.
  const R = 12;
  const acc = new Float64Array(count * R);
  for (let c = 0; c < count; c++) {
    acc[c * R + 5] = acc[c * R + 6] = acc[c * R + 7] = Infinity;
    acc[c * R + 8] = acc[c * R + 9] = acc[c * R + 10] = -Infinity;
  }
  const img = image ? image.data : null;
  for (let row = 0; row < rows; row++) {
    const y = row % ny;
    const z = (row - y) / ny;
    const base = row * nx;
    for (let i = rowFirst[row]!; i < rowFirst[row + 1]!; i++) {
      const c = comp[i]!;
      const s = start[i]!;
      const e = end[i]!;
      const len = e - s;
      const lab = c + 1;
      for (let x = base + s; x < base + e; x++) labels[x] = lab;
      const o = c * R;
      acc[o] = acc[o]! + len;
      acc[o + 1] = acc[o + 1]! + (len * (s + e - 1)) / 2;
      acc[o + 2] = acc[o + 2]! + len * y;
      acc[o + 3] = acc[o + 3]! + len * z;
      if (img) {
        let sum = 0;
        for (let x = base + s; x < base + e; x++) sum += img[x]!;
        acc[o + 4] = acc[o + 4]! + sum;
      }
      if (s < acc[o + 5]!) acc[o + 5] = s;
      if (y < acc[o + 6]!) acc[o + 6] = y;
      if (z < acc[o + 7]!) acc[o + 7] = z;
      if (e - 1 > acc[o + 8]!) acc[o + 8] = e - 1;
      if (y > acc[o + 9]!) acc[o + 9] = y;
      if (z > acc[o + 10]!) acc[o + 10] = z;
    }
  }
  const vv = voxelVolumeMm3(mask);
  const [ox, oy, oz] = mask.origin ?? [0, 0, 0];
  const m = indexToWorldMatrix({ ...mask, origin: [ox, oy, oz], direction: mask.direction ?? [...IDENTITY_DIRECTION] });
  const components: ComponentStats[] = new Array(count);
  for (let c = 0; c < count; c++) {
    const o = c * R;
    const n = acc[o]!;
    sizes[c + 1] = n;
    const cx = acc[o + 1]! / n;
    const cy = acc[o + 2]! / n;
    const cz = acc[o + 3]! / n;
    const st: ComponentStats = {
      label: c + 1,
      voxelCount: n,
      volumeMm3: n * vv,
      bboxMin: [acc[o + 5]!, acc[o + 6]!, acc[o + 7]!],
      bboxMax: [acc[o + 8]!, acc[o + 9]!, acc[o + 10]!],
      centroidIndex: [cx, cy, cz],
      centroidMm: [
        ox + m[0]! * cx + m[1]! * cy + m[2]! * cz,
        oy + m[3]! * cx + m[4]! * cy + m[5]! * cz,
        oz + m[6]! * cx + m[7]! * cy + m[8]! * cz,
      ],
    };
    if (img) st.meanIntensity = acc[o + 4]! / n;
    components[c] = st;
  }
  return { labels: withData(mask, labels), count, sizes, components };
}

/** Options of {@link keepLargestComponent}. */
export interface KeepLargestOptions {
  /** Default 26. */
  connectivity?: Connectivity;
  /** Keep this many largest components (ties: earlier in raster order first). Default 1. */
  count?: number;
}

/**
 * A 0/1 mask keeping only the largest connected component(s) of the nonzero voxels of `mask`.
 * An empty mask gives an empty mask.
 */
export function keepLargestComponent(mask: Volume, options?: KeepLargestOptions): Mask;
export function keepLargestComponent(mask: Grid, options?: KeepLargestOptions): Grid<Uint8Array>;
export function keepLargestComponent(mask: Grid, options: KeepLargestOptions = {}): Grid<Uint8Array> {
  validateGrid(mask, 'mask');
  const connectivity = checkConnectivity(options.connectivity ?? 26);
  const keep = options.count ?? 1;
  assertArg(Number.isInteger(keep) && keep >= 1, 'count must be an integer >= 1.');
  const t = buildRuns(mask.data, mask.dims, true, neighbourRows(connectivity));
  const { comp, count } = componentOfRuns(t);
  const sizes = new Float64Array(count);
  for (let i = 0; i < t.n; i++) {
    const c = comp[i]!;
    sizes[c] = sizes[c]! + t.end[i]! - t.start[i]!;
  }
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => sizes[b]! - sizes[a]! || a - b);
  const kept = new Uint8Array(count);
  for (let i = 0; i < Math.min(keep, count); i++) kept[order[i]!] = 1;
  const out = new Uint8Array(mask.data.length);
  const nx = mask.dims[0];
  const rows = t.rowFirst.length - 1;
  for (let row = 0; row < rows; row++) {
    for (let i = t.rowFirst[row]!; i < t.rowFirst[row + 1]!; i++) {
      if (kept[comp[i]!]) out.fill(1, row * nx + t.start[i]!, row * nx + t.end[i]!);
    }
  }
  return withData(mask, out);
}

/** Options of {@link fillHoles}. */
export interface FillHolesOptions {
  /**
   * '3d' (default): fill background regions not 6-connected to the grid border. 'slice': the same
   * in every 2D slice perpendicular to `axis` (4-connected background), as radiologists outline.
   */
  mode?: '3d' | 'slice';
  /** Slice normal for mode 'slice': 0 (x), 1 (y) or 2 (z, default: axial for axial scans). */
  axis?: 0 | 1 | 2;
  /**
   * Which background counts as outside: 'border' (default), every background component that
   * touches the grid's border; 'corners' (mode 'slice' only), only those that reach a corner of their
   * slice. The second also fills background that the field of view cuts but the object encloses
   * everywhere else (a lung cut by a reduced reconstruction field), and outside pockets that touch
   * one edge between two parts of the object: the caller tells those apart.
   */
  openAt?: 'border' | 'corners';
}

/** A 0/1 mask with the holes of the nonzero voxels of `mask` filled. */
export function fillHoles(mask: Volume, options?: FillHolesOptions): Mask;
export function fillHoles(mask: Grid, options?: FillHolesOptions): Grid<Uint8Array>;
export function fillHoles(mask: Grid, options: FillHolesOptions = {}): Grid<Uint8Array> {
  validateGrid(mask, 'mask');
  const mode = options.mode ?? '3d';
  assertArg(mode === '3d' || mode === 'slice', "mode must be '3d' or 'slice'.");
  const axis = options.axis ?? 2;
  assertArg(axis === 0 || axis === 1 || axis === 2, 'axis must be 0, 1 or 2.');
  const openAt = options.openAt ?? 'border';
  assertArg(openAt === 'border' || openAt === 'corners', "openAt must be 'border' or 'corners'.");
  assertArg(openAt === 'border' || mode === 'slice', "openAt 'corners' needs mode 'slice'.");
  const corners = openAt === 'corners';
  if (mode === 'slice' && axis !== 2) {
    // Work on a view whose z is the requested axis: permute, fill, permute back.
    const perm: Vec3 = axis === 0 ? [1, 2, 0] : [0, 2, 1];
    const p = permuteMask(mask.data, mask.dims, perm);
    const filled = fillHolesData(p.data, p.dims, true, corners);
    return withData(mask, permuteMask(filled, p.dims, inversePerm(perm)).data);
  }
  return withData(mask, fillHolesData(mask.data, mask.dims, mode === 'slice', corners));
}

function inversePerm(p: Vec3): Vec3 {
  const inv: Vec3 = [0, 0, 0];
  for (let i = 0; i < 3; i++) inv[p[i]!] = i;
  return inv;
}

/** Copies 0/1 of `data` into a grid whose axis i is input axis perm[i]. */
function permuteMask(data: VoxelArray, dims: Vec3, perm: Vec3): { data: Uint8Array; dims: Vec3 } {
  const od: Vec3 = [dims[perm[0]]!, dims[perm[1]]!, dims[perm[2]]!];
  const st = [1, dims[0], dims[0] * dims[1]];
  const s0 = st[perm[0]]!;
  const s1 = st[perm[1]]!;
  const s2 = st[perm[2]]!;
  const out = new Uint8Array(data.length);
  let o = 0;
  for (let k = 0; k < od[2]; k++) {
    for (let j = 0; j < od[1]; j++) {
      let src = k * s2 + j * s1;
      for (let i = 0; i < od[0]; i++, src += s0) out[o++] = data[src] !== 0 ? 1 : 0;
    }
  }
  return { data: out, dims: od };
}

/**
 * Fills background components that do not touch the border (per z slice when `planar`; with
 * `corners`, that reach no corner of their slice), on the bounding box of the nonzero voxels padded
 * by one voxel when that is clearly smaller than the grid: exact, as every background voxel outside
 * the box reaches the border and so does the box's rim (a padded rim row or column reaches the grid's
 * corners through the empty rows or columns beyond it, as the box's corner on it does).
 */
function fillHolesData(data: VoxelArray, dims: Vec3, planar: boolean, corners = false): Uint8Array {
  const box = nonzeroBox(data, dims, [1, 1, planar ? 0 : 1]);
  if (!box) return new Uint8Array(data.length);
  if (boxFraction(box, dims) > 0.6) return fillHolesGrid(data, dims, planar, corners);
  const out = new Uint8Array(data.length);
  pasteBox(out, dims, box, fillHolesGrid(cropBytes(data, dims, box), boxDims(box), planar, corners));
  return out;
}

function fillHolesGrid(data: VoxelArray, dims: Vec3, planar: boolean, corners: boolean): Uint8Array {
  const [nx, ny, nz] = dims;
  const t = buildRuns(data, dims, false, neighbourRows(planar ? 4 : 6));
  const { comp, count } = componentOfRuns(t);
  const border = new Uint8Array(count);
  const rows = t.rowFirst.length - 1;
  for (let row = 0; row < rows; row++) {
    const y = row % ny;
    const z = (row - y) / ny;
    const edgeRow = y === 0 || y === ny - 1 || (!planar && (z === 0 || z === nz - 1));
    for (let i = t.rowFirst[row]!; i < t.rowFirst[row + 1]!; i++) {
      const atSide = t.start[i] === 0 || t.end[i] === nx;
      if (corners ? edgeRow && atSide : edgeRow || atSide) border[comp[i]!] = 1;
    }
  }
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] !== 0 ? 1 : 0;
  for (let row = 0; row < rows; row++) {
    for (let i = t.rowFirst[row]!; i < t.rowFirst[row + 1]!; i++) {
      if (!border[comp[i]!]) out.fill(1, row * nx + t.start[i]!, row * nx + t.end[i]!);
    }
  }
  return out;
}
