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
  computeTextureFeatureSets,
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

/**
 * Best of 7 runs after 3 warm-ups, in process CPU time (user + system): on a shared machine the
 * wall clock mostly measures the other processes; the work here is single-threaded.
 */
function best(fn: () => unknown): number {
  for (let w = 0; w < 3; w++) fn(); // let the JIT reach its optimising tier
  let min = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 7; r++) {
    const c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    min = Math.min(min, (c.user + c.system) / 1000);
  }
  return min;
}

function time(family: TextureFamily, aggregation: TextureAggregation, convention: 'ibsi' | 'pyradiomics'): number {
  return best(() => computeTextureFeatures(image, family, aggregation, { convention }));
}

const rows: [string, TextureFamily, TextureAggregation, TextureAggregation][] = [
  ['glcm', 'glcm', '3D_avg', '2D_avg'],
  ['glrlm', 'glrlm', '3D_avg', '2D_avg'],
  ['glszm', 'glszm', '3D', '2D'],
  ['gldzm', 'gldzm', '3D', '2D'],
  ['ngtdm', 'ngtdm', '3D', '2D'],
  ['ngldm/gldm', 'ngldm', '3D', '2D'],
];
console.log('family        ibsi 3D   pyradiomics 3D   ibsi 2D (CPU ms per call, best of 7)');
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

// All families of one aggregation through one ROI scan, as a pipeline would call them.
const all3D = best(() =>
  computeTextureFeatureSets(image, [
    { family: 'glcm', aggregation: '3D_avg' },
    { family: 'glrlm', aggregation: '3D_avg' },
    { family: 'glszm', aggregation: '3D' },
    { family: 'gldzm', aggregation: '3D' },
    { family: 'ngtdm', aggregation: '3D' },
    { family: 'ngldm', aggregation: '3D' },
  ]),
);
const allPy = best(() =>
  computeTextureFeatureSets(
    image,
    [
      { family: 'glcm', aggregation: '3D_avg' },
      { family: 'glrlm', aggregation: '3D_avg' },
      { family: 'glszm', aggregation: '3D' },
      { family: 'ngtdm', aggregation: '3D' },
      { family: 'gldm', aggregation: '3D' },
    ],
    { convention: 'pyradiomics' },
  ),
);
console.log(
  `computeTextureFeatureSets, all 6 IBSI 3D families: ${all3D.toFixed(1)} CPU ms; 5 PyRadiomics classes: ${allPy.toFixed(1)} CPU ms`,
);
