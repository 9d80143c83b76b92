/**
 * segmentTumor on the real chest CTs as other scanners would have made them: each CT with noise
 * (a lower dose), a smooth and a sharp kernel, a coarser pixel and, for A0001, 10 mm slices; from
 * the middle expert box (box mode) and from a click at its centre. Per variant the volume and the
 * mean per-slice IoU with the expert boxes that lie in the variant's slices (each box's slice
 * mapped by its z), and the limitations: the same lesion should give about the same mask.
 *
 *   npx tsx bench/segment-tumor-robustness.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import '../src/index.js';
import { worldToIndex } from '../src/core/geometry.js';
import { resample } from '../src/core/ops/resample.js';
import type { Vec3, Volume } from '../src/core/volume.js';
import { readDicomSeries } from '../src/io/dicom/index.js';
import { segmentTumor } from '../src/tasks/index.js';
import { sliceBoxIoU } from '../test/helpers/mask-slices.js';
import { noisyCt as noisy, resliceThick, sharpKernel as sharp, smoothKernel } from '../test/helpers/ct-variants.js';
import { dataPath } from '../test/helpers/data.js';

type Ann = { InstanceNumber: number; bbox_corner_min_LPS_mm: Vec3; bbox_corner_max_LPS_mm: Vec3 };

/** IoU with an expert box (LPS corners mapped into this grid) on its slice; NaN when the slice is not in the grid. */
function boxIoU(mask: Volume, a: Ann): number {
  const p = worldToIndex(mask, a.bbox_corner_min_LPS_mm).map(Math.round);
  const q = worldToIndex(mask, a.bbox_corner_max_LPS_mm).map(Math.round);
  if (p[2]! < 0 || p[2]! >= mask.dims[2]) return Number.NaN;
  return sliceBoxIoU(mask, p[2]!, [
    Math.min(p[0]!, q[0]!),
    Math.min(p[1]!, q[1]!),
    Math.max(p[0]!, q[0]!),
    Math.max(p[1]!, q[1]!),
  ]);
}

for (const name of ['ct_chest_LungPETCTDx_A0001_kernelB', 'ct_chest_LungPETCTDx_A0002_B40f']) {
  const dir = dataPath('dicom', name);
  const ct = await readDicomSeries(dir);
  const anns = (
    JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as { tumor_annotations: Ann[] }
  ).tumor_annotations.sort((a, b) => a.InstanceNumber - b.InstanceNumber);
  const mid = anns[anns.length >> 1]!;
  const variants: [string, () => Volume][] = [
    ['as acquired', () => ct],
    ['noise 40 HU', () => noisy(ct, 40)],
    ['noise 80 HU', () => noisy(ct, 80)],
    ['smooth kernel (1.6 mm)', () => smoothKernel(ct, 1.6)],
    ['sharp kernel', () => sharp(ct)],
    ['in-plane 1.5 mm', () => resample(ct, { spacing: [1.5, 1.5, ct.spacing[2]] })],
    ...(ct.spacing[2] < 8 ? ([['re-sliced 10 mm', () => resliceThick(ct, 10)]] as [string, () => Volume][]) : []),
  ];
  for (const [what, make] of variants) {
    const v = make();
    // the box on the variant's nearest slice to the expert box's
    const z = Math.round(worldToIndex(v, mid.bbox_corner_min_LPS_mm)[2]);
    const zmm = (k: number) => v.origin[2] + v.direction[8]! * v.spacing[2] * k;
    const box = {
      min: [mid.bbox_corner_min_LPS_mm[0], mid.bbox_corner_min_LPS_mm[1], zmm(z)] as Vec3,
      max: [mid.bbox_corner_max_LPS_mm[0], mid.bbox_corner_max_LPS_mm[1], zmm(z)] as Vec3,
    };
    const seed = [0, 1, 2].map((i) => (box.min[i]! + box.max[i]!) / 2) as Vec3;
    const out: string[] = [];
    for (const [mode, opts] of [
      ['box', { box }],
      ['click', { seed }],
    ] as const) {
      try {
        const r = await segmentTumor(v, opts);
        const ious = anns.map((a) => boxIoU(r.mask, a)).filter((x) => !Number.isNaN(x));
        const mean = ious.reduce((s, x) => s + x, 0) / ious.length;
        out.push(
          `${mode} ${(r.lesions[0]?.volumeMl ?? 0).toFixed(1)} mL IoU ${mean.toFixed(3)} [${r.limitations
            .map((l) => l.code)
            .filter((c) => c !== 'THICK_SLICES')
            .join(',')}]`,
        );
      } catch (e) {
        out.push(`${mode} ERROR ${(e as { code?: string }).code}`);
      }
    }
    console.log(`${name.slice(20)} | ${what.padEnd(24)} | ${out.join(' | ')}`);
  }
}
