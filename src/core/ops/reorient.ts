import { assertArg } from '../errors.js';
import { directionFromOrientation, indexToWorld, type OrientationCode } from '../geometry.js';
import { type Vec3, type Volume, type VoxelArray, type VoxelArrayConstructor, validateVolume } from '../volume.js';
import { metaForSlices, sliceRange } from './meta.js';

/** How output axis j is read from the input: input axis `axis[j]`, reversed when `flip[j]`. */
export interface AxisMapping {
  axis: Vec3;
  flip: [boolean, boolean, boolean];
}

/**
 * The permutation and flips that bring `direction` closest to the orientation `code` ('LPS',
 * 'RAS', 'PIR', ...: each letter is the patient direction its index axis increases toward).
 */
export function orientationMapping(direction: readonly number[], code: OrientationCode): AxisMapping {
  const target = directionFromOrientation(code);
  const axis: Vec3 = [0, 0, 0];
  const flip: [boolean, boolean, boolean] = [false, false, false];
  const used = [false, false, false];
  // Greedy by strongest alignment so oblique inputs still give a permutation.
  const pairs: { w: number; j: number; i: number; neg: boolean }[] = [];
  for (let j = 0; j < 3; j++) {
    for (let i = 0; i < 3; i++) {
      let dot = 0;
      for (let r = 0; r < 3; r++) dot += target[r * 3 + j]! * direction[r * 3 + i]!;
      pairs.push({ w: Math.abs(dot), j, i, neg: dot < 0 });
    }
  }
  pairs.sort((a, b) => b.w - a.w);
  const doneOut = [false, false, false];
  for (const { j, i, neg } of pairs) {
    if (doneOut[j] || used[i]) continue;
    doneOut[j] = true;
    used[i] = true;
    axis[j] = i;
    flip[j] = neg;
  }
  return { axis, flip };
}

/**
 * Reorients a volume to an axis code by an exact permutation and flips of the voxel array (no
 * interpolation). World positions are preserved: the output direction columns are the input's,
 * permuted and negated, and the origin is the world position of the input voxel that becomes
 * voxel (0, 0, 0). For oblique inputs the closest code is reached (the direction stays oblique).
 */
export function reorient<T extends VoxelArray>(vol: Volume<T>, code: OrientationCode): Volume<T> {
  validateVolume(vol);
  assertArg(typeof code === 'string', 'Orientation code must be a string such as "LPS" or "RAS".');
  const { axis, flip } = orientationMapping(vol.direction, code);
  const dims: Vec3 = [vol.dims[axis[0]]!, vol.dims[axis[1]]!, vol.dims[axis[2]]!];
  const spacing: Vec3 = [vol.spacing[axis[0]]!, vol.spacing[axis[1]]!, vol.spacing[axis[2]]!];
  const direction = new Array<number>(9);
  for (let j = 0; j < 3; j++) {
    const s = flip[j] ? -1 : 1;
    for (let r = 0; r < 3; r++) direction[r * 3 + j] = s * vol.direction[r * 3 + axis[j]!]!;
  }
  const inStride = [1, vol.dims[0], vol.dims[0] * vol.dims[1]];
  const startIndex: Vec3 = [0, 0, 0];
  let start = 0;
  const step: Vec3 = [0, 0, 0];
  for (let j = 0; j < 3; j++) {
    const i = axis[j]!;
    if (flip[j]) {
      startIndex[i] = vol.dims[i]! - 1;
      start += (vol.dims[i]! - 1) * inStride[i]!;
      step[j] = -inStride[i]!;
    } else step[j] = inStride[i]!;
  }
  const origin = indexToWorld(vol, startIndex);
  const ctor = vol.data.constructor as VoxelArrayConstructor;
  const src = vol.data;
  let data: VoxelArray;
  if (start === 0 && step[0] === 1 && step[1] === inStride[1] && step[2] === inStride[2]) data = src.slice();
  else {
    data = new ctor(src.length);
    let o = 0;
    const [s0, s1, s2] = step;
    for (let z = 0; z < dims[2]; z++) {
      for (let y = 0; y < dims[1]; y++) {
        let p = start + y * s1 + z * s2;
        if (s0 === 1) {
          data.set(src.subarray(p, p + dims[0]) as ArrayLike<number>, o);
          o += dims[0];
          continue;
        }
        for (let x = 0; x < dims[0]; x++, p += s0) data[o++] = src[p]!;
      }
    }
  }
  return {
    data: data as T,
    dims,
    spacing,
    origin,
    direction,
    // Per-slice UIDs follow when z stays the slice axis (reversed by a flip).
    ...metaForSlices(vol.meta, axis[2] === 2 ? sliceRange(0, dims[2], flip[2]) : null),
  };
}
