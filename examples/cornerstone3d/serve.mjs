// Serves examples/cornerstone3d on 127.0.0.1 with the browser viewer's static server (same COOP/COEP
// headers). Run: node examples/cornerstone3d/serve.mjs [port]
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer as startViewerServer } from '../browser-viewer/serve.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** Starts the server on `port` (0: any free one). */
export function startServer(port = 0) {
  return startViewerServer(port, { root: here });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const server = await startServer(Number(process.argv[2] ?? 8080));
  console.log(
    `medimg + cornerstone3D on http://127.0.0.1:${server.address().port}/ (build first: node examples/cornerstone3d/build.mjs)`,
  );
}
