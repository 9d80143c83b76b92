import { readFileSync } from 'node:fs';
import { beforeAll, expect, inject, it } from 'vitest';
import {
  type DicomWebSeriesRef,
  isMedImgError,
  listDicomSeries,
  readDicomSeg,
  readDicomSeries,
  readDicomSr,
  retrieveDicomWebSeries,
  searchDicomWebSeries,
  searchDicomWebStudies,
  segmentLungs,
  storeDicomWebInstances,
  type Volume,
  writeDicomSeg,
  writeDicomSr,
} from '../../src/index.js';
import { dataPath, describeData } from '../helpers/data.js';
import { describeService, uploadToOrthanc } from '../helpers/services.js';

const orthanc = inject('orthanc');
const CT_DIR = dataPath('dicom', 'ct_chest_LungPETCTDx_A0002_B40f');

describeService('DICOMweb against a real Orthanc', orthanc.missing, () => {
  describeData('real chest CT A0002 (30 slices, 8 mm) loaded by the test setup', () => {
    const server = { url: orthanc.dicomweb };
    let local: Volume;
    let ref: DicomWebSeriesRef;

    beforeAll(async () => {
      local = await readDicomSeries(CT_DIR);
      ref = {
        dicomweb: server,
        studyInstanceUid: local.meta!.studyInstanceUid!,
        seriesInstanceUid: local.meta!.seriesInstanceUid!,
      };
    });

    it('QIDO-RS finds the study and its CT series', async () => {
      const studies = await searchDicomWebStudies(server, { query: { ModalitiesInStudy: 'CT' } });
      const study = studies.find((s) => s.studyInstanceUid === ref.studyInstanceUid);
      expect(study).toBeDefined();
      expect(study!.modalitiesInStudy).toContain('CT');
      expect(study!.studyDate).toBe('20070425');
      const none = await searchDicomWebStudies(server, { query: { StudyInstanceUID: '1.2.3.4.5.6.7' } });
      expect(none).toEqual([]);
      const series = await searchDicomWebSeries(server, {
        studyInstanceUid: ref.studyInstanceUid,
        query: { Modality: 'CT' },
      });
      const s = series.find((x) => x.seriesInstanceUid === ref.seriesInstanceUid);
      expect(s?.numberOfInstances).toBe(30);
      expect(s?.seriesDescription).toContain('B40f');
    });

    it('WADO-RS reads the series into the same volume as the local files, voxel for voxel', async () => {
      const events: number[] = [];
      const remote = await readDicomSeries(ref, { onProgress: (e) => events.push(e.fraction) });
      expect(remote.dims).toEqual(local.dims);
      expect(remote.spacing).toEqual(local.spacing);
      expect(remote.origin).toEqual(local.origin);
      expect(remote.direction).toEqual(local.direction);
      expect(remote.data.constructor).toBe(local.data.constructor);
      let differing = 0;
      for (let i = 0; i < local.data.length; i++) if (remote.data[i] !== local.data[i]) differing++;
      expect(differing).toBe(0);
      expect(remote.meta?.sopInstanceUids).toEqual(local.meta?.sopInstanceUids);
      // progress rises from 0 to 1 through the retrieval and the read
      expect(events[0]).toBe(0);
      expect(events.at(-1)).toBe(1);
      for (let i = 1; i < events.length; i++) expect(events[i]!).toBeGreaterThanOrEqual(events[i - 1]!);
      const list = await listDicomSeries(ref);
      expect(list).toHaveLength(1);
      expect(list[0]!.sliceCount).toBe(30);
    });

    it('stops on abort during the retrieval', async () => {
      const ac = new AbortController();
      const p = readDicomSeries(ref, {
        signal: ac.signal,
        onProgress: (e) => {
          if (e.done === 2) ac.abort();
        },
      });
      await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
    });

    it('a missing instance is an HTTP 404 MedImgError without UIDs in the message', async () => {
      const r = await retrieveDicomWebSeries({ ...ref, seriesInstanceUid: '1.2.3.999' }).catch((e: unknown) => e);
      // QIDO of an unknown series is empty
      expect(isMedImgError(r, 'SERIES_EMPTY')).toBe(true);
      const bad = await readDicomSeries({ ...ref, dicomweb: { url: `${orthanc.url}/no-such-root` } }).catch(
        (e: unknown) => e,
      );
      expect(isMedImgError(bad, 'DICOMWEB_HTTP_ERROR')).toBe(true);
      expect((bad as { details: { status: number } }).details.status).toBe(404);
      expect((bad as Error).message).not.toContain(ref.studyInstanceUid);
      expect((bad as Error).message).not.toContain('127.0.0.1');
    });

    it('runs a task on the PACS series, stores SEG and SR back, and reads them from Orthanc again', async () => {
      const image = await readDicomSeries(ref);
      const lungs = await segmentLungs(image);
      expect(lungs.lungVolumeMl).toBeGreaterThan(1000);
      const seg = writeDicomSeg([lungs.lungMask], image, [{ label: 'Lungs', type: 'lung', trackingId: 'Lungs' }], {
        seriesDescription: 'medimg dicomweb test',
      });
      const segUids = readDicomSeg(seg, { reference: image });
      const sr = writeDicomSr(
        {
          findings: [
            {
              trackingId: 'Lungs',
              finding: 'lung',
              segment: {
                sopInstanceUid: segUids.sopInstanceUid,
                seriesInstanceUid: segUids.seriesInstanceUid,
                segmentNumber: 1,
              },
              measurements: [{ kind: 'volume', value: lungs.lungVolumeMl, unit: 'ml' }],
            },
          ],
        },
        image,
        { seriesDescription: 'medimg dicomweb test' },
      );
      const stored = await storeDicomWebInstances(server, [seg, sr]);
      expect(stored.failed).toEqual([]);
      expect(stored.stored).toHaveLength(2);

      // Orthanc lists both in the study, next to the CT
      const series = await searchDicomWebSeries(server, { studyInstanceUid: ref.studyInstanceUid });
      const modalities = series.map((s) => s.modality).sort();
      expect(modalities).toEqual(expect.arrayContaining(['CT', 'SEG', 'SR']));

      const segSeries = series.find((s) => s.seriesInstanceUid === segUids.seriesInstanceUid)!;
      const [segBack] = await retrieveDicomWebSeries({ ...ref, seriesInstanceUid: segSeries.seriesInstanceUid });
      const segRead = readDicomSeg(segBack!, { reference: image });
      expect(segRead.referencedSeriesInstanceUid).toBe(ref.seriesInstanceUid);
      expect(segRead.studyInstanceUid).toBe(ref.studyInstanceUid);
      const back = segRead.masks[0]!.data;
      let differing = 0;
      for (let i = 0; i < back.length; i++) if (back[i]! > 0 !== lungs.lungMask.data[i]! > 0) differing++;
      expect(differing).toBe(0);

      const srSeries = series.find((s) => s.modality === 'SR' && s.seriesDescription === 'medimg dicomweb test')!;
      const [srBack] = await retrieveDicomWebSeries({ ...ref, seriesInstanceUid: srSeries.seriesInstanceUid });
      const srRead = readDicomSr(srBack!);
      expect(srRead.studyInstanceUid).toBe(ref.studyInstanceUid);
      const group = srRead.measurementGroups[0]!;
      expect(group.referencedSegment?.sopInstanceUid).toBe(segUids.sopInstanceUid);
      expect(group.measurements[0]!.value).toBeCloseTo(lungs.lungVolumeMl, 1);
    });

    it('a compressed instance (JPEG 2000 lossless MR) comes back and decodes to the local pixels', async () => {
      const path = dataPath('dicom', 'transfer_syntax_MR_small', 'MR_small_jp2klossless.dcm');
      const bytes = new Uint8Array(readFileSync(path));
      await uploadToOrthanc(orthanc.url, [bytes]);
      const mine = await readDicomSeries([bytes]);
      const got = await readDicomSeries({
        dicomweb: server,
        studyInstanceUid: mine.meta!.studyInstanceUid!,
        seriesInstanceUid: mine.meta!.seriesInstanceUid!,
      });
      expect(Array.from(got.data)).toEqual(Array.from(mine.data));
    });
  });
});
