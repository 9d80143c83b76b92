/**
 * Reads a CT series, segments the lungs' nodules and a tumour, and writes a DICOM SEG plus PNGs.
 *
 *   npx tsx examples/node/analyze-series.ts <dicom-folder> <out-folder> [seed x,y,z in LPS mm]
 *
 * In your application import from 'medimg' instead of the source path.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  detectNodules,
  readDicomSeries,
  renderSlicePng,
  segmentTumor,
  type Vec3,
  worldToIndex,
  writeDicomSeg,
} from '../../src/index.js';

const [dir, out = 'analyze-series-output', seedText] = process.argv.slice(2);
if (!dir) {
  console.error('usage: analyze-series.ts <dicom-folder> <out-folder> [x,y,z]');
  process.exit(2);
}
mkdirSync(out, { recursive: true });

// 1. Read the series (sorted along the slice normal, HU, LPS geometry, UIDs kept in meta).
const ct = await readDicomSeries(dir);
console.log(`read ${ct.dims.join('x')} voxels, ${ct.spacing.map((s) => s.toFixed(2)).join(' x ')} mm`);

// 2. Two tasks: nodule detection (with its lung mask) and a seeded tumour segmentation.
const nodules = await detectNodules(ct);
console.log(
  `${nodules.nodules.length} nodules, ${nodules.lungRads ? `exam Lung-RADS ${nodules.lungRads}` : `no Lung-RADS (${nodules.lungRadsReason})`}`,
);
const seed = (seedText?.split(',').map(Number) as Vec3 | undefined) ?? nodules.nodules[0]?.centerMm;
const tumor = seed ? await segmentTumor(ct, { seed }) : undefined;
if (tumor?.lesions[0]) console.log(`lesion at seed: ${tumor.lesions[0].volumeMl.toFixed(1)} mL`);

// 3. DICOM SEG on the source grid: one segment per mask, referencing the CT's instances.
const masks = [nodules.lungMask, ...(tumor ? [tumor.mask] : [])];
const segments = [
  { label: 'Lungs', type: 'lung', color: [80, 160, 255] as [number, number, number] },
  ...(tumor ? [{ label: 'Lesion', type: 'tumor', color: [255, 40, 40] as [number, number, number] }] : []),
];
writeFileSync(join(out, 'seg.dcm'), writeDicomSeg(masks, ct, segments));

// 4. PNGs: the lesion's slice with its outline, and each nodule marked.
if (tumor && seed) {
  const k = Math.round(worldToIndex(ct, seed)[2]);
  writeFileSync(
    join(out, 'lesion.png'),
    renderSlicePng(ct, { index: k, window: 'soft-tissue', overlay: { mask: tumor.mask, mode: 'contour' } }),
  );
}
const markers = nodules.nodules.map((n, i) => ({
  centerMm: n.centerMm,
  radiusMm: n.diameterMm / 2 + 3,
  label: `${i + 1}`,
}));
for (const [i, n] of nodules.nodules.slice(0, 3).entries()) {
  const k = Math.round(n.centerVoxel[2]);
  writeFileSync(join(out, `nodule-${i + 1}.png`), renderSlicePng(ct, { index: k, window: 'lung', markers }));
}
console.log(`wrote ${out}/seg.dcm and PNGs`);
