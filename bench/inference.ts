/**
 * MeshNet (256³) inference: time inside `session.run` alone versus the whole pipeline
 * (min-max scaling, tensor layout, argmax, label volume, counting) on cpu and wasm.
 * Goal: pipeline overhead < 10 % of inference time.
 *
 *   npx tsx bench/inference.ts [--backends cpu,wasm] [--repeats 1]
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { MESHNET_GWM_CARD, createSession, readNifti, runSegmentationModel, segmentBrainTissue } from '../src/index.js';

const dir = resolve(import.meta.dirname, '../../shared/data/models/niivue_meshnet_tissue_gwm');
if (!existsSync(dir)) {
  console.error(`MeshNet data not found at ${dir}`);
  process.exit(1);
}
const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
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
    task.push(bt.provenance.timings.total);
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
const head = ['backend', 'runtime', 'raw run ms', 'run in pipeline ms', 'pipeline ms', 'overhead ms', 'overhead / run', 'segmentBrainTissue ms'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: string[]) => r.map((c, i) => c.padStart(widths[i]!)).join('  ');
console.log(`MeshNet GM/WM, 256³ input, ${repeats} repeat(s), median; ${process.platform} ${process.arch}, Node ${process.versions.node}`);
console.log(line(head));
for (const r of rows) console.log(line(r));
