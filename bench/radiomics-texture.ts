/**
 * Times each texture family on the IBSI CT phantom ROI (125,256 voxels), discretised config-A
 * like without interpolation: intensities rounded, fixed bin size 25 HU with IBSI's
 * floor((x - min) / 25) + 1, min = ROI minimum.
 *
 *   npx tsx bench/radiomics-texture.ts
 */
import { resolve } from 'node:path';
import { readNifti } from '../src/index.js';
import {
  type DiscretisedImage,
  type TextureAggregation,
  type TextureFamily,
  computeTextureFeatures,
} from '../src/tasks/radiomics/texture/index.js';

const dir = resolve(import.meta.dirname, '../../shared/data/ibsi1/ct_radiomics_phantom/nifti');
const img = await readNifti(resolve(dir, 'image/phantom.nii.gz'));
const mask = await readNifti(resolve(dir, 'mask/mask.nii.gz'));

const n = img.data.length;
let min = Number.POSITIVE_INFINITY;
let count = 0;
for (let i = 0; i < n; i++) {
  if (mask.data[i]) {
    const v = Math.round(Number(img.data[i]));
    if (v < min) min = v;
    count++;
  }
}
const levels = new Int32Array(n);
let nLevels = 0;
for (let i = 0; i < n; i++) {
  if (!mask.data[i]) continue;
  const l = Math.floor((Math.round(Number(img.data[i])) - min) / 25) + 1;
  levels[i] = l;
  if (l > nLevels) nLevels = l;
}
const image: DiscretisedImage = { levels, dims: img.dims, spacing: img.spacing, nLevels };
console.log(`CT phantom ROI: ${count} voxels, dims ${img.dims.join('x')}, Ng = ${nLevels} (bin width 25 HU)`);

function time(family: TextureFamily, aggregation: TextureAggregation, convention: 'ibsi' | 'pyradiomics'): number {
  computeTextureFeatures(image, family, aggregation, { convention }); // warm-up
  const reps = 5;
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) computeTextureFeatures(image, family, aggregation, { convention });
  return (performance.now() - t0) / reps;
}

const rows: [string, TextureFamily, TextureAggregation, TextureAggregation][] = [
  ['glcm', 'glcm', '3D_avg', '2D_avg'],
  ['glrlm', 'glrlm', '3D_avg', '2D_avg'],
  ['glszm', 'glszm', '3D', '2D'],
  ['gldzm', 'gldzm', '3D', '2D'],
  ['ngtdm', 'ngtdm', '3D', '2D'],
  ['ngldm/gldm', 'ngldm', '3D', '2D'],
];
console.log('family        ibsi 3D   pyradiomics 3D   ibsi 2D (ms per call, mean of 5)');
let t3 = 0;
let tp = 0;
let t2 = 0;
for (const [label, family, agg3, agg2] of rows) {
  const a = time(family, agg3, 'ibsi');
  const b = family === 'gldzm' ? Number.NaN : time(family, agg3, 'pyradiomics');
  const c = time(family, agg2, 'ibsi');
  t3 += a;
  if (!Number.isNaN(b)) tp += b;
  t2 += c;
  console.log(
    `${label.padEnd(12)} ${a.toFixed(1).padStart(8)} ${Number.isNaN(b) ? '        -' : b.toFixed(1).padStart(16)} ${c.toFixed(1).padStart(11)}`,
  );
}
console.log(
  `${'total'.padEnd(12)} ${t3.toFixed(1).padStart(8)} ${tp.toFixed(1).padStart(16)} ${t2.toFixed(1).padStart(11)}`,
);
