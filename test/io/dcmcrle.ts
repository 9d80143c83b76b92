/** Test-only: RLE-compresses a DICOM file with DCMTK's dcmcrle when it is installed. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const HAS_DCMCRLE = spawnSync('which', ['dcmcrle']).status === 0;

export function dcmcrle(bytes: Uint8Array): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'medimg-dcmcrle-'));
  try {
    writeFileSync(join(dir, 'in.dcm'), bytes);
    const r = spawnSync('dcmcrle', [join(dir, 'in.dcm'), join(dir, 'out.dcm')], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`dcmcrle failed: ${r.stderr}`);
    return new Uint8Array(readFileSync(join(dir, 'out.dcm')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
