import { describe, expect, it } from 'vitest';
import { replaceSection, validatedOnSection } from '../../scripts/validation-docs.js';
import { summarise, type ValidationReport } from '../../src/validation/index.js';

describe('validation docs generator', () => {
  it('puts the section before "## Limits" once, then replaces it in place', () => {
    const page = '# T\n\n## Method\n\nx\n\n## Limits\n\n- y\n';
    const once = replaceSection(page, 'A\n');
    expect(once).toBe(
      '# T\n\n## Method\n\nx\n\n<!-- validated-on:start -->\nA\n<!-- validated-on:end -->\n\n## Limits\n\n- y\n',
    );
    expect(replaceSection(once, 'B\n')).toBe(once.replace('\nA\n', '\nB\n'));
    expect(replaceSection('# T\n', 'A\n')).toBe('# T\n\n<!-- validated-on:start -->\nA\n<!-- validated-on:end -->\n');
  });

  it('lists each run with its figures and what the cases do not cover', () => {
    const cases: ValidationReport['cases'] = [
      {
        id: 'real1',
        attributes: {
          modality: 'CT',
          scanner: 'SIEMENS Sensation 10',
          kernel: 'B40f',
          sliceThicknessMm: 8,
          sliceBand: '>5 mm',
          contrast: 'unknown',
        },
        runs: [
          {
            caseId: 'real1',
            task: 'segmentTumor',
            runId: 'click',
            group: 'segmentTumor (click)',
            status: 'ok',
            metrics: { dice: 0.81234, volumeMl: 50 },
            limitations: [],
            notes: {},
            seconds: 2,
          },
        ],
      },
    ];
    const report: ValidationReport = {
      schemaVersion: '1.0',
      medimgVersion: '0.1.0',
      createdAt: '2026-12-04T18:00:00.000Z',
      manifest: { version: '1.0', cases: 1 },
      bootstrap: { resamples: 100, seed: 1, level: 0.95 },
      cases,
      summary: summarise(cases, { resamples: 100, seed: 1, level: 0.95 }),
    };
    const md = validatedOnSection(report, 'segmentTumor');
    expect(md).toContain('## Validated on (`npm run validate`, 2026-12-04, medimg 0.1.0)');
    expect(md).toContain('| real1 | CT, SIEMENS Sensation 10, B40f, 8 mm | click | dice 0.812; volumeMl 50 |');
    expect(md).toContain('| dice | 1 | 0.812 (n=1) |');
    expect(md).toContain('- Real scans with slices of <=1.5 mm, 1.5-3 mm, 3-5 mm (phantoms only, if any).');
    expect(md).toContain('- Scanners by GE, Philips, Canon/Toshiba.');
    expect(md).toContain('- MR.');
    expect(validatedOnSection(report, 'segmentBrainTissue')).toContain('No case of the dev manifest runs this task');
  });
});
