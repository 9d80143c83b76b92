import { expect, it } from 'vitest';
import { indexToWorld, readDicomSeries, readNifti } from '../../src/index.js';
import { dataPath, describeData } from '../helpers/data.js';

// The IBSI CT radiomics phantom is published both as a DICOM series and as a NIfTI written by
// another tool: reading either must give the same voxels at the same world positions.
describeData('IBSI CT phantom: DICOM series and its independent NIfTI agree', () => {
  it('same grid, same world positions, identical HU', async () => {
    const d = await readDicomSeries(dataPath('ibsi1/ct_radiomics_phantom/dicom/image'));
    const n = await readNifti(dataPath('ibsi1/ct_radiomics_phantom/nifti/image/phantom.nii.gz'));
    expect(d.dims).toEqual(n.dims);
    for (const idx of [
      [0, 0, 0],
      [203, 200, 59],
      [17, 150, 33],
    ]) {
      const a = indexToWorld(d, idx);
      const b = indexToWorld(n, idx);
      for (let k = 0; k < 3; k++) expect(Math.abs(a[k]! - b[k]!)).toBeLessThan(1e-3);
    }
    let differing = 0;
    for (let i = 0; i < d.data.length; i++) if (d.data[i] !== Math.round(n.data[i]!)) differing++;
    expect(differing).toBe(0);
    expect(d.meta?.modality).toBe('CT');
    expect(d.meta?.sopInstanceUids?.length).toBe(60);
  });
});
