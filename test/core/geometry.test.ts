import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { indexToWorld, orientationFromDirection, type Vec3, worldToIndex } from '../../src/index.js';
import {
  cross,
  directionFromOrientation,
  flipAffineAxis,
  geometryFromNiftiAffine,
  mat3Mul,
  niftiAffineFromGeometry,
  normalize3,
  Rng,
  symmetricEigenvalues3,
} from '../../src/ops.js';
import { dataPath, describeData } from '../helpers/data.js';

function rotation(ax: number, ay: number, az: number): number[] {
  const [cx, sx, cy, sy, cz, sz] = [Math.cos(ax), Math.sin(ax), Math.cos(ay), Math.sin(ay), Math.cos(az), Math.sin(az)];
  const rx = [1, 0, 0, 0, cx, -sx, 0, sx, cx];
  const ry = [cy, 0, sy, 0, 1, 0, -sy, 0, cy];
  const rz = [cz, -sz, 0, sz, cz, 0, 0, 0, 1];
  return mat3Mul(rz, mat3Mul(ry, rx));
}

describe('geometry', () => {
  it('index <-> world round trips on oblique grids', () => {
    const rng = new Rng(7);
    for (let t = 0; t < 200; t++) {
      const g = {
        dims: [64, 48, 20] as Vec3,
        spacing: [rng.uniform(0.3, 3), rng.uniform(0.3, 3), rng.uniform(0.5, 6)] as Vec3,
        origin: [rng.uniform(-300, 300), rng.uniform(-300, 300), rng.uniform(-300, 300)] as Vec3,
        direction: rotation(rng.uniform(-3, 3), rng.uniform(-1.5, 1.5), rng.uniform(-3, 3)),
      };
      const idx: Vec3 = [rng.uniform(-5, 70), rng.uniform(-5, 50), rng.uniform(-2, 22)];
      const back = worldToIndex(g, indexToWorld(g, idx));
      for (let a = 0; a < 3; a++) expect(back[a]).toBeCloseTo(idx[a]!, 9);
    }
  });

  it('voxel (1,0,0) lies one spacing along the first direction column', () => {
    const g = {
      dims: [4, 4, 4] as Vec3,
      spacing: [2, 3, 4] as Vec3,
      origin: [1, 2, 3] as Vec3,
      direction: rotation(0.3, 0.2, 0.1),
    };
    const p = indexToWorld(g, [1, 0, 0]);
    expect(p[0]).toBeCloseTo(1 + 2 * g.direction[0]!, 12);
    expect(p[1]).toBeCloseTo(2 + 2 * g.direction[3]!, 12);
    expect(p[2]).toBeCloseTo(3 + 2 * g.direction[6]!, 12);
  });

  it('orientation codes round trip for all 48 axis-aligned orientations', () => {
    const letters = [
      ['L', 'R'],
      ['P', 'A'],
      ['S', 'I'],
    ];
    const perms = [
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
    ];
    let n = 0;
    for (const p of perms) {
      for (let s = 0; s < 8; s++) {
        const code = p.map((axis, i) => letters[axis]![(s >> i) & 1]).join('');
        expect(orientationFromDirection(directionFromOrientation(code))).toBe(code);
        n++;
      }
    }
    expect(n).toBe(48);
    expect(orientationFromDirection([1, 0, 0, 0, 1, 0, 0, 0, 1])).toBe('LPS');
    expect(orientationFromDirection([-1, 0, 0, 0, -1, 0, 0, 0, 1])).toBe('RAS');
    // slightly oblique still names the nearest axes
    expect(orientationFromDirection(rotation(0.1, 0.05, -0.1))).toBe('LPS');
  });

  it('symmetricEigenvalues3 recovers the spectrum of rotated diagonal matrices, degenerate ones too', () => {
    const rng = new Rng(3);
    const out = [0, 0, 0];
    for (const spec of [
      [-3, 1, 7],
      [2, 2, 5],
      [4, 4, 4],
      [-1e-3, 0, 1e3],
    ]) {
      const R = rotation(rng.uniform(-3, 3), rng.uniform(-1.5, 1.5), rng.uniform(-3, 3));
      // A = R diag(spec) R^T
      const A = (r: number, c: number): number => spec.reduce((s, l, k) => s + R[r * 3 + k]! * l * R[c * 3 + k]!, 0);
      symmetricEigenvalues3(A(0, 0), A(1, 1), A(2, 2), A(0, 1), A(0, 2), A(1, 2), out);
      const want = [...spec].sort((x, y) => x - y);
      for (let k = 0; k < 3; k++) expect(out[k]).toBeCloseTo(want[k]!, 6);
    }
  });

  it('NIfTI affine round trips through geometryFromNiftiAffine', () => {
    const g = {
      dims: [10, 11, 12] as Vec3,
      spacing: [0.7, 0.9, 2.5] as Vec3,
      origin: [-10, 20, -30] as Vec3,
      direction: rotation(0.4, -0.3, 1.2),
    };
    const back = geometryFromNiftiAffine(niftiAffineFromGeometry(g), g.dims);
    back.spacing.forEach((s, i) => expect(s).toBeCloseTo(g.spacing[i]!, 12));
    back.origin.forEach((s, i) => expect(s).toBeCloseTo(g.origin[i]!, 12));
    back.direction.forEach((s, i) => expect(s).toBeCloseTo(g.direction[i]!, 12));
  });
});

interface Reference {
  n_slices: number;
  rows: number;
  columns: number;
  pixel_spacing_row_col_mm: [number, number];
  image_orientation_patient: number[];
  first_IPP_after_sort: Vec3;
  last_IPP_after_sort: Vec3;
  'dcm2niix_v1.0.20220720_debian': { sform_affine: number[][] }[];
}

describeData('NIfTI affine from DICOM geometry equals dcm2niix', () => {
  for (const series of [
    'ct_chest_LungPETCTDx_A0001_kernelB',
    'ct_abdomen_dcmqi_3slice',
    'mr_brain_t1_sag_HFS_dcm_qa_decubitus',
  ]) {
    it(series, () => {
      const ref = JSON.parse(readFileSync(dataPath('dicom', series, 'reference.json'), 'utf8')) as Reference;
      const iop = ref.image_orientation_patient;
      const rowDir = normalize3(iop.slice(0, 3));
      const colDir = normalize3(iop.slice(3, 6));
      const first = ref.first_IPP_after_sort;
      const last = ref.last_IPP_after_sort;
      const span: Vec3 = [last[0] - first[0], last[1] - first[1], last[2] - first[2]];
      const sliceDir = ref.n_slices > 1 ? normalize3(span) : cross(rowDir as Vec3, colDir as Vec3);
      const dz = ref.n_slices > 1 ? Math.hypot(...span) / (ref.n_slices - 1) : 1;
      const g = {
        dims: [ref.columns, ref.rows, ref.n_slices] as Vec3,
        spacing: [ref.pixel_spacing_row_col_mm[1], ref.pixel_spacing_row_col_mm[0], dz] as Vec3,
        origin: first,
        direction: [
          rowDir[0],
          colDir[0],
          sliceDir[0],
          rowDir[1],
          colDir[1],
          sliceDir[1],
          rowDir[2],
          colDir[2],
          sliceDir[2],
        ],
      };
      // dcm2niix stores rows bottom-up, which reverses the row (j) axis of the affine.
      const ours = flipAffineAxis(niftiAffineFromGeometry(g), 1, ref.rows);
      const theirs = ref['dcm2niix_v1.0.20220720_debian'][0]!.sform_affine;
      for (let r = 0; r < 3; r++) {
        for (let c = 0; c < 4; c++) expect(Math.abs(ours[r]![c]! - theirs[r]![c]!)).toBeLessThan(1e-3);
      }
    });
  }
});
