import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clearDicomHeaderCache } from '../../src/io/dicom/stack.js';
import { listDicomSeries, readDicomSeries } from '../../src/index.js';
import { slice16, type Syntax } from './dicom-synth.js';

const R = 16;
const C = 12;
const N = R * C;
const dir = mkdtempSync(join(tmpdir(), 'medimg-dicom-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const values = (z: number, k = 0) => Array.from({ length: N }, (_, i) => ((i * 37 + z * 11 + k) % 3000) - 1000);

/** One CT slice: stored = HU + 1024, signed 16-bit, intercept -1024. */
function slice(z: number, syntax: Syntax = 'explicitLE', k = 0, longHeader = false): Uint8Array {
  return slice16(
    {
      rows: R,
      columns: C,
      position: [0, 0, 2 * z],
      instance: z + 1,
      sop: `1.2.826.0.1.7.${z}`,
      signed: true,
      intercept: -1024,
      slope: 1,
      // a header longer than the 16 KiB head the scan reads first
      ...(longHeader ? { extra: [[0x00204000, 'LT', 'x'.repeat(40000)]] } : {}),
    },
    values(z, k).map((v) => v + 1024),
    syntax,
  );
}

function expected(nz: number, k: (z: number) => number = () => 0): Int16Array {
  const out = new Int16Array(N * nz);
  for (let z = 0; z < nz; z++) out.set(values(z, k(z)), z * N);
  return out;
}

describe('DICOM series from disk: header-only scan, frames read into the volume, header cache', () => {
  const files: Uint8Array[] = [
    slice(0),
    slice(1, 'implicitLE'),
    slice(2, 'explicitLE', 0, true),
    slice(3, 'deflate'),
    slice(4, 'explicitBE'),
    slice(5, 'rle'),
  ];
  files.forEach((f, z) => writeFileSync(join(dir, `s${z}.dcm`), f));

  it('reads the same volume from paths as from bytes (every syntax, a long header)', async () => {
    clearDicomHeaderCache();
    const fromDisk = await readDicomSeries(dir);
    const fromBytes = await readDicomSeries(files);
    expect(fromDisk.dims).toEqual([C, R, 6]);
    expect(fromDisk.data).toEqual(expected(6));
    expect(fromBytes.data).toEqual(fromDisk.data);
    expect(fromDisk.meta!.warnings).toEqual(fromBytes.meta!.warnings);
  });

  it('listDicomSeries then readDicomSeries share the scan; a changed file is scanned again', async () => {
    clearDicomHeaderCache();
    const [info] = await listDicomSeries(dir);
    expect(info!.sliceCount).toBe(6);
    const v1 = await readDicomSeries(dir, { series: info! });
    expect(v1.data).toEqual(expected(6));
    // same size, new content and mtime: the cache entry no longer holds
    writeFileSync(join(dir, 's0.dcm'), slice(0, 'explicitLE', 5));
    utimesSync(join(dir, 's0.dcm'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const v2 = await readDicomSeries(dir);
    expect(v2.data).toEqual(expected(6, (z) => (z === 0 ? 5 : 0)));
    writeFileSync(join(dir, 's0.dcm'), files[0]!);
  });

  it('a slice file cut short on disk is skipped as DICOM_TRUNCATED, by list and read alike', async () => {
    const cut = join(dir, 's9.dcm');
    const f = slice(9);
    writeFileSync(cut, f.subarray(0, f.length - 40));
    try {
      const [info] = await listDicomSeries(dir);
      expect(info!.skippedFiles.map((s) => s.code)).toEqual(['DICOM_TRUNCATED']);
      // an unreadable file may be a slice: refused unless gaps are accepted (issue 19)
      await expect(readDicomSeries(dir)).rejects.toMatchObject({ code: 'SERIES_INCOMPLETE' });
      const v = await readDicomSeries(dir, { allowGaps: true });
      expect(v.data).toEqual(expected(6));
      expect(v.meta!.warnings!.join()).toMatch(/1 DICOM file\(s\) in the input could not be read \(DICOM_TRUNCATED\)/);
    } finally {
      rmSync(cut);
    }
  });

  it('in-memory inputs: the same bytes objects read twice give the same volume', async () => {
    const a = await readDicomSeries(files);
    const b = await readDicomSeries(files);
    expect(b.data).toEqual(a.data);
    expect(b.data).not.toBe(a.data);
  });
});
