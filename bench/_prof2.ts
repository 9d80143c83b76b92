import { resolve } from 'node:path';
import { readNifti } from '../src/index.js';
import { buildGrid } from '../src/tasks/radiomics/texture/grid.js';
import { neighbourhood } from '../src/tasks/radiomics/texture/directions.js';
import { findZones, zoneScratch } from '../src/tasks/radiomics/texture/zones.js';
const dir = '/work/shared/data/ibsi1/ct_radiomics_phantom/nifti';
const img = await readNifti(resolve(dir, 'image/phantom.nii.gz'));
const mask = await readNifti(resolve(dir, 'mask/mask.nii.gz'));
const n = img.data.length; let min = 1e9;
for (let i = 0; i < n; i++) if (mask.data[i]) min = Math.min(min, Math.round(Number(img.data[i])));
const levels = new Int32Array(n); let nl = 0;
for (let i = 0; i < n; i++) if (mask.data[i]) { const l = Math.floor((Math.round(Number(img.data[i])) - min) / 25) + 1; levels[i] = l; nl = Math.max(nl, l); }
const g = buildGrid({ levels, dims: img.dims, spacing: img.spacing, nLevels: nl } as any, 1);
console.log('bbox', g.x1-g.x0, g.y1-g.y0, g.z1-g.z0);
for (let r = 0; r < 6; r++) {
  let t = performance.now(); const s = zoneScratch(g, false, false); const t1 = performance.now() - t;
  t = performance.now(); const z = findZones(g, neighbourhood([1], false), g.z0, g.z1, s); const t2 = performance.now() - t;
  console.log('scratch', t1.toFixed(1), 'zones', t2.toFixed(1), 'n', z.n, 'max', z.maxSize);
}
