import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { readDicomSr } from '../../src/io/dicom/sr-read.js';
import { dataPath, describeData } from '../helpers/data.js';

const SR = (...p: string[]) => new Uint8Array(readFileSync(dataPath('sr', ...p)));

describeData('readDicomSr on real TID 1500 reports', () => {
  it('highdicom sr_document_with_multiple_groups.dcm: 4 groups with their measurements', () => {
    const r = readDicomSr(SR('highdicom_tid1500', 'sr_document_with_multiple_groups.dcm'));
    expect(r.sopClassUid).toBe('1.2.840.10008.5.1.4.1.1.88.34');
    expect(r.templateId).toBe('1500');
    expect(r.title?.value).toBe('126000');
    expect(r.measurementGroups.map((g) => g.trackingIdentifier)).toEqual([
      'Image0001',
      'LungNodule0001',
      'Aorta0001',
      'Vertebra0001',
    ]);
    const [img, nodule, aorta, vertebra] = r.measurementGroups;
    expect(img!.measurements[0]!.name.meaning).toBe('Intensity Histogram Mean');
    expect(img!.measurements[0]!.value).toBeCloseTo(-119.07385253906, 9);
    expect(img!.measurements[0]!.unit?.value).toBe("[hnsf'U]");
    expect(img!.qualitativeEvaluations[0]?.value).toMatchObject({ value: '243911007' }); // T4/T5 level
    expect(nodule!.finding).toMatchObject({ value: '27925004', scheme: 'SCT', meaning: 'Nodule' });
    expect(nodule!.findingSite).toMatchObject({ value: '39607008', meaning: 'Lung' });
    expect(nodule!.measurements).toEqual([
      {
        name: expect.objectContaining({ value: '81827009' }),
        value: 10,
        unit: expect.objectContaining({ value: 'mm' }),
      },
    ]);
    expect(nodule!.roi).toMatchObject({ type: 'CIRCLE', data: [45, 55, 45, 65] });
    expect(aorta!.measurements[0]!.value).toBe(20);
    expect(aorta!.roi?.type).toBe('POLYLINE');
    expect(vertebra!.measurements[0]).toMatchObject({
      value: 200,
      unit: { value: 'mm3' },
      name: { value: '118565006' },
    });
    expect(vertebra!.roi).toMatchObject({ type: 'POINT' });
    expect(vertebra!.roi?.data.map((v) => Math.round(v * 10) / 10)).toEqual([123.5, 234.1, -23.7]);
    for (const g of r.measurementGroups) expect(g.trackingUid).toMatch(/^[0-9.]+$/);
  });

  it('highdicom sr_document.dcm: planar ROI, spinal cord area 1.7 cm2', () => {
    const r = readDicomSr(SR('highdicom_tid1500', 'sr_document.dcm'));
    expect(r.measurementGroups).toHaveLength(1);
    const g = r.measurementGroups[0]!;
    expect(g.finding?.meaning).toBe('Spinal cord');
    expect(g.findingSite?.meaning).toBe('Cervico-thoracic spine');
    expect(g.measurements[0]).toMatchObject({ value: 1.7, unit: { value: 'cm2' } });
    expect(g.roi).toMatchObject({ type: 'CIRCLE', data: [58, 52, 58, 41] });
  });

  it('dcmqi PET sr.dcm: volume, TLG, SUVbw statistics, referenced segment', () => {
    const r = readDicomSr(SR('dcmqi_tid1500_pet', 'sr.dcm'));
    expect(r.sopClassUid).toBe('1.2.840.10008.5.1.4.1.1.88.33');
    expect(r.procedureReported[0]?.meaning).toBe('PET whole body');
    const g = r.measurementGroups[0]!;
    expect(g.trackingIdentifier).toBe('primary tumor');
    expect(g.finding?.meaning).toBe('Neoplasm, Primary');
    expect(g.findingSite?.meaning.toLowerCase()).toContain('tonsil');
    const byName = (meaning: string, derivation?: string) =>
      g.measurements.find(
        (m) => m.name.meaning === meaning && (derivation === undefined || m.derivation?.meaning === derivation),
      );
    expect(byName('Volume')).toMatchObject({ value: 33.5824, unit: { value: 'ml' } });
    expect(byName('Total Lesion Glycolysis')).toMatchObject({ value: 202.008, unit: { value: 'g' } });
    expect(byName('SUVbw', 'Maximum')?.value).toBe(10.3814);
    const seg = readFileSync(dataPath('sr', 'dcmqi_tid1500_pet', 'seg.dcm'));
    expect(g.referencedSegment?.segmentNumber).toBe(1);
    expect(g.referencedSegment?.sopClassUid).toBe('1.2.840.10008.5.1.4.1.1.66.4');
    expect(seg.includes(Buffer.from(g.referencedSegment?.sopInstanceUid as string))).toBe(true);
  });

  it('rejects a non-SR object with SR_INVALID', () => {
    expect(() =>
      readDicomSr(new Uint8Array(readFileSync(dataPath('seg', 'dcmqi_on_ct_abdomen_3slice', 'liver.dcm')))),
    ).toThrow(expect.objectContaining({ code: 'SR_INVALID' }));
  });
});
