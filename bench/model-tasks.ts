/**
 * Model-driven tasks on a full-size chest phantom (256 x 256 x 120, 1.4 x 1.4 x 2.5 mm, 6 nodules)
 * with the graphs the tests build: segmentTumor with a label graph in 64³ patches, detectNodules
 * with a blob heatmap (whole volume and 96³ patches) and with a box detector (96³ patches), and
 * the classical detectNodules for comparison. Prints wall time and the provenance stage timings.
 *
 *   npx tsx bench/model-tasks.ts
 */
import '../src/index.js';
import type { ModelCard } from '../src/backends/index.js';
import { makeChestCtPhantom } from '../src/core/index.js';
import { detectNodules, segmentTumor } from '../src/tasks/index.js';
import { blobBoxModel, blobHeatmapModel, thresholdLabelsModel } from '../test/helpers/model-graphs.js';

const tensor = (channels: number, names: Record<string, string>) => ({
  type: 'image' as const,
  num_channels: channels,
  spatial_shape: [-1, -1, -1],
  dtype: 'float32' as const,
  value_range: [],
  channel_def: names,
});
const card = (id: string, out: ReturnType<typeof tensor>, extra: Partial<ModelCard>): ModelCard => ({
  schema_version: 1,
  id,
  version: '1',
  license: 'CC0-1.0',
  network_data_format: { inputs: { image: { ...tensor(1, {}), modality: 'CT' } }, outputs: { pred: out } },
  ...extra,
});

const p = makeChestCtPhantom({ nodules: 6, noiseSd: 15, seed: 2, tumor: true });
console.log(`phantom ${p.image.dims.join('x')}, ${p.truth.nodules.length} nodules`);
const time = async <T>(label: string, f: () => Promise<T>, show: (r: T) => string): Promise<void> => {
  const t = performance.now();
  const r = await f();
  console.log(`${label}: ${((performance.now() - t) / 1000).toFixed(2)} s  ${show(r)}`);
};
const timings = (r: { provenance: { timingsMs: Record<string, number> } }): string =>
  JSON.stringify(r.provenance.timingsMs);

await time(
  'segmentTumor, label graph, 64^3 patches',
  () =>
    segmentTumor(p.image, {
      backend: 'cpu',
      model: {
        onnx: thresholdLabelsModel([0, 100]),
        card: card('labels', tensor(1, { '0': 'background', '1': 'soft tissue', '2': 'lesion' }), {
          inference: { patch_size: [64, 64, 64] },
          postprocessing: { output_kind: 'labels' },
        }),
      },
    }),
  (r) => `${r.lesions.length} lesions ${timings(r)}`,
);
for (const patch of [null, [96, 96, 96]] as const) {
  await time(
    `detectNodules, heatmap graph, ${patch ? '96^3 patches' : 'whole volume'}`,
    () =>
      detectNodules(p.image, {
        backend: 'cpu',
        lungRadsOnAnyScan: true,
        model: {
          onnx: blobHeatmapModel(-400),
          card: card('heat', tensor(1, { '0': 'nodule' }), {
            inference: { patch_size: patch ? [...patch] : null, overlap: 0.5, blend_mode: 'gaussian' },
            postprocessing: { output_kind: 'heatmap' },
          }),
        },
      }),
    (r) => `${r.nodules.length} findings ${timings(r)}`,
  );
}
await time(
  'detectNodules, box graph, 96^3 patches',
  () =>
    detectNodules(p.image, {
      backend: 'cpu',
      lungRadsOnAnyScan: true,
      model: {
        onnx: blobBoxModel(-400),
        card: card(
          'boxes',
          { ...tensor(7, {}), spatial_shape: [-1] },
          {
            inference: { patch_size: [96, 96, 96], overlap: 0.5 },
            postprocessing: { output_kind: 'boxes' },
          },
        ),
      },
    }),
  (r) => `${r.nodules.length} findings ${timings(r)}`,
);
await time(
  'detectNodules, classical',
  () => detectNodules(p.image, { lungRadsOnAnyScan: true }),
  (r) => `${r.nodules.length} findings ${timings(r)}`,
);
