// readRadiograph on the real CR, DX and US files of ../shared/data/dicom/radiography (its README
// and reference.json say what each file exercises). Headers of all eight; the display of the five
// that decode quickly enough (the two 4-5 Mpixel J2K files take 15-25 s each on a loaded machine).
import { readFileSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { readRadiograph, readRadiographHeader, type ReadRadiographResult } from '../../src/index.js';
import { parseDicom } from '../../src/io/dicom/ds-parse.js';
import { dataPath, describeData } from '../helpers/data.js';

const file = (name: string) => dataPath('dicom', 'radiography', name);
const header = (name: string) => {
  const p = parseDicom(new Uint8Array(readFileSync(file(name))), { untilPixelData: true });
  return readRadiographHeader(p.dataset, p.transferSyntaxUid);
};
const codes = (n: { code: string }[]) => n.map((x) => x.code).sort();

describeData('radiograph headers of the real CR/DX/US files', () => {
  it('CR tibia: MONOCHROME1 without a shape is inverted; no spacing at all; series Laterality R; view AP', () => {
    const h = header('cr_fuji_tibia_mono1_10bit_j2kr.dcm');
    expect(h).toMatchObject({
      modality: 'CR',
      inverted: true,
      spacing: null,
      laterality: 'R',
      lateralitySource: 'Laterality',
      view: 'AP',
    });
    expect(h.presentationLutShape).toBeUndefined();
    expect(h.patientOrientation).toEqual(['R', 'F']);
    expect(h.voi).toEqual([{ kind: 'window', center: 550, width: 1024, function: 'LINEAR' }]);
    expect(codes(h.notices)).toEqual(['SPACING_UNKNOWN']);
  });

  it('CR chest (lossy J2K): degenerate 0.000\\0.000 Pixel Spacing is unknown spacing; lossy flagged', () => {
    const h = header('cr_philips_chest_mono1_15bit_j2ki.dcm');
    expect(h.spacing).toBeNull();
    expect(h.lossyCompression).toBe(true);
    expect(h).toMatchObject({ inverted: true, view: 'PA', patientOrientation: ['L', 'F'] });
    expect(h.laterality).toBeUndefined();
    expect(codes(h.notices)).toEqual(['LOSSY_COMPRESSION', 'SPACING_DEGENERATE', 'SPACING_UNKNOWN']);
  });

  it('CR hip: Pixel Spacing only (plane unspecified); empty Laterality and View Position read as absent', () => {
    const h = header('cr_fuji_hip_mono2_10bit_jpegll.dcm');
    expect(h.spacing).toEqual({ rowMm: 0.2, columnMm: 0.2, source: 'PixelSpacing', plane: 'unspecified' });
    expect(h.laterality).toBeUndefined();
    expect(h.viewPosition).toBeUndefined();
    expect(h.inverted).toBe(false);
    expect(h.notices).toEqual([]);
  });

  it('CR hand: Pixel Spacing equal to Imager Pixel Spacing is at the detector', () => {
    const h = header('cr_kodak_hand_2500x2048_j2kr.dcm');
    expect(h.spacing).toEqual({ rowMm: 0.115, columnMm: 0.115, source: 'PixelSpacing', plane: 'detector' });
    expect(h.laterality).toBeUndefined();
    expect(h.view).toBe('PA');
    expect(codes(h.notices)).toEqual(['SPACING_AT_DETECTOR']);
  });

  it('DX Canon chest: MONOCHROME1 + INVERSE inverts once; Image Laterality R; field-of-view rotation and flip', () => {
    const h = header('dx_canon_chest_mono1_inverse_j2kr.dcm');
    expect(h).toMatchObject({
      modality: 'DX',
      presentationIntent: 'FOR PRESENTATION',
      photometricInterpretation: 'MONOCHROME1',
      presentationLutShape: 'INVERSE',
      inverted: true,
      laterality: 'R',
      lateralitySource: 'ImageLaterality',
      view: 'PA',
      patientOrientation: ['L', 'F'],
      fieldOfViewRotationDeg: 90,
      fieldOfViewHorizontalFlip: true,
      distanceSourceToDetectorMm: 1450,
    });
    expect(h.spacing).toMatchObject({ rowMm: 0.16, columnMm: 0.16, plane: 'detector' });
    expect(codes(h.notices)).not.toContain('PRESENTATION_LUT_INCONSISTENT');
  });

  it('DX Rentgenprom: Imager Pixel Spacing only; Image Laterality U', () => {
    const h = header('dx_rentgenprom_chest_mono2_16bit_j2kr.dcm');
    expect(h.spacing).toEqual({ rowMm: 0.4, columnMm: 0.4, source: 'ImagerPixelSpacing', plane: 'detector' });
    expect(h).toMatchObject({
      laterality: 'U',
      presentationLutShape: 'IDENTITY',
      inverted: false,
      patientOrientation: ['H', 'L'],
    });
  });

  it('DX Fuji small: non-square spacing in row/column order; Image Laterality L over an empty Laterality', () => {
    const h = header('dx_fuji_thorax_small_mono1_8bit.dcm');
    expect(h.spacing).toMatchObject({ rowMm: 1.2, columnMm: 1.201199999999, plane: 'detector' });
    expect(h).toMatchObject({
      laterality: 'L',
      lateralitySource: 'ImageLaterality',
      inverted: true,
      presentationLutShape: 'INVERSE',
    });
    expect(codes(h.notices)).toEqual(['SPACING_AT_DETECTOR']);
  });

  it('US: spacing from the ultrasound region (0.0254767 cm), flagged as not a projection image', () => {
    const h = header('us_philips_mono2_8bit_jpegll.dcm');
    expect(h.spacing?.source).toBe('SequenceOfUltrasoundRegions');
    expect(h.spacing?.rowMm).toBeCloseTo(0.254767, 5);
    expect(h.spacing?.columnMm).toBeCloseTo(0.254767, 5);
    expect(codes(h.notices)).toEqual(['NOT_PROJECTION']);
  });
});

describeData('readRadiograph display of the real files', () => {
  const read: Record<string, ReadRadiographResult> = {};
  const names = [
    'dx_fuji_thorax_small_mono1_8bit.dcm',
    'cr_fuji_tibia_mono1_10bit_j2kr.dcm',
    'cr_fuji_hip_mono2_10bit_jpegll.dcm',
    'dx_rentgenprom_chest_mono2_16bit_j2kr.dcm',
    'us_philips_mono2_8bit_jpegll.dcm',
  ];
  beforeAll(async () => {
    for (const n of names) read[n] = await readRadiograph(file(n));
  }, 240_000);

  /** Mean display grey of the pixels whose modality value is at most / at least `cut`. */
  function meanWhere(r: ReadRadiographResult, pred: (v: number) => boolean): number {
    let s = 0;
    let c = 0;
    for (let i = 0; i < r.values.data.length; i++) {
      if (pred(r.values.data[i]!)) {
        s += r.display.data[i]!;
        c++;
      }
    }
    return s / c;
  }

  it('MONOCHROME1 (+ INVERSE, or none): low stored values are shown white, exactly one inversion', () => {
    const dx = read['dx_fuji_thorax_small_mono1_8bit.dcm']!;
    // stored 5..255 (reference.json); the file's window 128/256
    expect(dx.voi).toMatchObject({ source: 'file-window', center: 128, width: 256 });
    expect(meanWhere(dx, (v) => v <= 20)).toBeGreaterThan(0.9);
    expect(meanWhere(dx, (v) => v >= 240)).toBeLessThan(0.1);
    expect(dx.display.dims).toEqual([211, 169, 1]); // [columns, rows]
    expect(dx.display.spacing[0]).toBeCloseTo(1.2012, 4); // x = between columns
    expect(dx.display.spacing[1]).toBe(1.2);
    const tibia = read['cr_fuji_tibia_mono1_10bit_j2kr.dcm']!;
    expect(meanWhere(tibia, (v) => v <= 100)).toBeGreaterThan(0.9);
    expect(meanWhere(tibia, (v) => v >= 1000)).toBeLessThan(0.1);
    expect(tibia.display.spacing).toEqual([1, 1, 1]);
  });

  it('MONOCHROME2: high values are white; the file window 511/1024 is used', () => {
    const hip = read['cr_fuji_hip_mono2_10bit_jpegll.dcm']!;
    expect(hip.voi).toMatchObject({ source: 'file-window', center: 511, width: 1024 });
    expect(hip.values.data.length).toBe(2140 * 1760);
    expect(meanWhere(hip, (v) => v >= 800)).toBeGreaterThan(0.75);
    expect(meanWhere(hip, (v) => v <= 50)).toBeLessThan(0.06);
  });

  it('DX Rentgenprom: the window that lies below the data is replaced by an automatic one', () => {
    const r = read['dx_rentgenprom_chest_mono2_16bit_j2kr.dcm']!;
    expect(codes(r.notices)).toContain('WINDOW_OUTSIDE_DATA');
    expect(r.voi.source).toBe('auto');
    // the stored values run 32744..65535, median ~37100: the window must lie inside them
    expect(r.voi.center!).toBeGreaterThan(32744);
    expect(r.voi.center!).toBeLessThan(65535);
    expect(r.voi.saturatedFraction).toBeLessThan(0.05);
    // with the file's window kept, nearly everything is white
    expect(r.values.data.length).toBe(1416 * 1420);
  });

  it('US: greyscale read with the file window and region spacing', () => {
    const us = read['us_philips_mono2_8bit_jpegll.dcm']!;
    expect(us.display.dims).toEqual([1024, 768, 1]);
    expect(us.display.spacing[0]).toBeCloseTo(0.254767, 5);
    expect(us.voi).toMatchObject({ source: 'file-window', center: 127, width: 254 });
    expect(us.display.data.reduce((a, b) => Math.max(a, b), 0)).toBe(1);
  });
});
