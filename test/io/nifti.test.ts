import { describe, expect, it } from 'vitest';
import { gzipSync } from 'fflate';
import {
  createVolume,
  indexToWorld,
  isMedImgError,
  orientationFromDirection,
  readNifti,
  readNiftiBytes,
  writeNifti,
} from '../../src/index.js';
import { directionFromOrientation } from '../../src/ops.js';
import { dataPath, describeData } from '../helpers/data.js';

function ramp(dims: [number, number, number]): Int16Array {
  const a = new Int16Array(dims[0] * dims[1] * dims[2]);
  for (let i = 0; i < a.length; i++) a[i] = ((i * 7) % 3001) - 1000;
  return a;
}

describe('NIfTI write/read', () => {
  const vol = createVolume([7, 5, 4], ramp([7, 5, 4]), {
    spacing: [0.8, 1.25, 3],
    origin: [-12.5, 30.25, -101],
    direction: directionFromOrientation('LAS'),
  });

  it('round-trips voxels exactly and geometry to float32 precision (NIfTI-1)', async () => {
    const back = await readNifti(writeNifti(vol));
    expect(back.data).toBeInstanceOf(Int16Array);
    expect(Array.from(back.data)).toEqual(Array.from(vol.data));
    expect(back.dims).toEqual(vol.dims);
    for (let i = 0; i < 3; i++) {
      expect(back.spacing[i]).toBeCloseTo(vol.spacing[i]!, 5);
      expect(back.origin[i]).toBeCloseTo(vol.origin[i]!, 4);
    }
    back.direction.forEach((d, i) => expect(d).toBeCloseTo(vol.direction[i]!, 6));
    expect(back.nifti.transform).toBe('sform');
  });

  it('round-trips geometry exactly with NIfTI-2 and gzip', async () => {
    const back = await readNifti(writeNifti(vol, { version: 2, gzip: true }));
    expect(back.nifti.version).toBe(2);
    expect(back.origin).toEqual(vol.origin);
    expect(back.spacing).toEqual(vol.spacing);
    expect(back.direction.map((d) => d + 0)).toEqual(vol.direction.map((d) => d + 0));
    expect(Array.from(back.data)).toEqual(Array.from(vol.data));
  });

  it('qform alone gives the same geometry as the sform it was written with', () => {
    const bytes = writeNifti(vol);
    const dv = new DataView(bytes.buffer);
    dv.setInt16(254, 0, true); // drop the sform
    const q = readNiftiBytes(bytes);
    expect(q.nifti.transform).toBe('qform');
    const p = indexToWorld(q, [3, 2, 1]);
    const ref = indexToWorld(vol, [3, 2, 1]);
    for (let i = 0; i < 3; i++) expect(p[i]).toBeCloseTo(ref[i]!, 4);
  });

  it('applies scl_slope/scl_inter', () => {
    const bytes = writeNifti(vol);
    const dv = new DataView(bytes.buffer);
    dv.setFloat32(112, 2, true);
    dv.setFloat32(116, -5, true);
    const s = readNiftiBytes(bytes);
    expect(s.data).toBeInstanceOf(Float32Array);
    expect(s.data[10]).toBe(vol.data[10]! * 2 - 5);
  });

  it('reads big-endian files', () => {
    const le = writeNifti(vol);
    const be = new Uint8Array(le);
    const dv = new DataView(be.buffer);
    const ldv = new DataView(le.buffer);
    dv.setInt32(0, 348, false);
    for (let i = 0; i < 8; i++) dv.setInt16(40 + 2 * i, ldv.getInt16(40 + 2 * i, true), false);
    dv.setInt16(70, 4, false);
    dv.setInt16(72, 16, false);
    for (let i = 0; i < 8; i++) dv.setFloat32(76 + 4 * i, ldv.getFloat32(76 + 4 * i, true), false);
    dv.setFloat32(108, 352, false);
    dv.setFloat32(112, 1, false);
    dv.setInt16(252, 0, false);
    dv.setInt16(254, 1, false);
    for (let i = 0; i < 12; i++) dv.setFloat32(280 + 4 * i, ldv.getFloat32(280 + 4 * i, true), false);
    for (let i = 352; i < be.length; i += 2) dv.setInt16(i, ldv.getInt16(i, true), false);
    const b = readNiftiBytes(be);
    expect(Array.from(b.data)).toEqual(Array.from(vol.data));
    expect(b.origin[2]).toBeCloseTo(vol.origin[2], 4);
  });

  it('rejects bad input with NIFTI_INVALID', () => {
    const good = writeNifti(vol);
    const cases: Uint8Array[] = [
      new Uint8Array(10),
      new Uint8Array(400),
      good.subarray(0, 400),
      gzipSync(good).subarray(0, 50),
    ];
    const badDt = new Uint8Array(good);
    new DataView(badDt.buffer).setInt16(70, 128, true);
    cases.push(badDt);
    const badDim = new Uint8Array(good);
    new DataView(badDim.buffer).setInt16(42, -3, true);
    cases.push(badDim);
    for (const c of cases) {
      let err: unknown;
      try {
        readNiftiBytes(c);
      } catch (e) {
        err = e;
      }
      expect(isMedImgError(err, 'NIFTI_INVALID')).toBe(true);
    }
  });
});

describeData('NIfTI real files', () => {
  it('reads the MeshNet demo T1 (uint8, 256^3, LIA)', async () => {
    const v = await readNifti(dataPath('models/niivue_meshnet_tissue_gwm/t1_crop.nii.gz'));
    expect(v.dims).toEqual([256, 256, 256]);
    expect(v.data).toBeInstanceOf(Uint8Array);
    expect(orientationFromDirection(v.direction)).toBe('LIA');
    v.spacing.forEach((s) => expect(s).toBeCloseTo(1, 5));
  });

  it('reads the IBSI digital phantom and CT radiomics phantom', async () => {
    const img = await readNifti(dataPath('ibsi1/digital_phantom/nifti/image/phantom.nii.gz'));
    const mask = await readNifti(dataPath('ibsi1/digital_phantom/nifti/mask/mask.nii.gz'));
    expect(img.dims).toEqual([5, 4, 4]);
    expect(img.spacing).toEqual([2, 2, 2]);
    let n = 0;
    let s = 0;
    for (let i = 0; i < mask.data.length; i++) {
      if (mask.data[i]) {
        n++;
        s += img.data[i]!;
      }
    }
    expect(n).toBe(74);
    expect(s / n).toBeCloseTo(2.1486, 4);
    const ct = await readNifti(dataPath('ibsi1/ct_radiomics_phantom/nifti/image/phantom.nii.gz'));
    expect(ct.dims).toEqual([204, 201, 60]);
    expect(ct.spacing[0]).toBeCloseTo(0.977, 3);
    expect(ct.spacing[2]).toBeCloseTo(3, 5);
  });
});
