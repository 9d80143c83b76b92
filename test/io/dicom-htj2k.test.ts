import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { isMedImgError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/random.js';
import { setMaxDecodedBytes } from '../../src/index.js';
import { readDicomFile, readDicomSeries } from '../../src/index.js';
import { HTJ2K_CASES, htj2kDicom, ojphExpand, readSource, type Htj2kCase } from './htj2k-encode.js';
import { dataPath, describeData } from '../helpers/data.js';

// HTJ2K (transfer syntaxes .4.201-.203) decoded by @cornerstonejs/codec-openjph, on codestreams
// from the reference encoder (OpenJPH's ojph_compress, Debian openjph-tools) made from the pixels of
// real DICOM files in ../shared/data. Each test wraps the codestream into the source's own data set
// (real geometry, rescale, per-frame groups), so readers see a real file in another syntax.
const HAS_OJPH = spawnSync('ojph_compress', []).error === undefined;
const work = HAS_OJPH ? mkdtempSync(join(tmpdir(), 'medimg-htj2k-')) : '';
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});
afterEach(() => setMaxDecodedBytes(undefined));

const SOURCES: Record<string, string[]> = {
  'A0001 slice 30 (12-bit unsigned chest CT)': ['ct_chest_LungPETCTDx_A0001_kernelB', '1-30.dcm'],
  'CT_small (16-bit signed CT)': ['single_frame', 'CT_small.dcm'],
  'enhanced MR XA10 (6 frames)': ['multiframe', 'enhanced_mr_siemens_XA10', '6_1.dcm'],
};

const suite = HAS_OJPH ? describeData : describe.skip;
suite(`HTJ2K vs the reference encoder (ojph_compress)${HAS_OJPH ? '' : ' (skipped: ojph_compress absent; apt-get install openjph-tools)'}`, () => {
  for (const [name, file] of Object.entries(SOURCES)) {
    for (const c of HTJ2K_CASES.filter((x) => x.reversible)) {
      it(`${name}: ${c.name} decodes bit for bit`, async () => {
        const src = await readSource(dataPath('dicom', ...file));
        const bytes = htj2kDicom(src, c, work);
        const img = await readDicomFile(bytes, { raw: true });
        const ref = await readDicomFile(dataPath('dicom', ...file), { raw: true });
        expect(img.transferSyntaxUid).toBe(c.syntax);
        expect(img.frames).toBe(ref.frames);
        expect(img.pixels.constructor).toBe(ref.pixels.constructor);
        expect(
          Buffer.from(img.pixels.buffer, img.pixels.byteOffset, img.pixels.byteLength).equals(
            Buffer.from(ref.pixels.buffer, ref.pixels.byteOffset, ref.pixels.byteLength),
          ),
        ).toBe(true);
        // modality values too (rescale from the real header)
        const hu = await readDicomFile(bytes);
        const refHu = await readDicomFile(dataPath('dicom', ...file));
        expect(Array.from(hu.pixels.subarray(0, 4096))).toEqual(Array.from(refHu.pixels.subarray(0, 4096)));
        // and it was compressed
        expect(bytes.length).toBeLessThan(readFileSync(dataPath('dicom', ...file)).length);
      });
    }
  }

  // The irreversible 9/7 inverse runs in floating point and decoders round differently: on this
  // slice ojph_expand (OpenJPH 0.9) and opj_decompress (OpenJPEG 2.5) disagree by 1 at ~1,100 of
  // 262,144 samples; we disagree with ojph_expand at ~30, never by more than 1.
  it('lossy .203 (irreversible 9/7) matches the reference decoder ojph_expand on A0001 to 1 at < 0.1% of samples', async () => {
    const src = await readSource(dataPath('dicom', ...SOURCES['A0001 slice 30 (12-bit unsigned chest CT)']!));
    const c = HTJ2K_CASES.find((x) => !x.reversible) as Htj2kCase;
    const bytes = htj2kDicom(src, c, work);
    const img = await readDicomFile(bytes, { raw: true });
    const ref = ojphExpand(join(work, `${src.key}-${c.name}-0.j2c`), work, src.bitsStored);
    expect(img.transferSyntaxUid).toBe('1.2.840.10008.1.2.4.203');
    let worst = 0;
    let differ = 0;
    let errToSource = 0;
    for (let i = 0; i < ref.length; i++) {
      const d = Math.abs(img.pixels[i]! - ref[i]!);
      worst = Math.max(worst, d);
      if (d) differ++;
      errToSource += Math.abs(img.pixels[i]! - src.pixels[i]!);
    }
    expect(worst).toBeLessThanOrEqual(1);
    expect(differ).toBeLessThan(ref.length / 1000);
    // lossy, but near the source (mean absolute error in stored values, 12-bit data)
    expect(errToSource / ref.length).toBeGreaterThan(0);
    expect(errToSource / ref.length).toBeLessThan(20);
  });

  it('a 3-slice HTJ2K series (dcmqi abdomen CT) reads to the same volume as the uncompressed series', async () => {
    const dir = dataPath('dicom', 'ct_abdomen_dcmqi_3slice');
    const c = HTJ2K_CASES[0]!;
    const files: string[] = [];
    for (const f of ['01.dcm', '02.dcm', '03.dcm']) {
      const out = join(work, `abd-${f}`);
      writeFileSync(out, htj2kDicom(await readSource(join(dir, f)), c, work));
      files.push(out);
    }
    const a = await readDicomSeries(files);
    const b = await readDicomSeries(dir);
    expect(a.dims).toEqual(b.dims);
    expect([a.spacing, a.origin, a.direction]).toEqual([b.spacing, b.origin, b.direction]);
    expect(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer))).toBe(true);
  });

  describe('decode budgets (issue 19): the header is checked before the codec runs', () => {
    const a0001 = () => readSource(dataPath('dicom', ...SOURCES['A0001 slice 30 (12-bit unsigned chest CT)']!));

    it('an image over the decoded-size budget is refused before decoding', async () => {
      const bytes = htj2kDicom(await a0001(), HTJ2K_CASES[0]!, work);
      setMaxDecodedBytes(256 * 1024); // the slice needs 512 KiB
      const e = await readDicomFile(bytes).catch((x: unknown) => x);
      expect(isMedImgError(e) && e.code).toBe('DECODE_LIMIT_EXCEEDED');
    });

    it('a codestream whose SIZ disagrees with Rows/Columns, or declares 262,144 tiles, is refused', async () => {
      const src = await a0001();
      const c = HTJ2K_CASES[0]!;
      // SIZ: FF4F FF51 Lsiz(2) Rsiz(2) Xsiz(4) Ysiz(4) ... XTsiz at +20, YTsiz at +24 after FF51
      const wider = htj2kDicom(src, c, work, (cs) => patchSiz(cs, 4, 1024));
      let e = await readDicomFile(wider).catch((x: unknown) => x);
      expect(isMedImgError(e) && e.code).toBe('DICOM_PIXEL_LENGTH_MISMATCH');
      expect(String((e as Error).message)).toMatch(/declares 1024x512x1/);
      const tiny = htj2kDicom(src, c, work, (cs) => patchSiz(patchSiz(cs, 20, 1), 24, 1));
      e = await readDicomFile(tiny).catch((x: unknown) => x);
      expect(isMedImgError(e) && e.code).toBe('DICOM_PIXEL_LENGTH_MISMATCH');
      expect(String((e as Error).message)).toMatch(/262144 tiles/);
    });

    it('80 corrupted codestreams (bit flips, garbage, truncation) give only coded errors', async () => {
      const good = htj2kDicom(await a0001(), HTJ2K_CASES[0]!, work);
      const at = good.length - readFileSync(join(work, 'A0001_1-30-lossless-0.j2c')).length - 8;
      const rng = new Rng(17);
      let failed = 0;
      for (let it = 0; it < 80; it++) {
        const b = good.slice();
        const kind = it % 3;
        if (kind === 0)
          for (let k = rng.int(1, 8); k > 0; k--) {
            const p = rng.int(at + 60, b.length - 9);
            b[p] = b[p]! ^ (1 << rng.int(0, 7));
          }
        else if (kind === 1)
          for (let k = 0, p = rng.int(at + 60, b.length - 40); k < 32; k++) b[p + k] = rng.int(0, 255);
        try {
          await readDicomFile(kind === 2 ? b.subarray(0, rng.int(at + 40, b.length)) : b, { raw: true });
        } catch (e) {
          if (!isMedImgError(e)) throw new Error(`iteration ${it}: ${String(e)}`);
          failed++;
        }
      }
      // truncations at least are refused rather than returned as an image
      expect(failed).toBeGreaterThan(0);
      // and the codec still works afterwards
      const img = await readDicomFile(good, { raw: true });
      expect(img.rows).toBe(512);
    });
  });
});

/** Sets a 32-bit big-endian SIZ field at `offset` bytes after the SIZ marker. */
function patchSiz(cs: Uint8Array, offset: number, value: number): Uint8Array {
  const out = cs.slice();
  new DataView(out.buffer).setUint32(2 + 2 + offset, value);
  return out;
}
