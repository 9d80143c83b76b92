import { readFileSync } from 'node:fs';
import { createHash, createHmac } from 'node:crypto';
import dicomParser from 'dicom-parser';
import { describe, expect, it } from 'vitest';
import { DEID_RULES } from '../../src/io/dicom/deid-table.js';
import { readDicomSeg } from '../../src/io/dicom/seg-read.js';
import { readDicomSr } from '../../src/io/dicom/sr-read.js';
import { deidentify, deidentifyWithReport } from '../../src/io/dicom/deidentify.js';
import {
  type DicomDataset,
  type DicomElement,
  dataset,
  getString,
  seq,
  str,
  tag as T,
} from '../../src/io/dicom/ds-model.js';
import { parseDicom } from '../../src/io/dicom/ds-parse.js';
import { hmacSha256, sha256 } from '../../src/io/dicom/uid.js';
import { writePart10 } from '../../src/io/dicom/write.js';
import { dataPath, describeData } from '../helpers/data.js';
import { dciodvfy, HAS_DCIODVFY } from './dciodvfy.js';
import { readSourceSeries } from './source-series.js';

const KEY = 'test-session-key-0123456789';
const enc = new TextEncoder();

/** A distinctive original value for every Table E.1-1 attribute, by VR. */
function originalValue(vr: string, i: number): DicomElement {
  const b = (n: number) => {
    const u = new Uint8Array(n);
    for (let k = 0; k < n; k++) u[k] = (i * 7 + k + 1) & 0xff;
    return u;
  };
  switch (vr) {
    case 'UI':
      return str('UI', `1.2.826.0.1.3680043.99.${i}`);
    case 'DA':
      return str('DA', `2001${String(1 + (i % 12)).padStart(2, '0')}${String(1 + (i % 28)).padStart(2, '0')}`);
    case 'TM':
      return str('TM', `10${String(i % 60).padStart(2, '0')}33`);
    case 'DT':
      return str('DT', `20010203${String(i % 24).padStart(2, '0')}1112`);
    case 'PN':
      return str('PN', `Secret^Person${i}`);
    case 'AS':
      return str('AS', '042Y');
    case 'DS':
      return str('DS', `${70 + i}.5`);
    case 'IS':
      return str('IS', `${1000 + i}`);
    case 'CS':
      return str('CS', `ORIG${i}`);
    case 'AE':
      return str('AE', `AE${i}`);
    case 'US':
      return { vr, value: b(2) };
    case 'FD':
      return { vr, value: b(8) };
    case 'OB':
      return { vr, value: b(4) };
    case 'SQ':
      return seq(
        dataset([
          [T(0x0010, 0x0010), str('PN', `Nested^Person${i}`)],
          [T(0x0008, 0x1155), str('UI', `1.2.826.0.1.3680043.98.${i}`)],
        ]),
      );
    default:
      return str(vr, `ORIGINAL-${vr}-${i}`);
  }
}

const PIXELS = (() => {
  const p = new Uint8Array(4 * 4 * 2);
  for (let i = 0; i < p.length; i++) p[i] = (i * 37 + 11) & 0xff;
  return p;
})();

/** A file holding every attribute of Table E.1-1, a private block, an overlay, a curve and pixel data. */
function buildAllAttributes(): { bytes: Uint8Array; originals: Map<number, DicomElement> } {
  const ds: DicomDataset = new Map();
  const originals = new Map<number, DicomElement>();
  let i = 0;
  for (const [t, rule] of DEID_RULES) {
    if (t >>> 16 === 0x0002 || t >>> 16 === 0x0000 || t === 0xfffcfffc || t === 0xfffafffa) continue;
    const e = originalValue(rule.vr, i++);
    ds.set(t, e);
    originals.set(t, e);
  }
  ds.set(T(0x0008, 0x0016), str('UI', '1.2.840.10008.5.1.4.1.1.7'));
  ds.set(T(0x0008, 0x0060), str('CS', 'OT'));
  ds.set(T(0x0009, 0x0010), str('LO', 'ACME_PRIVATE'));
  ds.set(T(0x0009, 0x1001), str('LO', 'PrivateSecretValue'));
  ds.set(T(0x0011, 0x0010), str('LO', 'SAFE_VENDOR'));
  ds.set(T(0x0011, 0x1001), str('LO', 'SafePrivateValue'));
  ds.set(T(0x6000, 0x3000), { vr: 'OW', value: new Uint8Array([9, 9, 9, 9]) });
  ds.set(T(0x6000, 0x4000), str('LT', 'OverlaySecretComment'));
  ds.set(T(0x5000, 0x3000), { vr: 'OW', value: new Uint8Array([8, 8, 8, 8]) });
  ds.set(T(0x0028, 0x0002), { vr: 'US', value: new Uint8Array([1, 0]) });
  ds.set(T(0x0028, 0x0004), str('CS', 'MONOCHROME2'));
  ds.set(T(0x0028, 0x0010), { vr: 'US', value: new Uint8Array([4, 0]) });
  ds.set(T(0x0028, 0x0011), { vr: 'US', value: new Uint8Array([4, 0]) });
  ds.set(T(0x0028, 0x0100), { vr: 'US', value: new Uint8Array([16, 0]) });
  ds.set(T(0x0028, 0x0101), { vr: 'US', value: new Uint8Array([16, 0]) });
  ds.set(T(0x0028, 0x0102), { vr: 'US', value: new Uint8Array([15, 0]) });
  ds.set(T(0x0028, 0x0103), { vr: 'US', value: new Uint8Array([0, 0]) });
  ds.set(T(0x0028, 0x0301), str('CS', 'NO'));
  ds.set(T(0x7fe0, 0x0010), { vr: 'OW', value: PIXELS });
  return { bytes: writePart10(ds), originals };
}

const bytesEq = (a?: Uint8Array, b?: Uint8Array) =>
  !!a && !!b && a.length === b.length && a.every((v, k) => v === b[k]);

/** Equal encoded values (strings compared without padding, sequences item by item). */
function sameValue(a: DicomElement | undefined, b: DicomElement | undefined): boolean {
  if (!a || !b) return false;
  if (a.items || b.items) {
    const ia = a.items ?? [];
    const ib = b.items ?? [];
    return (
      ia.length === ib.length && ia.every((it, k) => [...it.keys()].every((t) => sameValue(it.get(t), ib[k]?.get(t))))
    );
  }
  const s = (e: DicomElement) => new TextDecoder('latin1').decode(e.value ?? new Uint8Array()).replace(/[\0 ]+$/, '');
  return bytesEq(a.value, b.value) || (s(a) === s(b) && s(a) !== '');
}

function pixelBytes(bytes: Uint8Array): Uint8Array {
  const ds = dicomParser.parseDicom(bytes);
  const el = ds.elements.x7fe00010 as { dataOffset: number; length: number };
  return bytes.subarray(el.dataOffset, el.dataOffset + el.length);
}

describe('deidentify: every attribute of PS3.15 Table E.1-1', () => {
  const { bytes, originals } = buildAllAttributes();

  it('the test file holds all table attributes and parses with dicom-parser', () => {
    expect(originals.size).toBeGreaterThan(640);
    expect(() => dicomParser.parseDicom(bytes)).not.toThrow();
  });

  it('Basic Profile: no attribute keeps its original value; no original text survives anywhere in the file', () => {
    const { bytes: out, report } = deidentifyWithReport(bytes, { key: KEY });
    const ds = parseDicom(out).dataset;
    const kept: string[] = [];
    for (const [t, orig] of originals) if (sameValue(ds.get(t), orig)) kept.push(t.toString(16));
    expect(kept).toEqual([]);
    const text = new TextDecoder('latin1').decode(out);
    for (const needle of [
      'Secret^Person',
      'Nested^Person',
      'ORIGINAL-',
      '1.2.826.0.1.3680043.99.',
      '1.2.826.0.1.3680043.98.',
      'PrivateSecretValue',
      'SafePrivateValue',
      'OverlaySecretComment',
      'ACME_PRIVATE',
    ]) {
      expect(text.includes(needle), needle).toBe(false);
    }
    expect(ds.has(T(0x0009, 0x1001))).toBe(false);
    expect(ds.has(T(0x6000, 0x3000))).toBe(false);
    expect(ds.has(T(0x5000, 0x3000))).toBe(false);
    expect(getString(ds, T(0x0012, 0x0062))).toBe('YES');
    const methods = ds.get(T(0x0012, 0x0064))?.items?.map((it) => getString(it, T(0x0008, 0x0100)));
    expect(methods).toEqual(['113100']);
    expect(getString(ds, T(0x0028, 0x0303))).toBe('REMOVED');
    expect(report.privateTagsRemoved).toBe(4);
    expect(report.burnedInAnnotation).toBe('NO');
    expect(report.burnedInAnnotationRisk).toBe(false);
    // Still a valid file, pixels byte-identical, SOP Class kept.
    expect(() => dicomParser.parseDicom(out)).not.toThrow();
    expect(bytesEq(pixelBytes(out), PIXELS)).toBe(true);
    expect(getString(ds, T(0x0008, 0x0016))).toBe('1.2.840.10008.5.1.4.1.1.7');
    // UIDs are remapped to HMAC-SHA256 2.25 UIDs; the nested Referenced SOP Instance UID too.
    const sop = getString(ds, T(0x0008, 0x0018)) as string;
    const expectUid = (u: string) => {
      const d = createHmac('sha256', KEY).update(`uid:${u}`).digest();
      d[6] = (d[6]! & 0x0f) | 0x80;
      d[8] = (d[8]! & 0x3f) | 0x80;
      return `2.25.${BigInt(`0x${d.subarray(0, 16).toString('hex')}`).toString()}`;
    };
    expect(sop).toBe(expectUid(getString(new Map([[1, originals.get(T(0x0008, 0x0018))!]]), 1) as string));
    expect(getString(parseDicom(out).meta, T(0x0002, 0x0003))).toBe(sop);
  });

  const optionCases = [
    { name: 'retainUids', opts: { retainUids: true }, col: 'retainUids' as const, code: '113110' },
    {
      name: 'retainDeviceIdentity',
      opts: { retainDeviceIdentity: true },
      col: 'retainDeviceIdentity' as const,
      code: '113109',
    },
    {
      name: 'retainInstitutionIdentity',
      opts: { retainInstitutionIdentity: true },
      col: 'retainInstitutionIdentity' as const,
      code: '113112',
    },
    {
      name: 'retainPatientCharacteristics',
      opts: { retainPatientCharacteristics: true },
      col: 'retainPatientCharacteristics' as const,
      code: '113108',
    },
    { name: "dates: 'keep'", opts: { dates: 'keep' as const }, col: 'retainFullDates' as const, code: '113106' },
    { name: 'cleanDescriptors', opts: { cleanDescriptors: true }, col: 'cleanDescriptors' as const, code: '113105' },
    {
      name: 'cleanStructuredContent',
      opts: { cleanStructuredContent: true },
      col: 'cleanStructuredContent' as const,
      code: '113104',
    },
    { name: 'cleanGraphics', opts: { cleanGraphics: true }, col: 'cleanGraphics' as const, code: '113103' },
  ];
  for (const c of optionCases) {
    it(`${c.name} keeps (K) or cleans (C) exactly the attributes its Table E.1-1 column names`, () => {
      const out = deidentify(bytes, { key: KEY, ...c.opts });
      const ds = parseDicom(out).dataset;
      let kept = 0;
      let cleaned = 0;
      for (const [t, orig] of originals) {
        const rule = DEID_RULES.get(t)!;
        // dates and times follow the dates option only
        const a = rule.temporal && c.col !== 'retainFullDates' ? undefined : rule.options[c.col];
        const hex = `${t.toString(16)} ${rule.action} ${a ?? '-'}`;
        if (a === 'C') {
          cleaned++;
          // binary values (Maker Note, OB) cannot be cleaned: removed
          expect(ds.has(t), hex).toBe(orig.vr !== 'OB');
          if (orig.vr === 'AE') expect(getString(ds, t), hex).toMatch(/^AE[0-9A-F]{8}$/);
          continue;
        }
        if (orig.items) {
          // A retained sequence stays, but its items still go through the profile: the nested
          // Patient's Name is always cleaned, the nested SOP Instance UID kept only with retainUids.
          const items = ds.get(t)?.items;
          if (a !== 'K') {
            expect(sameValue(ds.get(t), orig), hex).toBe(false);
            continue;
          }
          kept++;
          expect(items?.length, hex).toBe(1);
          const item = items![0]!;
          expect(getString(item, T(0x0010, 0x0010)) ?? '').toBe('');
          const nestedUid = getString(item, T(0x0008, 0x1155));
          const origUid = getString(orig.items[0]!, T(0x0008, 0x1155));
          expect(nestedUid === origUid, hex).toBe(c.col === 'retainUids');
          continue;
        }
        if (a === 'K') kept++;
        expect(sameValue(ds.get(t), orig), hex).toBe(a === 'K');
      }
      expect(kept + cleaned, 'rows the column changes').toBeGreaterThan(0);
      const methods = ds.get(T(0x0012, 0x0064))?.items?.map((it) => getString(it, T(0x0008, 0x0100)));
      expect(methods).toEqual(['113100', c.code]);
    });
  }

  it("dates: 'shift' moves every DA/DT by the same number of days and keeps times", () => {
    const out = deidentify(bytes, { key: KEY, dates: 'shift', dateShiftDays: -40 });
    const ds = parseDicom(out).dataset;
    let checked = 0;
    for (const [t, orig] of originals) {
      const rule = DEID_RULES.get(t)!;
      if (!rule.temporal) continue;
      const before = getString(new Map([[1, orig]]), 1) as string;
      const after = getString(ds, t) as string;
      if (rule.vr === 'DA' || rule.vr === 'DT') {
        const d0 = Date.UTC(+before.slice(0, 4), +before.slice(4, 6) - 1, +before.slice(6, 8));
        const d1 = Date.UTC(+after.slice(0, 4), +after.slice(4, 6) - 1, +after.slice(6, 8));
        expect((d1 - d0) / 86400000).toBe(-40);
        expect(after.slice(8)).toBe(before.slice(8));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(30);
    expect(getString(ds, T(0x0028, 0x0303))).toBe('MODIFIED');
  });

  it('retainPrivateCreators keeps only the named private block', () => {
    const ds = parseDicom(deidentify(bytes, { key: KEY, retainPrivateCreators: ['SAFE_VENDOR'] })).dataset;
    expect(getString(ds, T(0x0011, 0x1001))).toBe('SafePrivateValue');
    expect(ds.has(T(0x0009, 0x1001))).toBe(false);
  });

  it('UID mapping is deterministic per key and differs between keys; pseudonyms are written', () => {
    const a = parseDicom(deidentify(bytes, { key: KEY })).dataset;
    const b = parseDicom(deidentify(bytes, { key: KEY, patientName: 'SUBJ^001', patientId: 'SUBJ-001' })).dataset;
    const c = parseDicom(deidentify(bytes, { key: 'another-key-abcdefghijklmnop' })).dataset;
    const uid = (ds: DicomDataset) => getString(ds, T(0x0020, 0x000d));
    expect(uid(a)).toBe(uid(b));
    expect(uid(a)).not.toBe(uid(c));
    expect(getString(b, T(0x0010, 0x0010))).toBe('SUBJ^001');
    expect(getString(b, T(0x0010, 0x0020))).toBe('SUBJ-001');
    expect(() => deidentify(bytes, { key: 'short' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('our synchronous SHA-256/HMAC match node:crypto', () => {
    for (const msg of ['', 'abc', 'x'.repeat(55), 'y'.repeat(64), 'z'.repeat(1000)]) {
      const m = enc.encode(msg);
      expect(Buffer.from(sha256(m)).toString('hex')).toBe(createHash('sha256').update(m).digest('hex'));
      expect(Buffer.from(hmacSha256(enc.encode(KEY), m)).toString('hex')).toBe(
        createHmac('sha256', KEY).update(m).digest('hex'),
      );
    }
  });
});

describeData('deidentify on real files', () => {
  const ct = (f: string) => new Uint8Array(readFileSync(dataPath('dicom', 'ct_abdomen_dcmqi_3slice', f)));

  it('a real CT series: consistent study/series UIDs across files, identity removed, pixels byte-identical', () => {
    const outs = ['01.dcm', '02.dcm', '03.dcm'].map((f) => deidentifyWithReport(ct(f), { key: KEY }));
    const parsed = outs.map((o) => dicomParser.parseDicom(o.bytes));
    const study = parsed.map((p) => p.string('x0020000d'));
    const series = parsed.map((p) => p.string('x0020000e'));
    const frame = parsed.map((p) => p.string('x00200052'));
    expect(new Set(study).size).toBe(1);
    expect(new Set(series).size).toBe(1);
    expect(new Set(frame).size).toBe(1);
    expect(new Set(parsed.map((p) => p.string('x00080018'))).size).toBe(3);
    const orig = dicomParser.parseDicom(ct('01.dcm'));
    expect(study[0]).not.toBe(orig.string('x0020000d'));
    expect(parsed[0]!.string('x00100010') ?? '').toBe('');
    expect(parsed[0]!.string('x00100020') ?? '').toBe('');
    expect(parsed[0]!.string('x00120062')).toBe('YES');
    expect(parsed[0]!.string('x00080060')).toBe('CT');
    for (const [k, f] of ['01.dcm', '02.dcm', '03.dcm'].entries()) {
      expect(bytesEq(pixelBytes(outs[k]!.bytes), pixelBytes(ct(f)))).toBe(true);
    }
    expect(outs[0]!.report.changedTags).toContain('(0010,0010)');
    if (HAS_DCIODVFY) {
      const before = dciodvfy(ct('01.dcm'), 'in.dcm').errors;
      const after = dciodvfy(outs[0]!.bytes, 'out.dcm');
      console.log(`dciodvfy on de-identified CT 01.dcm:\n${after.output}`);
      expect(after.errors.filter((e) => !before.includes(e))).toEqual([]);
    }
  });

  it('a SEG de-identified with the same key still references the de-identified CT slices', () => {
    const src = readSourceSeries(dataPath('dicom', 'ct_abdomen_dcmqi_3slice'), ['01.dcm', '02.dcm', '03.dcm']);
    const segBytes = new Uint8Array(readFileSync(dataPath('seg', 'dcmqi_on_ct_abdomen_3slice', 'liver.dcm')));
    const deidSeg = readDicomSeg(deidentify(segBytes, { key: KEY }));
    const deidCt = ['01.dcm', '02.dcm', '03.dcm'].map((f) => dicomParser.parseDicom(deidentify(ct(f), { key: KEY })));
    const ctUids = new Set(deidCt.map((p) => p.string('x00080018')));
    expect(deidSeg.frames).toHaveLength(3);
    for (const f of deidSeg.frames) expect(ctUids.has(f.sourceSopInstanceUids[0])).toBe(true);
    expect(deidSeg.studyInstanceUid).toBe(deidCt[0]!.string('x0020000d'));
    expect(deidSeg.frameOfReferenceUid).toBe(deidCt[0]!.string('x00200052'));
    expect(deidSeg.referencedSeriesInstanceUid).toBe(deidCt[0]!.string('x0020000e'));
    expect(src.meta?.studyInstanceUid).not.toBe(deidSeg.studyInstanceUid);
    // The mask itself is untouched.
    const orig = readDicomSeg(segBytes);
    expect(Array.from(deidSeg.masks[0]!.data)).toEqual(Array.from(orig.masks[0]!.data));
  });

  it('an SR keeps its measurement structure; free text in the content tree is replaced unless retained', () => {
    const input = new Uint8Array(
      readFileSync(dataPath('sr', 'highdicom_tid1500', 'sr_document_with_multiple_groups.dcm')),
    );
    const before = readDicomSr(input);
    const after = readDicomSr(deidentify(input, { key: KEY }));
    expect(after.measurementGroups.map((g) => g.trackingIdentifier)).toEqual([
      'ANONYMIZED',
      'ANONYMIZED',
      'ANONYMIZED',
      'ANONYMIZED',
    ]);
    expect(after.measurementGroups.map((g) => g.measurements.map((m) => m.value))).toEqual(
      before.measurementGroups.map((g) => g.measurements.map((m) => m.value)),
    );
    expect(after.measurementGroups[1]!.finding).toEqual(before.measurementGroups[1]!.finding);
    expect(after.measurementGroups[0]!.trackingUid).not.toBe(before.measurementGroups[0]!.trackingUid);
    expect(after.observer.name).not.toBe(before.observer.name);
    const kept = readDicomSr(deidentify(input, { key: KEY, retainStructuredContentText: true }));
    expect(kept.measurementGroups.map((g) => g.trackingIdentifier)).toEqual(
      before.measurementGroups.map((g) => g.trackingIdentifier),
    );
  });

  it('implicit VR input stays implicit; encapsulated (JPEG 2000) pixel data stay byte-identical', () => {
    const dir = dataPath('dicom', 'transfer_syntax_MR_small');
    for (const f of ['MR_small_implicit.dcm', 'MR_small_jp2klossless.dcm', 'MR_small_RLE.dcm']) {
      const input = new Uint8Array(readFileSync(`${dir}/${f}`));
      const out = deidentify(input, { key: KEY });
      const a = dicomParser.parseDicom(input);
      const b = dicomParser.parseDicom(out);
      expect(b.string('x00020010')).toBe(a.string('x00020010'));
      expect(b.string('x00100010') ?? '').toBe('');
      const pa = a.elements.x7fe00010!;
      const pb = b.elements.x7fe00010!;
      if (pa.encapsulatedPixelData) {
        const ra = input.subarray(
          pa.dataOffset,
          pa.dataOffset + (pa.fragments!.at(-1)!.position + pa.fragments!.at(-1)!.length - pa.dataOffset + 8),
        );
        const rb = out.subarray(pb.dataOffset, pb.dataOffset + ra.length);
        expect(bytesEq(ra, rb)).toBe(true);
        expect(pb.fragments?.length).toBe(pa.fragments?.length);
      } else {
        expect(bytesEq(pixelBytes(out), pixelBytes(input))).toBe(true);
      }
    }
  });

  it('reports burned-in annotation risk from the flag and modality', () => {
    const r = deidentifyWithReport(ct('01.dcm'), { key: KEY }).report;
    expect(r.burnedInAnnotation).toBe('UNKNOWN');
    expect(r.burnedInAnnotationRisk).toBe(false); // CT
  });

  it('rejects non-DICOM input with a MedImgError', () => {
    expect(() => deidentify(new Uint8Array(200))).toThrow(
      expect.objectContaining({ name: 'MedImgError', code: 'NOT_DICOM' }),
    );
  });
});
