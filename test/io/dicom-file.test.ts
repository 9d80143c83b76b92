import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { readDicomFile } from '../../src/index.js';
import { dataPath, describeData } from '../helpers/data.js';
import { sha256 } from './dicom-helpers.js';

describeData('readDicomFile: every transfer syntax decodes to its reference', () => {
  const dir = dataPath('dicom', 'transfer_syntax_MR_small');
  const exp = JSON.parse(readFileSync(`${dir}/expected_pixels.json`, 'utf8'));
  for (const f of exp.files as {
    file: string;
    transfer_syntax: string;
    pixel_sha256: string;
    dtype: string;
    shape_frames_rows_cols_samples: number[];
  }[]) {
    it(`${f.file} (${f.transfer_syntax})`, async () => {
      const img = await readDicomFile(`${dir}/${f.file}`, { raw: true });
      expect(img.transferSyntaxUid).toBe(f.transfer_syntax);
      expect([img.frames, img.rows, img.columns, img.samplesPerPixel]).toEqual(f.shape_frames_rows_cols_samples);
      expect(img.pixels.constructor.name.toLowerCase()).toBe(`${f.dtype}array`);
      expect(sha256(img.pixels)).toBe(f.pixel_sha256);
      // modality values: MR_small has no rescale, so they equal the stored values
      const mod = await readDicomFile(`${dir}/${f.file}`);
      expect(Array.from(mod.pixels)).toEqual(Array.from(img.pixels));
    });
  }

  it('accepts ArrayBuffer, Uint8Array and Blob input', async () => {
    const bytes = new Uint8Array(readFileSync(`${dir}/MR_small.dcm`));
    const a = await readDicomFile(bytes.slice().buffer, { raw: true });
    const b = await readDicomFile(new Blob([bytes]), { raw: true });
    expect(sha256(a.pixels)).toBe(sha256(b.pixels));
  });
});

describeData('readDicomFile: single-frame samples', () => {
  it('CT_small: int16 stored values, HU with slope 1 intercept -1024, geometry and meta', async () => {
    const p = dataPath('dicom', 'single_frame', 'CT_small.dcm');
    const raw = await readDicomFile(p, { raw: true });
    expect(raw.pixels).toBeInstanceOf(Int16Array);
    expect(sha256(raw.pixels).startsWith('7a481f6ffff833ae')).toBe(true);
    const hu = await readDicomFile(p);
    expect(hu.units).toBe('HU');
    expect(hu.rescaleSlope).toEqual([1]);
    expect(hu.rescaleIntercept).toEqual([-1024]);
    for (let i = 0; i < raw.pixels.length; i += 97) expect(hu.pixels[i]).toBe(raw.pixels[i]! - 1024);
    expect(hu.meta.sopInstanceUid).toBe('1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322');
    expect(hu.meta.modality).toBe('CT');
    expect(hu.frameGeometry[0]!.position).toHaveLength(3);
    expect(hu.frameGeometry[0]!.orientation).toHaveLength(6);
  });

  it('MR_small: int16 stored values', async () => {
    const img = await readDicomFile(dataPath('dicom', 'single_frame', 'MR_small.dcm'), { raw: true });
    expect(sha256(img.pixels).startsWith('88617aaa46138fb1')).toBe(true);
  });

  it('non-DICOM and missing files give stable codes', async () => {
    await expect(readDicomFile(dataPath('dicom', 'README.md'))).rejects.toMatchObject({ code: 'NOT_DICOM' });
    await expect(readDicomFile(dataPath('dicom', 'nope.dcm'))).rejects.toMatchObject({ code: 'IO_READ_FAILED' });
    await expect(readDicomFile(new Uint8Array(0))).rejects.toMatchObject({ code: 'NOT_DICOM' });
  });
});
