import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { deidentify } from '../../src/io/dicom/deidentify.js';
import { readDicomSeg } from '../../src/io/dicom/seg-read.js';
import { readDicomSr } from '../../src/io/dicom/sr-read.js';
import { dataPath, describeData } from '../helpers/data.js';
import { dcmcrle, HAS_DCMCRLE } from './dcmcrle.js';

describeData('corrupt and truncated DICOM input', () => {
  it('readDicomSeg, readDicomSr and deidentify throw only MedImgError (deterministic fuzz)', () => {
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const files = [
      dataPath('seg', 'highdicom_on_pydicom_CT2', 'seg_image_ct_binary.dcm'),
      dataPath('seg', 'highdicom_on_pydicom_CT2', 'seg_image_ct_true_fractional.dcm'),
      dataPath('seg', 'dcmqi_sparse_labelmap', 'sparse-labelmap-ppv5.dcm'),
      dataPath('sr', 'highdicom_tid1500', 'sr_document.dcm'),
      dataPath('dicom', 'transfer_syntax_MR_small', 'MR_small_RLE.dcm'),
      dataPath('dicom', 'transfer_syntax_MR_small', 'MR_small_implicit.dcm'),
    ];
    const fns = [readDicomSeg, readDicomSr, (b: Uint8Array) => deidentify(b, { key: 'fuzz-key-0123456789ab' })];
    const inputs: Uint8Array[] = files.map((f) => new Uint8Array(readFileSync(f)));
    if (HAS_DCMCRLE) inputs.push(dcmcrle(inputs[1] as Uint8Array)); // an RLE Lossless FRACTIONAL SEG
    const foreign: string[] = [];
    for (const orig of inputs) {
      for (let t = 0; t < 150; t++) {
        const b = orig.slice(0, t % 2 ? Math.floor(rnd() * orig.length) : orig.length);
        if (t % 2 === 0)
          for (let k = 0; k < 5; k++) b[Math.floor(rnd() * Math.min(b.length, 4000))] = Math.floor(rnd() * 256);
        for (const fn of fns) {
          try {
            fn(b);
          } catch (e) {
            if ((e as Error).name !== 'MedImgError') foreign.push(`${(e as Error).name}: ${(e as Error).message}`);
          }
        }
      }
    }
    expect(foreign).toEqual([]);
  });
});
