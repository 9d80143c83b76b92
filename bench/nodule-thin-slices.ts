// detectNodules at thin-slice scan size: the two real chest CTs interpolated (linear) to 1.25 mm
// slices (256 and 192 slices of 512x512), as a screening CT's voxel count. Prints wall time, peak
// resident memory, whether the annotated primary is found and the stage timings.
// Run: npx tsx bench/nodule-thin-slices.ts  (about 20 s per CT on 2 cores)
import { resample } from '../src/core/ops/resample.js';
import { readDicomSeries } from '../src/index.js';
import { detectNodules } from '../src/tasks/index.js';
import { annotatedTumourBox, findInBox } from '../test/helpers/chest-ct-truth.js';
import { dataPath } from '../test/helpers/data.js';

for (const name of ['ct_chest_LungPETCTDx_A0001_kernelB', 'ct_chest_LungPETCTDx_A0002_B40f']) {
  const dir = dataPath('dicom', name);
  const ct = await readDicomSeries(dir);
  const box = annotatedTumourBox(dir, ct);
  const v = resample(ct, { spacing: [ct.spacing[0], ct.spacing[1], 1.25] });
  const t0 = performance.now();
  const r = await detectNodules(v);
  const hit = findInBox(r.nodules, box);
  console.log(
    [
      name.slice(20),
      v.dims.join('x'),
      `${((performance.now() - t0) / 1000).toFixed(1)} s`,
      `peak RSS ${(process.resourceUsage().maxRSS / 1e6).toFixed(2)} GB`,
      hit ? `HIT ${hit.type} ${hit.diameterMm} mm p=${hit.probability}` : 'MISS',
      `findings ${r.nodules.length}`,
      `Lung-RADS ${r.lungRads} [${r.limitations.map((l) => l.code).join(',')}]`,
      JSON.stringify(r.provenance.timingsMs),
    ].join(' | '),
  );
}
