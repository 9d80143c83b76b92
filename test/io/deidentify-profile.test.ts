import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createVolumeLike } from '../../src/core/volume.js';
import { DEID_TABLE_EDITION } from '../../src/io/dicom/deid-table.js';
import { getString, tag as T } from '../../src/io/dicom/ds-model.js';
import { parseDicom, prepareDicomBytes } from '../../src/io/dicom/ds-parse.js';
import { deidentify, deidentifyWithReport, readDicomSeries, writeDicomSeg } from '../../src/index.js';
import { dataPath, describeData } from '../helpers/data.js';
import { type El, type Syntax, writeDicom } from './dicom-synth.js';

// Issue 19: attributes the transcribed table misses are handled by their value representation;
// big endian and deflated files are de-identified; derived objects say their source was.

const KEY = 'a sixteen byte+ key for tests';
const get = (bytes: Uint8Array, g: number, e: number): string | undefined =>
  getString(parseDicom(bytes).dataset, T(g, e));

function file(extra: El[] = [], syntax: Syntax = 'explicitLE'): Uint8Array {
  return writeDicom(
    [
      [0x00080012, 'DA', '20240131'], // Instance Creation Date (not in the transcribed table)
      [0x00080013, 'TM', '101500'],
      [0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.2'],
      [0x00080017, 'UI', '1.2.826.0.1.3680043.2.1125.77.1'], // Acquisition UID
      [0x00080018, 'UI', '1.2.826.0.1.3680043.2.1125.77.2'],
      [0x00080020, 'DA', '20240131'],
      [0x00080054, 'AE', 'PACS_RETRIEVE'],
      [0x00080055, 'AE', 'CT_STATION_7'],
      [0x00100010, 'PN', 'Doe^Jane'],
      [0x00181200, 'DA', '20231224'], // Date of Last Calibration
      [0x00181042, 'TM', '101700'], // Contrast/Bolus Start Time
      ...extra,
    ],
    syntax,
  );
}

describe('attributes outside the transcribed table', () => {
  it('dates and times are dummied by default and shifted by the same offset as the Study Date', () => {
    const out = deidentify(file(), { key: KEY });
    expect(get(out, 0x0008, 0x0012)).toBe('19000101'); // X/D
    expect(get(out, 0x0018, 0x1200)).toBeUndefined(); // X
    expect(get(out, 0x0018, 0x1042)).toBeUndefined(); // X
    const shifted = deidentify(file(), { key: KEY, dates: 'shift' });
    const study = get(shifted, 0x0008, 0x0020)!;
    expect(study).not.toBe('20240131');
    expect(get(shifted, 0x0008, 0x0012)).toBe(study); // Instance Creation Date moved with it
    const day = (s: string) => Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8)) / 864e5;
    expect(day(get(shifted, 0x0018, 0x1200)!) - day(study)).toBe(day('20231224') - day('20240131'));
  });

  it('AE titles go unless device identity is retained; Acquisition UID is remapped; standard UIDs kept', () => {
    const out = deidentify(file(), { key: KEY });
    expect(get(out, 0x0008, 0x0054)).toBeUndefined();
    expect(get(out, 0x0008, 0x0055)).toBeUndefined();
    // Retain Device Identity cleans AE titles (column C): a key-derived pseudonym, the same per title
    const ae = get(deidentify(file(), { key: KEY, retainDeviceIdentity: true }), 0x0008, 0x0055);
    expect(ae).toMatch(/^AE[0-9A-F]{8}$/);
    expect(get(deidentify(file(), { key: KEY, retainDeviceIdentity: true }), 0x0008, 0x0055)).toBe(ae);
    expect(get(deidentify(file(), { key: KEY, retainDeviceIdentity: true }), 0x0008, 0x0054)).not.toBe(ae);
    expect(get(out, 0x0008, 0x0017)).toMatch(/^2\.25\./);
    expect(get(out, 0x0008, 0x0016)).toBe('1.2.840.10008.5.1.4.1.1.2');
  });

  it('encapsulated documents and unlisted free text are removed unless an option keeps them', () => {
    const pdf = new TextEncoder().encode('%PDF-1.4 Patient: Doe^Jane MRN 123 born 19700101');
    const extra: El[] = [
      [0x00420011, 'OB', pdf],
      [0x00189004, 'CS', 'RESEARCH'],
      [0x0040a078, 'LT', 'x'],
      [0x00400280, 'ST', 'x'],
      [0x00209158, 'LT', 'Frame comment: Jane Doe, MRN 123'],
    ];
    const { bytes, report } = deidentifyWithReport(file(extra), { key: KEY });
    expect(Buffer.from(bytes).includes(Buffer.from('MRN 123'))).toBe(false);
    expect(report.changedTags).toContain('(0042,0011)');
    const kept = deidentify(file(extra), { key: KEY, retainEncapsulatedDocuments: true, retainFreeText: true });
    expect(Buffer.from(kept).includes(Buffer.from('%PDF-1.4'))).toBe(true);
  });

  it('names the table edition in De-identification Method', () => {
    const methods = get(deidentify(file(), { key: KEY }), 0x0012, 0x0063)!.split('\\');
    expect(methods).toContain(DEID_TABLE_EDITION);
    expect(DEID_TABLE_EDITION.length).toBeLessThanOrEqual(64);
  });
});

describe('big endian and deflated inputs', () => {
  it('are de-identified and written as explicit VR little endian', async () => {
    for (const syntax of ['explicitBE', 'deflate'] as const) {
      const input = file([], syntax);
      await prepareDicomBytes(input);
      const out = deidentify(input, { key: KEY });
      const parsed = parseDicom(out);
      expect(parsed.transferSyntaxUid, syntax).toBe('1.2.840.10008.1.2.1');
      expect(getString(parsed.dataset, T(0x0010, 0x0010)) ?? '').toBe('');
      expect(getString(parsed.dataset, T(0x0008, 0x0012))).toBe('19000101');
      expect(Buffer.from(out).includes(Buffer.from('Doe^Jane'))).toBe(false);
    }
  });
});

const tmp = mkdtempSync(join(tmpdir(), 'medimg-deid-seg-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describeData('SEG from a de-identified series', () => {
  it('carries Patient Identity Removed and the method of its source', async () => {
    const dir = dataPath('dicom', 'ct_abdomen_dcmqi_3slice');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.dcm'))) {
      writeFileSync(join(tmp, f), deidentify(new Uint8Array(readFileSync(join(dir, f))), { key: KEY }));
    }
    const series = await readDicomSeries(tmp);
    expect(series.meta?.patientIdentityRemoved).toBe('YES');
    const mask = createVolumeLike(series, Uint8Array);
    mask.data[1000] = 1;
    const seg = writeDicomSeg(mask, series, [{ label: 'Lesion', type: 'lesion' }]);
    expect(get(seg, 0x0012, 0x0062)).toBe('YES');
    expect(get(seg, 0x0012, 0x0063)).toContain(DEID_TABLE_EDITION);
    const original = await readDicomSeries(dir);
    expect(get(writeDicomSeg(mask, original, [{ label: 'Lesion', type: 'lesion' }]), 0x0012, 0x0062)).toBeUndefined();
  });
});
