import { describe, expect, it } from 'vitest';
import { keepLargestComponentLocal, reorientLocal, resampleLocal } from '../../src/backends/pipeline-local-ops.js';
import { createVolume, directionFromOrientation, indexToWorld, orientationFromDirection } from '../../src/index.js';

describe('pipeline local ops (until core/ops is merged)', () => {
  it('reorientLocal permutes/flips axes and keeps every voxel at its world position', () => {
    const dims: [number, number, number] = [4, 3, 5];
    const data = Float32Array.from({ length: 60 }, (_, i) => i);
    const vol = createVolume(dims, data, {
      direction: directionFromOrientation('LIA'),
      spacing: [0.5, 1, 2],
      origin: [3, -4, 7],
    });
    for (const code of ['RAS', 'LPS', 'PSR', 'IAL']) {
      const out = reorientLocal(vol, code);
      expect(orientationFromDirection(out.direction)).toBe(code);
      const [ox, oy, oz] = out.dims;
      for (let z = 0; z < oz; z++)
        for (let y = 0; y < oy; y++)
          for (let x = 0; x < ox; x++) {
            const v = out.data[x + ox * (y + oy * z)]!;
            const i = v % 4;
            const j = Math.floor(v / 4) % 3;
            const k = Math.floor(v / 12);
            const a = indexToWorld(out, [x, y, z]);
            const b = indexToWorld(vol, [i, j, k]);
            for (let c = 0; c < 3; c++) expect(a[c]).toBeCloseTo(b[c]!, 9);
          }
      // Round trip is exact.
      expect(Array.from(reorientLocal(out, 'LIA').data)).toEqual(Array.from(data));
    }
  });

  it('resampleLocal: linear reproduces a linear ramp; nearest keeps labels', () => {
    const ramp = createVolume(
      [10, 4, 4],
      Float32Array.from({ length: 160 }, (_, i) => 3 * (i % 10)),
      { spacing: [1, 1, 1] },
    );
    const r = resampleLocal(
      ramp,
      { dims: [19, 4, 4], spacing: [0.5, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] },
      'linear',
    );
    for (let x = 0; x < 19; x++) expect(r.data[x]).toBeCloseTo(1.5 * x, 5);
    const lab = createVolume([4, 1, 1], Uint8Array.from([0, 1, 2, 3]));
    const n = resampleLocal(
      lab,
      { dims: [8, 1, 1], spacing: [0.5, 1, 1], origin: [-0.25, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] },
      'nearest',
    );
    expect(n.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(n.data)).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
  });

  it('keepLargestComponentLocal uses 6-connectivity', () => {
    // (0,0,0)-(0,0,1) are face neighbours (size 2); (1,1,0) touches (0,0,0) only along an edge.
    const labels = Uint8Array.from([1, 0, 0, 1, 1, 0, 0, 0]);
    keepLargestComponentLocal(labels, [2, 2, 2], 1);
    expect(Array.from(labels)).toEqual([1, 0, 0, 0, 1, 0, 0, 0]);
  });
});
