// A classifier graph with a known answer, for tests: logits[k] = gains[k] * (mean of the input over
// `region`) + biases[k] (Flatten -> MatMul -> Add), and a card for it.
import type { ModelCard } from '../../src/backends/model-card.js';
import { buildOnnxModel } from '../../src/backends/testing/onnx-builder.js';

/** Which tensor elements (flat, tensor order) the logits average. */
export type Region = (flat: number) => boolean;

/** Input [N, C, ...spatial] (N symbolic unless `fixedBatch`); only channel `channel` is read. */
export function regionClassifier(
  spatial: number[],
  region: Region,
  gains: number[],
  biases: number[],
  opts: { channels?: number; channel?: number; fixedBatch?: boolean } = {},
): Uint8Array {
  const channels = opts.channels ?? 1;
  const p = spatial.reduce((a, b) => a * b, 1);
  const k = gains.length;
  let size = 0;
  for (let i = 0; i < p; i++) if (region(i)) size++;
  const w = new Float32Array(p * channels * k);
  const c0 = (opts.channel ?? 0) * p;
  for (let i = 0; i < p; i++) {
    if (!region(i)) continue;
    for (let j = 0; j < k; j++) w[(c0 + i) * k + j] = gains[j]! / size;
  }
  return buildOnnxModel({
    nodes: [
      { op: 'Flatten', inputs: ['input'], outputs: ['flat'], attrs: { axis: { i: 1 } } },
      { op: 'MatMul', inputs: ['flat', 'w'], outputs: ['mm'] },
      { op: 'Add', inputs: ['mm', 'b'], outputs: ['output'] },
    ],
    initializers: [
      { name: 'w', dims: [p * channels, k], data: w },
      { name: 'b', dims: [k], data: new Float32Array(biases) },
    ],
    inputs: [{ name: 'input', shape: [opts.fixedBatch ? 1 : 'N', channels, ...spatial] }],
    outputs: [{ name: 'output', shape: [opts.fixedBatch ? 1 : 'N', k] }],
  });
}

/** A classifier card: output_kind 'classification', classes named by `labels`. */
export function classifierCard(
  spatial: number[],
  labels: string[],
  extra: {
    activation?: 'softmax' | 'sigmoid';
    temperature?: number;
    axis?: 'xyz' | 'zyx';
    modality?: string;
    channels?: number;
  } = {},
  pre: Record<string, unknown> = {},
): ModelCard {
  return {
    schema_version: 1,
    id: 'test-classifier',
    version: '1',
    license: 'MIT',
    network_data_format: {
      inputs: {
        image: {
          type: 'image',
          num_channels: extra.channels ?? 1,
          spatial_shape: spatial,
          dtype: 'float32',
          value_range: [],
          channel_def: {},
          ...(extra.modality ? { modality: extra.modality } : {}),
        },
      },
      outputs: {
        pred: {
          type: 'tensor',
          format: 'logits',
          num_channels: labels.length,
          spatial_shape: [1],
          dtype: 'float32',
          value_range: [],
          channel_def: Object.fromEntries(labels.map((l, i) => [String(i), l])),
        },
      },
    },
    preprocessing: { axis_order: extra.axis ?? 'zyx', ...pre },
    postprocessing: {
      output_kind: 'classification',
      activation: extra.activation ?? 'softmax',
      ...(extra.temperature ? { temperature: extra.temperature } : {}),
    },
  };
}
