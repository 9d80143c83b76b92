import type { DicomWebTlsOptions, HttpResponse, HttpTransport } from './transport.js';

/**
 * Just enough of `XMLHttpRequest` for dicomweb-client, which builds its requests on XHR (absent in
 * Node and in web workers' module scope of some runtimes). dicomweb-client accepts a request
 * instance per call; this one forwards to an {@link HttpTransport}, so query building, multipart
 * encoding and decoding stay the library's while timeouts, TLS, abort and progress stay ours.
 */
export class TransportXhr {
  readyState = 0;
  status = 0;
  responseType = '';
  response: unknown = null;
  withCredentials = false;
  onreadystatechange: (() => void) | null = null;
  onprogress: ((e: { loaded: number; total: number; lengthComputable: boolean }) => void) | null = null;
  onloadstart: (() => void) | null = null;
  onloadend: (() => void) | null = null;
  /** The transport's error when no HTTP answer came (read by the caller to classify the failure). */
  failure: unknown;
  /** The raw answer, for error classification. */
  answer: HttpResponse | undefined;
  private method = 'GET';
  private url = '';
  private readonly headers: Record<string, string> = {};

  constructor(
    private readonly transport: HttpTransport,
    private readonly signal: AbortSignal,
    private readonly tls: DicomWebTlsOptions | undefined,
    private readonly onDownload?: (loaded: number, total: number | undefined) => void,
  ) {}

  open(method: string, url: string): void {
    this.method = method;
    this.url = url;
    this.readyState = 1;
  }

  setRequestHeader(name: string, value: string): void {
    this.headers[name] = value;
  }

  getResponseHeader(name: string): string | null {
    return this.answer?.headers[name.toLowerCase()] ?? null;
  }

  getAllResponseHeaders(): string {
    if (!this.answer) return '';
    return Object.entries(this.answer.headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
  }

  send(data?: ArrayBuffer | Uint8Array | string | null): void {
    this.onloadstart?.();
    const body =
      data == null
        ? undefined
        : typeof data === 'string'
          ? new TextEncoder().encode(data)
          : data instanceof Uint8Array
            ? data
            : new Uint8Array(data);
    this.transport({
      method: this.method,
      url: this.url,
      headers: this.headers,
      ...(body ? { body } : {}),
      signal: this.signal,
      ...(this.tls ? { tls: this.tls } : {}),
      onDownload: (loaded, total) => {
        this.onDownload?.(loaded, total);
        this.onprogress?.({ loaded, total: total ?? 0, lengthComputable: total !== undefined });
      },
    }).then(
      (res) => {
        this.answer = res;
        this.status = res.status;
        this.response = this.decode(res);
        this.finish();
      },
      (e: unknown) => {
        this.failure = e;
        this.status = 0;
        this.finish();
      },
    );
  }

  private decode(res: HttpResponse): unknown {
    const b = res.body;
    if (this.responseType === 'arraybuffer') {
      // an exact ArrayBuffer: dicomweb-client's multipart parser works on the whole buffer
      return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b.buffer : b.slice().buffer;
    }
    const text = new TextDecoder().decode(b);
    if (this.responseType === 'json') {
      if (!text.trim()) return null;
      try {
        return JSON.parse(text);
      } catch {
        return null;
      }
    }
    return text;
  }

  private finish(): void {
    this.readyState = 4;
    this.onreadystatechange?.();
    this.onloadend?.();
  }
}
