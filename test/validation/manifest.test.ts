import { describe, expect, it } from 'vitest';
import { MedImgError } from '../../src/core/errors.js';
import { parseValidationManifest, resolveManifestPath } from '../../src/validation/index.js';

const minimal = {
  version: '1.0',
  name: 'tiny',
  cases: [
    {
      id: 'c1',
      image: { path: 'ct/c1', root: 'data' },
      attributes: { contrast: 'none', sliceThicknessMm: 2.5 },
      truth: {
        lesions: [{ id: 'm', boxes: [{ min: [0, 0, 10], max: [5, 6, 10] }] }],
        masks: [{ lesion: 'gtv', path: 'gtv.nii.gz', label: 2 }],
        expected: [{ id: 'L1', kind: 'hu', centerMm: [0, 1, 2], value: 150 }],
      },
      tasks: [
        { task: 'detectNodules', sweep: true, threshold: 0.3 },
        { task: 'segmentTumor', id: 'box', prompt: { lesion: 'm', kind: 'slice-box', slice: 'all' } },
        { task: 'segmentTumor', id: 'click', options: { seed: [1, 2, 3] } },
      ],
    },
  ],
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof MedImgError ? `${e.code}: ${e.message}` : 'other';
  }
  return undefined;
}

describe('parseValidationManifest', () => {
  it('reads a JSON manifest into plain typed data', () => {
    const m = parseValidationManifest(JSON.stringify(minimal));
    expect(m.version).toBe('1.0');
    expect(m.name).toBe('tiny');
    const c = m.cases[0]!;
    expect(c.image).toEqual({ path: 'ct/c1', root: 'data' });
    expect(c.attributes).toEqual({ contrast: 'none', sliceThicknessMm: 2.5 });
    expect(c.truth!.lesions![0]!.boxes![0]).toEqual({ min: [0, 0, 10], max: [5, 6, 10] });
    expect(c.truth!.masks![0]).toEqual({ lesion: 'gtv', path: 'gtv.nii.gz', label: 2 });
    expect(c.truth!.expected![0]).toEqual({ id: 'L1', kind: 'hu', centerMm: [0, 1, 2], value: 150 });
    expect(c.tasks).toEqual([
      { task: 'detectNodules', sweep: true, threshold: 0.3 },
      { task: 'segmentTumor', id: 'box', prompt: { lesion: 'm', kind: 'slice-box', slice: 'all' } },
      { task: 'segmentTumor', id: 'click', options: { seed: [1, 2, 3] } },
    ]);
  });

  it('reads a phantom case from an already parsed object', () => {
    const m = parseValidationManifest({
      version: 1,
      cases: [
        {
          id: 'p1',
          image: { phantom: 'chest-ct', options: { seed: 3, noiseSd: 10 } },
          tasks: [
            { task: 'segmentTumor', prompt: { lesion: 'tumor', kind: 'centre' } },
            { task: 'measureBoneDensity' },
          ],
        },
      ],
    });
    expect(m.version).toBe('1');
    expect(m.cases[0]!.image).toEqual({ phantom: 'chest-ct', options: { seed: 3, noiseSd: 10 } });
    expect(m.cases[0]!.tasks).toEqual([
      { task: 'segmentTumor', prompt: { lesion: 'tumor', kind: 'centre' } },
      { task: 'measureBoneDensity' },
    ]);
  });

  it('reads the same manifest from YAML', () => {
    const yaml = `version: "1.0"
cases:
  - id: p1
    image:
      phantom: chest-ct
      options: { seed: 3, noiseSd: 10 }
    tasks:
      - task: segmentTumor
        prompt: { lesion: tumor, kind: centre }
      - task: measureBoneDensity
`;
    const m = parseValidationManifest(yaml);
    expect(m.cases[0]!.image).toEqual({ phantom: 'chest-ct', options: { seed: 3, noiseSd: 10 } });
    expect(m.cases[0]!.tasks).toEqual([
      { task: 'segmentTumor', prompt: { lesion: 'tumor', kind: 'centre' } },
      { task: 'measureBoneDensity' },
    ]);
    expect(codeOf(() => parseValidationManifest('cases: [unclosed'))).toMatch(
      /^INVALID_ARGUMENT: Validation manifest: not valid YAML/,
    );
  });

  it('rejects bad manifests with INVALID_ARGUMENT naming the field', () => {
    const bad = (patch: (m: typeof minimal) => unknown): string | undefined =>
      codeOf(() => parseValidationManifest(patch(structuredClone(minimal)) as object));
    expect(bad((m) => ({ ...m, version: '2.0' }))).toMatch(/^INVALID_ARGUMENT: .*version/);
    expect(bad((m) => ({ ...m, cases: [] }))).toMatch(/cases must be a non-empty list/);
    expect(bad((m) => ({ ...m, cases: [m.cases[0], m.cases[0]] }))).toMatch(/case id 'c1' is repeated/);
    expect(
      bad((m) => {
        m.cases[0]!.truth.lesions[0]!.boxes[0]!.min = [0, 0] as never;
        return m;
      }),
    ).toMatch(/cases\[0\]\.truth\.lesions\[0\]\.boxes\[0\]\.min must be three finite numbers/);
    expect(
      bad((m) => {
        m.cases[0]!.tasks.push({ task: 'segmentTumor', id: 'click' } as never);
        return m;
      }),
    ).toMatch(/segmentTumor needs a prompt or a seed\/box/);
    expect(
      bad((m) => {
        (m.cases[0]!.tasks[0] as { task: string }).task = 'rm -rf';
        return m;
      }),
    ).toMatch(/task must be one of/);
    expect(
      bad((m) => {
        m.cases[0]!.tasks[1]!.prompt!.lesion = 'nope';
        return m;
      }),
    ).toMatch(/'nope' is not a lesion of the case/);
    expect(
      bad((m) => {
        m.cases[0]!.id = '../../etc';
        return m;
      }),
    ).toMatch(/may only hold letters/);
    expect(codeOf(() => parseValidationManifest('{ not json'))).toMatch(
      /^INVALID_ARGUMENT: Validation manifest: not valid JSON/,
    );
  });

  it('resolves paths against the manifest folder or the data root', () => {
    const roots = { manifestDir: '/repo/validation', dataRoot: '/repo/../shared/data' };
    expect(resolveManifestPath('cases/a.nii.gz', undefined, roots)).toBe('/repo/validation/cases/a.nii.gz');
    expect(resolveManifestPath('dicom/ct', 'data', roots)).toBe('/shared/data/dicom/ct');
    expect(resolveManifestPath('/abs/x.nrrd', 'data', roots)).toBe('/abs/x.nrrd');
    expect(resolveManifestPath('../x', 'manifest', { manifestDir: 'rel/dir' })).toBe('rel/x');
  });
});
