import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { thresholdSoftmaxModel } from '../../src/backends/testing/onnx-builder.js';
import { readDicomSr } from '../../src/io/dicom/sr-read.js';
import { writeNifti } from '../../src/io/nifti.js';
import { HIPPOCAMPUS_TEST_CARD, headPhantom } from '../helpers/brain-phantom.js';
import { type CliRun, runMedimg } from '../helpers/cli.js';
import { dataPath, describeData } from '../helpers/data.js';

describe('medimg compare usage', () => {
  it('needs two inputs and --out', () => {
    const r = runMedimg(['compare', 'a']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/baseline and a follow-up/);
  });
});

describeData('medimg compare on the real A0001 CT (the study as its own follow-up, dates given)', () => {
  const out = mkdtempSync(join(tmpdir(), 'medimg-compare-'));
  const ct = dataPath('dicom/ct_chest_LungPETCTDx_A0001_kernelB');
  let r: CliRun;
  beforeAll(() => {
    r = runMedimg(
      ['compare', ct, ct, '--out', out, '--baseline-date', '20240101', '--followup-date', '20240601', '-q'],
      400_000,
    );
  }, 420_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('writes the result, side-by-side pictures and an SR with both time points', () => {
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'));
    expect(json.kind).toBe('lung-nodules');
    expect(json.intervalDays).toBe(152);
    expect(json.nodules.length).toBeGreaterThan(0);
    expect(
      json.nodules.every(
        (n: { status: string; diameterChangeMm: number }) => n.status === 'matched' && n.diameterChangeMm === 0,
      ),
    ).toBe(true);
    const pngs = readdirSync(out).filter((f) => f.startsWith('compare-nodule-') && f.endsWith('.png'));
    expect(pngs.length).toBe(Math.min(6, json.nodules.length));
    const sr = readDicomSr(new Uint8Array(readFileSync(join(out, 'compare-sr.dcm'))));
    // One TID 1500 group per time point (TID 1502 context), SCT diameter and volume at each.
    const [g0, g1] = sr.measurementGroups;
    expect(g0!.timePoint).toMatchObject({ label: 'baseline', order: 1 });
    expect(g1!.timePoint).toEqual({ label: 'follow-up', order: 2 });
    expect(g1!.trackingUid).toBe(g0!.trackingUid);
    for (const g of [g0!, g1!]) {
      expect(g.measurements.map((m) => m.name.value)).toEqual(expect.arrayContaining(['81827009', '118565006']));
    }
    expect(r.stdout).toMatch(/Nodules over 152 days/);
    // no patient data on the terminal: dates are not printed, only the interval
    expect(r.stdout).not.toMatch(/2024/);
  });
});

describe('medimg compare --brain-model (built threshold graph and card, NIfTI inputs)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medimg-compare-brain-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('segments both time points with the model and reports left and right', () => {
    writeFileSync(join(dir, 'hippo.onnx'), thresholdSoftmaxModel(85));
    writeFileSync(join(dir, 'hippo.card.json'), JSON.stringify(HIPPOCAMPUS_TEST_CARD));
    writeFileSync(join(dir, 'a.nii'), writeNifti(headPhantom(8).vol));
    writeFileSync(join(dir, 'b.nii'), writeNifti(headPhantom(7).vol));
    const out = join(dir, 'out');
    const r = runMedimg([
      'compare',
      join(dir, 'a.nii'),
      join(dir, 'b.nii'),
      '--kind',
      'brain-structures',
      '--brain-model',
      join(dir, 'hippo.onnx'),
      '--card',
      join(dir, 'hippo.card.json'),
      '--backend',
      'cpu',
      '--out',
      out,
      '-q',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'));
    expect(json.structures.map((s: { name: string }) => s.name)).toEqual(['Left hippocampus', 'Right hippocampus']);
    expect(json.structures[0].changePct).toBeLessThan(-10);
    expect(Math.abs(json.structures[1].changePct)).toBeLessThan(1);
    expect(readdirSync(out)).toContain('compare-structure.png');
    const bad = runMedimg(['compare', 'a', 'b', '--out', out, '--card', 'brainchop-dk104']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--card goes with --brain-model/);
  });
});
