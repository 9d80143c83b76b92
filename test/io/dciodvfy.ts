/** Test-only: runs dicom3tools' dciodvfy on bytes when the binary is installed. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const HAS_DCIODVFY = spawnSync('which', ['dciodvfy']).status === 0;

/** dciodvfy's combined output, and its lines starting with "Error". */
export function dciodvfy(bytes: Uint8Array, name = 'object.dcm'): { output: string; errors: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'medimg-dciodvfy-'));
  try {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    const r = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    const errors = output.split('\n').filter((l) => /^Error/.test(l));
    return { output, errors };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
