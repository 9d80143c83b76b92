import dicomParser from 'dicom-parser';
import { expect, it } from 'vitest';
import { readDicomSeries, writeDicomSeg } from '../../src/index.js';
import { dataPath, describeData } from '../helpers/data.js';

describeData('patient and study identity flow from a series into the SEG written from it', () => {
  it('SEG carries the source patient ID, name and study attributes', async () => {
    const vol = await readDicomSeries(dataPath('dicom/ct_abdomen_dcmqi_3slice'));
    expect(typeof vol.meta?.patientId).toBe('string');
    const mask = { ...vol, data: new Uint8Array(vol.data.length) };
    mask.data[1000] = 1;
    const seg = writeDicomSeg(mask, vol, [{ label: 'Vertebra', type: 'vertebra' }]);
    const ds = dicomParser.parseDicom(seg);
    expect(ds.string('x00100020')).toBe(vol.meta?.patientId);
    expect(ds.string('x00100010') ?? '').toBe(vol.meta?.patientName ?? '');
    expect(ds.string('x0020000d')).toBe(vol.meta?.studyInstanceUid);
    if (vol.meta?.accessionNumber) expect(ds.string('x00080050')).toBe(vol.meta.accessionNumber);
  });
});
