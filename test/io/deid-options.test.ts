import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cleanText, identifyingPattern } from '../../src/io/dicom/deid-clean.js';
import { DEID_RULES, DEID_TABLE_EDITION, DEID_TABLE_ROWS, deidRule } from '../../src/io/dicom/deid-table.js';
import { deidentify, deidentifyWithReport } from '../../src/io/dicom/deidentify.js';
import { type DicomDataset, getString, tag as T } from '../../src/io/dicom/ds-model.js';
import { parseDicom } from '../../src/io/dicom/ds-parse.js';
import { readDicomSr } from '../../src/io/dicom/sr-read.js';
import { generate, readTable } from '../../scripts/gen-deid-table.js';
import { dataPath, describeData } from '../helpers/data.js';
import { type El, writeDicom } from './dicom-synth.js';

// Issue 19: the current PS3.15 Table E.1-1 (2026c) with its option columns, and what each option does.

const KEY = 'a sixteen byte+ key for option tests';
const ds = (bytes: Uint8Array): DicomDataset => parseDicom(bytes).dataset;
const get = (d: DicomDataset, g: number, e: number) => getString(d, T(g, e));

describe('the transcribed table', () => {
  it('is the 2026c edition, every row of the TSV, and the generated module is current', () => {
    const rows = readTable();
    expect(rows.length).toBe(655);
    expect(DEID_TABLE_ROWS).toBe(655);
    expect(DEID_TABLE_EDITION).toContain('PS3.15 2026c');
    expect(DEID_TABLE_EDITION.length).toBeLessThanOrEqual(64);
    const generated = readFileSync(new URL('../../src/io/dicom/deid-table-data.ts', import.meta.url), 'utf8');
    expect(generated).toBe(generate().text);
    const actions = new Set(rows.map((r) => r.action));
    expect([...actions].sort()).toEqual(['D', 'U', 'X', 'X/D', 'X/Z', 'X/Z/D', 'X/Z/U*', 'Z', 'Z/D']);
  });

  it('carries the option columns (spot checks against the standard)', () => {
    expect(DEID_RULES.get(0x00080012)).toMatchObject({ action: 'X/D', temporal: true }); // Instance Creation Date
    expect(DEID_RULES.get(0x00080055)?.options).toEqual({ retainDeviceIdentity: 'C' }); // Station AE Title
    expect(DEID_RULES.get(0x00181002)?.options).toEqual({ retainDeviceIdentity: 'K', retainUids: 'K' });
    expect(DEID_RULES.get(0x00102110)?.options).toEqual({ retainPatientCharacteristics: 'C', cleanDescriptors: 'C' });
    expect(DEID_RULES.get(0x0040a730)).toMatchObject({ action: 'D', options: { cleanStructuredContent: 'C' } });
    expect(DEID_RULES.get(0x00081140)?.action).toBe('X/Z/U*');
    expect(deidRule(0x60023000)?.options).toEqual({ cleanGraphics: 'C' }); // overlay data, group 6002
    expect(deidRule(0x50041234)?.action).toBe('X'); // curve data
    expect(deidRule(0x60013000)).toBeUndefined(); // odd group: private, not an overlay
  });
});

function file(extra: El[] = []): Uint8Array {
  return writeDicom([
    [0x00080005, 'CS', 'ISO_IR 100'],
    [0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.2'],
    [0x00080018, 'UI', '1.2.826.0.1.3680043.2.1125.88.1'],
    [0x00080020, 'DA', '20240131'],
    [0x00080050, 'SH', 'ACC991234'],
    [0x00080060, 'CS', 'CT'],
    [0x00080080, 'LO', 'Saint Elsewhere Hospital'],
    [0x0008103e, 'LO', 'Chest Doe 2024-01-31 acc ACC991234 call 5551234'],
    [0x00081030, 'LO', 'CT THORAX'],
    [0x00100010, 'PN', 'Doe^Jane^Q'],
    [0x00100020, 'LO', 'MRN-778812'],
    [0x00100030, 'DA', '19700215'],
    [0x00100040, 'CS', 'F'],
    [0x00101010, 'AS', '054Y'],
    [0x00102110, 'LO', 'penicillin (reported by Jane)'],
    [0x00181030, 'LO', 'Lung screening'],
    [0x00204000, 'LT', 'Seen at Saint Elsewhere on 15.02.1970, jane.doe@example.org'],
    [
      0x00081084,
      'SQ',
      [
        [
          [0x00080100, 'SH', 'J18.9'],
          [0x00080102, 'SH', 'I10'],
          [0x00080104, 'LO', 'Pneumonia, Doe'],
        ],
        [
          [0x00080100, 'SH', 'X1'],
          [0x00080102, 'SH', '99MYHOSP'],
          [0x00080104, 'LO', 'local code'],
        ],
      ],
    ],
    [0x60000010, 'US', [2]],
    [0x60000011, 'US', [2]],
    [0x60003000, 'OW', new Uint8Array([1, 2, 3, 4])],
    [0x60004000, 'LT', 'Overlay for Doe^Jane'],
    [
      0x00700001,
      'SQ',
      [
        [
          [
            0x00700008,
            'SQ',
            [
              [
                [0x00700006, 'ST', 'Jane Doe left nodule'],
                [0x00700009, 'SQ', []],
              ],
            ],
          ],
        ],
      ],
    ],
    ...extra,
  ]);
}

describe('clean text', () => {
  it('removes the identifiers of the file and date/number/e-mail shapes, keeps the rest', () => {
    const d = ds(file());
    const re = identifyingPattern(d);
    expect(cleanText('Chest Doe 2024-01-31 acc ACC991234 call 5551234', re)).toBe('Chest * * acc * call *');
    expect(cleanText('born 15.02.1970 / 02/15/1970, jane.doe@example.org', re)).toBe('born * / *, *');
    expect(cleanText('Saint Elsewhere Hospital CT', re)).toBe('* CT');
    expect(cleanText('LUNG 1.0 B45f', re)).toBe('LUNG 1.0 B45f');
  });
});

describe('options', () => {
  it('Basic Profile: descriptions, comments, overlays and annotation text go', () => {
    const d = ds(deidentify(file(), { key: KEY }));
    expect(d.has(T(0x0008, 0x103e))).toBe(false); // X
    expect(d.has(T(0x0020, 0x4000))).toBe(false);
    expect(d.has(T(0x0008, 0x1084))).toBe(false);
    expect(d.has(T(0x6000, 0x3000))).toBe(false);
    expect(d.has(T(0x6000, 0x4000))).toBe(false);
    expect(get(d, 0x0018, 0x1030)).toBe('ANONYMIZED'); // Protocol Name X/D -> D
    const text = d.get(T(0x0070, 0x0001))!.items![0]!.get(T(0x0070, 0x0008))!.items![0]!;
    expect(getString(text, T(0x0070, 0x0006))).toBe('ANONYMIZED'); // D
  });

  it('Clean Descriptors keeps descriptions without the identifying parts; local codes dropped', () => {
    const { bytes, report } = deidentifyWithReport(file(), { key: KEY, cleanDescriptors: true });
    const d = ds(bytes);
    expect(get(d, 0x0008, 0x103e)).toBe('Chest * * acc * call *');
    expect(get(d, 0x0008, 0x1030)).toBe('CT THORAX');
    expect(get(d, 0x0018, 0x1030)).toBe('Lung screening');
    expect(get(d, 0x0020, 0x4000)).toBe('Seen at * * on *, *');
    const codes = d.get(T(0x0008, 0x1084))!.items!;
    expect(codes.map((c) => getString(c, T(0x0008, 0x0102)))).toEqual(['I10']);
    expect(getString(codes[0]!, T(0x0008, 0x0104))).toBe('Pneumonia, *');
    expect(get(d, 0x0010, 0x2110)).toBe('penicillin (reported by *)'); // Allergies: C in this column too
    expect(report.methods.map((m) => m.value)).toEqual(['113100', '113105']);
    const raw = Buffer.from(bytes).toString('latin1');
    for (const secret of ['Doe', 'Jane', 'MRN-778812', 'ACC991234', 'Elsewhere', '1970', 'example.org']) {
      expect(raw.includes(secret), secret).toBe(false);
    }
  });

  it('Retain Patient Characteristics keeps sex and age, cleans allergies', () => {
    const d = ds(deidentify(file(), { key: KEY, retainPatientCharacteristics: true }));
    expect(get(d, 0x0010, 0x0040)).toBe('F');
    expect(get(d, 0x0010, 0x1010)).toBe('054Y');
    expect(get(d, 0x0010, 0x2110)).toBe('penicillin (reported by *)');
    expect(d.has(T(0x0008, 0x103e))).toBe(false);
  });

  it('Clean Graphics keeps overlay bitmaps and graphic annotations, cleans their text', () => {
    const { bytes, report } = deidentifyWithReport(file(), { key: KEY, cleanGraphics: true });
    const d = ds(bytes);
    expect(Array.from(d.get(T(0x6000, 0x3000))!.value!)).toEqual([1, 2, 3, 4]);
    expect(get(d, 0x6000, 0x4000)).toBe('Overlay for *^*');
    const text = d.get(T(0x0070, 0x0001))!.items![0]!.get(T(0x0070, 0x0008))!.items![0]!;
    expect(getString(text, T(0x0070, 0x0006))).toBe('* * left nodule');
    expect(report.methods.map((m) => m.value)).toEqual(['113100', '113103']);
  });

  it('Modified Dates shifts every date of the table by one offset; Full Dates keeps them', () => {
    const extra: El[] = [
      [0x00080012, 'DA', '20240131'],
      [0x00181200, 'DA', '20231224'],
      [0x00189074, 'DT', '20240131101500'],
    ];
    const d = ds(deidentify(file(extra), { key: KEY, dates: 'shift', dateShiftDays: -10 }));
    expect(get(d, 0x0008, 0x0020)).toBe('20240121');
    expect(get(d, 0x0008, 0x0012)).toBe('20240121');
    expect(get(d, 0x0018, 0x1200)).toBe('20231214');
    expect(get(d, 0x0018, 0x9074)).toBe('20240121101500');
    expect(get(d, 0x0010, 0x0030) ?? '').toBe(''); // birth date: Z in every option
    const kept = ds(deidentify(file(extra), { key: KEY, dates: 'keep', retainDeviceIdentity: true }));
    expect(get(kept, 0x0018, 0x1200)).toBe('20231224');
    // Retain Device Identity alone does not keep a calibration date the dates option removes
    expect(ds(deidentify(file(extra), { key: KEY, retainDeviceIdentity: true })).has(T(0x0018, 0x1200))).toBe(false);
  });
});

describeData('Clean Structured Content on a real SR', () => {
  it('keeps the tracking identifiers (no identifier of the file in them) instead of dummying them', () => {
    const input = new Uint8Array(
      readFileSync(dataPath('sr', 'highdicom_tid1500', 'sr_document_with_multiple_groups.dcm')),
    );
    const before = readDicomSr(input);
    const basic = readDicomSr(deidentify(input, { key: KEY }));
    const clean = readDicomSr(deidentify(input, { key: KEY, cleanStructuredContent: true }));
    expect(basic.measurementGroups.every((g) => g.trackingIdentifier === 'ANONYMIZED')).toBe(true);
    expect(clean.measurementGroups.map((g) => g.trackingIdentifier)).toEqual(
      before.measurementGroups.map((g) => g.trackingIdentifier),
    );
    expect(clean.measurementGroups.map((g) => g.measurements.map((m) => m.value))).toEqual(
      before.measurementGroups.map((g) => g.measurements.map((m) => m.value)),
    );
    expect(clean.observer.name).not.toBe(before.observer.name);
  });
});
