import { resolve } from 'node:path';
import { readNifti } from '../src/index.js';
import { computeTextureFeatures } from '../src/tasks/radiomics/texture/index.js';
const dir = '/work/shared/data/ibsi1/ct_radiomics_phantom/nifti';
const img = await readNifti(resolve(dir, 'image/phantom.nii.gz'));
const mask = await readNifti(resolve(dir, 'mask/mask.nii.gz'));
const n = img.data.length; let min = 1e9;
for (let i = 0; i < n; i++) if (mask.data[i]) min = Math.min(min, Math.round(Number(img.data[i])));
const levels = new Int32Array(n); let nl = 0;
for (let i = 0; i < n; i++) if (mask.data[i]) { const l = Math.floor((Math.round(Number(img.data[i])) - min) / 25) + 1; levels[i] = l; nl = Math.max(nl, l); }
const image = { levels, dims: img.dims, spacing: img.spacing, nLevels: nl };
const fams = ['glcm','glrlm','glszm','gldzm','ngtdm','ngldm'] as const;
for (let r = 0; r < 10; r++) for (const f of fams) computeTextureFeatures(image as any, f, f==='glcm'||f==='glrlm' ? '3D_avg':'3D');
