import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isMedImgError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/random.js';
import { readDicomFile, readDicomSeries } from '../../src/index.js';
import { dataPath, describeData, HAS_DATA } from '../helpers/data.js';
import { encapsulated, sliceElements, writeDicom } from './dicom-synth.js';

// DCMTK (Debian package dcmtk) encodes real files into every JPEG family syntax and decodes them
// back; our decode must equal DCMTK's. Skipped where DCMTK is not installed.
const HAS_DCMTK = spawnSync('dcmcjpeg', ['--version']).status === 0;
const work = HAS_DCMTK ? mkdtempSync(join(tmpdir(), 'medimg-dicom-codecs-')) : '';
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: 'pipe' });

async function sameAsDcmtk(encoded: string, decoded: string, syntax: string) {
  const a = await readDicomFile(encoded, { raw: true });
  const b = await readDicomFile(decoded, { raw: true });
  expect(a.transferSyntaxUid).toBe(syntax);
  expect(b.transferSyntaxUid).toMatch(/^1\.2\.840\.10008\.1\.2(\.1)?$/);
  expect(a.pixels.constructor).toBe(b.pixels.constructor);
  expect(a.pixels.length).toBe(b.pixels.length);
  let diff = 0;
  for (let i = 0; i < a.pixels.length; i++) if (a.pixels[i] !== b.pixels[i]) diff++;
  expect(diff).toBe(0);
  return a;
}

const SOURCES = HAS_DATA
  ? {
      chest12u: dataPath('dicom', 'ct_chest_LungPETCTDx_A0001_kernelB', '1-30.dcm'),
      ct16s: dataPath('dicom', 'single_frame', 'CT_small.dcm'),
      mr6frames: dataPath('dicom', 'multiframe', 'enhanced_mr_siemens_XA10', '6_1.dcm'),
    }
  : undefined;

(HAS_DCMTK ? describeData : describe.skip)('compressed syntaxes vs DCMTK decodes of real files', () => {
  const cases: [string, string, string[], string, string][] = [
    // name, encoder, options, decoder, transfer syntax
    ['sv1', 'dcmcjpeg', ['+e1'], 'dcmdjpeg', '1.2.840.10008.1.2.4.70'],
    ['p14', 'dcmcjpeg', ['+el'], 'dcmdjpeg', '1.2.840.10008.1.2.4.57'],
    ['jls', 'dcmcjpls', [], 'dcmdjpls', '1.2.840.10008.1.2.4.80'],
    ['jlsnear', 'dcmcjpls', ['+en'], 'dcmdjpls', '1.2.840.10008.1.2.4.81'],
    ['rle', 'dcmcrle', [], 'dcmdrle', '1.2.840.10008.1.2.5'],
    // 12-bit lossy JPEG extended: our IJG islow decoder must match DCMTK's exactly
    ['extended12', 'dcmcjpeg', ['+ee'], 'dcmdjpeg', '1.2.840.10008.1.2.4.51'],
    ['sv1-fragmented-no-bot', 'dcmcjpeg', ['+e1', '-ot', '+fs', '1'], 'dcmdjpeg', '1.2.840.10008.1.2.4.70'],
    ['sv1-fragmented-bot', 'dcmcjpeg', ['+e1', '+fs', '1'], 'dcmdjpeg', '1.2.840.10008.1.2.4.70'],
    ['jls-fragmented-no-bot', 'dcmcjpls', ['-ot', '+fs', '1'], 'dcmdjpls', '1.2.840.10008.1.2.4.80'],
  ];
  for (const [srcName, src] of Object.entries(SOURCES ?? {})) {
    for (const [name, enc, opts, dec, ts] of cases) {
      // DCMTK refuses near-lossless JPEG-LS for signed pixels
      if (srcName === 'ct16s' && name === 'jlsnear') continue;
      // lossy JPEG holds at most 12 bits
      if (srcName === 'ct16s' && name === 'extended12') continue;
      it(`${srcName} ${name}`, async () => {
        const e = join(work, `${srcName}-${name}.dcm`);
        const d = join(work, `${srcName}-${name}-dec.dcm`);
        run(enc, [...opts, src, e]);
        run(dec, [e, d]);
        const img = await sameAsDcmtk(e, d, ts);
        if (srcName === 'mr6frames') expect(img.frames).toBe(6);
      });
    }
  }

  it('deflated, big-endian and implicit re-encodings (dcmconv) read like their source', async () => {
    for (const src of Object.values(SOURCES ?? {})) {
      const ref = await readDicomFile(src, { raw: true });
      for (const [opt, ts] of [
        ['+td', '1.2.840.10008.1.2.1.99'],
        ['+tb', '1.2.840.10008.1.2.2'],
        ['+ti', '1.2.840.10008.1.2'],
      ] as const) {
        const out = join(work, `conv${opt}.dcm`);
        run('dcmconv', [opt, src, out]);
        const img = await readDicomFile(out, { raw: true });
        expect(img.transferSyntaxUid).toBe(ts);
        expect(Array.from(img.pixels)).toEqual(Array.from(ref.pixels));
        expect(img.frameGeometry).toEqual(ref.frameGeometry);
        expect(img.rescaleIntercept).toEqual(ref.rescaleIntercept);
      }
    }
  });

  it('JPEG baseline 8-bit grey and YBR colour', async () => {
    const grey = new Uint8Array(64 * 48);
    for (let i = 0; i < grey.length; i++) grey[i] = (i * 7 + (i >> 6) * 13) & 255;
    const greyEls = sliceElements({ rows: 48, columns: 64, bitsAllocated: 8 });
    writeFileSync(join(work, 'g8.dcm'), writeDicom(greyEls, 'explicitLE', { native: grey }));
    run('dcmcjpeg', ['+eb', join(work, 'g8.dcm'), join(work, 'g8-jpg.dcm')]);
    run('dcmdjpeg', [join(work, 'g8-jpg.dcm'), join(work, 'g8-dec.dcm')]);
    await sameAsDcmtk(join(work, 'g8-jpg.dcm'), join(work, 'g8-dec.dcm'), '1.2.840.10008.1.2.4.50');
    const rgb = new Uint8Array(64 * 48 * 3);
    for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 5 + (i >> 7) * 11) & 255;
    const rgbEls = [
      ...sliceElements({ rows: 48, columns: 64, bitsAllocated: 8, photometric: 'RGB' }).filter(
        (x) => x[0] !== 0x00280002,
      ),
      [0x00280002, 'US', [3]] as [number, string, number[]],
      [0x00280006, 'US', [0]] as [number, string, number[]],
    ];
    writeFileSync(join(work, 'c8.dcm'), writeDicom(rgbEls, 'explicitLE', { native: rgb }));
    run('dcmcjpeg', ['+eb', join(work, 'c8.dcm'), join(work, 'c8-jpg.dcm')]);
    run('dcmdjpeg', [join(work, 'c8-jpg.dcm'), join(work, 'c8-dec.dcm')]);
    const a = await readDicomFile(join(work, 'c8-jpg.dcm'), { raw: true });
    const b = await readDicomFile(join(work, 'c8-dec.dcm'), { raw: true });
    expect(a.photometricInterpretation).toMatch(/^YBR_FULL/);
    expect(a.samplesPerPixel).toBe(3);
    // both decoders convert YCbCr to RGB; their colour conversions may round differently by 1
    let worst = 0;
    for (let i = 0; i < a.pixels.length; i++) worst = Math.max(worst, Math.abs(a.pixels[i]! - b.pixels[i]!));
    expect(worst).toBeLessThanOrEqual(1);
    // and the lossy result stays near the original
    let err = 0;
    for (let i = 0; i < rgb.length; i++) err += Math.abs(a.pixels[i]! - rgb[i]!);
    expect(err / rgb.length).toBeLessThan(40);
  });

  it('fuzz: 300 mutations of the compressed files above give only MedImgError', async () => {
    const rng = new Rng(99);
    const files = readdirSync(work)
      .filter((f) => f.endsWith('.dcm') && !f.includes('-dec'))
      .map((f) => new Uint8Array(readFileSync(join(work, f))));
    expect(files.length).toBeGreaterThan(10);
    for (let it = 0; it < 300; it++) {
      const b = files[it % files.length]!.slice();
      const kind = rng.int(0, 2);
      if (kind === 0)
        for (let k = rng.int(1, 6); k > 0; k--) {
          const p = rng.int(0, b.length - 1);
          b[p] = b[p]! ^ (1 << rng.int(0, 7));
        }
      else if (kind === 1)
        for (let k = 0, p = rng.int(b.length >> 1, b.length - 9); k < 8; k++) b[p + k] = rng.int(0, 255);
      try {
        await readDicomFile(kind === 2 ? b.subarray(0, rng.int(0, b.length)) : b, { raw: true });
      } catch (e) {
        if (!isMedImgError(e)) throw new Error(`iteration ${it}: ${String(e)}`);
      }
    }
  });

  it('a JPEG lossless series reads to the same volume as the uncompressed series', async () => {
    const dir = dataPath('dicom', 'ct_abdomen_dcmqi_3slice');
    const files = ['01.dcm', '02.dcm', '03.dcm'].map((f) => {
      const out = join(work, `abd-${f}`);
      run('dcmcjpeg', ['+e1', join(dir, f), out]);
      return out;
    });
    const a = await readDicomSeries(files);
    const b = await readDicomSeries(dir);
    expect(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer))).toBe(true);
    expect(readFileSync(files[0]!).length).toBeLessThan(512 * 512 * 2);
  });
});

const HAS_OPJ =
  spawnSync('opj_compress', ['-h']).status !== null && spawnSync('opj_decompress', ['-h']).error === undefined;

(HAS_OPJ ? describeData : describe.skip)('JPEG 2000 lossy vs OpenJPEG tools (opj_compress / opj_decompress)', () => {
  for (const [name, file, signed, bits] of [
    ['12-bit unsigned chest CT', ['ct_chest_LungPETCTDx_A0001_kernelB', '1-30.dcm'], false, 12],
    ['16-bit signed CT_small', ['single_frame', 'CT_small.dcm'], true, 16],
  ] as const) {
    it(name, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'medimg-j2k-'));
      try {
        const img = await readDicomFile(dataPath('dicom', ...file), { raw: true });
        writeFileSync(join(dir, 'in.rawl'), new Uint8Array(img.pixels.buffer.slice(0)));
        const geom = `${img.columns},${img.rows},1,${bits},${signed ? 's' : 'u'}`;
        run('opj_compress', ['-i', join(dir, 'in.rawl'), '-o', join(dir, 'out.j2k'), '-F', geom, '-r', '20', '-I']);
        run('opj_decompress', ['-i', join(dir, 'out.j2k'), '-o', join(dir, 'dec.rawl')]);
        const cs = new Uint8Array(readFileSync(join(dir, 'out.j2k')));
        const d = new Uint8Array(readFileSync(join(dir, 'dec.rawl')));
        const ref = signed
          ? new Int16Array(d.buffer, d.byteOffset, d.length / 2)
          : new Uint16Array(d.buffer, d.byteOffset, d.length / 2);
        const dcm = writeDicom(
          sliceElements({ rows: img.rows, columns: img.columns, bitsStored: bits, signed }),
          'j2k',
          {
            encapsulated: encapsulated([cs]),
          },
        );
        const ours = await readDicomFile(dcm, { raw: true });
        expect(ours.transferSyntaxUid).toBe('1.2.840.10008.1.2.4.91');
        expect(ours.pixels.constructor).toBe(ref.constructor);
        expect(Array.from(ours.pixels)).toEqual(Array.from(ref));
        // lossy, but close to the original
        let err = 0;
        for (let i = 0; i < ref.length; i++) err += Math.abs(ours.pixels[i]! - img.pixels[i]!);
        expect(err / ref.length).toBeLessThan(50);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
