import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/index.js';
import { analyzeStudy, type StudySummary } from '../../src/cli/analysis/study.js';
import { studyLines } from '../../src/cli/commands/analyze.js';
import { isMedImgError } from '../../src/core/errors.js';
import { worldToIndex } from '../../src/core/geometry.js';
import { makeChestCtPhantom } from '../../src/core/phantoms/index.js';
import { createVolume, createVolumeLike, type Mask, type Vec3, type Volume } from '../../src/core/volume.js';
import { readDicomSeries } from '../../src/io/dicom/index.js';
import { readNifti } from '../../src/io/nifti.js';
import { readNrrd } from '../../src/io/nrrd.js';
import { type Caveat, caveatsOf, findCaveats, type SegmentTumorResult } from '../../src/tasks/index.js';
import { dataPath, describeData } from '../helpers/data.js';
import { reportSchemaErrors } from '../helpers/report-schema.js';

// The caveat rules on real annotated scans: expert soft-tissue masks raise nothing; masks that hold
// bone or lung, and two tasks measuring the same real mass differently, raise their caveat where a
// reader sees the figures (report.json, summary.html, the CLI lines). bench/caveat-rules.ts prints
// the figures behind each case.

/** What the rules read of a tumour result, around a given mask. */
function asTumour(mask: Mask, meanHU = 0, longAxisMm = 1): SegmentTumorResult {
  return { mask, lesions: [{ meanHU, longAxisMm }] } as unknown as SegmentTumorResult;
}

function binary(like: Volume, labels: Volume): Mask {
  const m = createVolumeLike(like, Uint8Array);
  for (let i = 0; i < m.data.length; i++) m.data[i] = labels.data[i] ? 1 : 0;
  return m;
}

interface Ann {
  bbox_corner_min_LPS_mm: Vec3;
  bbox_corner_max_LPS_mm: Vec3;
}
const boxes = (name: string): Ann[] =>
  (
    JSON.parse(readFileSync(dataPath('dicom', name, 'reference.json'), 'utf8')) as { tumor_annotations: Ann[] }
  ).tumor_annotations.sort((a, b) => a.bbox_corner_min_LPS_mm[2] - b.bbox_corner_min_LPS_mm[2]);

/** Every voxel inside any of the radiologist's slice boxes. */
function boxesMask(ct: Volume, anns: Ann[]): Mask {
  const mask = createVolumeLike(ct, Uint8Array);
  const [nx, ny, nz] = ct.dims;
  for (const a of anns) {
    const lo = worldToIndex(ct, a.bbox_corner_min_LPS_mm);
    const hi = worldToIndex(ct, a.bbox_corner_max_LPS_mm);
    const r = [0, 1, 2].map((d) => [
      Math.max(0, Math.round(Math.min(lo[d]!, hi[d]!))),
      Math.min([nx, ny, nz][d]! - 1, Math.round(Math.max(lo[d]!, hi[d]!))),
    ]);
    for (let k = r[2]![0]!; k <= r[2]![1]!; k++)
      for (let j = r[1]![0]!; j <= r[1]![1]!; j++)
        for (let i = r[0]![0]!; i <= r[0]![1]!; i++) mask.data[(k * ny + j) * nx + i] = 1;
  }
  return mask;
}

const codes = (c: Caveat[]) => c.map((x) => x.code);

describeData('caveat rules on real masks', () => {
  it('expert soft-tissue masks raise none: STS_001 GTV (CT), dcmqi liver and heart', async () => {
    const ct = await readNifti(dataPath('validation/tumour_seg/sts_001/STS_001_CT_image.nii.gz'));
    ct.meta = { ...ct.meta, modality: 'CT', units: 'HU' };
    const gtv = binary(ct, await readNifti(dataPath('validation/tumour_seg/sts_001/STS_001_CT_mask.nii.gz')));
    expect(findCaveats(ct, { segmentTumor: asTumour(gtv) }).caveats).toEqual([]);
    const abd = await readDicomSeries(dataPath('dicom/ct_abdomen_dcmqi_3slice'));
    for (const organ of ['liver', 'heart']) {
      const m = binary(abd, await readNrrd(dataPath(`seg/dcmqi_on_ct_abdomen_3slice/${organ}_seg.nrrd`)));
      expect(findCaveats(abd, { segmentTumor: asTumour(m) }).caveats, organ).toEqual([]);
    }
  });

  it('the dcmqi spine taken as a lesion mask: MASK_INCLUDES_BONE with its figures', async () => {
    const abd = await readDicomSeries(dataPath('dicom/ct_abdomen_dcmqi_3slice'));
    const spine = binary(abd, await readNrrd(dataPath('seg/dcmqi_on_ct_abdomen_3slice/spine_seg.nrrd')));
    const { caveats } = findCaveats(abd, { segmentTumor: asTumour(spine), extractRadiomics: {} });
    expect(codes(caveats)).toEqual(['MASK_INCLUDES_BONE']);
    expect(caveats[0]!.tasks).toEqual(['segmentTumor', 'extractRadiomics']);
    expect(caveats[0]!.details!.voxelsAtOrAboveHU).toBe(1715);
    expect(caveats[0]!.details!.maxHU).toBe(1381);
    expect(caveats[0]!.message).toMatch(/1715 voxels \(13\.8%\) are 700 HU or more, maximum 1381 HU/);
  });

  it('the radiologist boxes filled as masks: A0001 holds rib (max 1105 HU) and lung, A0002 lung', async () => {
    const a1 = await readDicomSeries(dataPath('dicom/ct_chest_LungPETCTDx_A0001_kernelB'));
    const c1 = findCaveats(a1, { segmentTumor: asTumour(boxesMask(a1, boxes('ct_chest_LungPETCTDx_A0001_kernelB'))) });
    expect(codes(c1.caveats)).toEqual(['MASK_INCLUDES_BONE', 'MASK_INCLUDES_AIR']);
    expect(c1.caveats[0]!.details!.maxHU).toBe(1105);
    const a2 = await readDicomSeries(dataPath('dicom/ct_chest_LungPETCTDx_A0002_B40f'));
    const c2 = findCaveats(a2, { segmentTumor: asTumour(boxesMask(a2, boxes('ct_chest_LungPETCTDx_A0002_B40f'))) });
    expect(codes(c2.caveats)).toEqual(['MASK_INCLUDES_AIR']);
    expect(c2.caveats[0]!.details!.fraction).toBeGreaterThan(0.2);
  });
});

describeData('caveats where a reader sees the figures: medimg analyze on A0001 (nodules + tumour)', () => {
  const name = 'ct_chest_LungPETCTDx_A0001_kernelB';
  let out = '';
  let summary: StudySummary;
  let report: {
    caveats: Caveat[];
    results: Record<string, { caveats?: Caveat[]; schemaVersion: string }>;
  };
  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'medimg-caveats-'));
    const mid = boxes(name)[4]!;
    const seed = [0, 1, 2].map((a) => (mid.bbox_corner_min_LPS_mm[a]! + mid.bbox_corner_max_LPS_mm[a]!) / 2) as Vec3;
    summary = await analyzeStudy(dataPath('dicom', name), { tasks: ['nodules', 'tumor'], seed }, out);
    report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  }, 300_000);
  afterAll(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('the nodule detector and the tumour outline disagree on the same mass by density', () => {
    const c = report.caveats.find((x) => x.code === 'TASKS_DISAGREE_ON_LESION')!;
    expect(c).toBeDefined();
    expect(c.tasks).toEqual(['detectNodules', 'segmentTumor']);
    // the mass as the nodule detector measures it (lung in its outline) against the tumour's interior
    expect(c.details!.noduleMeanHU as number).toBeLessThan(-100);
    expect(c.details!.tumourMeanHU as number).toBeGreaterThan(0);
  });

  it('report.json: under each task it concerns, valid against the 2.1 schemas', () => {
    for (const [part, task] of [
      ['nodules', 'detectNodules'],
      ['tumor', 'segmentTumor'],
    ] as const) {
      const r = report.results[part]!;
      expect(r.schemaVersion).toBe('2.1.0');
      expect(codes(r.caveats!)).toContain('TASKS_DISAGREE_ON_LESION');
      expect(reportSchemaErrors(task, r)).toEqual([]);
    }
  });

  it('summary.html: a caveat table in the task sections and a line in the facts', () => {
    const html = readFileSync(join(out, 'summary.html'), 'utf8');
    expect(html).toContain('Caveats: these figures look wrong by rule');
    expect(html.split('TASKS_DISAGREE_ON_LESION').length - 1).toBeGreaterThanOrEqual(3);
  });

  it('the CLI lines carry it', () => {
    const lines = studyLines(summary);
    expect(
      lines.some((l) =>
        /^ {2}caveat: TASKS_DISAGREE_ON_LESION \(detectNodules, segmentTumor\): Nodule 1 lies inside/.test(l),
      ),
    ).toBe(true);
  });
});

describe('caveat rules: scope and bad input', () => {
  const p = makeChestCtPhantom({ dims: [48, 40, 20], spacing: [4, 4, 8], nodules: 0, seed: 2 });

  it('no tumour result, or a non-CT image: nothing to say', () => {
    expect(findCaveats(p.image, {}).caveats).toEqual([]);
    const mr = { ...p.image, meta: { modality: 'MR' } };
    const all = createVolumeLike(p.image, Uint8Array);
    all.data.fill(1);
    expect(findCaveats(mr, { segmentTumor: asTumour(all) }).caveats).toEqual([]);
    // the same mask on the CT is mostly air and lung
    expect(codes(findCaveats(p.image, { segmentTumor: asTumour(all) }).caveats)).toContain('MASK_INCLUDES_AIR');
  });

  it('caveatsOf picks a task’s caveats', () => {
    const list: Caveat[] = [
      { code: 'A', message: 'a', tasks: ['segmentTumor'] },
      { code: 'B', message: 'b', tasks: ['detectNodules', 'segmentTumor'] },
    ];
    expect(codes(caveatsOf(list, 'detectNodules'))).toEqual(['B']);
    expect(codes(caveatsOf(list, 'segmentTumor'))).toEqual(['A', 'B']);
  });

  it('bad thresholds are INVALID_ARGUMENT, a mask on another grid GRID_MISMATCH', () => {
    const all = createVolumeLike(p.image, Uint8Array);
    for (const o of [
      { boneVoxels: 0 },
      { airFraction: 2 },
      { meanHUDisagreement: Number.NaN },
      { sizeRatioDisagreement: 1 },
      { nope: 1 },
    ]) {
      let e: unknown;
      try {
        findCaveats(p.image, { segmentTumor: asTumour(all) }, o as never);
      } catch (x) {
        e = x;
      }
      expect(isMedImgError(e) && e.code, JSON.stringify(o)).toBe('INVALID_ARGUMENT');
    }
    let e: unknown;
    try {
      findCaveats(p.image, { segmentTumor: asTumour(createVolume([4, 4, 4], Uint8Array)) });
    } catch (x) {
      e = x;
    }
    expect(isMedImgError(e) && e.code).toBe('GRID_MISMATCH');
  });
});
