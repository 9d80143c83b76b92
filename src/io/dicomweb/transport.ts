/**
 * The HTTP layer under the DICOMweb client. One small interface so the same client runs on `fetch`
 * (browsers, and Node by default) and on `node:https` (installed by the Node entry, because only it
 * can take TLS options such as a private CA or a client certificate).
 */

/** TLS settings for HTTPS DICOMweb servers (Node only; a browser uses its own trust store). */
export interface DicomWebTlsOptions {
  /** PEM CA certificate(s) to trust in addition to the system ones (a hospital's private CA). */
  ca?: string | Uint8Array | Array<string | Uint8Array>;
  /** PEM client certificate for mutual TLS. */
  cert?: string | Uint8Array;
  /** PEM private key of `cert`. */
  key?: string | Uint8Array;
  /** Verify the server certificate. Default true; false only for a test server. */
  rejectUnauthorized?: boolean;
}

/** One HTTP exchange as the DICOMweb client needs it. */
export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Uint8Array;
  /** Abort (caller's signal or the timeout); the transport rejects with the signal's reason. */
  signal: AbortSignal;
  tls?: DicomWebTlsOptions;
  /** Bytes of the response body received so far; `total` when the server sent Content-Length. */
  onDownload?: (loaded: number, total: number | undefined) => void;
}

/** The whole response; header names are lower case. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** Sends one request; rejects only when no HTTP answer came (network error, abort). */
export type HttpTransport = (request: HttpRequest) => Promise<HttpResponse>;

/** Transport over the global `fetch` (browsers, Node 20). TLS options are not supported by fetch. */
export const fetchTransport: HttpTransport = async (req) => {
  const init: RequestInit = { method: req.method.toUpperCase(), headers: req.headers, signal: req.signal };
  if (req.body) init.body = req.body as BodyInit;
  const res = await fetch(req.url, init);
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    headers[k.toLowerCase()] = v;
  });
  const lengthHeader = Number(headers['content-length']);
  const total = Number.isFinite(lengthHeader) && lengthHeader > 0 ? lengthHeader : undefined;
  if (!res.body) return { status: res.status, headers, body: new Uint8Array(0) };
  // read in chunks so progress can be reported, then join once
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    req.onDownload?.(loaded, total);
  }
  return { status: res.status, headers, body: joinChunks(chunks, loaded) };
};

/** Concatenates chunks into one array (no copy when there is one chunk). */
export function joinChunks(chunks: Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(length);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out;
}

let transport: HttpTransport = fetchTransport;

/**
 * Installs the transport DICOMweb calls use (the Node entry installs one over `node:https`).
 *
 * @example
 * ```ts
 * import { fetchTransport, setHttpTransport } from 'medimg';
 * // add a bearer token to every DICOMweb request
 * setHttpTransport((req) => fetchTransport({ ...req, headers: { ...req.headers, authorization: `Bearer ${token}` } }));
 * ```
 */
export function setHttpTransport(t: HttpTransport | undefined): void {
  transport = t ?? fetchTransport;
}

/** The installed transport. */
export function getHttpTransport(): HttpTransport {
  return transport;
}
