// ONNX graphs with known answers for the model-driven tasks (built in code, no model files):
// a label map from HU thresholds, a blob heatmap, and a box detector.
import { buildOnnxModel, type OnnxNode } from '../../src/backends/index.js';

const dyn = ['N', 1, 'D', 'H', 'W'];
const f32 = (v: number): Float32Array => new Float32Array([v]);
const i64 = (...v: number[]): BigInt64Array => BigInt64Array.from(v.map((x) => BigInt(x)));

/** One-channel label map: label = number of thresholds the voxel exceeds (x > t1, x > t2, ...). */
export function thresholdLabelsModel(thresholds: number[]): Uint8Array {
  const nodes: OnnxNode[] = [];
  const terms: string[] = [];
  thresholds.forEach((_, k) => {
    nodes.push({ op: 'Greater', inputs: ['input', `t${k}`], outputs: [`g${k}`] });
    nodes.push({ op: 'Cast', inputs: [`g${k}`], outputs: [`c${k}`], attrs: { to: { i: 1 } } });
    terms.push(`c${k}`);
  });
  let acc = terms[0]!;
  for (let k = 1; k < terms.length; k++) {
    nodes.push({ op: 'Add', inputs: [acc, terms[k]!], outputs: [`s${k}`] });
    acc = `s${k}`;
  }
  nodes.push({ op: 'Identity', inputs: [acc], outputs: ['output'] });
  return buildOnnxModel({
    nodes,
    initializers: thresholds.map((t, k) => ({ name: `t${k}`, dims: [], data: f32(t) })),
    inputs: [{ name: 'input', shape: dyn }],
    outputs: [{ name: 'output', shape: dyn }],
  });
}

/**
 * Blob heatmap: m = sigmoid(gain (x - t)) (dense tissue), heat = mean of m over a k³ box minus
 * its mean over a K³ box (edges replicated): ~1 at the centre of a ball of radius ≥ k/2 voxels that is
 * small against K, ~0 inside large uniform regions and on flat boundaries.
 */
export function blobHeatmapModel(t: number, k = 3, K = 11, gain = 0.05): Uint8Array {
  const heat = buildHeatNodes(t, k, K, gain);
  return buildOnnxModel({
    nodes: [...heat.nodes, { op: 'Identity', inputs: ['heat'], outputs: ['output'] }],
    initializers: heat.initializers,
    inputs: [{ name: 'input', shape: dyn }],
    outputs: [{ name: 'output', shape: dyn }],
  });
}

/**
 * Box detector: the bounding box of the voxels where the blob heatmap of {@link blobHeatmapModel}
 * exceeds `h`, as one row [min0, min1, min2, max0, max1, max2, score] in tensor spatial order
 * (voxel i spans [i - 0.5, i + 0.5]); score 1 when any voxel exceeds `h`, else 0.
 */
export function blobBoxModel(t: number, h = 0.5, k = 3, K = 11, gain = 0.05): Uint8Array {
  const heat = buildHeatNodes(t, k, K, gain);
  const nodes: OnnxNode[] = [...heat.nodes];
  nodes.push({ op: 'Greater', inputs: ['heat', 'h'], outputs: ['mb'] });
  nodes.push({ op: 'Cast', inputs: ['mb'], outputs: ['mask'], attrs: { to: { i: 1 } } });
  const mins: string[] = [];
  const maxs: string[] = [];
  for (const a of [2, 3, 4]) {
    const others = [0, 1, 2, 3, 4].filter((x) => x !== a);
    nodes.push({
      op: 'ReduceMax',
      inputs: ['mask'],
      outputs: [`p${a}`],
      attrs: { axes: { ints: others }, keepdims: { i: 0 } },
    });
    nodes.push({
      op: 'ArgMax',
      inputs: [`p${a}`],
      outputs: [`first${a}`],
      attrs: { axis: { i: 0 }, keepdims: { i: 1 } },
    });
    nodes.push({ op: 'Slice', inputs: [`p${a}`, 'rs', 're', 'ra', 'rstep'], outputs: [`rev${a}`] });
    nodes.push({
      op: 'ArgMax',
      inputs: [`rev${a}`],
      outputs: [`fromEnd${a}`],
      attrs: { axis: { i: 0 }, keepdims: { i: 1 } },
    });
    nodes.push({ op: 'Shape', inputs: [`p${a}`], outputs: [`len${a}`] });
    nodes.push({ op: 'Sub', inputs: [`len${a}`, 'one64'], outputs: [`lastIdx${a}`] });
    nodes.push({ op: 'Sub', inputs: [`lastIdx${a}`, `fromEnd${a}`], outputs: [`last${a}`] });
    nodes.push({ op: 'Cast', inputs: [`first${a}`], outputs: [`ff${a}`], attrs: { to: { i: 1 } } });
    nodes.push({ op: 'Cast', inputs: [`last${a}`], outputs: [`lf${a}`], attrs: { to: { i: 1 } } });
    nodes.push({ op: 'Sub', inputs: [`ff${a}`, 'half'], outputs: [`min${a}`] });
    nodes.push({ op: 'Add', inputs: [`lf${a}`, 'half'], outputs: [`max${a}`] });
    mins.push(`min${a}`);
    maxs.push(`max${a}`);
  }
  nodes.push({ op: 'ReduceMax', inputs: ['mask'], outputs: ['score0'], attrs: { keepdims: { i: 0 } } });
  nodes.push({ op: 'Reshape', inputs: ['score0', 'shape1'], outputs: ['score'] });
  nodes.push({ op: 'Concat', inputs: [...mins, ...maxs, 'score'], outputs: ['row'], attrs: { axis: { i: 0 } } });
  nodes.push({ op: 'Unsqueeze', inputs: ['row', 'axis0'], outputs: ['output'] });
  return buildOnnxModel({
    nodes,
    initializers: [
      ...heat.initializers,
      { name: 'h', dims: [], data: f32(h) },
      { name: 'half', dims: [], data: f32(0.5) },
      { name: 'one64', dims: [1], data: i64(1) },
      { name: 'rs', dims: [1], data: i64(-1) },
      { name: 're', dims: [1], data: BigInt64Array.from([-(2n ** 63n)]) },
      { name: 'ra', dims: [1], data: i64(0) },
      { name: 'rstep', dims: [1], data: i64(-1) },
      { name: 'shape1', dims: [1], data: i64(1) },
      { name: 'axis0', dims: [1], data: i64(0) },
    ],
    inputs: [{ name: 'input', shape: dyn }],
    outputs: [{ name: 'output', shape: ['B', 7] }],
  });
}

/** Nodes computing `heat` from `input` (see {@link blobHeatmapModel}); edges padded by replication. */
function buildHeatNodes(t: number, k: number, K: number, gain: number) {
  const pooled = (size: number, out: string): OnnxNode[] => {
    return [
      { op: 'Pad', inputs: ['m', `pads${size}`], outputs: [`mp${size}`], attrs: { mode: { s: 'edge' } } },
      {
        op: 'AveragePool',
        inputs: [`mp${size}`],
        outputs: [out],
        attrs: { kernel_shape: { ints: [size, size, size] } },
      },
    ];
  };
  const pads = (size: number) => {
    const p = (size - 1) / 2;
    return { name: `pads${size}`, dims: [10], data: i64(0, 0, p, p, p, 0, 0, p, p, p) };
  };
  return {
    nodes: [
      { op: 'Sub', inputs: ['input', 't'], outputs: ['d'] },
      { op: 'Mul', inputs: ['d', 'g'], outputs: ['z'] },
      { op: 'Sigmoid', inputs: ['z'], outputs: ['m'] },
      ...pooled(k, 'small'),
      ...pooled(K, 'large'),
      { op: 'Sub', inputs: ['small', 'large'], outputs: ['heat'] },
    ] as OnnxNode[],
    initializers: [{ name: 't', dims: [], data: f32(t) }, { name: 'g', dims: [], data: f32(gain) }, pads(k), pads(K)],
  };
}
