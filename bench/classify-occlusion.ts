/**
 * Cost of classifyImage's occlusion explanation: a 224 x 224 linear read-out classifier (built in
 * code, so the time is medimg's occlusion loop plus onnxruntime's per-call overhead, not a real
 * network's compute) on a 512 x 512 image, default patch sizes (1/16, 1/8, 1/4: 1,235 runs), at
 * batch sizes 1, 8 and 32; and readRadiograph on the real radiographs.
 *
 *   node --import tsx bench/classify-occlusion.ts
 */
import { existsSync } from 'node:fs';
import { classifyImage, createVolume, readRadiograph } from '../src/index.js';
import { classifierCard, regionClassifier } from '../test/helpers/classifier-graph.js';
import { dataPath } from '../test/helpers/data.js';

const n = 224;
const onnx = regionClassifier(
  [n, n],
  (i) => Math.floor(i / n) > 40 && Math.floor(i / n) < 80 && i % n > 100 && i % n < 150,
  [0, 8],
  [0, -4],
);
const img = createVolume([512, 512, 1], Float32Array);
for (let i = 0; i < img.data.length; i++) img.data[i] = ((i * 2654435761) % 1000) / 1000;
for (const batchSize of [1, 8, 32]) {
  const t = performance.now();
  const r = await classifyImage(img, {
    model: { onnx, card: classifierCard([n, n], ['a', 'b']) },
    backend: 'cpu',
    explain: { batchSize },
  });
  console.log(
    `explain batch ${batchSize}: ${r.explanation!.evaluations} runs, total ${(performance.now() - t).toFixed(0)} ms, explain ${r.provenance.timingsMs.explain!.toFixed(0)} ms`,
  );
}
const dir = dataPath('dicom', 'radiography');
if (existsSync(dir)) {
  for (const f of [
    'dx_fuji_thorax_small_mono1_8bit.dcm',
    'cr_fuji_hip_mono2_10bit_jpegll.dcm',
    'cr_fuji_tibia_mono1_10bit_j2kr.dcm',
  ]) {
    const t = performance.now();
    const r = await readRadiograph(`${dir}/${f}`);
    console.log(
      `readRadiograph ${f}: ${r.display.dims[0]}x${r.display.dims[1]} in ${(performance.now() - t).toFixed(0)} ms`,
    );
  }
}
