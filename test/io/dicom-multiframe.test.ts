import { expect, it } from 'vitest';
import { flipAffineAxis, niftiAffineFromGeometry } from '../../src/core/geometry.js';
import type { Volume } from '../../src/core/volume.js';
import { listDicomSeries, readDicomFile, readDicomSeries } from '../../src/index.js';
import { dataPath, describeData } from '../helpers/data.js';
import { affineMaxDiff, readNifti1, sha256 } from './dicom-helpers.js';

const MF = (...p: string[]) => dataPath('dicom', 'multiframe', ...p);

/**
 * dcm2niix stores voxels with the row axis (and for some objects also the column axis) flipped
 * relative to DICOM order. Finds the in-plane flips under which our affine equals the reference
 * sform (within 1e-3 mm) and returns our data in the reference's voxel order, or undefined.
 */
function inReferenceOrder(vol: Volume, srow: number[][]): Float64Array | undefined {
  const [nx, ny, nz] = vol.dims;
  for (const [fx, fy] of [
    [false, true],
    [true, true],
    [false, false],
    [true, false],
  ] as const) {
    let a = niftiAffineFromGeometry(vol);
    if (fx) a = flipAffineAxis(a, 0, nx);
    if (fy) a = flipAffineAxis(a, 1, ny);
    if (affineMaxDiff(a, srow) >= 1e-3) continue;
    const out = new Float64Array(nx * ny * nz);
    for (let k = 0; k < nz; k++)
      for (let j = 0; j < ny; j++)
        for (let i = 0; i < nx; i++)
          out[i + nx * (j + ny * k)] = vol.data[(fx ? nx - 1 - i : i) + nx * ((fy ? ny - 1 - j : j) + ny * k)]!;
    return out;
  }
  return undefined;
}

describeData('enhanced multi-frame objects', () => {
  it('Philips enhanced MR: two stacks (magnitude, B0 map) with per-frame rescale, matching dcm2niix', async () => {
    const file = MF('enhanced_mr_philips_fieldmap', 'IM_0027_fMAP.dcm');
    const list = await listDicomSeries(file);
    expect(list).toHaveLength(2);
    expect(list.map((s) => s.dims)).toEqual([
      [64, 64, 32],
      [64, 64, 32],
    ]);
    const e1 = readNifti1(MF('enhanced_mr_philips_fieldmap', 'Philips_WIP_B0_NS_801_e1.nii'));
    const e2 = readNifti1(MF('enhanced_mr_philips_fieldmap', 'Philips_WIP_B0_NS_801_e2_fieldmaphz.nii'));
    const mag = await readDicomSeries(file, { series: list[0]!.id });
    const map = await readDicomSeries(file, { series: list[1]!.id });
    expect(mag.meta!.stackLabel).toMatch(/\\M\b/);
    expect(map.meta!.stackLabel).toMatch(/FIELD_MAP/);
    for (const [vol, ref] of [
      [mag, e1],
      [map, e2],
    ] as const) {
      expect(vol.dims).toEqual(ref.dims);
      expect(vol.spacing.map((s) => +s.toFixed(4))).toEqual([4, 4, 4]);
      expect(inReferenceOrder(vol, ref.srow)).toBeDefined();
      expect(vol.meta!.sopInstanceUids).toHaveLength(32);
      expect(vol.meta!.frameNumbers).toHaveLength(32);
    }
    // magnitude: display rescale (per frame, 1.2799); dcm2niix stored the same integers
    const m = inReferenceOrder(mag, e1.srow)!;
    let worst = 0;
    for (let i = 0; i < m.length; i++) worst = Math.max(worst, Math.abs(m[i]! - e1.data[i]! * 1.27985347985347));
    expect(worst).toBeLessThan(1e-3);
    // field map in Hz: per-frame slope/intercept = dcm2niix's scl_slope/scl_inter
    const f = inReferenceOrder(map, e2.srow)!;
    worst = 0;
    for (let i = 0; i < f.length; i++)
      worst = Math.max(worst, Math.abs(f[i]! - (e2.data[i]! * 0.24420024420024 - 500)));
    expect(worst).toBeLessThan(1e-3);
    expect(e2.sclSlope).toBeCloseTo(0.2442002442, 5);
    expect(e2.sclInter).toBeCloseTo(-500, 3);
    // asking for the file without choosing a stack is an error with a stable code
    await expect(readDicomSeries(file)).rejects.toMatchObject({ code: 'SERIES_MULTIPLE' });
  });

  it('Siemens XA enhanced MR: 4 files x 6 frames = 4 volumes matching dcm2niix 64x64x6x4', async () => {
    const dir = MF('enhanced_mr_siemens_XA10');
    const ref = readNifti1(MF('enhanced_mr_siemens_XA10', 'Siemens_REST1_w_SMS_PF7-8_6.nii'));
    expect(ref.dims).toEqual([64, 64, 6, 4]);
    const list = await listDicomSeries(dir);
    expect(list).toHaveLength(1);
    expect(list[0]!.volumeCount).toBe(4);
    for (let t = 0; t < 4; t++) {
      const vol = await readDicomSeries(dir, { volumeIndex: t });
      expect(vol.dims).toEqual([64, 64, 6]);
      expect(vol.spacing[0]).toBeCloseTo(3.375, 5);
      expect(vol.spacing[2]).toBeCloseTo(2.4, 4);
      // dcm2niix flips the row axis
      const ours = flipAffineAxis(niftiAffineFromGeometry(vol), 1, vol.dims[1]);
      expect(affineMaxDiff(ours, ref.srow)).toBeLessThan(1e-3);
      const d = inReferenceOrder(vol, ref.srow)!;
      const off = t * 64 * 64 * 6;
      for (let i = 0; i < d.length; i++) if (d[i] !== ref.data[off + i]) throw new Error(`volume ${t} differs at ${i}`);
      expect(vol.meta!.volumeIndex).toBe(t);
    }
    const v0 = await readDicomSeries(dir);
    expect(v0.meta!.warnings!.some((w) => /volume 0 of 4/.test(w))).toBe(true);
  });

  it('NEMA enhanced CT: stored pixels match the reference hash, frames sorted along the normal', async () => {
    const file = MF('enhanced_ct_nema_CT0012', 'eCT_Supplemental.dcm');
    const img = await readDicomFile(file, { raw: true });
    expect(img.frames).toBe(2);
    expect(img.pixels).toBeInstanceOf(Uint16Array);
    expect(sha256(img.pixels).startsWith('b6b202c4af4494a2')).toBe(true);
    const vol = await readDicomSeries(file);
    expect(vol.dims).toEqual([512, 512, 2]);
    expect(vol.spacing[2]).toBeCloseTo(10, 6);
    // slice z=1 lies further along the normal than slice z=0
    const n = [vol.direction[2]!, vol.direction[5]!, vol.direction[8]!];
    const p0 = img.frameGeometry[(vol.meta!.frameNumbers as number[])[0]! - 1]!.position!;
    const p1 = img.frameGeometry[(vol.meta!.frameNumbers as number[])[1]! - 1]!.position!;
    expect(p1[0] * n[0]! + p1[1] * n[1]! + p1[2] * n[2]!).toBeGreaterThan(
      p0[0] * n[0]! + p0[1] * n[1]! + p0[2] * n[2]!,
    );
  });

  it('legacy converted enhanced CT equals its three single-frame sources', async () => {
    const mf = await readDicomSeries(MF('legacy_converted_ct_dcmqi_24x38x3', 'mf.dcm'));
    const sf = await readDicomSeries(MF('legacy_converted_ct_dcmqi_24x38x3', 'source_single_frame'));
    expect(mf.dims).toEqual([24, 38, 3]);
    expect(mf.dims).toEqual(sf.dims);
    for (let i = 0; i < 3; i++) {
      expect(mf.spacing[i]).toBeCloseTo(sf.spacing[i]!, 6);
      expect(mf.origin[i]).toBeCloseTo(sf.origin[i]!, 6);
    }
    for (let i = 0; i < 9; i++) expect(mf.direction[i]).toBeCloseTo(sf.direction[i]!, 6);
    expect(Array.from(mf.data)).toEqual(Array.from(sf.data));
  });
});
