import {
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliRun, runMedimg } from '../helpers/cli.js';
import { afterAll, describe, expect, it } from 'vitest';
import { guardOutput, removeTempFilesSync, watchOutputDirs, writeFileAtomic } from '../../src/cli/safe-write.js';
import { isMedImgError } from '../../src/core/errors.js';
import { nodeFileSystem } from '../../src/io/fs-node.js';
import { slice16, writeDicom } from '../io/dicom-synth.js';

// Issue 19 item 2: outputs never land in the inputs, whatever links point where.

const medimg = (...args: string[]): CliRun => runMedimg(args, 120_000);

const tmp = mkdtempSync(join(tmpdir(), 'medimg-safety-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function slice(i: number): Uint8Array {
  return writeDicom([
    [0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.2'],
    [0x00080018, 'UI', `1.2.3.4.${i}`],
    [0x00080020, 'DA', '20240131'],
    [0x00100010, 'PN', 'Doe^Jane'],
    [0x00100020, 'LO', 'MRN-123'],
    [0x0020000d, 'UI', '1.2.3.9'],
    [0x0020000e, 'UI', '1.2.3.9.1'],
  ]);
}

function studyDir(name: string): string {
  const d = join(tmp, name);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'a.dcm'), slice(1));
  writeFileSync(join(d, 'b.dcm'), slice(2));
  return d;
}

const errCode = async (p: Promise<unknown>): Promise<string | undefined> =>
  p.then(
    () => undefined,
    (e) => (isMedImgError(e) ? e.code : String(e)),
  );

describe('medimg deidentify never writes into its input', () => {
  it('refuses an output folder that is a symbolic link to the input, and the originals stay intact', () => {
    const src = studyDir('sym-src');
    const before = readFileSync(join(src, 'a.dcm'));
    symlinkSync(src, join(tmp, 'alias'));
    const r = medimg('deidentify', src, join(tmp, 'alias'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/OUTPUT_OVERLAPS_INPUT/);
    expect(readFileSync(join(src, 'a.dcm')).equals(before)).toBe(true);
    expect(readdirSync(src).sort()).toEqual(['a.dcm', 'b.dcm']);
  });

  it('refuses an output inside the input and a hard link of the input file', () => {
    const src = studyDir('nest-src');
    expect(medimg('deidentify', src, join(src, 'out')).stderr).toMatch(/OUTPUT_OVERLAPS_INPUT/);
    linkSync(join(src, 'a.dcm'), join(tmp, 'hard.dcm'));
    const r = medimg('deidentify', join(src, 'a.dcm'), join(tmp, 'hard.dcm'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/OUTPUT_OVERLAPS_INPUT/);
    expect(readFileSync(join(tmp, 'hard.dcm'), 'latin1')).toContain('Doe^Jane');
  });

  it('follows a symlinked file once and survives a link loop; leaves no temporary files', () => {
    const src = studyDir('loop-src');
    writeFileSync(join(tmp, 'elsewhere.dcm'), slice(3));
    symlinkSync(join(tmp, 'elsewhere.dcm'), join(src, 'c.dcm'));
    symlinkSync(src, join(src, 'loop'));
    const out = join(tmp, 'loop-out');
    const r = medimg('deidentify', src, out, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).written).toBe(3);
    expect(readdirSync(out).sort()).toEqual(['a.dcm', 'b.dcm', 'c.dcm']);
    expect(readFileSync(join(out, 'c.dcm'), 'latin1')).not.toContain('Doe^Jane');
  });

  it('analyze --out naming an existing file is a coded one-line error, not EEXIST', () => {
    writeFileSync(join(tmp, 'afile'), 'x');
    const src = studyDir('an-src');
    const r = medimg('analyze', src, '--tasks', 'bone', '--out', join(tmp, 'afile'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/IO_WRITE_FAILED/);
    expect(r.stderr).not.toMatch(/EEXIST: |\n\s+at /);
  });
});

describe('medimg analyze refuses a series with a hole unless --allow-gaps', () => {
  it('a missing slice is SERIES_INCOMPLETE, exit 2, one line', () => {
    const d = join(tmp, 'gappy');
    mkdirSync(d);
    [0, 1, 2, 4].forEach((z, k) => {
      const px = Array.from({ length: 16 * 16 }, (_, i) => (i + k) % 50);
      writeFileSync(
        join(d, `s${k}.dcm`),
        slice16({ rows: 16, columns: 16, position: [0, 0, z], instance: k + 1, sop: `1.2.9.${k}` }, px),
      );
    });
    const r = medimg('analyze', d, '--tasks', 'bone', '--out', join(tmp, 'gappy-out'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^medimg: SERIES_INCOMPLETE: .*1 slice\(s\) missing/m);
  });
});

describe('safe-write helpers', () => {
  it('listFiles follows links once by inode and ignores dangling ones', async () => {
    const d = studyDir('list-src');
    symlinkSync(join(d, 'a.dcm'), join(d, 'a-again.dcm'));
    symlinkSync(join(tmp, 'nowhere'), join(d, 'dangling'));
    symlinkSync(d, join(d, 'self'));
    const files = await nodeFileSystem.listFiles(d);
    expect(files.map((f) => f.slice(d.length + 1))).toEqual(['a.dcm', 'b.dcm']);
  });

  it('guardOutput protects input trees from later writes', async () => {
    const d = studyDir('guard-src');
    await guardOutput([d], join(tmp, 'guard-out'));
    expect(await errCode(writeFileAtomic(join(d, 'a.dcm'), 'x'))).toBe('OUTPUT_OVERLAPS_INPUT');
    expect(readFileSync(join(d, 'a.dcm'), 'latin1')).toContain('Doe^Jane');
  });

  it('writes atomically, wraps fs errors, and sweeps leftover temporary files of this process', async () => {
    const dir = join(tmp, 'atomic');
    mkdirSync(dir);
    await writeFileAtomic(join(dir, 'sr.dcm'), 'ok');
    expect(readFileSync(join(dir, 'sr.dcm'), 'utf8')).toBe('ok');
    mkdirSync(join(dir, 'adir'));
    expect(await errCode(writeFileAtomic(join(dir, 'adir'), 'x'))).toBe('IO_WRITE_FAILED');
    expect(await errCode(writeFileAtomic(join(dir, 'missing', 'f'), 'x'))).toBe('IO_WRITE_FAILED');
    expect(readdirSync(dir).sort()).toEqual(['adir', 'sr.dcm']);
    // what an interrupted write leaves behind (a worker thread killed mid-write)
    writeFileSync(join(dir, `sr.dcm.tmp-${process.pid}-zz`), 'patient module');
    writeFileSync(join(dir, 'sr.dcm.tmp-1-other-process'), 'not ours');
    watchOutputDirs([dir]);
    removeTempFilesSync();
    expect(readdirSync(dir).sort()).toEqual(['adir', 'sr.dcm', 'sr.dcm.tmp-1-other-process']);
  });
});
