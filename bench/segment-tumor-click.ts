/**
 * segmentTumor seed mode on the real cases against the search sphere: Dice on STS_001 CT and MR
 * from a click at the GTV centroid, for several `maxRadiusMm` (is the size bound the image's or the
 * sphere's?), and the 3D box. Options as JSON in argv[2] (e.g. '{"lowContrastMm":0}').
 * Run: npx tsx bench/segment-tumor-click.ts ['{"lowContrastGradient":3}'] [--radii=50,100]
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import '../src/index.js';
import { dice } from '../src/core/metrics/index.js';
import type { Vec3 } from '../src/core/volume.js';
import { readNifti } from '../src/io/nifti.js';
import { segmentTumor } from '../src/tasks/index.js';

const DATA = resolve(dirname(fileURLToPath(import.meta.url)), '../../shared/data');
const extra = JSON.parse(process.argv.find((a) => a.startsWith('{')) ?? '{}') as Record<string, number>;
const radii = (process.argv.find((a) => a.startsWith('--radii='))?.slice(8) ?? '50,60,80,100').split(',').map(Number);
const mods = (process.argv.find((a) => a.startsWith('--mod='))?.slice(6) ?? 'CT,MR_T1').split(',');
const t0 = process.cpuUsage();
for (const modality of mods) {
  const dir = join(DATA, 'validation/tumour_seg/sts_001');
  const img = await readNifti(join(dir, `STS_001_${modality}_image.nii.gz`));
  const gt = await readNifti(join(dir, `STS_001_${modality}_mask.nii.gz`));
  const ref = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8'))[modality].labels[0] as {
    centroid_lps_mm: Vec3;
    bbox_lps_mm_min: Vec3;
    bbox_lps_mm_max: Vec3;
  };
  const truth = { ...gt, data: Uint8Array.from(gt.data as ArrayLike<number>, (v) => (v > 0 ? 1 : 0)) };
  const row: string[] = [];
  for (const r of radii) {
    const res = await segmentTumor(img, { seed: ref.centroid_lps_mm, maxRadiusMm: r, ...extra });
    row.push(`R${r} ${dice(res.mask, truth).toFixed(3)} (${(res.lesions[0]?.volumeMl ?? 0).toFixed(0)} mL)`);
  }
  const b = await segmentTumor(img, { box: { min: ref.bbox_lps_mm_min, max: ref.bbox_lps_mm_max }, ...extra });
  row.push(`box3d ${dice(b.mask, truth).toFixed(3)}`);
  console.log(`${modality} ${JSON.stringify(extra)}: ${row.join(', ')}`);
}
const c = process.cpuUsage(t0);
console.log(`cpu ${((c.user + c.system) / 1e6).toFixed(1)} s`);
