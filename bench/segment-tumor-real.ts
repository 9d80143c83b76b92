/**
 * segmentTumor on the real annotated cases of ../shared/data: per-slice box IoU and volume spread
 * from every expert box of both chest CTs, and Dice on the sarcoma CT (+ MR, held out) from a click
 * and from a 3D box, with sweeps (click moved, box shrunk/padded). Prints a plain report.
 * Run: npx tsx bench/segment-tumor-real.ts [--quick]
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import '../src/index.js';
import { worldToIndex } from '../src/core/geometry.js';
import { dice } from '../src/core/metrics/index.js';
import type { Vec3 } from '../src/core/volume.js';
import { readDicomSeries } from '../src/io/dicom/index.js';
import { readNifti } from '../src/io/nifti.js';
import { segmentTumor } from '../src/tasks/index.js';
import { sliceBoxIoU } from '../test/helpers/mask-slices.js';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
const DATA = resolve(dirname(fileURLToPath(import.meta.url)), '../../shared/data');
const f = (v: number, d = 2): string => v.toFixed(d);

interface Ann {
  InstanceNumber: number;
  bbox_pixels_xmin_ymin_xmax_ymax: number[];
  bbox_corner_min_LPS_mm: Vec3;
  bbox_corner_max_LPS_mm: Vec3;
}

async function chest(name: string): Promise<void> {
  const dir = join(DATA, 'dicom', name);
  const ct = await readDicomSeries(dir);
  const anns = (JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as { tumor_annotations: Ann[] })
    .tumor_annotations;
  anns.sort((a, b) => a.bbox_corner_min_LPS_mm[2] - b.bbox_corner_min_LPS_mm[2]);
  console.log(`\n## ${name} (${ct.spacing.map((s) => f(s, 2)).join(' x ')} mm, ${anns.length} boxes)`);
  const vols: number[] = [];
  const means: number[] = [];
  for (const a of quick ? anns.slice(0, 3) : anns) {
    const t = performance.now();
    const r = await segmentTumor(ct, { box: { min: a.bbox_corner_min_LPS_mm, max: a.bbox_corner_max_LPS_mm } });
    const ms = performance.now() - t;
    const ious = anns.map((b) =>
      sliceBoxIoU(r.mask, Math.round(worldToIndex(ct, b.bbox_corner_min_LPS_mm)[2]), b.bbox_pixels_xmin_ymin_xmax_ymax),
    );
    const mean = ious.reduce((s, v) => s + v, 0) / ious.length;
    const v = r.lesions[0]?.volumeMl ?? 0;
    vols.push(v);
    means.push(mean);
    // slices the mask holds below the lowest and above the highest expert box (the z extent check)
    const ks = anns.map((b) => Math.round(worldToIndex(ct, b.bbox_corner_min_LPS_mm)[2]));
    const [lo, hi] = [Math.min(...ks), Math.max(...ks)];
    let below = 0;
    let above = 0;
    const sxy = ct.dims[0] * ct.dims[1];
    for (let z = 0; z < ct.dims[2]; z++) {
      if (z >= lo && z <= hi) continue;
      let any = false;
      for (let i = z * sxy; i < (z + 1) * sxy && !any; i++) any = r.mask.data[i] !== 0;
      if (any && z < lo) below++;
      if (any && z > hi) above++;
    }
    console.log(
      `box on instance ${a.InstanceNumber}: ${f(v, 1)} mL, mean IoU ${f(mean)} (min ${f(Math.min(...ious))}) ` +
        `slices past the boxes ${below}/${above} ` +
        `[${ious.map((x) => f(x)).join(' ')}] ${f(ms / 1000, 1)} s; limitations ${r.limitations?.map((l) => l.code).join(',') ?? '-'}`,
    );
  }
  const sorted = [...vols].sort((a, b) => a - b);
  const h = sorted.length >> 1;
  // the median as the test takes it (mean of the middle two for an even count)
  const med = sorted.length % 2 ? sorted[h]! : (sorted[h - 1]! + sorted[h]!) / 2;
  const dev = Math.max(...vols.map((v) => Math.abs(v / med - 1)));
  const within = vols.filter((v) => Math.abs(v / med - 1) <= 0.15).length;
  console.log(
    `volumes ${vols.map((v) => f(v, 0)).join(', ')} mL; median ${f(med, 1)}; worst deviation ${f(100 * dev, 1)} %; ` +
      `${within}/${vols.length} within 15 %; boxes at mean IoU >= 0.6: ${means.filter((m) => m >= 0.6).length}; ` +
      `mean IoU over boxes ${f(means.reduce((s, v) => s + v, 0) / means.length)} (worst ${f(Math.min(...means))})`,
  );
  // click at the centre of the middle box
  const mid = anns[anns.length >> 1]!;
  const c = [0, 1, 2].map((i) => (mid.bbox_corner_min_LPS_mm[i]! + mid.bbox_corner_max_LPS_mm[i]!) / 2) as Vec3;
  const t = performance.now();
  const r = await segmentTumor(ct, { seed: c });
  const ious = anns.map((b) =>
    sliceBoxIoU(r.mask, Math.round(worldToIndex(ct, b.bbox_corner_min_LPS_mm)[2]), b.bbox_pixels_xmin_ymin_xmax_ymax),
  );
  console.log(
    `click at centre of box ${mid.InstanceNumber}: ${f(r.lesions[0]?.volumeMl ?? 0, 1)} mL, mean IoU ${f(ious.reduce((s, v) => s + v, 0) / ious.length)} ${f((performance.now() - t) / 1000, 1)} s`,
  );
}

async function sts(modality: 'CT' | 'MR_T1'): Promise<void> {
  const dir = join(DATA, 'validation/tumour_seg/sts_001');
  const img = await readNifti(join(dir, `STS_001_${modality}_image.nii.gz`));
  const gt = await readNifti(join(dir, `STS_001_${modality}_mask.nii.gz`));
  const ref = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8'))[modality].labels[0] as {
    centroid_lps_mm: Vec3;
    bbox_lps_mm_min: Vec3;
    bbox_lps_mm_max: Vec3;
    volume_ml: number;
  };
  const truth = { ...gt, data: Uint8Array.from(gt.data as ArrayLike<number>, (v) => (v > 0 ? 1 : 0)) };
  console.log(`\n## STS_001 ${modality} (GTV ${f(ref.volume_ml, 1)} mL)`);
  const run = async (label: string, o: Parameters<typeof segmentTumor>[1]): Promise<number> => {
    const t = performance.now();
    const r = await segmentTumor(img, o);
    const d = dice(r.mask, truth);
    console.log(
      `${label}: Dice ${f(d, 3)}, ${f(r.lesions[0]?.volumeMl ?? 0, 1)} mL, ${f((performance.now() - t) / 1000, 1)} s; limitations ${r.limitations?.map((l) => l.code).join(',') ?? '-'}`,
    );
    return d;
  };
  const c = ref.centroid_lps_mm;
  await run('click at GTV centroid', { seed: c });
  await run('3D box = GTV bounding box', { box: { min: ref.bbox_lps_mm_min, max: ref.bbox_lps_mm_max } });
  if (quick) return;
  const sweep: number[] = [];
  for (const d of [
    [5, 0, 0],
    [-5, 0, 0],
    [0, 5, 0],
    [0, -5, 0],
    [0, 0, 6.5],
    [0, 0, -6.5],
    [10, 0, 0],
    [0, -10, 0],
  ] as Vec3[])
    sweep.push(await run(`click moved ${d.join(',')} mm`, { seed: [c[0] + d[0], c[1] + d[1], c[2] + d[2]] }));
  console.log(
    `click sweep: Dice min ${f(Math.min(...sweep), 3)}, mean ${f(sweep.reduce((s, v) => s + v, 0) / sweep.length, 3)}`,
  );
  const bs: number[] = [];
  for (const p of [-5, 3, 5, 10]) {
    const min = ref.bbox_lps_mm_min.map((v) => v - p) as Vec3;
    const max = ref.bbox_lps_mm_max.map((v) => v + p) as Vec3;
    bs.push(await run(`3D box padded ${p} mm`, { box: { min, max } }));
  }
  console.log(`box sweep: Dice min ${f(Math.min(...bs), 3)}`);
}

const t0 = performance.now();
if (!only || only === 'a2') await chest('ct_chest_LungPETCTDx_A0002_B40f');
if (!only || only === 'a1') await chest('ct_chest_LungPETCTDx_A0001_kernelB');
if (!only || only === 'sts') await sts('CT');
if (!only || only === 'mr') await sts('MR_T1');
console.log(`\ntotal ${f((performance.now() - t0) / 1000, 1)} s`);
