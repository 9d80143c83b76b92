import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readNifti, writeNifti } from '../../src/index.js';

// Issue 19: no command makes a name lookup or a network connection (onnxruntime telemetry
// included) unless the user passes a URL. Every CLI command and a native model run are run
//  - with a --require hook recording and refusing dns/net/fetch from JavaScript (always),
//  - under strace, failing on any AF_INET/AF_INET6 connect (DNS included) and on onnxruntime's
//    telemetry cache file, which the native runtime opens when its telemetry is on (when strace
//    is installed: CI insists on it),
//  - inside a network namespace without interfaces (`unshare -rn`) where the kernel allows it.

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = join(root, 'src/cli/main.ts');
const GUARD = join(root, 'test/helpers/net-guard.cjs');
const MODEL_RUN = join(root, 'test/helpers/run-identity-model.ts');
const tmp = mkdtempSync(join(tmpdir(), 'medimg-nonet-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const works = (cmd: string, args: string[]): boolean => {
  try {
    return spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 }).status === 0;
  } catch {
    return false;
  }
};
const hasStrace = works('strace', ['-o', '/dev/null', 'true']);
const hasNetns = works('unshare', ['-rn', 'true']);
if (!hasStrace) {
  if (process.env.CI) throw new Error('strace is required under CI (native network tracing)');
  console.log('no-network: strace not installed, native connections are not traced (JS hook and namespace only)');
}

// Variables under which onnxruntime silently suppresses its telemetry (CI detection): removed, so
// the test sees what a user's machine does. ORT_DISABLE_TELEMETRY is removed too: medimg must set it.
const SUPPRESSORS = [
  'ORT_DISABLE_TELEMETRY',
  'TF_BUILD',
  'GITHUB_ACTIONS',
  'GITLAB_CI',
  'CIRCLECI',
  'TRAVIS',
  'JENKINS_URL',
  'CODEBUILD_BUILD_ID',
  'BUILDKITE',
  'TEAMCITY_VERSION',
  'APPVEYOR',
  'BITBUCKET_BUILD_NUMBER',
  'ORT_RUNNING_UNIT_TESTS',
];

let n = 0;
function traced(script: string, ...args: string[]): { code: number; out: string; violations: string[] } {
  const id = n++;
  const jsLog = join(tmp, `js-${id}.log`);
  const straceLog = join(tmp, `strace-${id}.log`);
  const env: NodeJS.ProcessEnv = { ...process.env, NET_GUARD_LOG: jsLog, MEDIMG_DEBUG: '' };
  for (const k of SUPPRESSORS) delete env[k];
  let argv = [process.execPath, '--require', GUARD, '--import', 'tsx', script, ...args];
  if (hasNetns) argv = ['unshare', '-rn', ...argv];
  if (hasStrace) argv = ['strace', '-f', '-qq', '-e', 'trace=connect,openat', '-o', straceLog, ...argv];
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd: root, env, encoding: 'utf8', timeout: 300_000 });
  const violations: string[] = [];
  if (existsSync(jsLog)) violations.push(...readFileSync(jsLog, 'utf8').split('\n').filter(Boolean));
  if (existsSync(straceLog)) {
    for (const line of readFileSync(straceLog, 'utf8').split('\n')) {
      if (/connect\(.*AF_INET6?\b/.test(line) || /onnxruntime\.db/.test(line)) violations.push(line.trim());
    }
  }
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}`, violations };
}

describe('no network: every CLI command and a model run', () => {
  it('help of every command', () => {
    for (const cmd of ['info', 'analyze', 'radiomics', 'deidentify', 'demo']) {
      const r = traced(MAIN, cmd, '--help');
      expect(r.code, r.out).toBe(0);
      expect(r.violations, cmd).toEqual([]);
    }
  });

  it('a native onnxruntime model run makes no lookup, no connection and no telemetry cache', () => {
    const r = traced(MODEL_RUN);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/ran on cpu/);
    expect(r.violations).toEqual([]);
  });

  it('demo, info, analyze, radiomics and deidentify on the phantom', async () => {
    const demo = join(tmp, 'demo');
    const run = (...a: string[]) => {
      const r = traced(MAIN, ...a);
      expect(r.code, `${a[0]}: ${r.out}`).toBe(0);
      expect(r.violations, a[0]).toEqual([]);
    };
    run('demo', '--out', demo, '--json');
    run('info', join(demo, 'phantom-dicom'), '--json');
    run('deidentify', join(demo, 'phantom-dicom'), join(tmp, 'deid'), '--json');
    run('analyze', join(demo, 'phantom.nii.gz'), '--tasks', 'bone', '--out', join(tmp, 'analyze'), '--json');
    const image = await readNifti(join(demo, 'phantom.nii.gz'));
    const mask = { ...image, data: new Uint8Array(image.data.length) };
    const [nx, ny, nz] = image.dims;
    for (let z = (nz >> 1) - 4; z < (nz >> 1) + 4; z++)
      for (let y = (ny >> 1) - 8; y < (ny >> 1) + 8; y++)
        for (let x = (nx >> 1) - 8; x < (nx >> 1) + 8; x++) mask.data[(z * ny + y) * nx + x] = 1;
    writeFileSync(join(tmp, 'mask.nii.gz'), writeNifti(mask, { gzip: true }));
    run('radiomics', '--image', join(demo, 'phantom.nii.gz'), '--mask', join(tmp, 'mask.nii.gz'), '--json');
  }, 600_000);
});
