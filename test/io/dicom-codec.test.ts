import { describe, expect, it } from 'vitest';
import { resolveCategory, resolveType } from '../../src/io/dicom/codes.js';
import {
  dataset,
  ds,
  formatDS,
  getItems,
  getNumbers,
  getString,
  getUint16,
  seq,
  str,
  tag as T,
  us,
} from '../../src/io/dicom/ds-model.js';
import { parseDicom } from '../../src/io/dicom/ds-parse.js';
import { rgbToDicomLab } from '../../src/io/dicom/seg-write.js';
import { generateUid, isValidUid } from '../../src/io/dicom/uid.js';
import { encodeDataset, writePart10 } from '../../src/io/dicom/write.js';

describe('DICOM encoder/parser', () => {
  it('formats DS values in at most 16 characters, keeping precision where it fits', () => {
    for (const v of [0, 1, -1, 0.1, 1 / 3, -235.199997, 123456789.123456, 1e-12, -1.2345678901234e20, 0.810547]) {
      const s = formatDS(v);
      expect(s.length).toBeLessThanOrEqual(16);
      expect(Math.abs(Number(s) - v)).toBeLessThanOrEqual(Math.abs(v) * 1e-9 + 1e-15);
    }
    expect(() => formatDS(Number.NaN)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  for (const implicit of [false, true]) {
    it(`round-trips nested sequences, odd-length padding and binary values (${implicit ? 'implicit' : 'explicit'} VR)`, () => {
      const d = dataset([
        [T(0x0008, 0x0016), str('UI', '1.2.3')], // odd length: padded with NUL
        [T(0x0010, 0x0010), str('PN', 'Doe^J')], // odd length: padded with space
        [T(0x0020, 0x0037), ds(1, 0, 0, 0, 1, 0)],
        [T(0x0028, 0x0010), us(512)],
        [
          T(0x5200, 0x9230),
          seq(dataset([[T(0x0020, 0x9113), seq(dataset([[T(0x0020, 0x0032), ds(-1.5, 2.25, 3)]]))]]), dataset([])),
        ],
      ]);
      const bytes = writePart10(d, { transferSyntaxUid: implicit ? '1.2.840.10008.1.2' : '1.2.840.10008.1.2.1' });
      expect(bytes.length % 2).toBe(0);
      const p = parseDicom(bytes);
      expect(p.implicit).toBe(implicit);
      expect(getString(p.dataset, T(0x0008, 0x0016))).toBe('1.2.3');
      expect(getString(p.dataset, T(0x0010, 0x0010))).toBe('Doe^J');
      expect(getUint16(p.dataset, T(0x0028, 0x0010))).toBe(512);
      const frames = getItems(p.dataset, T(0x5200, 0x9230));
      expect(frames).toHaveLength(2);
      expect(getNumbers(getItems(frames[0]!, T(0x0020, 0x9113))[0]!, T(0x0020, 0x0032))).toEqual([-1.5, 2.25, 3]);
      // Meta group: group length equals the bytes that follow it.
      const gl = new DataView(bytes.buffer).getUint32(132 + 8, true);
      const metaEnd = 132 + 12 + gl;
      expect(new DataView(bytes.buffer).getUint16(metaEnd, true)).toBe(0x0008);
      expect(encodeDataset(d, implicit).length).toBe(bytes.length - metaEnd);
    });
  }

  it('rejects truncated and non-DICOM bytes with MedImgErrors', () => {
    const bytes = writePart10(dataset([[T(0x0010, 0x0010), str('LO', 'x'.repeat(100))]]));
    expect(() => parseDicom(bytes.subarray(0, bytes.length - 20))).toThrow(
      expect.objectContaining({ name: 'MedImgError', code: 'DICOM_TRUNCATED' }),
    );
    expect(() => parseDicom(new Uint8Array([1, 2, 3]))).toThrow(expect.objectContaining({ code: 'NOT_DICOM' }));
  });
});

describe('UIDs and codes', () => {
  it('generates valid, unique 2.25 UIDs, or UIDs under a given root', () => {
    const a = new Set(Array.from({ length: 200 }, () => generateUid()));
    expect(a.size).toBe(200);
    for (const u of a) {
      expect(isValidUid(u)).toBe(true);
      expect(u.startsWith('2.25.')).toBe(true);
    }
    const r = generateUid('1.2.826.0.1.3680043.10.999');
    expect(isValidUid(r) && r.startsWith('1.2.826.0.1.3680043.10.999.') && r.length <= 64).toBe(true);
    expect(() => generateUid('1.02.x')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('maps simple names to SNOMED CT codes', () => {
    expect(resolveCategory('lesion').value).toBe('49755003');
    expect(resolveCategory('organ').value).toBe('123037004');
    expect(resolveCategory('tissue').value).toBe('85756007');
    expect(resolveCategory(undefined, 'nodule').value).toBe('49755003');
    expect(resolveType('tumor', 'x')).toMatchObject({ value: '108369006', scheme: 'SCT' });
    expect(resolveType(undefined, 'Lung')).toMatchObject({ value: '39607008' });
    expect(resolveType(undefined, 'My ROI').value).toBe('85756007');
    expect(() => resolveType('unicorn', 'x')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('converts sRGB to DICOM scaled CIELab', () => {
    const [L, a, b] = rgbToDicomLab([255, 255, 255]);
    expect(L).toBe(65535);
    expect(Math.abs(a - 32896)).toBeLessThan(40);
    expect(Math.abs(b - 32896)).toBeLessThan(40);
    expect(rgbToDicomLab([0, 0, 0])[0]).toBe(0);
  });
});
