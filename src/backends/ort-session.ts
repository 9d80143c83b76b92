import type * as Ort from 'onnxruntime-common';
import { MedImgError } from '../core/errors.js';
import { errorText } from './registry.js';
import type { BackendSession, TensorData, TensorElementType, TensorInfo } from './types.js';

/** The part of an onnxruntime module (node or web) medimg uses. */
export interface OrtModule {
  InferenceSession: typeof Ort.InferenceSession;
  Tensor: typeof Ort.Tensor;
}

function elementType(t: TensorData): TensorElementType {
  if (t.type) return t.type;
  const d = t.data;
  if (d instanceof Float32Array) return 'float32';
  if (d instanceof Int32Array) return 'int32';
  if (d instanceof BigInt64Array) return 'int64';
  if (d instanceof Uint8Array) return 'uint8';
  if (d instanceof Int8Array) return 'int8';
  if (d instanceof Uint16Array) return 'float16';
  throw new MedImgError('INVALID_ARGUMENT', 'Unsupported tensor array type.');
}

function info(meta: readonly unknown[] | undefined, names: readonly string[]): TensorInfo[] {
  return names.map((name, i) => {
    const m = meta?.[i] as
      | { name?: string; isTensor?: boolean; type?: string; shape?: (number | string)[] }
      | undefined;
    if (!m || m.isTensor === false) return { name };
    return { name, ...(m.type ? { type: m.type } : {}), ...(m.shape ? { shape: [...m.shape] } : {}) };
  });
}

/**
 * Opens ONNX bytes with an onnxruntime module on the given execution providers and wraps it as a
 * {@link BackendSession}. A load failure is MODEL_INVALID; a run failure INFERENCE_FAILED.
 */
export async function openOrtSession(
  ort: OrtModule,
  model: Uint8Array,
  options: Ort.InferenceSession.SessionOptions,
): Promise<BackendSession> {
  let session: Ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(model, { logSeverityLevel: 3, ...options });
  } catch (e) {
    throw new MedImgError('MODEL_INVALID', `The runtime could not load the model: ${errorText(e)}`, { cause: e });
  }
  const s = session as Ort.InferenceSession & {
    inputMetadata?: readonly unknown[];
    outputMetadata?: readonly unknown[];
  };
  const inputInfo = info(s.inputMetadata, session.inputNames);
  const outputInfo = info(s.outputMetadata, session.outputNames);
  let released = false;
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    inputInfo,
    outputInfo,
    async run(inputs) {
      if (released) throw new MedImgError('INVALID_ARGUMENT', 'The session was released.');
      const feeds: Record<string, Ort.Tensor> = {};
      for (const [name, t] of Object.entries(inputs)) {
        feeds[name] = new ort.Tensor(elementType(t), t.data as Float32Array, t.dims);
      }
      let out: Ort.InferenceSession.ReturnType;
      try {
        out = await session.run(feeds);
      } catch (e) {
        const text = errorText(e);
        const code = /invalid dimensions|invalid rank|Unexpected input data type/i.test(text)
          ? 'MODEL_INPUT_MISMATCH'
          : 'INFERENCE_FAILED';
        throw new MedImgError(code, `Inference failed: ${text}`, { cause: e });
      }
      const result: Record<string, TensorData> = {};
      for (const [name, t] of Object.entries(out)) {
        result[name] = { data: t.data as TensorData['data'], dims: [...t.dims], type: t.type as TensorElementType };
      }
      return result;
    },
    async release() {
      if (released) return;
      released = true;
      await session.release();
    },
  };
}
