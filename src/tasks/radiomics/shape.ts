/**
 * PyRadiomics shape (3D, mesh based) and shape2D features (radiomics/shape.py, shape2D.py,
 * documented formulas). The mesh is the marching-cubes mesh of the mask padded with zeros
 * ({@link meshAreaVolume}); diameters are between mesh vertices; axis lengths come from the
 * eigenvalues λ of the population covariance of voxel-centre positions (4·sqrt(λ)).
 */
import type { Vec3 } from '../../core/volume.js';
import { diameters } from './hull.js';
import { type BoxMask, meshAreaVolume, meshVertices2 } from './mesh.js';
import { pcaEigenvalues, symmetricEigenvalues3 } from './roi.js';

/** PyRadiomics shape feature names enabled by default. */
export const SHAPE_FEATURES = [
  'Elongation',
  'Flatness',
  'LeastAxisLength',
  'MajorAxisLength',
  'Maximum2DDiameterColumn',
  'Maximum2DDiameterRow',
  'Maximum2DDiameterSlice',
  'Maximum3DDiameter',
  'MeshVolume',
  'MinorAxisLength',
  'Sphericity',
  'SurfaceArea',
  'SurfaceVolumeRatio',
  'VoxelVolume',
] as const;

function axisFeature(l: number): number {
  // PyRadiomics returns NaN for a negative eigenvalue (numerical noise near 0 is clipped)
  if (l < 0 && l > -1e-10) return 0;
  return l < 0 ? Number.NaN : Math.sqrt(l);
}

/**
 * PyRadiomics 3D shape features of a box mask (1 inside).
 *
 * @example
 * ```ts
 * import { shapeFeatures } from 'medimg/radiomics';
 * const s = shapeFeatures(mask); // PyRadiomics shape: MeshVolume, Sphericity, Maximum3DDiameter...
 * console.log(s.MeshVolume, s.Sphericity);
 * ```
 */
export function shapeFeatures(mask: BoxMask, opts: { includeDeprecated?: boolean } = {}): Record<string, number> {
  const { area: A, volume: V } = meshAreaVolume(mask);
  let nVox = 0;
  for (let i = 0; i < mask.data.length; i++) nVox += mask.data[i]!;
  const voxVol = mask.spacing[0] * mask.spacing[1] * mask.spacing[2];
  const d = diameters(meshVertices2(mask), mask.spacing);
  const [l1, l2, l3] = pcaEigenvalues(mask);
  const major = axisFeature(l1);
  const minor = axisFeature(l2);
  const least = axisFeature(l3);
  const out: Record<string, number> = {
    Elongation: minor / major,
    Flatness: least / major,
    LeastAxisLength: 4 * least,
    MajorAxisLength: 4 * major,
    Maximum2DDiameterColumn: d.maxColumn,
    Maximum2DDiameterRow: d.maxRow,
    Maximum2DDiameterSlice: d.maxSlice,
    Maximum3DDiameter: d.max3d,
    MeshVolume: V,
    MinorAxisLength: 4 * minor,
    Sphericity: Math.cbrt(36 * Math.PI * V * V) / A,
    SurfaceArea: A,
    SurfaceVolumeRatio: A / V,
    VoxelVolume: nVox * voxVol,
  };
  if (opts.includeDeprecated) {
    out.Compactness1 = V / Math.sqrt(Math.PI * A ** 3);
    out.Compactness2 = (36 * Math.PI * V * V) / A ** 3;
    out.SphericalDisproportion = A / Math.cbrt(36 * Math.PI * V * V);
  }
  return out;
}

/** PyRadiomics shape2D feature names enabled by default. */
export const SHAPE2D_FEATURES = [
  'Elongation',
  'MajorAxisLength',
  'MaximumDiameter',
  'MeshSurface',
  'MinorAxisLength',
  'Perimeter',
  'PerimeterSurfaceRatio',
  'PixelSurface',
  'Sphericity',
] as const;

/**
 * PyRadiomics shape2D features of one slice: `data` (1 inside) of size du×dv with pixel spacing
 * (su, sv). Marching squares on the zero-padded slice; diagonal cells keep inside corners apart.
 *
 * @example
 * ```ts
 * import { shape2DFeatures } from 'medimg/radiomics';
 * const [nx, ny] = mask.dims;
 * const slice = mask.data.subarray(40 * nx * ny, 41 * nx * ny); // axial slice 40
 * const s = shape2DFeatures(slice, nx, ny, mask.spacing[0], mask.spacing[1]);
 * console.log(s.MeshSurface, s.Perimeter);
 * ```
 */
export function shape2DFeatures(
  data: Uint8Array,
  du: number,
  dv: number,
  su: number,
  sv: number,
  opts: { includeDeprecated?: boolean } = {},
): Record<string, number> {
  const at = (u: number, v: number) => (u < 0 || v < 0 || u >= du || v >= dv ? 0 : data[u + du * v]!);
  const diag = Math.hypot(su / 2, sv / 2);
  let area = 0;
  let perim = 0;
  for (let v = -1; v < dv; v++)
    for (let u = -1; u < du; u++) {
      const a = at(u, v);
      const b = at(u + 1, v);
      const c = at(u, v + 1);
      const d = at(u + 1, v + 1);
      const n = a + b + c + d;
      if (n === 0) continue;
      if (n === 4) {
        area += 1;
        continue;
      }
      if (n === 1) {
        area += 1 / 8;
        perim += diag;
      } else if (n === 3) {
        area += 7 / 8;
        perim += diag;
      } else if (a === d) {
        // diagonal pair: two cut-off corners
        area += 1 / 4;
        perim += 2 * diag;
      } else {
        area += 1 / 2;
        perim += a === b ? su : sv;
      }
    }
  area *= su * sv;
  let nPix = 0;
  let mu = 0;
  let mv = 0;
  for (let v = 0; v < dv; v++)
    for (let u = 0; u < du; u++)
      if (data[u + du * v]) {
        nPix++;
        mu += u;
        mv += v;
      }
  mu /= nPix;
  mv /= nPix;
  let cuu = 0;
  let cvv = 0;
  let cuv = 0;
  for (let v = 0; v < dv; v++)
    for (let u = 0; u < du; u++)
      if (data[u + du * v]) {
        const x = (u - mu) * su;
        const y = (v - mv) * sv;
        cuu += x * x;
        cvv += y * y;
        cuv += x * y;
      }
  const [l1, l2] = symmetricEigenvalues3([cuu / nPix, cuv / nPix, 0, cvv / nPix, 0, 0]);
  // vertices for the diameter: edge midpoints where the slice changes
  const verts: number[] = [];
  for (let v = -1; v < dv; v++)
    for (let u = -1; u < du; u++) {
      const a = at(u, v);
      if (a !== at(u + 1, v)) verts.push(2 * u + 1, 2 * v, 0);
      if (a !== at(u, v + 1)) verts.push(2 * u, 2 * v + 1, 0);
    }
  const dia = diameters(Int32Array.from(verts), [su, sv, 1] as Vec3);
  const major = axisFeature(l1);
  const minor = axisFeature(l2);
  const out: Record<string, number> = {
    Elongation: minor / major,
    MajorAxisLength: 4 * major,
    MaximumDiameter: dia.maxSlice,
    MeshSurface: area,
    MinorAxisLength: 4 * minor,
    Perimeter: perim,
    PerimeterSurfaceRatio: perim / area,
    PixelSurface: nPix * su * sv,
    Sphericity: (2 * Math.sqrt(Math.PI * area)) / perim,
  };
  if (opts.includeDeprecated) out.SphericalDisproportion = perim / (2 * Math.sqrt(Math.PI * area));
  return out;
}
