/**
 * Throw-away Orthanc (with its DICOMweb plugin) and Redis servers for tests and the load bench:
 * each on 127.0.0.1, a free port and a temporary folder that is deleted when it stops.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';

export const ORTHANC_BIN = '/usr/sbin/Orthanc';
export const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

/** True when the Orthanc binary and its DICOMweb plugin are installed. */
export function hasOrthanc(): boolean {
  return existsSync(ORTHANC_BIN) && existsSync(DICOMWEB_PLUGIN);
}

/** True when redis-server is on the PATH. */
export function hasRedis(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start within ${ms / 1000} s`);
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A running Orthanc. */
export interface OrthancServer {
  /** REST root, e.g. http://127.0.0.1:PORT */
  url: string;
  /** DICOMweb root. */
  dicomweb: string;
  stop(): Promise<void>;
}

/**
 * Starts Orthanc with the DICOMweb plugin: HTTP only on a free port, no DICOM listener, remote
 * access refused (Orthanc 1.10 cannot bind one interface: it serves loopback only by refusing
 * others), storage in a temporary folder (no CORS: Orthanc has none by design, so browser tests reach it
 * through the example server's proxy), instances overwritten
 * when stored again (so a retried job replaces its SEG/SR), studies stable after `stableAgeS`.
 */
export async function startOrthanc(opts: { stableAgeS?: number } = {}): Promise<OrthancServer> {
  const dir = mkdtempSync(join(tmpdir(), 'medimg-orthanc-'));
  const port = await freePort();
  const config = {
    Name: 'medimg-test',
    StorageDirectory: join(dir, 'db'),
    IndexDirectory: join(dir, 'db'),
    HttpPort: port,
    DicomServerEnabled: false,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    OverwriteInstances: true,
    StableAge: opts.stableAgeS ?? 2,
    HttpThreadsCount: 16,
    ConcurrentJobs: 2,
    Plugins: [DICOMWEB_PLUGIN],
    DicomWeb: { Enable: true, Root: '/dicom-web/', EnableWado: false, Host: `127.0.0.1:${port}`, Ssl: false },
  };
  writeFileSync(join(dir, 'orthanc.json'), JSON.stringify(config));
  const child = spawn(ORTHANC_BIN, [join(dir, 'orthanc.json')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => {
    log = (log + d.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => (await fetch(`${url}/system`)).ok, 'Orthanc');
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}: ${log.slice(-800)}`);
  }
  return { url, dicomweb: `${url}/dicom-web`, stop };
}

/** Uploads DICOM files to Orthanc's REST API; resolves to the Orthanc ids of what it stored. */
export async function uploadToOrthanc(url: string, files: Uint8Array[]): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const f = files[next++]!;
      const r = await fetch(`${url}/instances`, { method: 'POST', body: f as BodyInit });
      if (!r.ok) throw new Error(`Orthanc refused an upload: HTTP ${r.status}`);
      ids.push(((await r.json()) as { ID: string }).ID);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return ids;
}

/** A running Redis. */
export interface RedisServer {
  host: string;
  port: number;
  url: string;
  /** Kills and restarts the server on the same port (its data is kept in an append-only file). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts redis-server on 127.0.0.1 and a free port, persisting to an append-only file in a temp folder. */
export async function startRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'medimg-redis-'));
  const port = await freePort();
  let child: ChildProcess;
  const launch = async (): Promise<void> => {
    child = spawn(
      'redis-server',
      [
        '--bind',
        '127.0.0.1',
        '--port',
        String(port),
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
        '--protected-mode',
        'yes',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: 'ignore' },
    );
    await waitFor(
      () =>
        new Promise<boolean>((resolve) => {
          const s = new Socket();
          s.once('error', () => resolve(false));
          s.connect(port, '127.0.0.1', () => {
            s.write('PING\r\n');
            s.once('data', (d: Buffer) => {
              s.destroy();
              resolve(d.toString().startsWith('+PONG'));
            });
          });
        }),
      'redis-server',
    );
  };
  await launch();
  return {
    host: '127.0.0.1',
    port,
    url: `redis://127.0.0.1:${port}`,
    async restart() {
      await stopChild(child);
      await launch();
    },
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * `describe` for tests that need a service binary: skipped with one line when it is absent, a
 * failure under CI (as for the real data in ./data.ts).
 */
export function describeService(name: string, missing: string, fn: () => void): void {
  if (!missing) {
    describe(name, fn);
    return;
  }
  if (process.env.CI) {
    describe(name, () => {
      throw new Error(`CI is set but ${missing}.`);
    });
    return;
  }
  describe.skip(`${name} (skipped: ${missing})`, fn);
}
