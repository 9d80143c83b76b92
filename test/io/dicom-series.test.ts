import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { flipAffineAxis, niftiAffineFromGeometry } from '../../src/core/geometry.js';
import { listDicomSeries, readDicomFile, readDicomSeries } from '../../src/index.js';
import { dataPath, describeData } from '../helpers/data.js';
import { affineMaxDiff, sha256 } from './dicom-helpers.js';

const SERIES = [
  'ct_abdomen_dcmqi_3slice',
  'ct_chest_LungPETCTDx_A0001_kernelB',
  'mr_brain_t1_sag_HFS_dcm_qa_decubitus',
];

describeData('readDicomSeries on the reference series', () => {
  for (const name of SERIES) {
    it(`${name}: dims, spacing, origin, direction, int16 volume hash, affine vs dcm2niix, meta`, async () => {
      const dir = dataPath('dicom', name);
      const ref = JSON.parse(readFileSync(`${dir}/reference.json`, 'utf8'));
      const progress: number[] = [];
      const vol = await readDicomSeries(dir, { onProgress: (e) => progress.push(e.fraction) });
      expect(vol.dims).toEqual([ref.columns, ref.rows, ref.n_slices]);
      expect(vol.spacing[0]).toBeCloseTo(ref.pixel_spacing_row_col_mm[1], 6);
      expect(vol.spacing[1]).toBeCloseTo(ref.pixel_spacing_row_col_mm[0], 6);
      expect(vol.spacing[2]).toBeCloseTo(ref.slice_spacing_from_IPP_mm.mean, 5);
      for (let i = 0; i < 3; i++) expect(vol.origin[i]).toBeCloseTo(ref.first_IPP_after_sort[i], 5);
      const iop = ref.image_orientation_patient;
      const n = ref.slice_normal;
      const dir3 = [iop[0], iop[3], n[0], iop[1], iop[4], n[1], iop[2], iop[5], n[2]];
      for (let i = 0; i < 9; i++) expect(vol.direction[i]).toBeCloseTo(dir3[i], 6);
      // modality values cast to int16, slices in sorted order
      expect(sha256(Int16Array.from(vol.data as ArrayLike<number>))).toBe(ref.volume_int16_sha256);
      const dcm = ref['dcm2niix_v1.0.20220720_debian'][0];
      const ours = flipAffineAxis(niftiAffineFromGeometry(vol), 1, vol.dims[1]);
      expect(affineMaxDiff(ours, dcm.sform_affine)).toBeLessThan(1e-3);
      const m = vol.meta!;
      expect(m.modality).toBe(ref.modality);
      expect(m.seriesInstanceUid).toBe(ref.series_instance_uid);
      expect(m.studyInstanceUid).toBe(ref.study_instance_uid);
      expect(m.frameOfReferenceUid).toBe(ref.frame_of_reference_uid);
      expect(m.sopInstanceUids).toEqual(ref.slices_sorted.map((s: { SOPInstanceUID: string }) => s.SOPInstanceUID));
      expect(m.manufacturer).toBe(ref.manufacturer);
      expect(m.manufacturerModelName).toBe(ref.model);
      expect(m.convolutionKernel ?? '').toBe(ref.convolution_kernel);
      expect(m.seriesDescription ?? '').toBe(ref.series_description);
      expect(typeof m.patientAgeYears).toBe('number');
      expect(m.patientSex).toMatch(/^[MFO]$/);
      expect(m.sopClassUid).toMatch(/^1\.2\.840\.10008\.5\.1\.4\.1\.1\./);
      if (ref.modality === 'CT') expect(m.units).toBe('HU');
      expect(m.warnings).toEqual([]);
      expect(m.uniformSpacing).toBe(true);
      expect(m.gantryTiltDeg).toBe(0);
      // progress is monotonic and ends at 1
      expect(progress.at(-1)).toBe(1);
      for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]!);
    });

    it(`${name}: raw per-slice stored values match raw_pixel_sha256`, async () => {
      const dir = dataPath('dicom', name);
      const ref = JSON.parse(readFileSync(`${dir}/reference.json`, 'utf8'));
      const bits = ref.bits_allocated_stored_highbit_pixelrep;
      for (const s of ref.slices_sorted) {
        const img = await readDicomFile(`${dir}/${s.file}`, { raw: true });
        expect(img.pixels.constructor).toBe(bits[3] === 1 ? Int16Array : Uint16Array);
        expect(sha256(img.pixels)).toBe(s.raw_pixel_sha256);
      }
    });
  }

  it('lists the series with counts, dims, spacing and skipped non-DICOM files', async () => {
    const dir = dataPath('dicom', 'ct_chest_LungPETCTDx_A0001_kernelB');
    const list = await listDicomSeries(dir);
    expect(list).toHaveLength(1);
    const s = list[0]!;
    expect(s.fileCount).toBe(64);
    expect(s.sliceCount).toBe(64);
    expect(s.volumeCount).toBe(1);
    expect(s.dims).toEqual([512, 512, 64]);
    expect(s.spacing[2]).toBeCloseTo(5, 6);
    expect(s.orientation).toBe('LPS');
    expect(s.problems).toEqual([]);
    // the folder also holds README/license/json/xml files: each skipped with a reason
    expect(s.skippedFiles.length).toBeGreaterThan(0);
    for (const f of s.skippedFiles) expect(f.code).toBe('NOT_DICOM');
    expect(s.skippedFiles.some((f) => f.name.endsWith('reference.json'))).toBe(true);
  });

  it('reads a list of paths, Uint8Array[] and Blob[] in shuffled order to the same volume', async () => {
    const dir = dataPath('dicom', 'ct_abdomen_dcmqi_3slice');
    const files = ['03.dcm', '01.dcm', '02.dcm'].map((f) => `${dir}/${f}`);
    const a = await readDicomSeries(files);
    const bytes = files.map((f) => new Uint8Array(readFileSync(f)));
    const b = await readDicomSeries([bytes[1]!, bytes[2]!, bytes[0]!]);
    const c = await readDicomSeries(bytes.map((x, i) => new File([x], `f${i}.dcm`)));
    expect(sha256(b.data)).toBe(sha256(a.data));
    expect(sha256(c.data)).toBe(sha256(a.data));
    expect(b.origin).toEqual(a.origin);
  });

  it('aborts part-way with ABORTED', async () => {
    const ac = new AbortController();
    const dir = dataPath('dicom', 'ct_chest_LungPETCTDx_A0001_kernelB');
    let last = 0;
    const p = readDicomSeries(dir, {
      signal: ac.signal,
      onProgress: (e) => {
        last = e.fraction;
        if (e.fraction > 0.6) ac.abort();
      },
    });
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
    expect(last).toBeLessThan(1);
    // a SeriesInfo can be passed as the series choice
    const [info] = await listDicomSeries(dir);
    const v = await readDicomSeries(dir, { series: info! });
    expect(v.dims[2]).toBe(64);
  });

  it('aborts with ABORTED', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(
      readDicomSeries(dataPath('dicom', 'ct_abdomen_dcmqi_3slice'), { signal: ac.signal }),
    ).rejects.toMatchObject({
      code: 'ABORTED',
    });
  });
});
