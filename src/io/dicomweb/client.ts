import { api } from 'dicomweb-client';
import { MedImgError } from '../../core/errors.js';
import { type LongRunOptions, throwIfAborted } from '../../core/progress.js';
import { type DicomWebTlsOptions, getHttpTransport, type HttpTransport } from './transport.js';
import { TransportXhr } from './xhr.js';

/**
 * Where a DICOMweb service lives and how to talk to it. Plain data: it can be stored in a job or
 * a configuration file. Defaults are the ones documented on each field.
 */
export interface DicomWebServer {
  /** Base URL of the DICOMweb root, e.g. `http://127.0.0.1:8042/dicom-web` (Orthanc). */
  url: string;
  /** Extra headers sent with every request (e.g. an API key header). */
  headers?: Record<string, string>;
  /** Bearer token: sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** HTTP basic authentication. */
  basicAuth?: { username: string; password: string };
  /** TLS options for https URLs (Node only). */
  tls?: DicomWebTlsOptions;
  /** Time allowed for one HTTP request, ms. Default 60000. */
  timeoutMs?: number;
  /** Further attempts after a network error, a timeout, HTTP 408, 429 or 5xx. Default 3. */
  retries?: number;
  /** First retry delay, ms; doubled on each further attempt (with jitter), at most 10 s. Default 500. */
  retryDelayMs?: number;
}

/** Options of DICOMweb calls: abort and progress, as for every long call. */
export type DicomWebCallOptions = LongRunOptions;

/** What a DICOMweb service is asked to do, for messages (never a URL: it holds study UIDs). */
export type DicomWebOperation = 'QIDO-RS search' | 'WADO-RS retrieve' | 'STOW-RS store';

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);

export function checkServer(server: DicomWebServer): void {
  if (!server || typeof server.url !== 'string' || !/^https?:\/\/[^\s]+$/i.test(server.url)) {
    throw new MedImgError('INVALID_ARGUMENT', 'The DICOMweb server needs an http:// or https:// url.');
  }
  for (const [k, v] of [
    ['timeoutMs', server.timeoutMs],
    ['retries', server.retries],
    ['retryDelayMs', server.retryDelayMs],
  ] as const) {
    if (v !== undefined && (!Number.isFinite(v) || v < 0)) {
      throw new MedImgError('INVALID_ARGUMENT', `DICOMweb option ${k} must be a non-negative number.`);
    }
  }
}

function authHeaders(server: DicomWebServer): Record<string, string> {
  const h: Record<string, string> = { ...(server.headers ?? {}) };
  if (server.token) h.Authorization = `Bearer ${server.token}`;
  else if (server.basicAuth) {
    const raw = new TextEncoder().encode(`${server.basicAuth.username}:${server.basicAuth.password}`);
    let bin = '';
    for (const b of raw) bin += String.fromCharCode(b);
    h.Authorization = `Basic ${btoa(bin)}`;
  }
  return h;
}

/**
 * The dicomweb-client methods used here, typed as they behave (the package's own typings mark
 * Promise results as arrays and make optional options required).
 */
export interface LibraryClient {
  searchForStudies(o: { queryParams?: Record<string, string>; request: { instance: TransportXhr } }): Promise<unknown>;
  searchForSeries(o: {
    studyInstanceUID?: string;
    queryParams?: Record<string, string>;
    request: { instance: TransportXhr };
  }): Promise<unknown>;
  searchForInstances(o: {
    studyInstanceUID: string;
    seriesInstanceUID: string;
    queryParams?: Record<string, string>;
    request: { instance: TransportXhr };
  }): Promise<unknown>;
  /** WADO-RS root URL (the library's `wadoURL`). */
  wadoURL: string;
  /**
   * The GET that `retrieveInstance` makes. Called directly because `retrieveInstance` rejects any
   * `mediaTypes` (its common-type check compares 'application/' with 'application/dicom'), and
   * without them a PACS must transcode to Explicit VR Little Endian, which Orthanc cannot do for
   * JPEG 2000 (HTTP 500).
   */
  _httpGetMultipartApplicationDicom(
    url: string,
    mediaTypes: { mediaType: string; transferSyntaxUID?: string }[],
    params: false,
    request: { instance: TransportXhr },
  ): Promise<unknown>;
  storeInstances(o: {
    datasets: Uint8Array[];
    studyInstanceUID?: string;
    request: { instance: TransportXhr };
  }): Promise<unknown>;
}

/** The dicomweb-client instance for a server (it builds URLs, Accept headers and multipart bodies). */
export function libraryClient(server: DicomWebServer): LibraryClient {
  const Client = api.DICOMwebClient as unknown as new (o: Record<string, unknown>) => LibraryClient;
  return new Client({ url: server.url.replace(/\/+$/, ''), headers: authHeaders(server), verbose: false });
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(new MedImgError('ABORTED', 'The operation was aborted.', { cause: signal?.reason }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Failure of one attempt, classified. */
interface AttemptFailure {
  retryable: boolean;
  error: MedImgError;
}

/** Node's codes for certificate and handshake failures (OpenSSL verify codes and ERR_SSL_*). */
function isTlsFailure(code: string): boolean {
  return (
    code.startsWith('ERR_SSL_') ||
    code.startsWith('ERR_TLS_') ||
    code.startsWith('CERT_') ||
    code.includes('CERTIFICATE') ||
    code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
    code === 'SELF_SIGNED_CERT_IN_CHAIN' ||
    code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ||
    code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' ||
    code === 'EPROTO'
  );
}

function classify(op: DicomWebOperation, xhr: TransportXhr, cause: unknown, timedOut: boolean): AttemptFailure {
  if (xhr.answer) {
    const status = xhr.answer.status;
    return {
      retryable: RETRY_STATUS.has(status),
      error: new MedImgError('DICOMWEB_HTTP_ERROR', `The DICOMweb server answered HTTP ${status} to a ${op}.`, {
        details: { status, operation: op },
      }),
    };
  }
  if (timedOut) {
    return {
      retryable: true,
      error: new MedImgError('DICOMWEB_TIMEOUT', `The DICOMweb server did not answer a ${op} in time.`, {
        details: { operation: op },
      }),
    };
  }
  const sys = (xhr.failure as { cause?: { code?: unknown }; code?: unknown }) ?? {};
  const code = typeof sys.code === 'string' ? sys.code : typeof sys.cause?.code === 'string' ? sys.cause.code : 'error';
  if (isTlsFailure(code)) {
    // A certificate the client does not trust (or a client certificate the server refused) does not
    // heal by retrying; say so at once instead of after the backoff.
    return {
      retryable: false,
      error: new MedImgError('DICOMWEB_TLS_ERROR', `The TLS handshake for a ${op} failed (${code}).`, {
        details: { operation: op, reason: code },
        cause,
      }),
    };
  }
  return {
    retryable: true,
    error: new MedImgError('DICOMWEB_UNREACHABLE', `The DICOMweb server could not be reached for a ${op} (${code}).`, {
      details: { operation: op, reason: code },
      cause,
    }),
  };
}

/**
 * Runs one dicomweb-client call with a fresh transport-backed request per attempt: timeout,
 * retries with exponential backoff and jitter on transient failures, abort, and every failure as a
 * MedImgError with the HTTP status and no URL (URLs carry study UIDs).
 */
export async function callWithRetry<T>(
  server: DicomWebServer,
  op: DicomWebOperation,
  opts: DicomWebCallOptions,
  call: (request: TransportXhr) => Promise<T>,
  onDownload?: (loaded: number, total: number | undefined) => void,
  transport: HttpTransport = getHttpTransport(),
): Promise<T> {
  const retries = Math.floor(server.retries ?? 3);
  const baseDelay = server.retryDelayMs ?? 500;
  const timeoutMs = server.timeoutMs ?? 60_000;
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(opts.signal);
    const timer = new AbortController();
    const timeout = setTimeout(() => timer.abort(new Error('timeout')), timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timer.signal]) : timer.signal;
    const xhr = new TransportXhr(transport, signal, server.tls, onDownload);
    let failure: AttemptFailure;
    try {
      return await call(xhr);
    } catch (e) {
      throwIfAborted(opts.signal);
      if (e instanceof MedImgError) throw e;
      // neither an answer nor a transport failure: a fault in the calling code, not the server
      if (!xhr.answer && xhr.failure === undefined && !timer.signal.aborted) throw e;
      failure = classify(op, xhr, e, timer.signal.aborted);
      // dicomweb-client throws plain Errors for answers it cannot parse
      if (xhr.answer && xhr.answer.status >= 200 && xhr.answer.status < 300) {
        throw new MedImgError('DICOMWEB_INVALID_RESPONSE', `The DICOMweb server's answer to a ${op} is malformed.`, {
          details: { status: xhr.answer.status, operation: op },
          cause: e,
        });
      }
    } finally {
      clearTimeout(timeout);
    }
    if (!failure.retryable || attempt >= retries) {
      if (attempt > 0) (failure.error.details as Record<string, unknown>).attempts = attempt + 1;
      throw failure.error;
    }
    const delay = Math.min(10_000, baseDelay * 2 ** attempt) * (0.75 + 0.5 * Math.random());
    await sleep(delay, opts.signal);
  }
}
