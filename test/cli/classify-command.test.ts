// `medimg classify` and `medimg analyze --tasks classify` as a user runs them, on the real DX
// thorax with a classifier graph built here (its answer depends on one region of the image).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readDicomSr } from '../../src/index.js';
import { classifierCard, regionClassifier } from '../helpers/classifier-graph.js';
import { runMedimg } from '../helpers/cli.js';
import { dataPath, describeData } from '../helpers/data.js';

describeData('medimg classify', () => {
  let dir = '';
  const dx = () => dataPath('dicom', 'radiography', 'dx_fuji_thorax_small_mono1_8bit.dcm');
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'medimg-classify-'));
    // reads rows 40..55, columns 8..23 of a 64x64 input: lower left of the displayed image
    const onnx = regionClassifier(
      [64, 64],
      (i) => Math.floor(i / 64) >= 40 && Math.floor(i / 64) <= 55 && i % 64 >= 8 && i % 64 <= 23,
      [0, 10, -10],
      [0, -5, 5],
    );
    writeFileSync(join(dir, 'cxr.onnx'), onnx);
    writeFileSync(
      join(dir, 'cxr.card.json'),
      JSON.stringify(
        classifierCard([64, 64], ['other', 'dense', 'lucent'], { modality: 'DX' }, { intensity: { method: 'minmax' } }),
      ),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the top-k with probabilities and limitations, and writes the occlusion picture', () => {
    const png = join(dir, 'why.png');
    const r = runMedimg(['classify', dx(), '--model', join(dir, 'cxr.onnx'), '--top', '2', '--explain', png]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ 1\. \w+\s+\d+\.\d %$/);
    expect(lines[1]).toMatch(/^ 2\. /);
    expect(r.stdout).toContain('one label (softmax), not calibrated; model test-classifier 1');
    expect(r.stdout).toContain('limitation ASPECT_CHANGED');
    expect(r.stdout).toMatch(/explanation: Output driven mostly by the lower left/);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
  });

  it('--json gives the whole result; a missing card is a usage error', () => {
    const r = runMedimg(['classify', dx(), '--model', join(dir, 'cxr.card.json'), '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.classes.map((c: { label: string }) => c.label)).toEqual(['other', 'dense', 'lucent']);
    expect(j.input.modelShape).toEqual([64, 64]);
    writeFileSync(join(dir, 'lonely.onnx'), readFileSync(join(dir, 'cxr.onnx')));
    const bad = runMedimg(['classify', dx(), '--model', join(dir, 'lonely.onnx')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/card/);
  });

  it('a regression card prints the values with their units (predictValues)', () => {
    const card = classifierCard(
      [64, 64],
      ['a', 'density', 'c'],
      { modality: 'DX' },
      { intensity: { method: 'minmax' } },
    );
    writeFileSync(join(dir, 'reg.onnx'), readFileSync(join(dir, 'cxr.onnx')));
    writeFileSync(
      join(dir, 'reg.card.json'),
      JSON.stringify({
        ...card,
        postprocessing: { output_kind: 'regression', value_units: { '1': 'mg/cm3' }, value_range: [-100, 100] },
      }),
    );
    const r = runMedimg(['classify', dx(), '--model', join(dir, 'reg.onnx')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^density {2}-?\d+(\.\d+)? mg\/cm3$/m);
    expect(r.stdout).toContain('regression; model test-classifier 1');
    const j = JSON.parse(runMedimg(['classify', dx(), '--model', join(dir, 'reg.onnx'), '--json']).stdout);
    expect(j.values.map((v: { label: string }) => v.label)).toEqual(['a', 'density', 'c']);
    // the value is 10 * mean(region) - 5 of the min-max normalised display: the CLI prints what the library computes
    expect(j.values[1].value).toBeCloseTo(10 * ((j.values[2].raw - 5) / -10) - 5, 4);
  });

  it('medimg analyze --tasks classify writes the picture, the class table and the SR', () => {
    const out = join(dir, 'out');
    const r = runMedimg([
      'analyze',
      dx(),
      '--tasks',
      'classify',
      '--classify-model',
      join(dir, 'cxr.onnx'),
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/classify: \w+ \d+\.\d %/);
    expect(existsSync(join(out, 'classify-occlusion.png'))).toBe(true);
    const html = readFileSync(join(out, 'summary.html'), 'utf8');
    expect(html).toContain('Image classification');
    expect(html).toContain('Output driven mostly by');
    // the SR of a projection radiograph (no frame of reference): radiography procedure, the DX referenced
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.outputs.srError).toBeUndefined();
    const sr = readDicomSr(readFileSync(join(out, 'sr.dcm')));
    expect(sr.measurementGroups.length).toBeGreaterThan(0);
    const dump = spawnSync('dsrdump', [join(out, 'sr.dcm')], { encoding: 'utf8' });
    if (dump.error) console.log('dsrdump not installed: the SR was read back by medimg only');
    else {
      expect(dump.status, dump.stderr).toBe(0);
      expect(dump.stdout).toContain('Radiographic imaging procedure');
      // the explained class peak as a 2D point selected from the DX image (no frame of reference)
      expect(dump.stdout).toMatch(/SCOORD:\(,,"Image Region"\)=\(POINT,[\d.]+\/[\d.]+\)>\n\s+<selected from IMAGE/);
    }
  });
});
