import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { isMedImgError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/random.js';
import { readDicomFile, readDicomSeries } from '../../src/index.js';
import { dataPath, describeData } from '../helpers/data.js';

const FILES = [
  ['single_frame', 'CT_small.dcm'],
  ['single_frame', 'MR_small.dcm'],
  ['transfer_syntax_MR_small', 'MR_small_implicit.dcm'],
  ['transfer_syntax_MR_small', 'MR_small_bigendian.dcm'],
  ['transfer_syntax_MR_small', 'MR_small_RLE.dcm'],
  ['transfer_syntax_MR_small', 'MR_small_jpeg_ls_lossless.dcm'],
  ['transfer_syntax_MR_small', 'MR_small_jp2klossless.dcm'],
  ['multiframe', 'legacy_converted_ct_dcmqi_24x38x3', 'mf.dcm'],
  ['multiframe', 'enhanced_mr_siemens_XA10', '6_1.dcm'],
];

/** Offsets of likely length fields: after each explicit-VR code found in the header region. */
function lengthFieldOffsets(b: Uint8Array): number[] {
  const out: number[] = [];
  const end = Math.min(b.length - 8, 6000);
  for (let i = 132; i < end; i++) {
    const a = b[i + 4]!;
    const c = b[i + 5]!;
    if (a >= 65 && a <= 90 && c >= 65 && c <= 90) out.push(i + 6);
  }
  return out;
}

describeData('fuzzing readDicomFile / readDicomSeries with mutated real files', () => {
  it('2400 mutations: only MedImgError escapes, nothing hangs, results are consistent', async () => {
    const rng = new Rng(20261127);
    const originals = FILES.map((p) => new Uint8Array(readFileSync(dataPath('dicom', ...p))));
    const lengthOffsets = originals.map(lengthFieldOffsets);
    const codes = new Map<string, number>();
    let ok = 0;
    for (let iter = 0; iter < 2400; iter++) {
      const which = iter % originals.length;
      const src = originals[which]!;
      let b = src.slice();
      const kind = rng.int(0, 3);
      if (kind === 0) {
        // flip 1..8 random bytes, mostly in the header where structure lives
        const n = rng.int(1, 8);
        for (let k = 0; k < n; k++) {
          const pos = rng.next() < 0.8 ? rng.int(0, Math.min(b.length - 1, 4000)) : rng.int(0, b.length - 1);
          b[pos] = b[pos]! ^ (1 << rng.int(0, 7));
        }
      } else if (kind === 1) {
        b = b.slice(0, rng.int(0, b.length - 1));
      } else if (kind === 2) {
        const offs = lengthOffsets[which]!;
        const pos = offs.length ? offs[rng.int(0, offs.length - 1)]! : rng.int(0, b.length - 4);
        const choices = [0, 1, 0xffff, 0xfffe, rng.int(0, 0xffff), rng.int(0, 255)];
        const v = choices[rng.int(0, choices.length - 1)]!;
        b[pos] = v & 255;
        if (pos + 1 < b.length) b[pos + 1] = (v >> 8) & 255;
        if (rng.next() < 0.5 && pos + 3 < b.length) {
          b[pos + 2] = 0xff;
          b[pos + 3] = rng.next() < 0.5 ? 0xff : 0x7f;
        }
      } else {
        // random 4-byte overwrite anywhere
        const pos = rng.int(0, b.length - 4);
        for (let k = 0; k < 4; k++) b[pos + k] = rng.int(0, 255);
      }
      try {
        if (iter % 5 === 4) {
          const v = await readDicomSeries([b]);
          expect(v.data.length).toBe(v.dims[0] * v.dims[1] * v.dims[2]);
        } else {
          const img = await readDicomFile(b, { raw: iter % 2 === 0 });
          expect(img.pixels.length).toBe(img.rows * img.columns * img.frames * img.samplesPerPixel);
        }
        ok++;
      } catch (e) {
        if (!isMedImgError(e)) {
          throw new Error(
            `iteration ${iter} (${FILES[which]!.join('/')}, mutation ${kind}) threw a non-MedImgError: ${String(e)}`,
          );
        }
        codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
      }
    }
    // the untouched files still decode after all that (codecs recover from aborts)
    for (const o of originals) await readDicomFile(o, { raw: true });
    expect(ok + [...codes.values()].reduce((a, x) => a + x, 0)).toBe(2400);
    expect(codes.size).toBeGreaterThan(2);
    console.log(`fuzz: ${ok} decoded, rejected by code: ${JSON.stringify(Object.fromEntries(codes))}`);
  }, 90_000);
});
