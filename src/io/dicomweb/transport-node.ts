import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type HttpTransport, joinChunks } from './transport.js';

/**
 * Transport over `node:http`/`node:https`, installed by the Node entry: unlike `fetch` it takes
 * TLS options (private CA, client certificate). Imported only by the Node entry.
 */
export const nodeHttpTransport: HttpTransport = (req) =>
  new Promise((resolve, reject) => {
    const url = new URL(req.url);
    const isHttps = url.protocol === 'https:';
    const send = isHttps ? httpsRequest : httpRequest;
    const headers: Record<string, string | number> = { ...req.headers };
    if (req.body) headers['Content-Length'] = req.body.byteLength;
    const tls = isHttps && req.tls ? req.tls : undefined;
    const r = send(
      url,
      {
        method: req.method.toUpperCase(),
        headers,
        signal: req.signal,
        ...(tls
          ? {
              ...(tls.ca !== undefined ? { ca: tls.ca as never } : {}),
              ...(tls.cert !== undefined ? { cert: tls.cert as never } : {}),
              ...(tls.key !== undefined ? { key: tls.key as never } : {}),
              ...(tls.rejectUnauthorized !== undefined ? { rejectUnauthorized: tls.rejectUnauthorized } : {}),
            }
          : {}),
      },
      (res: IncomingMessage) => {
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) {
          if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
        }
        const lengthHeader = Number(out['content-length']);
        const total = Number.isFinite(lengthHeader) && lengthHeader > 0 ? lengthHeader : undefined;
        const chunks: Uint8Array[] = [];
        let loaded = 0;
        res.on('data', (c: Buffer) => {
          chunks.push(new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
          loaded += c.byteLength;
          req.onDownload?.(loaded, total);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: out, body: joinChunks(chunks, loaded) }));
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    if (req.body) r.end(req.body);
    else r.end();
  });
