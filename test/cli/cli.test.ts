import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliRun, runMedimg } from '../helpers/cli.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createVolume,
  extractRadiomics,
  readDicomSeg,
  readDicomSeries,
  readDicomSr,
  readNiftiBytes,
  writeNifti,
} from '../../src/index.js';
import { makeChestCtPhantom } from '../../src/testing.js';
import { dataPath, describeData } from '../helpers/data.js';
import { reportSchemaErrors } from '../helpers/report-schema.js';

// Runs the real `medimg` entry (src/cli/main.ts through tsx) as a user would, and checks exit
// codes, the one-line errors, and the files written.

const medimg = (...args: string[]): CliRun => runMedimg(args);

/** One line on stderr, no stack trace. */
function expectOneLineError(r: { code: number; stderr: string }, code: number, text: RegExp): void {
  expect(r.code).toBe(code);
  // progress lines (stderr is not a terminal here) come before the error; the error is one line
  const lines = r.stderr.split('\n').filter((l) => l && !l.startsWith('npm warn') && !l.startsWith('progress: '));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^medimg: /);
  expect(lines[0]).toMatch(text);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

const tmp = mkdtempSync(join(tmpdir(), 'medimg-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('medimg: usage and bad input', () => {
  it('prints help per command and exits 0; no command is a usage error', () => {
    for (const cmd of ['info', 'analyze', 'radiomics', 'deidentify', 'demo']) {
      const r = medimg(cmd, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: medimg ${cmd}`));
    }
    expect(medimg('--help').stdout).toMatch(/Commands:/);
    expect(medimg().code).toBe(2);
    expect(medimg('--version').stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('gives one clear line and exit 2 for a folder without DICOM, an unreadable file, an unknown task or option', () => {
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'notes.txt'), 'no images here');
    const junk = join(tmp, 'junk.dcm');
    writeFileSync(junk, 'not a dicom file at all');
    expectOneLineError(medimg('info', empty), 2, /SERIES_EMPTY: No DICOM image series/);
    expectOneLineError(medimg('analyze', empty, '--tasks', 'nodules'), 2, /No DICOM image series/);
    expectOneLineError(
      medimg('analyze', junk, '--tasks', 'nodules'),
      2,
      /not a readable DICOM, NIfTI, NRRD or MGH file/,
    );
    expectOneLineError(medimg('analyze', empty, '--tasks', 'nodules,spleen'), 2, /Unknown task 'spleen'/);
    expectOneLineError(medimg('analyze', empty, '--tasks', 'tumor'), 2, /needs --seed/);
    expectOneLineError(
      medimg('analyze', empty, '--tasks', 'tumor', '--seed-voxel', '1,2'),
      2,
      /--seed-voxel needs three/,
    );
    expectOneLineError(
      medimg('analyze', empty, '--tasks', 'tumor', '--seed', '1,2,3', '--seed-slice', '3:1,2'),
      2,
      /Give one of --seed/,
    );
    expectOneLineError(medimg('analyze', join(tmp, 'missing'), '--tasks', 'bone'), 2, /no such file or folder/);
    expectOneLineError(medimg('info', '--frobnicate'), 2, /Unknown option '--frobnicate'/);
    expectOneLineError(medimg('frobnicate'), 2, /unknown command 'frobnicate'/);
    expectOneLineError(medimg('deidentify', junk, join(tmp, 'out.dcm')), 2, /NOT_DICOM/);
    // a short key is one usage line before any file is read, and --help says the rule
    expectOneLineError(
      medimg('deidentify', empty, join(tmp, 'deid-short-key'), '--key', 'secret123'),
      2,
      /at least 16 bytes/,
    );
    expect(medimg('deidentify', '--help').stdout).toMatch(/at least 16 bytes/);
    expectOneLineError(medimg('radiomics', '--image', junk), 2, /needs --image and --mask/);
  });
});

describe('medimg radiomics', () => {
  it('prints the same features as extractRadiomics, as JSON and as PyRadiomics-style CSV', async () => {
    const { image, truth } = makeChestCtPhantom({
      seed: 3,
      dims: [96, 96, 40],
      spacing: [3, 3, 6],
      nodules: 0,
      tumor: true,
    });
    const img = join(tmp, 'img.nii.gz');
    const msk = join(tmp, 'mask.nii.gz');
    writeFileSync(img, writeNifti(image, { gzip: true }));
    writeFileSync(msk, writeNifti(truth.tumor!.mask, { gzip: true }));
    const direct = await extractRadiomics(image, truth.tumor!.mask);
    const r = medimg('radiomics', '--image', img, '--mask', msk, '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out.Image).toBe(img);
    for (const [k, v] of Object.entries(direct.features)) expect(out[k]).toBeCloseTo(v, 6);
    const csv = medimg('radiomics', img, msk, '--format', 'csv').stdout.trim().split('\n');
    expect(csv).toHaveLength(2);
    const header = csv[0]!.split(',');
    expect(header.slice(0, 2)).toEqual(['Image', 'Mask']);
    expect(header).toContain('original_glcm_Contrast');
    expect(header.indexOf('original_shape_MeshVolume')).toBeGreaterThan(
      header.findLastIndex((h) => h.startsWith('diagnostics_')),
    );
  });
});

describe('medimg analyze: batch', () => {
  let root2 = '';
  let out = '';
  beforeAll(() => {
    root2 = join(tmp, 'studies');
    out = join(tmp, 'batch-out');
    mkdirSync(root2);
    for (const seed of [4, 5]) {
      const { image } = makeChestCtPhantom({
        seed,
        dims: [128, 128, 48],
        spacing: [2.8, 2.8, 5],
        nodules: 2,
        vesselTrees: 2,
      });
      writeFileSync(join(root2, `phantom-${seed}.nii.gz`), writeNifti(image, { gzip: true }));
    }
    mkdirSync(join(root2, 'broken'));
    writeFileSync(join(root2, 'broken', 'IM0001'), 'truncated junk');
  });

  it('runs every study, reports the failing one and exits 3; a second run skips finished studies', () => {
    const r = medimg('analyze', root2, '--tasks', 'opacity', '--out', out, '--jobs', '2', '--json');
    expect(r.code).toBe(3);
    const res = JSON.parse(r.stdout) as { studies: { name: string; ok: boolean; error?: { code: string } }[] };
    const byName = Object.fromEntries(res.studies.map((s) => [s.name, s]));
    expect(byName.broken?.ok).toBe(false);
    expect(byName.broken?.error?.code).toBe('SERIES_EMPTY');
    for (const name of ['phantom-4', 'phantom-5']) {
      expect(byName[name]?.ok).toBe(true);
      const report = JSON.parse(readFileSync(join(out, name, 'report.json'), 'utf8'));
      expect(report.results.opacity.lungs.total.volumeMl).toBeGreaterThan(1000);
      expect(existsSync(join(out, name, 'summary.html'))).toBe(true);
      expect(existsSync(join(out, name, 'seg.dcm'))).toBe(false); // NIfTI input: nothing to reference
    }
    const again = medimg('analyze', root2, '--tasks', 'opacity', '--out', out);
    expect(again.code).toBe(3);
    expect(again.stdout).toMatch(/phantom-4: skipped/);
    expect(again.stdout).toMatch(/phantom-5: skipped/);
    expect(again.stdout).toMatch(/broken: FAILED SERIES_EMPTY/);
  }, 240_000);
});

describe('medimg analyze: pointing at a lesion without a seed', () => {
  it('seeds the tumour at the largest detected lesion and says so', () => {
    const { image, truth } = makeChestCtPhantom({
      seed: 3,
      dims: [128, 128, 48],
      spacing: [2.8, 2.8, 5],
      nodules: 2,
      tumor: true,
    });
    const file = join(tmp, 'tumour-phantom.nii.gz');
    writeFileSync(file, writeNifti(image, { gzip: true }));
    const out = join(tmp, 'no-seed');
    const r = medimg('analyze', file, '--tasks', 'nodules,tumor,radiomics', '--out', out);
    expect(r.code).toBe(0);
    const line = r.stdout
      .split('\n')
      .find((l) => /tumor: no seed given: seeded at the largest detected lesion/.test(l));
    expect(line).toBeDefined();
    // stderr is not a terminal here: progress comes as plain lines with percentage and stage
    expect(r.stderr).toMatch(/^progress: Analysing \d+% nodules: /m);
    expect(r.stderr).toMatch(/^progress: Analysing \d+% tumor/m);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.tasks.tumor.note).toMatch(/largest detected lesion/);
    // the largest lesion of this phantom is its tumour: the segmented volume is the tumour's
    const ml = report.results.tumor.lesions[0].volumeMl;
    expect(Math.abs(ml - truth.tumor!.volumeMm3 / 1000) / (truth.tumor!.volumeMm3 / 1000)).toBeLessThan(0.25);
    expect(report.results.radiomics.maskSource).toBe('tumor');
    // the tumour mask is also written as NIfTI on the image's grid
    const tumourFile = (report.outputs.masks as string[]).find((f) => /^masks\/\d\d-tumor\.nii\.gz$/.test(f));
    expect(tumourFile).toBeDefined();
    const nii = readNiftiBytes(new Uint8Array(readFileSync(join(out, tumourFile!))));
    expect(nii.dims).toEqual(image.dims);
    for (let a = 0; a < 3; a++) expect(nii.origin[a]).toBeCloseTo(image.origin[a]!, 3);
    let voxels = 0;
    for (const v of nii.data) voxels += v ? 1 : 0;
    expect(voxels).toBe(report.results.tumor.lesions[0].voxelCount);
  }, 240_000);

  it('skips the tumour and its radiomics with a one-line reason when nothing was found, and runs the rest', () => {
    const air = createVolume([64, 64, 20], Int16Array, { spacing: [3, 3, 5] });
    air.data.fill(-1000);
    const file = join(tmp, 'air.nii.gz');
    writeFileSync(file, writeNifti(air, { gzip: true }));
    const r = medimg('analyze', file, '--tasks', 'nodules,tumor,radiomics', '--out', join(tmp, 'air-out'), '--quiet');
    expect(r.stderr.split('\n').filter((l) => l && !l.startsWith('npm warn'))).toEqual([]);
    // nodules itself fails here (no lungs): exit 3 for that task, never a usage error for the tumour
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/nodules: FAILED NO_LUNGS_FOUND/);
    expect(r.stdout).toMatch(/tumor: skipped, no --seed or --box given/);
    expect(r.stdout).toMatch(/radiomics: skipped, no ROI/);
    expect(r.stdout).not.toMatch(/tumor: FAILED|radiomics: FAILED/);
  });
});

describe('medimg demo', () => {
  it('runs every task on the phantom and writes report, SEG, SR, PNGs and a self-contained HTML', async () => {
    const out = join(tmp, 'demo');
    const r = medimg('demo', '--out', out, '--json');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.failedTasks).toEqual({});
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    for (const t of ['lungs', 'nodules', 'bone', 'tumor', 'opacity', 'radiomics'])
      expect(report.tasks[t].ok).toBe(true);
    // Each task's part of report.json follows its published schema.
    const schemaOf = {
      nodules: 'detectNodules',
      bone: 'measureBoneDensity',
      tumor: 'segmentTumor',
      opacity: 'quantifyLungOpacity',
      radiomics: 'extractRadiomics',
    } as const;
    for (const [key, task] of Object.entries(schemaOf)) {
      const { maskSource: _m, ...part } = report.results[key];
      expect(reportSchemaErrors(task, part), key).toEqual([]);
    }
    // The tumour segmented from the seed is within 20 % of the phantom's exact volume.
    // The demo's own comparison with the phantom's exact truth.
    expect(s.validation.nodules.found).toBeGreaterThanOrEqual(6);
    expect(s.validation.boneMatched).toBe(s.truth.vertebrae.length);
    expect(s.validation.boneMeanAbsErrorHU).toBeLessThan(10);
    const truthMl = s.truth.tumor.volumeMl;
    expect(Math.abs(report.results.tumor.lesions[0].volumeMl - truthMl) / truthMl).toBeLessThan(0.2);
    const seg = await readDicomSeg(new Uint8Array(readFileSync(join(out, 'seg.dcm'))));
    expect(seg.segments.map((x: { label: string }) => x.label)).toEqual(
      expect.arrayContaining(['Right lung', 'Left lung', 'Tumor']),
    );
    const sr = await readDicomSr(new Uint8Array(readFileSync(join(out, 'sr.dcm'))));
    // The tumour's SR group references its SEG segment; nodules carry a centre point and Lung-RADS.
    const tumorGroup = sr.measurementGroups.find((g) => g.trackingIdentifier === 'Tumor 1')!;
    const tumorSegment = seg.segments.find((x) => x.label === 'Tumor')!;
    expect(tumorGroup.referencedSegment?.sopInstanceUid).toBe(seg.sopInstanceUid);
    expect(tumorGroup.referencedSegment?.segmentNumber).toBe(tumorSegment.number);
    const nodule1 = sr.measurementGroups.find((g) => g.trackingIdentifier === 'Nodule 1')!;
    expect(nodule1.roi?.type).toBe('POINT');
    expect(nodule1.qualitativeEvaluations.length).toBeGreaterThan(0);
    const html = readFileSync(join(out, 'summary.html'), 'utf8');
    expect(html).toContain('data:image/png;base64,');
    expect(html).not.toMatch(/<(script|link)\b|src="http/);
    for (const f of ['overview.png', 'tumor.png', 'bone.png', 'lungs.png', 'radiomics.csv'])
      expect(existsSync(join(out, f))).toBe(true);
  }, 240_000);
});

describeData('medimg on the real chest CT', () => {
  const ct = dataPath('dicom/ct_chest_LungPETCTDx_A0001_kernelB');

  it('info lists the one CT series with its geometry', () => {
    const r = medimg('info', ct, '--json');
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout);
    expect(list).toHaveLength(1);
    expect(list[0].modality).toBe('CT');
    expect(list[0].dims).toEqual([512, 512, 64]);
    expect(list[0].problems).toEqual([]);
    // extent and centre against the first/last ImagePositionPatient of reference.json
    const ref = JSON.parse(readFileSync(join(ct, 'reference.json'), 'utf8'));
    const first = ref.first_IPP_after_sort as number[];
    const last = ref.last_IPP_after_sort as number[];
    const width = 511 * ref.pixel_spacing_row_col_mm[1];
    const height = 511 * ref.pixel_spacing_row_col_mm[0];
    const min = [first[0]!, first[1]!, Math.min(first[2]!, last[2]!)];
    const max = [first[0]! + width, first[1]! + height, Math.max(first[2]!, last[2]!)];
    for (let a = 0; a < 3; a++) {
      expect(list[0].extentMm.min[a]).toBeCloseTo(min[a]!, 3);
      expect(list[0].extentMm.max[a]).toBeCloseTo(max[a]!, 3);
      expect(list[0].centerMm[a]).toBeCloseTo((min[a]! + max[a]!) / 2, 3);
    }
    const text = medimg('info', ct).stdout;
    expect(text).toMatch(
      /extent LPS mm: x \(R->L\) -228\.0\.\.202\.1, y \(A->P\) -93\.1\.\.337\.1, z \(F->H\) -439\.0\.\.-124\.0/,
    );
    expect(text).toMatch(/centre LPS mm: -13\.0,122\.0,-281\.5, nearest voxel 256,256,32 \(slice 33 of 64/);
  });

  it('analyze writes a SEG whose tumour segment matches the report and SEG/SR that dciodvfy accepts', async () => {
    const out = join(tmp, 'real-ct');
    // Radiologist box of the adenocarcinoma on InstanceNumber 18 (reference.json, LPS mm).
    const r = medimg(
      'analyze',
      ct,
      '--tasks',
      'tumor,bone',
      '--box',
      '12.717,167.894,-209,70.801,245.339,-209',
      '--out',
      out,
      '--json',
    );
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    const lesion = report.results.tumor.lesions[0];
    // A 6-7 cm mass; the box on its largest slice is 58 x 77 mm.
    expect(lesion.volumeMl).toBeGreaterThan(40);
    expect(lesion.volumeMl).toBeLessThan(300);
    expect(lesion.longAxisMm).toBeGreaterThan(45);
    const seg = readDicomSeg(new Uint8Array(readFileSync(join(out, 'seg.dcm'))), {
      reference: await readDicomSeries(ct),
    });
    const tumorIndex = seg.segments.findIndex((x: { label: string }) => x.label === 'Tumor');
    const voxels = (seg.masks[tumorIndex]!.data as Uint8Array).reduce((a, v) => a + (v ? 1 : 0), 0);
    expect(voxels).toBe(lesion.voxelCount);
    // the NIfTI copy of the tumour mask holds the same voxels as the SEG segment
    const nii = readNiftiBytes(
      new Uint8Array(readFileSync(join(out, `masks/${String(tumorIndex + 1).padStart(2, '0')}-tumor.nii.gz`))),
    );
    const segMask = seg.masks[tumorIndex]!.data as Uint8Array;
    let same = 0;
    for (let i = 0; i < segMask.length; i++) if ((nii.data[i]! ? 1 : 0) === segMask[i]) same++;
    expect(same).toBe(segMask.length);
    if (existsSync('/usr/bin/dciodvfy')) {
      for (const f of ['seg.dcm', 'sr.dcm']) {
        const v = spawnSync('/usr/bin/dciodvfy', [join(out, f)], { encoding: 'utf8' });
        const errors = `${v.stdout}${v.stderr}`.split('\n').filter((l) => /^Error/.test(l));
        expect(errors, f).toEqual([]);
      }
    }
  }, 240_000);

  it('deidentify removes the patient name and keeps the series readable', () => {
    const out = join(tmp, 'deid');
    const r = medimg('deidentify', ct, out, '--json');
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.written).toBe(64);
    expect(res.failed).toEqual([]);
    const original = readFileSync(join(ct, '1-01.dcm'), 'latin1');
    const deid = readFileSync(join(out, '1-01.dcm'), 'latin1');
    expect(original).toContain('Lung_Dx-A0001');
    expect(deid).not.toContain('Lung_Dx-A0001');
    const info = medimg('info', out, '--json');
    expect(JSON.parse(info.stdout)[0].dims).toEqual([512, 512, 64]);
  });
});

describeData('medimg radiomics with a DICOM SEG mask (dcmqi liver SEG on the 3-slice abdominal CT)', () => {
  const image = dataPath('dicom/ct_abdomen_dcmqi_3slice');
  const segDir = dataPath('seg/dcmqi_on_ct_abdomen_3slice');

  it('gives the same features from the SEG segment as from its NRRD label map', () => {
    const fromSeg = medimg('radiomics', '--image', image, '--mask', join(segDir, 'liver.dcm'), '--format', 'json');
    expect(fromSeg.code).toBe(0);
    const fromNrrd = medimg('radiomics', image, join(segDir, 'liver_seg.nrrd'), '--label', '1', '--format', 'json');
    expect(fromNrrd.code).toBe(0);
    const a = JSON.parse(fromSeg.stdout) as Record<string, unknown>;
    const b = JSON.parse(fromNrrd.stdout) as Record<string, unknown>;
    expect(a.Segment).toBe('1 Liver');
    const keys = Object.keys(b).filter((k) => k.startsWith('original_'));
    expect(keys.length).toBeGreaterThan(90);
    for (const k of keys) expect(a[k], k).toEqual(b[k]);
  });

  it('picks a segment by number or label, and asks for one when the SEG holds several', () => {
    const overlaps = join(segDir, 'partial_overlaps.dcm');
    const byNumber = medimg('radiomics', image, overlaps, '--segment', '2', '--format', 'json');
    const byLabel = medimg('radiomics', image, overlaps, '--segment', 'orange', '--format', 'json');
    expect(byNumber.code).toBe(0);
    const n = JSON.parse(byNumber.stdout);
    expect(n.Segment).toBe('2 ORANGE');
    expect(JSON.parse(byLabel.stdout)).toEqual(n);
    expectOneLineError(medimg('radiomics', image, overlaps), 2, /holds 5 segments .*--segment/);
    expectOneLineError(medimg('radiomics', image, overlaps, '--segment', 'spleen'), 2, /No segment 'spleen'/);
    expectOneLineError(
      medimg('radiomics', image, join(segDir, 'liver_seg.nrrd'), '--segment', '1'),
      2,
      /for a label map use --label/,
    );
  });
});
