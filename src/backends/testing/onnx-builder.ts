/**
 * A tiny ONNX writer: enough protobuf (ModelProto, GraphProto, NodeProto, TensorProto,
 * ValueInfoProto, AttributeProto) to build small float32 graphs in code. Used for backend
 * probes and for tests whose expected output is known analytically; useful to users who want to
 * test their own pipelines without shipping model files.
 */

/** An attribute value: number (INT when integral and `ints`-free, else FLOAT), number[] (INTS), string. */
export type OnnxAttr = { i: number } | { f: number } | { ints: number[] } | { floats: number[] } | { s: string };

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, OnnxAttr>;
}

export interface OnnxInitializer {
  name: string;
  dims: number[];
  /** float32 (data_type 1) or int64 (data_type 7, for shapes/axes). */
  data: Float32Array | BigInt64Array;
}

/** A graph input or output: float32 with the given shape (strings are symbolic dims). */
export interface OnnxValueInfo {
  name: string;
  shape: (number | string)[];
}

export interface OnnxGraphSpec {
  nodes: OnnxNode[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  initializers?: OnnxInitializer[];
  /** Default 13. */
  opset?: number;
  name?: string;
}

// --- protobuf wire format --------------------------------------------------------------------
class Writer {
  private chunks: number[] = [];
  varint(v: number | bigint): this {
    let n = BigInt.asUintN(64, BigInt(v));
    while (n >= 0x80n) {
      this.chunks.push(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    this.chunks.push(Number(n));
    return this;
  }
  tag(field: number, wire: number): this {
    return this.varint((field << 3) | wire);
  }
  int(field: number, v: number | bigint): this {
    return this.tag(field, 0).varint(v);
  }
  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2).varint(b.length);
    for (let i = 0; i < b.length; i++) this.chunks.push(b[i]!);
    return this;
  }
  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }
  msg(field: number, w: Writer): this {
    return this.bytes(field, w.finish());
  }
  float(field: number, v: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(new Float32Array([v]).buffer);
    for (let i = 0; i < 4; i++) this.chunks.push(b[i]!);
    return this;
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

function tensorProto(t: OnnxInitializer): Writer {
  const w = new Writer();
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.data instanceof Float32Array ? 1 : 7);
  w.string(8, t.name);
  w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  return w;
}

function valueInfo(v: OnnxValueInfo): Writer {
  const shape = new Writer();
  for (const d of v.shape) {
    const dim = new Writer();
    if (typeof d === 'number') dim.int(1, d);
    else dim.string(2, d);
    shape.msg(1, dim);
  }
  const tensorType = new Writer().int(1, 1).msg(2, shape); // elem_type FLOAT
  const type = new Writer().msg(1, tensorType);
  return new Writer().string(1, v.name).msg(2, type);
}

function attribute(name: string, a: OnnxAttr): Writer {
  const w = new Writer().string(1, name);
  if ('i' in a) w.int(3, a.i).int(20, 2);
  else if ('f' in a) w.float(2, a.f).int(20, 1);
  else if ('s' in a) w.string(4, a.s).int(20, 3);
  else if ('ints' in a) {
    for (const v of a.ints) w.int(8, v);
    w.int(20, 7);
  } else {
    for (const v of a.floats) w.float(7, v);
    w.int(20, 6);
  }
  return w;
}

/** Serialises a graph to ONNX bytes (IR version 8, default opset 13). */
export function buildOnnxModel(spec: OnnxGraphSpec): Uint8Array {
  const g = new Writer();
  spec.nodes.forEach((n, k) => {
    const nw = new Writer();
    for (const i of n.inputs) nw.string(1, i);
    for (const o of n.outputs) nw.string(2, o);
    nw.string(3, `${n.op}_${k}`);
    nw.string(4, n.op);
    for (const [name, a] of Object.entries(n.attrs ?? {})) nw.msg(5, attribute(name, a));
    g.msg(1, nw);
  });
  g.string(2, spec.name ?? 'medimg_graph');
  for (const t of spec.initializers ?? []) g.msg(5, tensorProto(t));
  for (const v of spec.inputs) g.msg(11, valueInfo(v));
  for (const v of spec.outputs) g.msg(12, valueInfo(v));
  const opset = new Writer().string(1, '').int(2, spec.opset ?? 13);
  return new Writer().int(1, 8).string(2, 'medimg').msg(7, g).msg(8, opset).finish();
}

/** Symbolic 5D shape [N, C, D, H, W] for volumetric test graphs. */
const dyn5 = (c: number): (number | string)[] => ['N', c, 'D', 'H', 'W'];

/** y = x (any shape, one channel by default). */
export function identityModel(channels = 1): Uint8Array {
  return buildOnnxModel({
    nodes: [{ op: 'Identity', inputs: ['input'], outputs: ['output'] }],
    inputs: [{ name: 'input', shape: dyn5(channels) }],
    outputs: [{ name: 'output', shape: dyn5(channels) }],
  });
}

/** y = scale * x + offset. */
export function scaleModel(scale: number, offset = 0): Uint8Array {
  return buildOnnxModel({
    nodes: [
      { op: 'Mul', inputs: ['input', 'scale'], outputs: ['scaled'] },
      { op: 'Add', inputs: ['scaled', 'offset'], outputs: ['output'] },
    ],
    initializers: [
      { name: 'scale', dims: [], data: new Float32Array([scale]) },
      { name: 'offset', dims: [], data: new Float32Array([offset]) },
    ],
    inputs: [{ name: 'input', shape: dyn5(1) }],
    outputs: [{ name: 'output', shape: dyn5(1) }],
  });
}

/**
 * 3D convolution of one channel with a k×k×k kernel (odd k), zero padding of k//2 ("same"):
 * `kernel` given in [z][y][x] order, flattened x fastest; default the box filter 1/k³.
 */
export function conv3dModel(k = 3, kernel?: Float32Array): Uint8Array {
  if (k % 2 !== 1) throw new RangeError('kernel size must be odd');
  const w = kernel ?? new Float32Array(k * k * k).fill(1 / (k * k * k));
  if (w.length !== k * k * k) throw new RangeError('kernel must have k^3 values');
  const p = (k - 1) / 2;
  return buildOnnxModel({
    nodes: [
      {
        op: 'Conv',
        inputs: ['input', 'weight'],
        outputs: ['output'],
        attrs: { kernel_shape: { ints: [k, k, k] }, pads: { ints: [p, p, p, p, p, p] } },
      },
    ],
    initializers: [{ name: 'weight', dims: [1, 1, k, k, k], data: w }],
    inputs: [{ name: 'input', shape: dyn5(1) }],
    outputs: [{ name: 'output', shape: dyn5(1) }],
  });
}

/**
 * Two-class softmax on a threshold: logits [-g(x - t), g(x - t)] over the channel axis, so
 * p(class 1) = 1 / (1 + exp(-2 g (x - t))) and argmax is x > t.
 */
export function thresholdSoftmaxModel(threshold: number, gain = 1): Uint8Array {
  return buildOnnxModel({
    nodes: [
      { op: 'Sub', inputs: ['input', 't'], outputs: ['d'] },
      { op: 'Mul', inputs: ['d', 'g'], outputs: ['pos'] },
      { op: 'Neg', inputs: ['pos'], outputs: ['neg'] },
      { op: 'Concat', inputs: ['neg', 'pos'], outputs: ['logits'], attrs: { axis: { i: 1 } } },
      { op: 'Softmax', inputs: ['logits'], outputs: ['output'], attrs: { axis: { i: 1 } } },
    ],
    initializers: [
      { name: 't', dims: [], data: new Float32Array([threshold]) },
      { name: 'g', dims: [], data: new Float32Array([gain]) },
    ],
    inputs: [{ name: 'input', shape: dyn5(1) }],
    outputs: [{ name: 'output', shape: dyn5(2) }],
  });
}

/** Logits (no softmax) of {@link thresholdSoftmaxModel}, for pipelines that apply the activation. */
export function thresholdLogitsModel(threshold: number, gain = 1): Uint8Array {
  return buildOnnxModel({
    nodes: [
      { op: 'Sub', inputs: ['input', 't'], outputs: ['d'] },
      { op: 'Mul', inputs: ['d', 'g'], outputs: ['pos'] },
      { op: 'Neg', inputs: ['pos'], outputs: ['neg'] },
      { op: 'Concat', inputs: ['neg', 'pos'], outputs: ['output'], attrs: { axis: { i: 1 } } },
    ],
    initializers: [
      { name: 't', dims: [], data: new Float32Array([threshold]) },
      { name: 'g', dims: [], data: new Float32Array([gain]) },
    ],
    inputs: [{ name: 'input', shape: dyn5(1) }],
    outputs: [{ name: 'output', shape: dyn5(2) }],
  });
}

/** Identity with a fixed input shape [1, 1, ...spatial], for input-shape checks. */
export function fixedShapeIdentityModel(spatial: [number, number, number]): Uint8Array {
  return buildOnnxModel({
    nodes: [{ op: 'Identity', inputs: ['input'], outputs: ['output'] }],
    inputs: [{ name: 'input', shape: [1, 1, ...spatial] }],
    outputs: [{ name: 'output', shape: [1, 1, ...spatial] }],
  });
}
