// A static server for the viewer on 127.0.0.1 with the COOP/COEP headers that make the page
// cross-origin isolated (multi-threaded wasm). Run: node examples/browser-viewer/serve.mjs [port]
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
  '.css': 'text/css',
};

/**
 * Forwards /dicom-web/... to the PACS's DICOMweb root, so the page reaches the PACS on its own
 * origin. This is how a PACS without CORS (Orthanc refuses to add it, by design) is put behind the
 * web server that serves the viewer; in production nginx or Apache does the same.
 */
function proxyToPacs(pacs, req, res, headers) {
  const target = new URL(pacs.replace(/\/+$/, '') + req.url.slice('/dicom-web'.length));
  const forward = {};
  for (const h of ['accept', 'content-type', 'content-length', 'authorization']) {
    if (req.headers[h]) forward[h] = req.headers[h];
  }
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const upstream = send(target, { method: req.method, headers: forward }, (answer) => {
    const back = { ...headers };
    for (const h of ['content-type', 'content-length']) if (answer.headers[h]) back[h] = answer.headers[h];
    res.writeHead(answer.statusCode ?? 502, back);
    answer.pipe(res);
  });
  upstream.on('error', () => res.writeHead(502, headers).end());
  req.pipe(upstream);
}

/**
 * Serves the viewer (or, with `root`, another example's folder); with `pacs` (a DICOMweb root URL)
 * also proxies /dicom-web/ to it.
 */
export function startServer(port = 0, { pacs, root = here } = {}) {
  const server = createServer((req, res) => {
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    };
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (pacs && path.startsWith('/dicom-web/')) {
      proxyToPacs(pacs, req, res, headers);
      return;
    }
    const file = normalize(join(root, path === '/' ? 'index.html' : decodeURIComponent(path)));
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(path === '/favicon.ico' ? 204 : 404, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // node serve.mjs [port] [--pacs http://127.0.0.1:8042/dicom-web]
  const args = process.argv.slice(2);
  const at = args.indexOf('--pacs');
  const pacs = at >= 0 ? args.splice(at, 2)[1] : undefined;
  const server = await startServer(Number(args[0] ?? 8080), { pacs });
  const base = `http://127.0.0.1:${server.address().port}`;
  console.log(`medimg viewer on ${base}/ (build first: node examples/browser-viewer/build.mjs)`);
  if (pacs) console.log(`PACS proxied at ${base}/dicom-web (open ${base}/?dicomweb=${base}/dicom-web&study=<StudyInstanceUID>)`);
}
