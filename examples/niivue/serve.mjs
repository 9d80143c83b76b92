// Serves examples/niivue on 127.0.0.1 with the browser viewer's static server (same headers).
// Run: node examples/niivue/serve.mjs [port]
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../browser-viewer/serve.mjs';

const server = await startServer(Number(process.argv[2] ?? 8081), { root: dirname(fileURLToPath(import.meta.url)) });
console.log(
  `medimg + niivue on http://127.0.0.1:${server.address().port}/ (build first: node examples/niivue/build.mjs)`,
);
