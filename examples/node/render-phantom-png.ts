/**
 * Renders the synthetic chest CT as PNGs (axial, coronal, sagittal with the lung labels and
 * nodule markers, and an axial mosaic), and saves it as NRRD.
 *
 *   npx tsx examples/node/render-phantom-png.ts [outDir]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNrrd, renderMosaicPng, renderSlicePng, writeNrrd } from '../../src/index.js';
import { makeChestCtPhantom } from '../../src/testing.js';

const out = process.argv[2] ?? 'phantom-png';
mkdirSync(out, { recursive: true });
const { image, truth } = makeChestCtPhantom({ noiseSd: 15, tumor: true });
const markers = truth.nodules.map((n) => ({
  centerMm: n.centerMm,
  radiusMm: n.diameterMm / 2 + 3,
  label: `N${n.label}`,
}));
for (const axis of ['axial', 'coronal', 'sagittal'] as const) {
  const png = renderSlicePng(image, { axis, window: 'lung', overlay: { mask: truth.lungLabels, alpha: 0.3 }, markers });
  writeFileSync(join(out, `${axis}.png`), png);
}
writeFileSync(
  join(out, 'mosaic.png'),
  renderMosaicPng(image, {
    count: 12,
    columns: 4,
    maxSize: 256,
    window: 'mediastinum',
    overlay: { mask: truth.lungLabels, mode: 'contour' },
  }),
);
const nrrd = writeNrrd(image);
writeFileSync(join(out, 'phantom.nrrd'), nrrd);
const back = await readNrrd(join(out, 'phantom.nrrd'));
console.log(
  `wrote ${out}/{axial,coronal,sagittal,mosaic}.png and phantom.nrrd (${(nrrd.length / 2 ** 20).toFixed(1)} MiB, dims ${back.dims.join('x')})`,
);
