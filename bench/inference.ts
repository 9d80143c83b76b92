/**
 * MeshNet (256³) inference: time inside `session.run` alone versus the whole pipeline
 * (min-max scaling, tensor layout, argmax, label volume, counting) on cpu and wasm.
 * Goal: pipeline overhead < 10 % of inference time.
 *
 *   npx tsx bench/inference.ts [--backends cpu,wasm] [--repeats 1]
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  MESHNET_GWM_CARD,
  createSession,
  type OnnxInitializer,
  type OnnxNode,
  readNifti,
  runSegmentationModel,
  segmentBrainTissue,
  slidingWindowInference,
} from '../src/index.js';
import { buildOnnxModel } from '../src/testing.js';
import { Rng } from '../src/core/random.js';

const dir = resolve(import.meta.dirname, '../../shared/data/models/niivue_meshnet_tissue_gwm');
if (!existsSync(dir)) {
  console.error(`MeshNet data not found at ${dir}`);
  process.exit(1);
}
const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const stitchRoi = Number(arg('roi', '160'));
const backends = arg('backends', 'cpu,wasm').split(',') as ('cpu' | 'wasm')[];
const repeats = Number(arg('repeats', '1'));
const t1 = await readNifti(`${dir}/t1_crop.nii.gz`);
const model = `${dir}/model.onnx`;

const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const rows: string[][] = [];
for (const backend of backends) {
  const session = await createSession({ onnx: model, card: MESHNET_GWM_CARD }, { backend });
  // Raw: the already-scaled input tensor straight into session.run.
  const src = t1.data;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < src.length; i++) {
    lo = Math.min(lo, src[i]!);
    hi = Math.max(hi, src[i]!);
  }
  const x = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) x[i] = (src[i]! - lo) / (hi - lo);
  const raw: number[] = [];
  const pipe: number[] = [];
  const pipeRun: number[] = [];
  const task: number[] = [];
  for (let r = 0; r < repeats; r++) {
    let t = performance.now();
    await session.run({ input: { data: x, dims: [1, 1, 256, 256, 256] } });
    raw.push(performance.now() - t);
    t = performance.now();
    const res = await runSegmentationModel(t1, session);
    pipe.push(performance.now() - t);
    pipeRun.push(res.timings.run);
    const bt = await segmentBrainTissue(t1, { model: session });
    task.push(bt.provenance.timingsMs.total);
  }
  await session.release();
  const overhead = median(pipe) - median(pipeRun);
  rows.push([
    backend,
    session.provenance.runtime,
    median(raw).toFixed(0),
    median(pipeRun).toFixed(0),
    median(pipe).toFixed(0),
    overhead.toFixed(0),
    `${((100 * overhead) / median(pipeRun)).toFixed(1)} %`,
    median(task).toFixed(0),
  ]);
}
const head = [
  'backend',
  'runtime',
  'raw run ms',
  'run in pipeline ms',
  'pipeline ms',
  'overhead ms',
  'overhead / run',
  'segmentBrainTissue ms',
];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: string[]) => r.map((c, i) => c.padStart(widths[i]!)).join('  ');
console.log(
  `MeshNet GM/WM, 256³ input, ${repeats} repeat(s), median; ${process.platform} ${process.arch}, Node ${process.versions.node}`,
);
console.log(line(head));
for (const r of rows) console.log(line(r));

/**
 * MeshNet's architecture (9 dilated 3×3×3 convs of 5 channels + ReLU, 1×1×1 conv to 3 classes)
 * with random weights and dynamic spatial dims, so it can run patch by patch: measures what
 * sliding-window stitching (gather, importance weights, accumulation, normalisation) costs next to
 * the network at MeshNet's per-voxel cost.
 */
function meshnetLike(): Uint8Array {
  const rng = new Rng(42);
  const nodes: OnnxNode[] = [];
  const inits: OnnxInitializer[] = [];
  const dil = [1, 2, 4, 8, 16, 8, 4, 2, 1];
  let prev = 'input';
  let cin = 1;
  dil.forEach((d, i) => {
    const w = new Float32Array(5 * cin * 27).map(() => rng.normal() * Math.sqrt(2 / (cin * 27)));
    inits.push(
      { name: `w${i}`, dims: [5, cin, 3, 3, 3], data: w },
      { name: `b${i}`, dims: [5], data: new Float32Array(5).fill(0.01) },
    );
    nodes.push(
      {
        op: 'Conv',
        inputs: [prev, `w${i}`, `b${i}`],
        outputs: [`c${i}`],
        attrs: {
          kernel_shape: { ints: [3, 3, 3] },
          dilations: { ints: [d, d, d] },
          pads: { ints: [d, d, d, d, d, d] },
        },
      },
      { op: 'Relu', inputs: [`c${i}`], outputs: [`r${i}`] },
    );
    prev = `r${i}`;
    cin = 5;
  });
  inits.push(
    { name: 'wf', dims: [3, 5, 1, 1, 1], data: new Float32Array(15).map(() => rng.normal() * 0.5) },
    { name: 'bf', dims: [3], data: new Float32Array(3) },
  );
  nodes.push({
    op: 'Conv',
    inputs: [prev, 'wf', 'bf'],
    outputs: ['output'],
    attrs: { kernel_shape: { ints: [1, 1, 1] } },
  });
  return buildOnnxModel({
    nodes,
    initializers: inits,
    inputs: [{ name: 'input', shape: ['N', 1, 'D', 'H', 'W'] }],
    outputs: [{ name: 'output', shape: ['N', 3, 'D', 'H', 'W'] }],
  });
}

const scaled = new Float32Array(t1.data.length);
{
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < t1.data.length; i++) {
    lo = Math.min(lo, t1.data[i]!);
    hi = Math.max(hi, t1.data[i]!);
  }
  for (let i = 0; i < t1.data.length; i++) scaled[i] = (t1.data[i]! - lo) / (hi - lo);
}
const vol = { ...t1, data: scaled };
const srows: string[][] = [];
const cpuSession = await createSession(meshnetLike(), { backend: 'cpu' });
for (const mode of ['constant', 'gaussian'] as const) {
  let runMs = 0;
  const timed = {
    inputNames: cpuSession.inputNames,
    outputNames: cpuSession.outputNames,
    run: async (inputs: Parameters<typeof cpuSession.run>[0]) => {
      const t = performance.now();
      const r = await cpuSession.run(inputs);
      runMs += performance.now() - t;
      return r;
    },
  };
  const t = performance.now();
  const r = await slidingWindowInference(vol, timed, {
    roiSize: [stitchRoi, stitchRoi, stitchRoi],
    overlap: 0.25,
    mode,
  });
  const total = performance.now() - t;
  srows.push([
    'cpu',
    mode,
    String(r.patches),
    runMs.toFixed(0),
    total.toFixed(0),
    (total - runMs).toFixed(0),
    `${((100 * (total - runMs)) / runMs).toFixed(1)} %`,
  ]);
}
await cpuSession.release();
const shead = ['backend', 'mode', 'patches', 'session.run ms', 'sliding window ms', 'stitching ms', 'stitching / run'];
const sw = shead.map((h, i) => Math.max(h.length, ...srows.map((r) => r[i]!.length)));
console.log(
  `\nSliding window over 256³, roi ${stitchRoi}³, overlap 0.25, MeshNet-shaped net (random weights, dynamic shape)`,
);
console.log(shead.map((c, i) => c.padStart(sw[i]!)).join('  '));
for (const r of srows) console.log(r.map((c, i) => c.padStart(sw[i]!)).join('  '));
