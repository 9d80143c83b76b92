/**
 * The caveat rules (src/tasks/caveats.ts) on the real cases of ../shared/data: the HU make-up of
 * expert soft-tissue masks (must raise nothing) and of segmentTumor outlines from the radiologists'
 * boxes and a click on both chest CTs, with detectNodules on the same scans (the cross-task rule).
 * The thresholds are set from physics (cortical bone >= 700 HU, aerated lung <= -500 HU), not fitted
 * to these cases; this prints where each case falls. Run: npx tsx bench/caveat-rules.ts
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import '../src/index.js';
import { worldToIndex } from '../src/core/geometry.js';
import { createVolumeLike, type Mask, type Vec3, type Volume } from '../src/core/volume.js';
import { readDicomSeries } from '../src/io/dicom/index.js';
import { readNifti } from '../src/io/nifti.js';
import { readNrrd } from '../src/io/nrrd.js';
import { findCaveats } from '../src/tasks/caveats.js';
import { detectNodules, type SegmentTumorResult, segmentTumor } from '../src/tasks/index.js';

const DATA = resolve(dirname(fileURLToPath(import.meta.url)), '../../shared/data');

function makeup(ct: Volume, mask: Mask): string {
  let n = 0;
  let bone = 0;
  let air = 0;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (let i = 0; i < mask.data.length; i++) {
    if (!mask.data[i]) continue;
    const v = ct.data[i]!;
    n++;
    sum += v;
    if (v >= 700) bone++;
    if (v <= -500) air++;
    if (v > max) max = v;
  }
  return `${n} voxels, mean ${(sum / n).toFixed(0)} HU, max ${max} HU, >=700 HU ${((100 * bone) / n).toFixed(2)}%, <=-500 HU ${((100 * air) / n).toFixed(2)}%`;
}

/** A segmentTumor-shaped result around an expert mask (only what the rules read). */
function asTumour(mask: Mask): SegmentTumorResult {
  return {
    mask,
    lesions: [{ meanHU: 0, longAxisMm: 1 } as SegmentTumorResult['lesions'][number]],
  } as SegmentTumorResult;
}

interface Ann {
  bbox_corner_min_LPS_mm: Vec3;
  bbox_corner_max_LPS_mm: Vec3;
}

const codes = (ct: Volume, r: Parameters<typeof findCaveats>[1]) =>
  findCaveats(ct, r)
    .caveats.map((c) => `${c.code} ${JSON.stringify(c.details)}`)
    .join('; ') || 'none';

console.log('## Expert soft-tissue masks (no caveat expected)');
{
  const ct = await readNifti(join(DATA, 'validation/tumour_seg/sts_001/STS_001_CT_image.nii.gz'));
  ct.meta = { ...ct.meta, modality: 'CT', units: 'HU' };
  const m = await readNifti(join(DATA, 'validation/tumour_seg/sts_001/STS_001_CT_mask.nii.gz'));
  const mask = createVolumeLike(ct, Uint8Array);
  for (let i = 0; i < mask.data.length; i++) mask.data[i] = m.data[i] ? 1 : 0;
  console.log(`STS_001 CT GTV_Mass: ${makeup(ct, mask)} -> ${codes(ct, { segmentTumor: asTumour(mask) })}`);
}
{
  const dir = join(DATA, 'dicom/ct_abdomen_dcmqi_3slice');
  const ct = await readDicomSeries(dir);
  for (const organ of ['liver', 'heart']) {
    const m = await readNrrd(join(DATA, `seg/dcmqi_on_ct_abdomen_3slice/${organ}_seg.nrrd`));
    const mask = createVolumeLike(ct, Uint8Array);
    for (let i = 0; i < mask.data.length; i++) mask.data[i] = m.data[i] ? 1 : 0;
    console.log(`dcmqi abdomen ${organ}: ${makeup(ct, mask)} -> ${codes(ct, { segmentTumor: asTumour(mask) })}`);
  }
}

console.log('\n## Masks that hold other tissue (caveat expected)');
{
  const dir = join(DATA, 'dicom/ct_abdomen_dcmqi_3slice');
  const ct = await readDicomSeries(dir);
  const m = await readNrrd(join(DATA, 'seg/dcmqi_on_ct_abdomen_3slice/spine_seg.nrrd'));
  const mask = createVolumeLike(ct, Uint8Array);
  for (let i = 0; i < mask.data.length; i++) mask.data[i] = m.data[i] ? 1 : 0;
  console.log(
    `dcmqi abdomen spine as a lesion mask: ${makeup(ct, mask)} -> ${codes(ct, { segmentTumor: asTumour(mask) })}`,
  );
}
for (const name of ['ct_chest_LungPETCTDx_A0001_kernelB', 'ct_chest_LungPETCTDx_A0002_B40f']) {
  const dir = join(DATA, 'dicom', name);
  const ct = await readDicomSeries(dir);
  const anns = (JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as { tumor_annotations: Ann[] })
    .tumor_annotations;
  const mask = boxesMask(ct, anns);
  console.log(
    `${name} radiologist boxes filled as a mask: ${makeup(ct, mask)} -> ${codes(ct, { segmentTumor: asTumour(mask) })}`,
  );
}

/** Every voxel inside any of the slice boxes. */
function boxesMask(ct: Volume, anns: Ann[]): Mask {
  const mask = createVolumeLike(ct, Uint8Array);
  const [nx, ny, nz] = ct.dims;
  for (const a of anns) {
    const lo = worldToIndex(ct, a.bbox_corner_min_LPS_mm);
    const hi = worldToIndex(ct, a.bbox_corner_max_LPS_mm);
    const r = [0, 1, 2].map((d) => [
      Math.max(0, Math.round(Math.min(lo[d]!, hi[d]!))),
      Math.round(Math.max(lo[d]!, hi[d]!)),
    ]);
    for (let k = r[2]![0]!; k <= Math.min(nz - 1, r[2]![1]!); k++)
      for (let j = r[1]![0]!; j <= Math.min(ny - 1, r[1]![1]!); j++)
        for (let i = r[0]![0]!; i <= Math.min(nx - 1, r[0]![1]!); i++) mask.data[(k * ny + j) * nx + i] = 1;
  }
  return mask;
}

console.log('\n## segmentTumor and detectNodules on the chest CTs');
for (const name of ['ct_chest_LungPETCTDx_A0001_kernelB', 'ct_chest_LungPETCTDx_A0002_B40f']) {
  const dir = join(DATA, 'dicom', name);
  const ct = await readDicomSeries(dir);
  const anns = (JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as { tumor_annotations: Ann[] })
    .tumor_annotations;
  anns.sort((a, b) => a.bbox_corner_min_LPS_mm[2] - b.bbox_corner_min_LPS_mm[2]);
  const mid = anns[Math.floor(anns.length / 2)]!;
  const seed = [0, 1, 2].map((a) => (mid.bbox_corner_min_LPS_mm[a]! + mid.bbox_corner_max_LPS_mm[a]!) / 2) as Vec3;
  const nodules = await detectNodules(ct);
  const found = nodules.nodules
    .slice(0, 5)
    .map((n) => `${n.type} ${n.longAxisMm.toFixed(1)} mm ${n.meanHU.toFixed(0)} HU`);
  console.log(`${name}: detectNodules ${nodules.nodules.length} findings (${found.join(', ')})`);
  for (const [prompt, opts] of [
    ['click (middle box centre)', { seed }],
    ['box (middle slice box)', { box: { min: mid.bbox_corner_min_LPS_mm, max: mid.bbox_corner_max_LPS_mm } }],
  ] as const) {
    const t = await segmentTumor(ct, opts);
    const l = t.lesions[0];
    console.log(
      `  ${prompt}: ${l ? `${l.volumeMl.toFixed(1)} mL, long axis ${l.longAxisMm.toFixed(1)} mm, interior mean ${l.meanHU.toFixed(0)} HU; mask ${makeup(ct, t.mask)}` : 'empty'}`,
    );
    console.log(`    caveats: ${codes(ct, { segmentTumor: t, detectNodules: nodules, extractRadiomics: {} })}`);
  }
}
