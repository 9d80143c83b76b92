import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dcmjs from 'dcmjs';
import { expect, it } from 'vitest';
import type { Volume } from '../../src/core/volume.js';
import { readDicomSeg } from '../../src/io/dicom/seg-read.js';
import { writeDicomSeg } from '../../src/io/dicom/seg-write.js';
import { readDicomSr } from '../../src/io/dicom/sr-read.js';
import { type SrFindingInput, TIME_POINT_TYPES, writeDicomSr } from '../../src/io/dicom/sr-write.js';
import {
  type CompareStudiesResult,
  type NoduleChange,
  presentComparison,
} from '../../src/tasks/compare-studies/index.js';
import { dataPath, describeData } from '../helpers/data.js';
import { dciodvfy, HAS_DCIODVFY } from './dciodvfy.js';
import { readNrrdLabels, readSourceSeries } from './source-series.js';

/** DCMTK's dsrdump, a second SR toolkit (Debian package dcmtk); the check is left out without it. */
const HAS_DSRDUMP = spawnSync('dsrdump', ['--version']).status === 0;

// biome-ignore lint/suspicious/noExplicitAny: dcmjs ships no types
const dcm = dcmjs as any;

describeData('writeDicomSr (TID 1500) round trip', () => {
  const src = readSourceSeries(dataPath('dicom', 'ct_abdomen_dcmqi_3slice'), ['01.dcm', '02.dcm', '03.dcm']);
  const nrrd = readNrrdLabels(dataPath('seg', 'dcmqi_on_ct_abdomen_3slice', 'liver_spine_seg.nrrd'));
  const labels: Volume<Uint8Array> = { ...src, data: Uint8Array.from(nrrd.data), meta: undefined };
  const segBytes = writeDicomSeg(labels, src, [
    { label: 'Liver', type: 'liver', trackingId: 'Liver 1' },
    { label: 'Vertebra', type: 'vertebra', trackingId: 'Vertebra 1' },
  ]);
  const seg = readDicomSeg(segBytes, { reference: src });
  const segRef = (n: number) => ({
    sopInstanceUid: seg.sopInstanceUid,
    seriesInstanceUid: seg.seriesInstanceUid,
    segmentNumber: n,
  });
  const report = {
    findings: [
      {
        trackingId: 'Liver 1',
        trackingUid: seg.segments[0]!.trackingUid,
        finding: 'liver',
        findingSite: 'liver',
        segment: segRef(1),
        measurements: [
          { kind: 'volume' as const, value: 112.53, unit: 'ml' },
          { kind: 'meanHU' as const, value: 54.25 },
        ],
      },
      {
        trackingId: 'Vertebra 1',
        finding: 'vertebra',
        segment: segRef(2),
        measurements: [
          { kind: 'bmd' as const, value: 142.7 },
          { kind: 'volume' as const, value: 12439 },
        ],
      },
      {
        trackingId: 'Nodule 1',
        finding: 'nodule',
        findingSite: 'lung',
        measurements: [
          { kind: 'diameter' as const, value: 7.5 },
          { kind: 'longAxis' as const, value: 8.25 },
          { kind: 'shortAxis' as const, value: 6.0 },
          { kind: 'volume' as const, value: 221.4, unit: 'mm3' },
        ],
        lungRads: '4A',
        center: [-20.5, 10.25, -127.69] as [number, number, number],
      },
    ],
  };
  const sr = writeDicomSr(report, src, { contentDateTime: new Date(Date.UTC(2024, 5, 1, 12, 0, 0)) });

  it('reads back into the same plain data', () => {
    const r = readDicomSr(sr);
    expect(r.sopClassUid).toBe('1.2.840.10008.5.1.4.1.1.88.34');
    expect(r.templateId).toBe('1500');
    expect(r.studyInstanceUid).toBe(src.meta?.studyInstanceUid);
    expect(r.observer.type?.value).toBe('121007');
    expect(r.procedureReported[0]?.value).toBe('77477000');
    expect(r.completionFlag).toBe('COMPLETE');
    expect(r.measurementGroups).toHaveLength(3);
    const [liver, vert, nod] = r.measurementGroups;
    expect(liver).toMatchObject({
      trackingIdentifier: 'Liver 1',
      trackingUid: seg.segments[0]!.trackingUid,
      finding: { value: '10200004', scheme: 'SCT' },
      findingSite: { value: '10200004' },
      referencedSegment: {
        sopInstanceUid: seg.sopInstanceUid,
        segmentNumber: 1,
        sopClassUid: '1.2.840.10008.5.1.4.1.1.66.4',
      },
      sourceSeriesInstanceUid: src.meta?.seriesInstanceUid,
    });
    expect(liver!.measurements).toEqual([
      {
        name: expect.objectContaining({ value: '118565006' }),
        value: 112.53,
        unit: expect.objectContaining({ value: 'ml', scheme: 'UCUM' }),
      },
      {
        name: expect.objectContaining({ value: '112031' }),
        value: 54.25,
        unit: expect.objectContaining({ value: "[hnsf'U]" }),
        derivation: expect.objectContaining({ value: '373098007' }),
      },
    ]);
    expect(vert!.referencedSegment?.segmentNumber).toBe(2);
    expect(vert!.measurements[0]).toMatchObject({
      value: 142.7,
      unit: { value: 'mg/cm3' },
      name: { scheme: '99MEDIMG' },
    });
    expect(vert!.measurements[1]).toMatchObject({ value: 12439, unit: { value: 'mm3' } });
    expect(nod!.measurements.map((m) => [m.name.value, m.value, m.unit?.value])).toEqual([
      ['81827009', 7.5, 'mm'],
      ['103339001', 8.25, 'mm'],
      ['103340004', 6, 'mm'],
      ['118565006', 221.4, 'mm3'],
    ]);
    expect(nod!.qualitativeEvaluations).toEqual([
      { name: expect.objectContaining({ meaning: 'Lung-RADS assessment category' }), value: '4A' },
    ]);
    expect(nod!.referencedSegment).toBeUndefined();
    expect(nod!.findingCategory?.value).toBe('49755003');
    expect(nod!.roi?.type).toBe('POINT');
    expect(nod!.roi?.frameOfReferenceUid).toBe(src.meta?.frameOfReferenceUid);
    expect(nod!.roi?.data[0]).toBeCloseTo(-20.5, 4);
    expect(nod!.roi?.data[2]).toBeCloseTo(-127.69, 3);
    const groups = r.content.children.find((c) => c.concept?.value === '126010')!.children;
    expect(groups.map((g) => g.templateId)).toEqual(['1411', '1411', '1411']);
    // The point lies on the middle slice (z -127.69): its image is referenced.
    const img = groups[2]!.children.find((c) => c.concept?.value === '121233');
    expect(img?.reference?.sopInstanceUid).toBe(src.meta?.sopInstanceUids?.[1]);
    expect(liver!.findingCategory?.value).toBe('123037004');
    expect(nod!.trackingUid).toMatch(/^2\.25\.\d+$/);
  });

  it('parses with dcmjs and lists source images and the SEG as evidence', () => {
    const ab = sr.buffer.slice(sr.byteOffset, sr.byteOffset + sr.byteLength);
    const n = dcm.data.DicomMetaDictionary.naturalizeDataset(dcm.data.DicomMessage.readFile(ab).dict);
    expect(n.Modality).toBe('SR');
    expect(n.ValueType).toBe('CONTAINER');
    const ev = [n.CurrentRequestedProcedureEvidenceSequence].flat()[0];
    const series = [ev.ReferencedSeriesSequence].flat() as {
      SeriesInstanceUID: string;
      ReferencedSOPSequence: unknown;
    }[];
    expect(series.map((s) => s.SeriesInstanceUID)).toEqual([src.meta?.seriesInstanceUid, seg.seriesInstanceUid]);
    const segInst = [series[1]!.ReferencedSOPSequence].flat() as { ReferencedSOPInstanceUID: string }[];
    expect(segInst.map((s) => s.ReferencedSOPInstanceUID)).toEqual([seg.sopInstanceUid]);
  });

  it('passes dciodvfy (dicom3tools) without errors', (ctx) => {
    if (!HAS_DCIODVFY) {
      ctx.skip('dciodvfy (Debian package dicom3tools) is not installed; validation assertion skipped');
      return;
    }
    const { output, errors } = dciodvfy(sr, 'sr.dcm');
    console.log(`dciodvfy on written SR:\n${output}`);
    expect(errors).toEqual([]);
  });

  it('a finding with neither segment nor point is a TID 1501 group', () => {
    const r = readDicomSr(
      writeDicomSr(
        {
          findings: [
            { trackingId: 'Lung 1', finding: 'lung', measurements: [{ kind: 'volume', value: 4.2, unit: 'ml' }] },
          ],
        },
        src,
        { sopClass: 'enhanced' },
      ),
    );
    expect(r.sopClassUid).toBe('1.2.840.10008.5.1.4.1.1.88.22');
    const groups = r.content.children.find((c) => c.concept?.value === '126010')!.children;
    expect(groups[0]?.templateId).toBe('1501');
    expect(r.measurementGroups[0]?.measurements[0]).toMatchObject({ value: 4.2, unit: { value: 'ml' } });
  });

  it('longitudinal groups: TID 1502 time point context and laterality, read back by us and by DCMTK dsrdump', () => {
    const hippocampus = { value: '5366008', scheme: 'SCT', meaning: 'Hippocampus' };
    const both = { trackingId: 'Left hippocampus', trackingUid: '1.2.826.0.1.3680043.8.498.1', finding: hippocampus };
    const bytes = writeDicomSr(
      {
        findings: [
          {
            ...both,
            findingSite: 'brain',
            laterality: 'left',
            timePoint: { label: 'baseline', type: TIME_POINT_TYPES.baseline, order: 1 },
            measurements: [{ kind: 'volume', value: 3.43, unit: 'ml' }],
          },
          {
            ...both,
            laterality: 'left',
            timePoint: { label: 'follow-up', order: 2 },
            measurements: [{ kind: 'volume', value: 3.1, unit: 'ml' }],
          },
        ],
      },
      src,
    );
    const r = readDicomSr(bytes);
    const [a, b] = r.measurementGroups;
    expect(a).toMatchObject({
      trackingUid: both.trackingUid,
      finding: { value: '5366008' },
      findingSite: { value: '12738006' },
      laterality: { value: '7771000', scheme: 'SCT' },
      timePoint: { label: 'baseline', type: { value: 'C1442488', scheme: 'UMLS' }, order: 1 },
    });
    // Without a finding site the laterality modifies the finding itself; the order is no measurement.
    expect(b).toMatchObject({ findingSite: { value: '5366008' }, laterality: { value: '7771000' } });
    expect(b!.timePoint).toEqual({ label: 'follow-up', order: 2 });
    expect(b!.measurements).toEqual([
      expect.objectContaining({ value: 3.1, name: expect.objectContaining({ value: '118565006' }) }),
    ]);
    if (!HAS_DSRDUMP) return;
    const dir = mkdtempSync(join(tmpdir(), 'medimg-sr-'));
    try {
      writeFileSync(join(dir, 'sr.dcm'), bytes);
      const out = execFileSync('dsrdump', ['+Pc', '+Pt', join(dir, 'sr.dcm')], { encoding: 'utf8' });
      expect(out).toContain('<has obs context TEXT:(C2348792,UMLS,"Time Point")="baseline">');
      expect(out).toContain('<has obs context CODE:(126072,DCM,"Time Point Type")=(C1442488,UMLS,"Baseline")>');
      expect(out).toContain('<has obs context NUM:(126073,DCM,"Time Point Order")="2" (1,UCUM,"no units")>');
      expect(out).toContain('<has concept mod CODE:(272741003,SCT,"Laterality")=(7771000,SCT,"Left")>');
      expect(out).toContain('<contains CODE:(121071,DCM,"Finding")=(5366008,SCT,"Hippocampus")>');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('longitudinal nodules (compareStudies): a group per time point with TID 1502, measurements at both, read back by DCMTK dsrdump', () => {
    const at = (index: number, c: [number, number, number], d: number, volumeMm3: number) => ({
      index,
      centerMm: c,
      centerInBaselineMm: c,
      diameterMm: d,
      longAxisMm: d + 1,
      shortAxisMm: d - 1,
      solidDiameterMm: d,
      volumeMm3,
      type: 'solid' as const,
      lungRads: '4A' as const,
      probability: 0.9,
    });
    const change = { distanceMm: null, diameterChangeMm: null, volumeChangeMm3: null, volumeChangePct: null };
    const nodules: NoduleChange[] = [
      {
        id: 1,
        status: 'matched',
        baseline: at(0, [-20.5, 10.25, -127.69], 8, 268.1),
        followUp: at(0, [-20, 10, -127.69], 12, 904.8),
        distanceMm: 0.56,
        diameterChangeMm: 4,
        volumeChangeMm3: 636.7,
        volumeChangePct: 237.5,
        volumeDoublingTimeDays: 157,
        lungRadsGrowth: true,
      },
      {
        id: 2,
        status: 'resolved',
        baseline: at(1, [30, 0, -127.69], 6, 113.1),
        followUp: null,
        ...change,
        volumeDoublingTimeDays: null,
        lungRadsGrowth: null,
      },
    ];
    const result = {
      nodules,
      structures: null,
      labels: null,
      followUpInBaseline: src,
      intervalDays: 275,
      midlineXMm: null,
    } as unknown as CompareStudiesResult;
    const findings = presentComparison(result, src).findings as SrFindingInput[];
    expect(findings.map((f) => `${f.trackingId} ${f.timePoint?.label}`)).toEqual([
      'Nodule 1 baseline',
      'Nodule 1 follow-up',
      'Nodule 2 baseline',
    ]);
    const r = readDicomSr(writeDicomSr({ findings }, src));
    const [a, b, c] = r.measurementGroups;
    expect(a!.trackingUid).toBe(b!.trackingUid);
    expect(a!.trackingUid).not.toBe(c!.trackingUid);
    expect(a!.timePoint).toEqual({ label: 'baseline', type: expect.objectContaining({ value: 'C1442488' }), order: 1 });
    expect(b!.timePoint).toEqual({ label: 'follow-up', order: 2 });
    // SCT diameter, long axis, short axis and volume at each time point; the change with the follow-up.
    const values = (g: typeof a) => g!.measurements.map((m) => `${m.name.scheme} ${m.name.value} ${m.value}`);
    expect(values(a)).toEqual(['SCT 81827009 8', 'SCT 103339001 9', 'SCT 103340004 7', 'SCT 118565006 268.1']);
    expect(values(b)).toEqual([
      'SCT 81827009 12',
      'SCT 103339001 13',
      'SCT 103340004 11',
      'SCT 118565006 904.8',
      '99MEDIMG MI-DD 4',
      '99MEDIMG MI-VPCT 237.5',
      '99MEDIMG MI-VDT 157',
    ]);
    expect(values(c)).toEqual(['SCT 81827009 6', 'SCT 103339001 7', 'SCT 103340004 5', 'SCT 118565006 113.1']);
    if (!HAS_DSRDUMP) return;
    const dir = mkdtempSync(join(tmpdir(), 'medimg-sr-'));
    try {
      writeFileSync(join(dir, 'sr.dcm'), writeDicomSr({ findings }, src));
      const out = execFileSync('dsrdump', ['+Pc', '+Pt', join(dir, 'sr.dcm')], { encoding: 'utf8' });
      expect(out.match(/<has obs context TEXT:\(C2348792,UMLS,"Time Point"\)="baseline">/g)).toHaveLength(2);
      expect(out).toContain('<has obs context TEXT:(C2348792,UMLS,"Time Point")="follow-up">');
      expect(out).toContain('<has obs context CODE:(126072,DCM,"Time Point Type")=(C1442488,UMLS,"Baseline")>');
      expect(out).toContain('<has obs context NUM:(126073,DCM,"Time Point Order")="2" (1,UCUM,"no units")>');
      expect(out).toContain('<has obs context TEXT:(112039,DCM,"Tracking Identifier")="Nodule 1">');
      expect(out).toContain('<contains NUM:(81827009,SCT,"Diameter")="12" (mm,UCUM,"millimeter")>');
      expect(out).toContain('<contains NUM:(118565006,SCT,"Volume")="268.1" (mm3,UCUM,"cubic millimeter")>');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad reports with INVALID_ARGUMENT', () => {
    const bad = (r: unknown) => () => writeDicomSr(r as never, src);
    const err = expect.objectContaining({ name: 'MedImgError', code: 'INVALID_ARGUMENT' });
    expect(bad({})).toThrow(err);
    expect(bad({ findings: [{ trackingId: '', finding: 'nodule', measurements: [] }] })).toThrow(err);
    expect(bad({ findings: [{ trackingId: 'a', finding: 'unicorn', measurements: [] }] })).toThrow(err);
    expect(
      bad({
        findings: [{ trackingId: 'a', finding: 'nodule', measurements: [{ kind: 'volume', value: Number.NaN }] }],
      }),
    ).toThrow(err);
    expect(bad({ findings: [{ trackingId: 'a', finding: 'nodule', measurements: [], lungRads: '7' }] })).toThrow(err);
    expect(
      bad({
        findings: [
          { trackingId: 'a', finding: 'nodule', measurements: [{ kind: 'volume', value: 1, unit: 'furlong' }] },
        ],
      }),
    ).toThrow(err);
  });
});
