import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  fetchTransport,
  isMedImgError,
  searchDicomWebStudies,
  setHttpTransport,
  storeDicomWebInstances,
} from '../../src/index.js';
import { nodeHttpTransport } from '../../src/io/dicomweb/transport-node.js';
import { freePort } from '../helpers/services.js';

// Small HTTP servers on 127.0.0.1 play a PACS that fails in the ways real ones do.
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  setHttpTransport(nodeHttpTransport);
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const s = createServer(handler);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const a = s.address() as { port: number };
  return `http://127.0.0.1:${a.port}/dicom-web`;
}

const STUDY = [
  { '0020000D': { vr: 'UI', Value: ['1.2.826.0.1.3680043.2.1125.1'] }, '00080061': { vr: 'CS', Value: ['CT'] } },
];

describe('DICOMweb client: HTTP behaviour', () => {
  for (const [name, transport] of [
    ['node:http', nodeHttpTransport],
    ['fetch', fetchTransport],
  ] as const) {
    it(`sends the token and extra headers, and reads QIDO JSON (${name} transport)`, async () => {
      setHttpTransport(transport);
      let seen: IncomingMessage | undefined;
      const url = await serve((req, res) => {
        seen = req;
        res.writeHead(200, { 'Content-Type': 'application/dicom+json' });
        res.end(JSON.stringify(STUDY));
      });
      const got = await searchDicomWebStudies(
        { url, token: 'abc', headers: { 'X-Site': 'ward-3' } },
        { query: { ModalitiesInStudy: 'CT', limit: 5 } },
      );
      expect(got).toHaveLength(1);
      expect(got[0]!.modalitiesInStudy).toEqual(['CT']);
      expect(seen!.headers.authorization).toBe('Bearer abc');
      expect(seen!.headers['x-site']).toBe('ward-3');
      expect(seen!.headers.accept).toContain('application/dicom+json');
      expect(seen!.url).toBe('/dicom-web/studies?ModalitiesInStudy=CT&limit=5');
    });
  }

  it('basic authentication', async () => {
    let auth = '';
    const url = await serve((req, res) => {
      auth = req.headers.authorization ?? '';
      res.writeHead(204).end();
    });
    expect(await searchDicomWebStudies({ url, basicAuth: { username: 'u', password: 'p:w' } })).toEqual([]);
    expect(auth).toBe(`Basic ${Buffer.from('u:p:w').toString('base64')}`);
  });

  it('retries 503 with backoff and then succeeds', async () => {
    let calls = 0;
    const url = await serve((_req, res) => {
      calls++;
      if (calls < 3) res.writeHead(503).end();
      else res.writeHead(200, { 'Content-Type': 'application/dicom+json' }).end(JSON.stringify(STUDY));
    });
    const got = await searchDicomWebStudies({ url, retries: 3, retryDelayMs: 5 });
    expect(got).toHaveLength(1);
    expect(calls).toBe(3);
  });

  it('gives up after the retries with the HTTP status, and does not retry 401', async () => {
    let calls = 0;
    const url = await serve((req, res) => {
      calls++;
      res.writeHead(req.url?.includes('limit') ? 401 : 502).end('patient Jane Doe not allowed');
    });
    const e = await searchDicomWebStudies({ url, retries: 2, retryDelayMs: 1 }).catch((x: unknown) => x);
    expect(isMedImgError(e, 'DICOMWEB_HTTP_ERROR')).toBe(true);
    expect((e as { details: Record<string, unknown> }).details).toMatchObject({ status: 502, attempts: 3 });
    expect(calls).toBe(3);
    calls = 0;
    const e401 = await searchDicomWebStudies({ url, retries: 2 }, { query: { limit: 1 } }).catch((x: unknown) => x);
    expect((e401 as { details: Record<string, unknown> }).details.status).toBe(401);
    expect(calls).toBe(1);
    // nothing the server said (which may name a patient) reaches the message
    expect((e401 as Error).message).not.toContain('Jane');
    expect((e401 as Error).message).toBe('The DICOMweb server answered HTTP 401 to a QIDO-RS search.');
  });

  it('times out a server that never answers', async () => {
    const url = await serve(() => {
      /* never answers */
    });
    const e = await searchDicomWebStudies({ url, timeoutMs: 100, retries: 1, retryDelayMs: 1 }).catch(
      (x: unknown) => x,
    );
    expect(isMedImgError(e, 'DICOMWEB_TIMEOUT')).toBe(true);
  });

  it('an unreachable server is DICOMWEB_UNREACHABLE; an abort during a backoff stops at once', async () => {
    const url = `http://127.0.0.1:${await freePort()}/dicom-web`;
    const e = await searchDicomWebStudies({ url, retries: 1, retryDelayMs: 1 }).catch((x: unknown) => x);
    expect(isMedImgError(e, 'DICOMWEB_UNREACHABLE')).toBe(true);
    expect((e as Error).message).toContain('ECONNREFUSED');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const t0 = Date.now();
    const a = await searchDicomWebStudies({ url, retries: 5, retryDelayMs: 10_000 }, { signal: ac.signal }).catch(
      (x: unknown) => x,
    );
    expect(isMedImgError(a, 'ABORTED')).toBe(true);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('malformed answers and bad arguments are MedImgErrors', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/dicom+json' }).end('{"not":"an array"}');
    });
    const e = await searchDicomWebStudies({ url }).catch((x: unknown) => x);
    expect(isMedImgError(e, 'DICOMWEB_INVALID_RESPONSE')).toBe(true);
    expect(
      isMedImgError(await searchDicomWebStudies({ url: 'ftp://x' }).catch((x: unknown) => x), 'INVALID_ARGUMENT'),
    ).toBe(true);
    expect(isMedImgError(await storeDicomWebInstances({ url }, []).catch((x: unknown) => x), 'INVALID_ARGUMENT')).toBe(
      true,
    );
  });

  it('STOW-RS: a partial refusal (202) lists the failure reasons; a conflict (409) is an HTTP error', async () => {
    let status = 202;
    const url = await serve((req, res) => {
      req.resume();
      req.on('end', () => {
        res
          .writeHead(status, { 'Content-Type': 'application/dicom+json' })
          .end(JSON.stringify({ '00081198': { vr: 'SQ', Value: [{ '00081197': { vr: 'US', Value: [272] } }] } }));
      });
    });
    const p = await storeDicomWebInstances({ url, retries: 0 }, [new Uint8Array(200)]).catch((x: unknown) => x);
    expect(isMedImgError(p, 'DICOMWEB_STORE_FAILED')).toBe(true);
    expect((p as { details: Record<string, unknown> }).details).toMatchObject({ status: 202, reasons: [272] });
    status = 409;
    const e = await storeDicomWebInstances({ url, retries: 0 }, [new Uint8Array(200)]).catch((x: unknown) => x);
    expect(isMedImgError(e, 'DICOMWEB_HTTP_ERROR')).toBe(true);
    expect((e as { details: Record<string, unknown> }).details.status).toBe(409);
  });
});
