// docs/models.md tried as a vendor would: the card written on that page, for a graph built here
// (two-class logits, lesion where the normalised value exceeds 1, i.e. 100 HU), run through
// `medimg models verify` and segmentTumor.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../../src/index.js';
import { type ModelCard, thresholdLogitsModel, validateModelCard } from '../../src/backends/index.js';
import { createVolume, type Vec3 } from '../../src/core/index.js';
import { writeNifti } from '../../src/io/index.js';
import { segmentTumor } from '../../src/tasks/index.js';
import { runMedimg } from '../helpers/cli.js';

/** The JSON card block of the walkthrough in docs/models.md. */
function docCard(): ModelCard {
  const md = readFileSync('docs/models.md', 'utf8');
  const at = md.indexOf('A complete card for a two-class CT lesion model');
  const block = /```json\n([\s\S]*?)```/.exec(md.slice(at));
  if (at < 0 || !block) throw new Error('docs/models.md lost its example card');
  return validateModelCard(JSON.parse(block[1]!));
}

describe('docs/models.md walkthrough', () => {
  it('its card verifies against a graph with the names it gives, and runs through segmentTumor', async () => {
    const card = docCard();
    const onnx = thresholdLogitsModel(1, 4); // ct_percentile: (HU - 0) / 100 > 1  <=>  HU > 100
    // 70 x 60 x 40 CT: soft tissue 40 HU, two lesions of 160 HU (radius 6 and 4 voxels)
    const dims: Vec3 = [70, 60, 40];
    const ct = createVolume(dims, Int16Array, { spacing: [0.8, 0.8, 2], meta: { modality: 'CT' } });
    const truth = new Uint8Array(ct.data.length);
    for (let z = 0, i = 0; z < dims[2]; z++)
      for (let y = 0; y < dims[1]; y++)
        for (let x = 0; x < dims[0]; x++, i++) {
          const a = Math.hypot(x - 20, y - 20, z - 20) <= 6;
          const b = Math.hypot(x - 50, y - 40, z - 15) <= 4;
          ct.data[i] = a || b ? 160 : 40;
          truth[i] = a || b ? 1 : 0;
        }
    const dir = mkdtempSync(join(tmpdir(), 'medimg-doc-'));
    try {
      writeFileSync(join(dir, 'lesion.onnx'), onnx);
      writeFileSync(join(dir, 'lesion.card.json'), JSON.stringify(card));
      const v = runMedimg(['models', 'verify', join(dir, 'lesion.onnx')]);
      expect(v.code, v.stdout + v.stderr).toBe(0);
      // and through the CLI as a user would: tumor runs automatically with the model
      writeFileSync(join(dir, 'ct.nii.gz'), writeNifti(ct, { gzip: true }));
      const out = join(dir, 'out');
      const a = runMedimg([
        'analyze',
        join(dir, 'ct.nii.gz'),
        '--tasks',
        'tumor',
        '--tumor-model',
        join(dir, 'lesion.onnx'),
        '--out',
        out,
        '-q',
      ]);
      expect(a.code, a.stdout + a.stderr).toBe(0);
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
      expect(report.results.tumor.lesions).toHaveLength(2);
      expect(report.results.tumor.provenance.model.id).toBe('example-ct-lesion');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const r = await segmentTumor(ct, { model: { onnx, card }, backend: 'cpu' });
    expect(r.mask.data).toEqual(truth);
    expect(r.lesions).toHaveLength(2);
    expect((r.provenance.settings.model as { roi: number[] }).roi).toEqual([48, 48, 32]); // patch [32, 48, 48] (z, y, x)
    const one = await segmentTumor(ct, { model: { onnx, card }, backend: 'cpu', seed: [50 * 0.8, 40 * 0.8, 30] });
    expect(one.lesions).toHaveLength(1);
    expect(one.lesions[0]!.centroidMm).toEqual([40, 32, 30]);
  });
});
