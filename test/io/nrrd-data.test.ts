import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { setFileSystem } from '../../src/io/fs.js';
import { nodeFileSystem } from '../../src/io/fs-node.js';
import { readNrrd, writeNrrd } from '../../src/io/nrrd.js';
import { dataPath, describeData } from '../helpers/data.js';

setFileSystem(nodeFileSystem);

interface NrrdTruth {
  sizes_xyz: string;
  space: string;
  origin: string;
  directions: string;
  labels: Record<string, number[]>;
}

describeData('readNrrd on dcmqi NRRD label maps (../shared/data/seg)', () => {
  const ref = JSON.parse(readFileSync(dataPath('seg', 'reference.json'), 'utf8')) as Record<string, unknown>;
  const key = Object.keys(ref).find((k) => k.startsWith('_nrrd_ground_truth'))!;
  const truth = ref[key] as Record<string, NrrdTruth>;
  const files = Object.keys(truth);

  it('has reference entries', () => {
    expect(files.length).toBeGreaterThanOrEqual(9);
  });

  for (const file of files) {
    it(`${file}: geometry and per-slice label counts match the reference`, async () => {
      const t = truth[file]!;
      const vol = await readNrrd(dataPath('seg', file));
      expect(vol.data).toBeInstanceOf(Int16Array);
      expect(vol.dims).toEqual(t.sizes_xyz.split(' ').map(Number));
      const origin = t.origin.replace(/[()]/g, '').split(',').map(Number);
      // The reference space is left-posterior-superior: no sign change.
      expect(t.space).toBe('left-posterior-superior');
      expect(vol.origin).toEqual(origin);
      const dirs = [...t.directions.matchAll(/\(([^)]*)\)/g)].map((m) => m[1]!.split(',').map(Number));
      for (let c = 0; c < 3; c++) expect(vol.spacing[c]).toBeCloseTo(dirs[c]![c]!, 12);
      expect(vol.direction).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
      const [nx, ny, nz] = vol.dims;
      for (const [label, perSlice] of Object.entries(t.labels)) {
        const counts = new Array<number>(nz).fill(0);
        const l = Number(label);
        for (let i = 0; i < vol.data.length; i++) if (vol.data[i] === l) counts[Math.floor(i / (nx * ny))]!++;
        expect(counts).toEqual(perSlice);
      }
      // And a write/read round trip keeps every voxel.
      const back = await readNrrd(writeNrrd(vol));
      expect(back.data).toBeInstanceOf(Int16Array);
      let diff = 0;
      for (let i = 0; i < vol.data.length; i++) if (back.data[i] !== vol.data[i]) diff++;
      expect(diff).toBe(0);
      expect(back.origin).toEqual(vol.origin);
    });
  }
});
