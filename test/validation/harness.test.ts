import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, expect, it } from 'vitest';
import '../../src/index.js';
import { MedImgError } from '../../src/core/errors.js';
import { type ValidationManifest, validate } from '../../src/validation/index.js';
import { DATA_DIR, describeData } from '../helpers/data.js';

// One real case, one short task: the whole dev manifest is for `npm run validate`, not `npm test`.
const manifest: ValidationManifest = {
  version: '1.0',
  name: 'sts_001 CT click',
  cases: [
    {
      id: 'sts_001_CT',
      image: { path: 'validation/tumour_seg/sts_001/STS_001_CT_image.nii.gz', root: 'data' },
      attributes: { contrast: 'unknown', scanner: 'unknown' },
      truth: {
        masks: [
          { lesion: 'gtv', path: 'validation/tumour_seg/sts_001/STS_001_CT_mask.nii.gz', root: 'data', label: 1 },
        ],
      },
      tasks: [{ task: 'segmentTumor', id: 'click', prompt: { lesion: 'gtv', kind: 'centre' } }],
    },
  ],
};

const out = mkdtempSync(join(tmpdir(), 'medimg-validate-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describeData('validate() end to end on a real case (sts_001 CT, GTV mask)', () => {
  it('scores the run, writes schema-valid validation.json and a self-contained HTML, then resumes from the cache', async () => {
    const stages: string[] = [];
    const first = await validate(manifest, {
      manifestDir: '/nonexistent',
      dataRoot: DATA_DIR,
      outDir: out,
      onProgress: (e) => stages.push(e.stage),
    });
    expect(first.cachedRuns).toBe(0);
    expect(stages).toEqual(['sts_001_CT/click', 'summary']);
    const c = first.report.cases[0]!;
    expect(c.error).toBeUndefined();
    // attributes: the manifest's, plus the slice thickness read from the image (3.27 mm)
    expect(c.attributes).toMatchObject({ contrast: 'unknown', sliceThicknessMm: 3.27, sliceBand: '3-5 mm' });
    const r = c.runs[0]!;
    expect(r.status).toBe('ok');
    // the truth read through the harness is the reference GTV (reference.json: 365.3181 mL, centroid 70.21, 12.45, -791.19)
    expect(r.metrics.truthVolumeMl).toBeCloseTo(365.318, 2);
    expect(r.prompt!.seed![0]).toBeCloseTo(70.21, 1);
    expect(r.prompt!.seed![1]).toBeCloseTo(12.45, 1);
    expect(r.prompt!.seed![2]).toBeCloseTo(-791.19, 1);
    for (const k of ['dice', 'hd95Mm', 'assdMm', 'volumeErrorPct', 'longAxisErrorMm'])
      expect(Number.isFinite(r.metrics[k]), k).toBe(true);
    expect(r.metrics.volumeMl! / r.metrics.truthVolumeMl!).toBeCloseTo(1 + r.metrics.volumeErrorPct! / 100, 2);
    expect(first.report.summary[0]!.metrics.dice!.estimate).toBe(r.metrics.dice);

    const json = JSON.parse(readFileSync(join(out, 'validation.json'), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false });
    const check = ajv.compile(JSON.parse(readFileSync('schemas/validation.v1.schema.json', 'utf8')));
    expect(check(json), JSON.stringify(check.errors)).toBe(true);
    const html = readFileSync(join(out, 'validation.html'), 'utf8');
    expect(html).toContain('data:image/png;base64,');
    expect(html).not.toMatch(/src="(?!data:)/);

    const again = await validate(manifest, { dataRoot: DATA_DIR, outDir: out });
    expect(again.cachedRuns).toBe(1);
    expect(again.report.cases[0]!.runs[0]!.metrics).toEqual(r.metrics);
    expect(again.report.cases[0]!.attributes).toEqual(c.attributes);
  }, 120_000);

  it('stops on abort with ABORTED', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(validate(manifest, { dataRoot: DATA_DIR, signal: ac.signal })).rejects.toSatisfy(
      (e) => e instanceof MedImgError && e.code === 'ABORTED',
    );
  });
});

it('the dev manifest is valid against its schema and lists every annotated real case', () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const check = ajv.compile(JSON.parse(readFileSync('schemas/validationManifest.v1.schema.json', 'utf8')));
  const dev = JSON.parse(readFileSync('validation/dev.manifest.json', 'utf8'));
  expect(check(dev), JSON.stringify(check.errors)).toBe(true);
  const ids = dev.cases.map((c: { id: string }) => c.id);
  expect(ids).toEqual(
    expect.arrayContaining([
      'LungPETCTDx_A0001',
      'LungPETCTDx_A0002',
      'sts_001_CT',
      'sts_001_MR',
      'phantom_chest_1mm',
      'phantom_chest_2p5mm',
      'phantom_chest_5mm',
      'phantom_chest_8mm',
    ]),
  );
});

it('committed validation schemas are generated from the current types (npx tsx scripts/build-schemas.ts)', async () => {
  const { buildValidationSchema } = await import('../../scripts/build-schemas.js');
  for (const name of ['validationManifest', 'validation'] as const)
    expect(readFileSync(`schemas/${name}.v1.schema.json`, 'utf8'), name).toBe(buildValidationSchema(name));
}, 60_000);
