import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMedImgError, searchDicomWebStudies, setHttpTransport } from '../../src/index.js';
import { nodeHttpTransport } from '../../src/io/dicomweb/transport-node.js';

// A hospital PACS behind HTTPS with its own CA and, often, mutual TLS. The certificates are made
// here with openssl (a private CA, a server certificate for 127.0.0.1, a client certificate), so the
// test exercises the real handshake and no key material is committed.
const dir = mkdtempSync(join(tmpdir(), 'medimg-tls-'));
const pem = (name: string): string => readFileSync(join(dir, name), 'utf8');
const ossl = (...args: string[]): void => {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
};

function makeCertificates(): void {
  ossl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=medimg test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  );
  for (const [name, ext] of [
    ['server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth'],
    ['client', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    ossl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
    );
    execFileSync('sh', ['-c', `printf '${ext}\\n' > ${name}.ext`], { cwd: dir });
    ossl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    );
  }
}

const STUDY = [{ '0020000D': { vr: 'UI', Value: ['1.2.826.0.1.3680043.2.1125.7'] } }];
let server: Server;
let url = '';
let requests = 0;

beforeAll(async () => {
  makeCertificates();
  server = createServer(
    {
      key: pem('server.key'),
      cert: pem('server.pem'),
      ca: pem('ca.pem'),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (_req, res) => {
      requests++;
      res.writeHead(200, { 'Content-Type': 'application/dicom+json' });
      res.end(JSON.stringify(STUDY));
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as { port: number }).port}/dicom-web`;
  setHttpTransport(nodeHttpTransport);
}, 60_000);

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('DICOMweb over HTTPS with a private CA and mutual TLS (node:https transport)', () => {
  it('queries with the private CA and a client certificate', async () => {
    const got = await searchDicomWebStudies({
      url,
      tls: { ca: pem('ca.pem'), cert: pem('client.pem'), key: pem('client.key') },
    });
    expect(got.map((s) => s.studyInstanceUid)).toEqual(['1.2.826.0.1.3680043.2.1125.7']);
  });

  it('an untrusted server certificate is DICOMWEB_TLS_ERROR at once (no retries), without the URL', async () => {
    const before = requests;
    const t0 = Date.now();
    const e = await searchDicomWebStudies({
      url,
      retries: 3,
      retryDelayMs: 2_000,
      tls: { cert: pem('client.pem'), key: pem('client.key') },
    }).catch((x: unknown) => x);
    expect(isMedImgError(e, 'DICOMWEB_TLS_ERROR')).toBe(true);
    // Three retries with a 2 s base delay would take over 6 s; a TLS failure is not retried.
    expect(Date.now() - t0).toBeLessThan(6_000);
    expect((e as Error).message).not.toContain('127.0.0.1');
    expect((e as { details?: { reason?: string } }).details?.reason).toMatch(/CERT|SIGNED|VERIFY/);
    expect(requests).toBe(before);
  });

  it('a server that requires a client certificate refuses a client without one (coded, no request served)', async () => {
    const before = requests;
    const e = await searchDicomWebStudies({ url, retries: 0, tls: { ca: pem('ca.pem') } }).catch((x: unknown) => x);
    // TLS 1.3 reports the refusal as an alert (TLS error) or as a reset, depending on timing.
    expect(isMedImgError(e, 'DICOMWEB_TLS_ERROR') || isMedImgError(e, 'DICOMWEB_UNREACHABLE')).toBe(true);
    expect(requests).toBe(before);
  });

  it('rejectUnauthorized: false accepts an untrusted test server (explicit opt-out only)', async () => {
    const got = await searchDicomWebStudies({
      url,
      tls: { rejectUnauthorized: false, cert: pem('client.pem'), key: pem('client.key') },
    });
    expect(got).toHaveLength(1);
  });
});
