import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliRun, runMedimg } from '../helpers/cli.js';
import { afterAll, describe, expect, it } from 'vitest';
import { DATA_DIR, describeData } from '../helpers/data.js';

const tmp = mkdtempSync(join(tmpdir(), 'medimg-validate-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const medimg = (...args: string[]): CliRun => runMedimg(args);

const errorLines = (s: string): string[] => s.split('\n').filter((l) => l && !l.startsWith('npm warn'));

describe('medimg validate: bad input', () => {
  it('needs --out, and rejects a bad manifest with one line and exit 2', () => {
    const noOut = medimg('validate', 'validation/dev.manifest.json');
    expect(noOut.code).toBe(2);
    expect(errorLines(noOut.stderr)).toEqual(["medimg: 'medimg validate' needs --out <dir>."]);
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, JSON.stringify({ version: '2.0', cases: [] }));
    const r = medimg('validate', bad, '--out', join(tmp, 'o'));
    expect(r.code).toBe(2);
    const lines = errorLines(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^medimg: .*Validation manifest: version must be '1\.x'/);
  }, 60_000);
});

describeData('medimg validate on a real case', () => {
  it('runs one case of the dev manifest, prints a line per run and writes validation.json/html', () => {
    const out = join(tmp, 'sts');
    const r = medimg(
      'validate',
      'validation/dev.manifest.json',
      '--out',
      out,
      '--data-root',
      DATA_DIR,
      '--case',
      'sts_001_MR',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^sts_001_MR\/click: ok \d/m);
    expect(r.stderr).toMatch(/^sts_001_MR\/box-3d: ok \d/m);
    expect(r.stdout).toMatch(/segmentTumor \(click\), real scans: 1 case\(s\), 1 run\(s\), 0 failed/);
    const report = JSON.parse(readFileSync(join(out, 'validation.json'), 'utf8'));
    expect(report.cases.map((c: { id: string }) => c.id)).toEqual(['sts_001_MR']);
    expect(existsSync(join(out, 'validation.html'))).toBe(true);
  }, 240_000);
});
