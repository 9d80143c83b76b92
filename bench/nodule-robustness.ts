import { resample } from '../src/core/ops/resample.js';
import type { Volume } from '../src/core/volume.js';
import { readDicomSeries } from '../src/index.js';
import { detectNodules } from '../src/tasks/index.js';
import {
  cropInPlane,
  cropSlices as cropZ,
  noisyCt as noisy,
  resliceThick,
  sharpKernel as sharp,
  smoothKernel,
} from '../test/helpers/ct-variants.js';
import { annotatedTumourBox, findInBox } from '../test/helpers/chest-ct-truth.js';
import { dataPath } from '../test/helpers/data.js';

type V = Volume<Float32Array>;

/** The same voxels stored in the other order along `axis` (direction column negated): same anatomy. */
function flipStorage(ct: Volume, axis: 0 | 1 | 2): V {
  const [nx, ny, nz] = ct.dims;
  const out = new Float32Array(nx * ny * nz);
  for (let k = 0, p = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, p++) {
        const ii = axis === 0 ? nx - 1 - i : i;
        const jj = axis === 1 ? ny - 1 - j : j;
        const kk = axis === 2 ? nz - 1 - k : k;
        out[p] = ct.data[ii + nx * (jj + ny * kk)]!;
      }
  const n = ct.dims[axis]! - 1;
  const dir = [...ct.direction];
  const origin = [...ct.origin] as [number, number, number];
  for (let r = 0; r < 3; r++) {
    origin[r] = origin[r]! + dir[3 * r + axis]! * ct.spacing[axis]! * n;
    dir[3 * r + axis] = -dir[3 * r + axis]!;
  }
  return { ...ct, data: out, direction: dir, origin } as V;
}

/** The centred `f` of the field of view in x and y. */
function fov(ct: Volume, f: number): V {
  const [nx, ny] = ct.dims;
  const [a, b] = [Math.round(((1 - f) / 2) * nx), Math.round(((1 + f) / 2) * nx)];
  return cropInPlane(ct, a, b, Math.round(((1 - f) / 2) * ny), Math.round(((1 + f) / 2) * ny));
}

const cases = ['ct_chest_LungPETCTDx_A0001_kernelB', 'ct_chest_LungPETCTDx_A0002_B40f'];
const only = process.argv.slice(2);
for (const name of cases) {
  const dir = dataPath('dicom', name);
  const ct = await readDicomSeries(dir);
  const box = annotatedTumourBox(dir, ct);
  const nz = ct.dims[2];
  // the box's slice range, for the crop variants
  const kz = (z: number) => Math.round((z - ct.origin[2]) / (ct.direction[8]! * ct.spacing[2]));
  const [z0, z1] = [kz(box.lo[2]!), kz(box.hi[2]!)].sort((a, b) => a - b) as [number, number];
  // the tumour box's centre column (axis-aligned grids), for the field-of-view cut
  const [nx, ny] = ct.dims;
  const tx = ((box.lo[0]! + box.hi[0]!) / 2 - ct.origin[0]) / (ct.direction[0]! * ct.spacing[0]);
  const variants: [string, () => Volume][] = [
    ['as acquired', () => ct],
    ['noise 40 HU (lower dose)', () => noisy(ct, 40)],
    ['noise 80 HU', () => noisy(ct, 80)],
    ['sharp kernel (unsharp 1 mm, k 1)', () => sharp(ct)],
    ['smooth kernel (Gaussian 1.6 mm)', () => smoothKernel(ct, 1.6)],
    ['stored feet-first (z reversed)', () => flipStorage(ct, 2)],
    ['stored right-left (x reversed)', () => flipStorage(ct, 0)],
    ['stored anterior-posterior (y reversed)', () => flipStorage(ct, 1)],
    ['in-plane 1.5 mm', () => resample(ct, { spacing: [1.5, 1.5, ct.spacing[2]] })],
    ['re-sliced 3 mm', () => resliceThick(ct, 3)],
    ['re-sliced 10 mm', () => resliceThick(ct, 10)],
    [
      'cropped to the tumour slices +-3',
      () => cropZ(ct, Math.max(0, Math.min(z0, z1) - 3), Math.min(nz, Math.max(z0, z1) + 4)),
    ],
    ['upper half of the scan', () => cropZ(ct, 0, Math.ceil(nz / 2))],
    ['lower half of the scan', () => cropZ(ct, Math.floor(nz / 2), nz)],
    // smaller reconstruction fields, centred (70 % cuts the body, 55 % the lungs at the side) and
    // cut through the tumour's centre column (the side that holds it kept)
    ['field of view 70 %, centred', () => fov(ct, 0.7)],
    ['field of view 55 %, centred', () => fov(ct, 0.55)],
    [
      'field of view cut through the tumour',
      () => (tx < nx / 2 ? cropInPlane(ct, Math.round(tx), nx, 0, ny) : cropInPlane(ct, 0, Math.round(tx), 0, ny)),
    ],
  ];
  for (const [what, make] of variants) {
    if (only.length && !only.some((o) => what.includes(o))) continue;
    const v = make();
    // a crop that leaves the tumour out: a miss is right there, and no category may be '1'
    const zs = [0, v.dims[2] - 1].map((k) => v.origin[2] + v.direction[8]! * v.spacing[2] * k);
    const inScan = Math.max(...zs) >= box.lo[2]! && Math.min(...zs) <= box.hi[2]!;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let line: string;
    try {
      const r = await detectNodules(v);
      const c = process.cpuUsage(c0);
      const hit = findInBox(r.nodules, box);
      line = `${hit ? 'HIT ' : inScan ? 'MISS' : 'n/a (tumour outside the scan)'} ${hit ? `${hit.type} ${hit.diameterMm.toFixed(1)} mm p=${hit.probability.toFixed(2)}` : '-'}; findings ${r.nodules.length}; exam Lung-RADS ${r.lungRads ?? 'null'} [${r.limitations.map((l) => l.code).join(',')}]; ${((performance.now() - t0) / 1000).toFixed(1)} s wall, ${((c.user + c.system) / 1e6).toFixed(1)} s CPU`;
      if (r.lungRads === '1') line += '  <-- NEGATIVE EXAM';
    } catch (e) {
      line = `ERROR ${(e as { code?: string }).code ?? ''} ${(e as Error).message}`;
    }
    console.log(`${name.slice(20)} | ${what.padEnd(36)} | ${line}`);
  }
}
