import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root and the CLI entry the tests run as a user would (through tsx). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI_MAIN = join(REPO_ROOT, 'src/cli/main.ts');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `medimg ...args` in a child process (MEDIMG_DEBUG off, so errors stay one line). */
export function runMedimg(args: string[], timeoutMs = 240_000): CliRun {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI_MAIN, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, MEDIMG_DEBUG: '' },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
