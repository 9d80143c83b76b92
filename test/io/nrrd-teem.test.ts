import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { indexToWorld } from '../../src/core/geometry.js';
import { createVolume } from '../../src/core/volume.js';
import { setFileSystem } from '../../src/io/fs.js';
import { nodeFileSystem } from '../../src/io/fs-node.js';
import { readNrrd, writeNrrd } from '../../src/io/nrrd.js';

setFileSystem(nodeFileSystem);

/**
 * Cross-checks against teem's `unu` (the NRRD reference implementation, Debian package
 * `teem-apps`, command `teem-unu`). Skipped where it is not installed.
 */
function findUnu(): string | undefined {
  for (const cmd of ['teem-unu', 'unu']) {
    try {
      execFileSync(cmd, ['about'], { stdio: 'ignore' });
      return cmd;
    } catch {
      /* not installed */
    }
  }
  return undefined;
}
const UNU = findUnu();

describe.skipIf(!UNU)('NRRD against teem unu (teem-apps)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medimg-unu-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const unu = (...args: string[]) => execFileSync(UNU!, args, { cwd: dir });

  const c = Math.cos(0.5);
  const s = Math.sin(0.5);
  const data = new Int16Array(7 * 5 * 4);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 2654435761) % 4001) - 2000;
  const vol = createVolume([7, 5, 4], data, {
    spacing: [0.8, 1.7, 3],
    origin: [-12.5, 33.25, -140],
    direction: [c, 0, s, 0, 1, 0, -s, 0, c],
  });

  it('unu re-encodes our files (raw, big-endian gzip, ascii, hex) and we read them back identically', async () => {
    writeFileSync(join(dir, 'ours.nrrd'), writeNrrd(vol, { encoding: 'gzip' }));
    const variants: string[][] = [
      ['-e', 'raw', '-en', 'big'],
      ['-e', 'gzip', '-en', 'big'],
      ['-e', 'ascii'],
      ['-e', 'hex', '-en', 'little'],
    ];
    for (const [v, args] of variants.entries()) {
      const out = `v${v}.nrrd`;
      unu('save', '-f', 'nrrd', ...args, '-i', 'ours.nrrd', '-o', out);
      const back = await readNrrd(join(dir, out));
      expect(back.data, args.join(' ')).toEqual(vol.data);
      expect(back.origin).toEqual(vol.origin);
      for (let i = 0; i < 3; i++) expect(back.spacing[i]).toBeCloseTo(vol.spacing[i]!, 10);
      for (let i = 0; i < 9; i++) expect(back.direction[i]).toBeCloseTo(vol.direction[i]!, 10);
    }
  });

  it('unu make: RAS space, detached header, vector axis of size 1', async () => {
    const f = new Float32Array(5 * 4 * 3).map((_, i) => i * 0.5 - 7);
    writeFileSync(join(dir, 'f.raw'), new Uint8Array(f.buffer));
    // biome-ignore format: argument list
    unu(
      'make', '-i', 'f.raw', '-t', 'float', '-s', '5', '4', '3', '-e', 'raw', '-en', 'little',
      '-spc', 'RAS', '-orig', '(1,2,3)', '-dirs', '(-1,0,0) (0,-2,0) (0,0,3)', '-o', 'ras.nrrd',
    );
    const ras = await readNrrd(join(dir, 'ras.nrrd'));
    expect(Array.from(ras.data)).toEqual(Array.from(f));
    expect(ras.origin).toEqual([-1, -2, 3]);
    expect(ras.spacing).toEqual([1, 2, 3]);
    expect(ras.direction).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    // RAS (1,2,3) + (-4, -6, 6) = RAS (-3,-4,9) = LPS (3,4,9)
    expect(indexToWorld(ras, [4, 3, 2])).toEqual([3, 4, 9]);

    // biome-ignore format: argument list
    unu(
      'make', '-h', '-i', 'f.raw', '-t', 'float', '-s', '5', '4', '3', '-e', 'raw', '-en', 'little',
      '-spc', 'LPS', '-orig', '(0,0,0)', '-dirs', '(1,0,0) (0,1,0) (0,0,1)', '-o', 'det.nhdr',
    );
    expect(readFileSync(join(dir, 'det.nhdr'), 'latin1')).toMatch(/data ?file: .*f\.raw/);
    const det = await readNrrd(join(dir, 'det.nhdr'));
    expect(Array.from(det.data)).toEqual(Array.from(f));

    // biome-ignore format: argument list
    unu(
      'make', '-i', 'f.raw', '-t', 'float', '-s', '1', '5', '4', '3', '-e', 'raw', '-en', 'little',
      '-k', 'vector', 'domain', 'domain', 'domain', '-spc', 'LPS', '-orig', '(0,0,0)',
      '-dirs', 'none (1,0,0) (0,1,0) (0,0,1)', '-o', 'vec.nrrd',
    );
    const vec = await readNrrd(join(dir, 'vec.nrrd'));
    expect(vec.dims).toEqual([5, 4, 3]);
    expect(Array.from(vec.data)).toEqual(Array.from(f));
  });
});
