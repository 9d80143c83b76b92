// readRadiograph on headers built here: the MG-only attributes (no real mammogram exists in the
// reference data), LUT sequences, several windows, VOI LUT functions, padding, spacing rules.
import { describe, expect, it } from 'vitest';
import { isMedImgError } from '../../src/core/errors.js';
import { readRadiograph, readRadiographHeader } from '../../src/index.js';
import { parseDicom } from '../../src/io/dicom/ds-parse.js';
import { type El, pixels16, writeDicom } from './dicom-synth.js';

const ROWS = 2;
const COLS = 3;

function image(extra: El[], values: number[] = [0, 100, 200, 300, 400, 4095]): Uint8Array {
  const base: El[] = [
    [0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.1.2'],
    [0x00080018, 'UI', '1.2.3.4.5'],
    [0x00080060, 'CS', 'MG'],
    [0x00280002, 'US', [1]],
    [0x00280004, 'CS', 'MONOCHROME2'],
    [0x00280010, 'US', [ROWS]],
    [0x00280011, 'US', [COLS]],
    [0x00280100, 'US', [16]],
    [0x00280101, 'US', [12]],
    [0x00280102, 'US', [11]],
    [0x00280103, 'US', [0]],
  ];
  const tags = new Set(extra.map((e) => e[0]));
  return writeDicom([...base.filter((e) => !tags.has(e[0])), ...extra], 'explicitLE', { native: pixels16(values) });
}

const header = (extra: El[]) => readRadiographHeader(parseDicom(image(extra)).dataset);
const codes = (n: { code: string }[]) => n.map((x) => x.code);
const code = (value: string, scheme: string, meaning: string): El[] => [
  [0x00080100, 'SH', value],
  [0x00080102, 'SH', scheme],
  [0x00080104, 'LO', meaning],
];

describe('radiograph header: mammography attributes', () => {
  it('reads the view from the View Code Sequence, its modifiers, and Image Laterality before Laterality', () => {
    const h = header([
      [0x00200062, 'CS', 'L'],
      [0x00200060, 'CS', 'R'],
      [0x00185101, 'CS', 'MLO'],
      [
        0x00540220,
        'SQ',
        [
          [
            ...code('399162004', 'SCT', 'cranio-caudal'),
            [0x00540222, 'SQ', [code('399163009', 'SCT', 'Spot Compression')]],
          ],
        ],
      ],
      [0x00080068, 'CS', 'FOR PRESENTATION'],
    ]);
    expect(h.laterality).toBe('L');
    expect(h.lateralitySource).toBe('ImageLaterality');
    expect(codes(h.notices)).toContain('LATERALITY_CONFLICT');
    expect(h.view).toBe('CC'); // the code wins over a contradicting View Position
    expect(h.viewPosition).toBe('MLO');
    expect(h.viewCode).toEqual({ value: '399162004', scheme: 'SCT', meaning: 'cranio-caudal' });
    expect(h.viewModifiers).toEqual(['Spot Compression']);
  });

  it('maps the medio-lateral oblique meaning (any case, spacing) to MLO and takes Frame Laterality when no Image Laterality', () => {
    const h = header([
      [0x00540220, 'SQ', [code('399368009', 'SCT', 'Medio-lateral  Oblique')]],
      [0x52009229, 'SQ', [[[0x00209071, 'SQ', [[[0x00209072, 'CS', 'R']]]]]]],
    ]);
    expect(h.view).toBe('MLO');
    expect(h.laterality).toBe('R');
    expect(h.lateralitySource).toBe('FrameLaterality');
  });

  it('corrects Imager Pixel Spacing by the Estimated Radiographic Magnification Factor', () => {
    const h = header([
      [0x00181164, 'DS', '0.1\\0.1'],
      [0x00181114, 'DS', '1.08'],
    ]);
    expect(h.spacing?.source).toBe('ImagerPixelSpacing/EstimatedRadiographicMagnificationFactor');
    expect(h.spacing?.plane).toBe('patient');
    expect(h.spacing?.rowMm).toBeCloseTo(0.1 / 1.08, 10);
    expect(h.estimatedMagnification).toBe(1.08);
    expect(codes(h.notices)).not.toContain('SPACING_AT_DETECTOR');
  });

  it('treats Pixel Spacing that differs from Imager Pixel Spacing, or has a calibration type, as calibrated', () => {
    const a = header([
      [0x00181164, 'DS', '0.1\\0.1'],
      [0x00280030, 'DS', '0.085\\0.085'],
    ]);
    expect(a.spacing).toMatchObject({ rowMm: 0.085, source: 'PixelSpacing', plane: 'patient' });
    const b = header([
      [0x00181164, 'DS', '0.1\\0.1'],
      [0x00280030, 'DS', '0.1\\0.1'],
      [0x00280a02, 'CS', 'FIDUCIAL'],
    ]);
    expect(b.spacing).toMatchObject({ plane: 'patient', calibrationType: 'FIDUCIAL' });
    const c = header([[0x00182010, 'DS', '0.05\\0.05']]);
    expect(c.spacing).toMatchObject({ rowMm: 0.05, source: 'NominalScannedPixelSpacing', plane: 'film' });
  });

  it('flags an INVERSE shape on MONOCHROME2 and follows the photometric interpretation', () => {
    const h = header([[0x20500020, 'CS', 'INVERSE']]);
    expect(h.inverted).toBe(false);
    expect(codes(h.notices)).toContain('PRESENTATION_LUT_INCONSISTENT');
    const ok = header([
      [0x00280004, 'CS', 'MONOCHROME1'],
      [0x20500020, 'CS', 'INVERSE'],
    ]);
    expect(ok.inverted).toBe(true);
    expect(codes(ok.notices)).not.toContain('PRESENTATION_LUT_INCONSISTENT');
  });
});

describe('readRadiograph: grey-scale pipeline', () => {
  const stored = [0, 100, 200, 300, 400, 4095];

  it('applies the first window (LINEAR, PS3.3 C.11.2.1.2) and MONOCHROME1 inverts once', async () => {
    const r = await readRadiograph(
      image([
        [0x00280004, 'CS', 'MONOCHROME1'],
        [0x20500020, 'CS', 'INVERSE'],
        [0x00281050, 'DS', '200\\1000'],
        [0x00281051, 'DS', '201\\2000'],
        [0x00281055, 'LO', 'SOFT\\DENSE'],
      ]),
    );
    expect(r.voi).toMatchObject({ source: 'file-window', index: 0, center: 200, width: 201, explanation: 'SOFT' });
    // LINEAR: y = ((x - (c - 0.5)) / (w - 1) + 0.5), inverted
    const lin = (x: number) => Math.min(1, Math.max(0, (x - 199.5) / 200 + 0.5));
    stored.forEach((x, i) => expect(r.display.data[i]).toBeCloseTo(1 - lin(x), 6));
    expect(r.values.data[5]).toBe(4095); // modality values are never inverted
    expect(r.display.dims).toEqual([COLS, ROWS, 1]);
    const second = await readRadiograph(
      image([
        [0x00281050, 'DS', '200\\1000'],
        [0x00281051, 'DS', '201\\2000'],
        [0x00281055, 'LO', 'SOFT\\DENSE'],
      ]),
      { voi: 1 },
    );
    expect(second.voi).toMatchObject({ center: 1000, width: 2000, explanation: 'DENSE' });
    expect(second.display.data[2]).toBeCloseTo((200 - 999.5) / 1999 + 0.5, 6);
  });

  it('applies SIGMOID and LINEAR_EXACT VOI LUT functions', async () => {
    const sig = await readRadiograph(
      image([
        [0x00281050, 'DS', '200'],
        [0x00281051, 'DS', '400'],
        [0x00281056, 'CS', 'SIGMOID'],
      ]),
    );
    stored.forEach((x, i) => expect(sig.display.data[i]).toBeCloseTo(1 / (1 + Math.exp((-4 * (x - 200)) / 400)), 6));
    const exact = await readRadiograph(
      image([
        [0x00281050, 'DS', '200'],
        [0x00281051, 'DS', '400'],
        [0x00281056, 'CS', 'LINEAR_EXACT'],
      ]),
    );
    expect(exact.display.data[3]).toBeCloseTo(0.75, 6);
  });

  it('applies a Modality LUT Sequence and a VOI LUT Sequence (descriptor, first mapped, bits)', async () => {
    // Modality LUT: 4096 entries, v -> 4095 - v (a "log" LUT written as a table)
    const mlut = new Uint16Array(4096).map((_, i) => 4095 - i);
    // VOI LUT: 3000 entries from 1000, 12 bits, identity-ish ramp
    const vlut = new Uint16Array(3000).map((_, i) => Math.round((i / 2999) * 4095));
    const r = await readRadiograph(
      image([
        [
          0x00283000,
          'SQ',
          [
            [
              [0x00283002, 'US', [4096, 0, 12]],
              [0x00283006, 'OW', new Uint8Array(mlut.buffer)],
            ],
          ],
        ],
        [
          0x00283010,
          'SQ',
          [
            [
              [0x00283002, 'US', [3000, 1000, 12]],
              [0x00283003, 'LO', 'RAMP'],
              [0x00283006, 'OW', new Uint8Array(vlut.buffer)],
            ],
          ],
        ],
      ]),
    );
    expect(Array.from(r.values.data)).toEqual(stored.map((x) => 4095 - x));
    expect(r.voi).toMatchObject({ source: 'file-lut', index: 0, explanation: 'RAMP' });
    expect(codes(r.notices)).toEqual(expect.arrayContaining(['MODALITY_LUT_APPLIED', 'VOI_LUT_APPLIED']));
    // values 4095..3695 map to LUT entries 3095..2695 (clamped below at 1000: value 0 -> entry 0)
    stored.forEach((x, i) => {
      const v = 4095 - x;
      const idx = Math.min(2999, Math.max(0, v - 1000));
      expect(r.display.data[i]).toBeCloseTo(vlut[idx]! / 4095, 6);
    });
  });

  it('uses an automatic window for a "for processing" image and keeps padding black and out of the window', async () => {
    const r = await readRadiograph(
      image(
        [
          [0x00080068, 'CS', 'FOR PROCESSING'],
          [0x00281050, 'DS', '10'],
          [0x00281051, 'DS', '20'],
          [0x00280120, 'US', [4095]],
        ],
        stored,
      ),
    );
    expect(r.voi.source).toBe('auto');
    expect(codes(r.notices)).toContain('FOR_PROCESSING');
    expect(r.display.data[5]).toBe(0); // padding
    expect(r.voi.center).toBeLessThan(400); // 4095 (padding) did not widen the window
  });

  it('reads a spacing-less image on a 1 mm grid and says so', async () => {
    const r = await readRadiograph(image([[0x00280030, 'DS', '0\\0']]));
    expect(r.display.spacing).toEqual([1, 1, 1]);
    expect(r.header.spacing).toBeNull();
    expect(codes(r.notices)).toEqual(expect.arrayContaining(['SPACING_DEGENERATE', 'SPACING_UNKNOWN']));
    expect(r.display.meta?.spacingKnown).toBe(false);
  });

  it('rejects multi-frame images and bad VOI choices with stable codes', async () => {
    const multi = image([[0x00280008, 'IS', '2']], [...stored, ...stored]);
    await expect(readRadiograph(multi)).rejects.toSatisfy((e: unknown) => isMedImgError(e, 'NOT_2D_IMAGE'));
    await expect(readRadiograph(image([]), { voi: 3 })).rejects.toSatisfy((e: unknown) =>
      isMedImgError(e, 'INVALID_ARGUMENT'),
    );
    await expect(readRadiograph(image([]), { voi: { center: 1, width: 0 } })).rejects.toSatisfy((e: unknown) =>
      isMedImgError(e, 'INVALID_ARGUMENT'),
    );
  });
});
