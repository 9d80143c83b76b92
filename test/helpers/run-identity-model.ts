// A model run on the native onnxruntime backend, for test/security/no-network.test.ts.
import { createSession } from '../../src/index.js';
import { identityModel } from '../../src/backends/testing/onnx-builder.js';

const session = await createSession(identityModel(), { backend: 'cpu' });
const out = await session.run({ input: { data: new Float32Array(8), dims: [1, 1, 2, 2, 2] } });
await session.release();
console.log(`ran on ${session.backend}: ${Object.keys(out).join(',')}`);
