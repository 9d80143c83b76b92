/**
 * segmentTumor from clicks where a user would put them, not only at the validation harness's one
 * centre: on each real chest CT with expert boxes (A0001, A0002), a click at the centre of every
 * annotated slice's box; on the sarcoma (STS_001 CT and MR), a click at the centre of the GTV's
 * cross-section on slices at 20-80 % of its z extent (nudged to the nearest GTV voxel). Prints per
 * click the volume, the mean per-slice box IoU (chest) or Dice (sarcoma), and the limitations;
 * then the spread per case (volume range against the median of the clicks).
 *
 *   npx tsx bench/segment-tumor-click-spread.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import '../src/index.js';
import { indexToWorld, worldToIndex } from '../src/core/geometry.js';
import { dice } from '../src/core/metrics/index.js';
import type { Vec3 } from '../src/core/volume.js';
import { readDicomSeries } from '../src/io/dicom/index.js';
import { readNifti } from '../src/io/nifti.js';
import { segmentTumor } from '../src/tasks/index.js';
import { clickOnMaskSlice, sliceBoxIoU } from '../test/helpers/mask-slices.js';
import { dataPath } from '../test/helpers/data.js';

type Ann = { bbox_pixels_xmin_ymin_xmax_ymax: number[]; bbox_corner_min_LPS_mm: Vec3; bbox_corner_max_LPS_mm: Vec3 };

const summary: string[] = [];
function spread(name: string, vols: number[], scores: number[], what: string): void {
  const s = [...vols].sort((a, b) => a - b);
  const med = s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  const within = vols.filter((v) => Math.abs(v - med) <= 0.15 * med).length;
  summary.push(
    `${name}: ${vols.length} clicks, volume ${s[0]!.toFixed(1)}-${s.at(-1)!.toFixed(1)} mL (median ${med.toFixed(1)}), ${within} within 15 % of the median; ${what} ${Math.min(...scores).toFixed(3)}-${Math.max(...scores).toFixed(3)} (mean ${(scores.reduce((a, b) => a + b, 0) / scores.length).toFixed(3)})`,
  );
}

for (const dir of process.env.NOCHEST
  ? []
  : ['dicom/ct_chest_LungPETCTDx_A0001_kernelB', 'dicom/ct_chest_LungPETCTDx_A0002_B40f']) {
  const ct = await readDicomSeries(dataPath(dir));
  const anns = (JSON.parse(readFileSync(join(dataPath(dir), 'reference.json'), 'utf8')) as { tumor_annotations: Ann[] })
    .tumor_annotations;
  const vols: number[] = [];
  const ious: number[] = [];
  for (const a of anns) {
    const seed = [0, 1, 2].map((i) => (a.bbox_corner_min_LPS_mm[i]! + a.bbox_corner_max_LPS_mm[i]!) / 2) as Vec3;
    const r = await segmentTumor(ct, { seed });
    const iou =
      anns
        .map((b) =>
          sliceBoxIoU(
            r.mask,
            Math.round(worldToIndex(ct, b.bbox_corner_min_LPS_mm)[2]),
            b.bbox_pixels_xmin_ymin_xmax_ymax,
          ),
        )
        .reduce((s, v) => s + v, 0) / anns.length;
    const v = r.lesions[0]?.volumeMl ?? 0;
    vols.push(v);
    ious.push(iou);
    const z = Math.round(worldToIndex(ct, seed)[2]);
    console.log(
      `${dir.split('_').slice(-2).join('_')} click on slice ${z}: ${v.toFixed(1)} mL, mean box IoU ${iou.toFixed(3)}; ${r.limitations.map((l) => l.code).join(', ')}`,
    );
  }
  spread(dir.split('/')[1]!, vols, ious, 'mean box IoU');
}

for (const mod of ['CT', 'MR_T1']) {
  const d = dataPath('validation/tumour_seg/sts_001');
  const img = await readNifti(join(d, `STS_001_${mod}_image.nii.gz`));
  const gt = await readNifti(join(d, `STS_001_${mod}_mask.nii.gz`));
  const truth = { ...gt, data: Uint8Array.from(gt.data as ArrayLike<number>, (v) => (v > 0 ? 1 : 0)) };
  const vols: number[] = [];
  const dices: number[] = [];
  for (const f of [0.2, 0.35, 0.5, 0.65, 0.8]) {
    const r = await segmentTumor(img, { seed: indexToWorld(img, clickOnMaskSlice(truth, f)) });
    const dc = dice(r.mask, truth);
    vols.push(r.lesions[0]?.volumeMl ?? 0);
    dices.push(dc);
    console.log(
      `STS_001 ${mod} click at ${Math.round(f * 100)} % of z: ${vols.at(-1)!.toFixed(1)} mL, Dice ${dc.toFixed(3)}; ${r.limitations.map((l) => l.code).join(', ')}`,
    );
  }
  spread(`STS_001 ${mod}`, vols, dices, 'Dice');
}
console.log(summary.join('\n'));
