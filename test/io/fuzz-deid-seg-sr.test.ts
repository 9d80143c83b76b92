import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { isMedImgError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/random.js';
import { deidentifyWithReport, readDicomSeg, readDicomSr } from '../../src/index.js';
import { dataPath, describeData } from '../helpers/data.js';

// Issue 19 item 6: the fuzz test covers deidentify, readDicomSeg and readDicomSr as well as the
// image readers (test/io/dicom-fuzz.test.ts): mutated real files give a MedImgError or a result,
// never another exception, a crash or a hang.

const FILES = [
  ['seg', 'dcmqi_on_ct_abdomen_3slice', 'liver.dcm'],
  ['seg', 'dcmqi_sparse_labelmap', 'sparse-labelmap-ppv5.dcm'],
  ['seg', 'highdicom_on_pydicom_CT2', 'seg_image_ct_binary_fractional.dcm'],
  ['sr', 'dcmqi_tid1500_pet', 'sr.dcm'],
  ['sr', 'highdicom_tid1500', 'sr_document_with_multiple_groups.dcm'],
  ['dicom', 'transfer_syntax_MR_small', 'MR_small_bigendian.dcm'],
  ['dicom', 'single_frame', 'CT_small.dcm'],
];

describeData('fuzzing deidentify, readDicomSeg and readDicomSr with mutated real files', () => {
  it('1200 mutations through each: only MedImgError escapes', () => {
    const rng = new Rng(20261204);
    const originals = FILES.map((p) => new Uint8Array(readFileSync(dataPath(...p))));
    const codes: Record<string, number> = {};
    const uncoded: string[] = [];
    const run = (name: string, fn: () => unknown): void => {
      try {
        fn();
      } catch (e) {
        if (isMedImgError(e)) codes[`${name}:${e.code}`] = (codes[`${name}:${e.code}`] ?? 0) + 1;
        else uncoded.push(`${name}: ${String(e).slice(0, 120)}`);
      }
    };
    for (let iter = 0; iter < 1200; iter++) {
      const src = originals[iter % originals.length]!;
      let b = src.slice();
      const kind = rng.int(0, 2);
      if (kind === 0) {
        const n = rng.int(1, 8);
        for (let k = 0; k < n; k++) {
          const pos = rng.next() < 0.8 ? rng.int(0, Math.min(b.length - 1, 6000)) : rng.int(0, b.length - 1);
          b[pos] = b[pos]! ^ (1 << rng.int(0, 7));
        }
      } else if (kind === 1) {
        b = b.slice(0, rng.int(0, b.length - 1));
      } else {
        // a length field (or anything) set to a hostile value
        const pos = rng.int(132, Math.min(b.length - 4, 6000));
        const v = [0xffffffff, 0xfffffffe, 0x7fffffff, 0, rng.int(0, 0xffff)][rng.int(0, 4)]!;
        new DataView(b.buffer).setUint32(pos, v, true);
      }
      run('deidentify', () => deidentifyWithReport(b, { key: 'fuzzing key, sixteen+ bytes' }));
      run('readDicomSeg', () => readDicomSeg(b));
      run('readDicomSr', () => readDicomSr(b));
    }
    console.log(`fuzz deid/seg/sr: rejected by code ${JSON.stringify(codes)}`);
    expect(uncoded.slice(0, 10)).toEqual([]);
  }, 300_000);
});
