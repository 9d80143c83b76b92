import { resample } from '../src/core/ops/resample.js';
import { readDicomSeries } from '../src/index.js';
import { detectNodules } from '../src/tasks/index.js';
import { annotatedTumourBox, findInBox } from '../test/helpers/chest-ct-truth.js';
import { dataPath } from '../test/helpers/data.js';
for (const name of ['ct_chest_LungPETCTDx_A0001_kernelB', 'ct_chest_LungPETCTDx_A0002_B40f']) {
  const dir = dataPath('dicom', name);
  const ct = await readDicomSeries(dir);
  const box = annotatedTumourBox(dir, ct);
  for (const dz of [1.25]) {
    const v = resample(ct, { spacing: [ct.spacing[0], ct.spacing[1], dz] });
    const t0 = performance.now();
    const r = await detectNodules(v);
    const hit = findInBox(r.nodules, box);
    console.log(name.slice(20), dz, v.dims.join('x'), `${((performance.now() - t0) / 1000).toFixed(1)} s`, `rss ${(process.memoryUsage().rss / 1e9).toFixed(2)} GB`, hit ? `HIT ${hit.type} ${hit.diameterMm} p=${hit.probability}` : 'MISS', `findings ${r.nodules.length}`, r.lungRads, r.limitations.map((l) => l.code).join(','), JSON.stringify(r.provenance.timingsMs));
  }
}
