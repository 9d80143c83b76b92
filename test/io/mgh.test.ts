import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import {
  createVolume,
  isMedImgError,
  orientationFromDirection,
  readMgh,
  readMghBytes,
  readNiftiBytes,
  writeMgh,
  writeNifti,
} from '../../src/index.js';
import { directionFromOrientation } from '../../src/ops.js';
import { dataPath, describeData } from '../helpers/data.js';

const expectCode = (fn: () => unknown, code: string): void => {
  try {
    fn();
  } catch (e) {
    expect(isMedImgError(e) && e.code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}`);
};

describe('MGH write/read', () => {
  const dims: [number, number, number] = [6, 5, 4];
  const ramp = new Int16Array(120).map((_, i) => ((i * 37) % 2001) - 1000);
  const vol = createVolume(dims, ramp, {
    spacing: [0.9, 1.1, 2.5],
    origin: [-30.5, 12.25, 40],
    direction: directionFromOrientation('LIA'),
  });

  it('round-trips voxels exactly (each type) and geometry to float32 precision', () => {
    for (const data of [
      ramp,
      new Uint8Array(120).map((_, i) => i * 2),
      Int32Array.from(ramp, (v) => v * 70000),
      Float32Array.from(ramp, (v) => v / 3),
    ]) {
      for (const gz of [false, true]) {
        const back = readMghBytes(writeMgh({ ...vol, data }, { gzip: gz }));
        expect(back.data.constructor).toBe(data.constructor);
        expect(Array.from(back.data)).toEqual(Array.from(data));
        expect(back.dims).toEqual(dims);
        back.spacing.forEach((s, i) => expect(s).toBeCloseTo(vol.spacing[i]!, 6));
        back.origin.forEach((o, i) => expect(o).toBeCloseTo(vol.origin[i]!, 4));
        back.direction.forEach((d, i) => expect(d).toBeCloseTo(vol.direction[i]!, 6));
        expect(orientationFromDirection(back.direction)).toBe('LIA');
      }
    }
  });

  it('gives the geometry our NIfTI path gives for the same grid', () => {
    const m = readMghBytes(writeMgh(vol));
    const n = readNiftiBytes(writeNifti(m, { version: 2 }));
    expect(n.spacing).toEqual(m.spacing);
    expect(n.origin).toEqual(m.origin);
    expect(n.direction).toEqual(m.direction);
    m.mgh.affine.forEach((row, r) => row.forEach((v, c) => expect(v).toBeCloseTo(n.nifti.affine[r]![c]!, 9)));
  });

  it('puts the centre voxel (dims/2) at c_ras', () => {
    const m = readMghBytes(writeMgh(vol));
    const A = m.mgh.affine;
    for (let r = 0; r < 3; r++) {
      const p = A[r]![0]! * 3 + A[r]![1]! * 2.5 + A[r]![2]! * 2 + A[r]![3]!;
      expect(p).toBeCloseTo(m.mgh.cRas[r]!, 4);
    }
  });

  it('reads one frame of a multi-frame file and refuses frames out of range', () => {
    const bytes = writeMgh(vol);
    const n = 120 * 2;
    const two = new Uint8Array(bytes.length + n);
    two.set(bytes.subarray(0, 284 + n));
    two.set(
      bytes.subarray(284, 284 + n).map((b, i) => (i % 2 ? b ^ 1 : b)),
      284 + n,
    );
    new DataView(two.buffer).setInt32(16, 2, false);
    expect(Array.from(readMghBytes(two).data)).toEqual(Array.from(ramp));
    const f1 = readMghBytes(two, { volumeIndex: 1 }).data;
    expect(Array.from(f1)).toEqual(Array.from(ramp, (v) => v ^ 1));
    expectCode(() => readMghBytes(two, { volumeIndex: 2 }), 'INVALID_ARGUMENT');
  });

  it('uses FreeSurfer defaults (1 mm, LIA) when goodRASFlag is 0', () => {
    const bytes = writeMgh(vol);
    new DataView(bytes.buffer).setInt16(28, 0, false);
    const m = readMghBytes(bytes);
    expect(m.mgh.goodRAS).toBe(false);
    expect(m.spacing).toEqual([1, 1, 1]);
    expect(orientationFromDirection(m.direction)).toBe('LIA');
  });

  it('refuses bad input with coded errors', () => {
    const good = writeMgh(vol);
    const edit = (f: (dv: DataView) => void): Uint8Array => {
      const b = good.slice();
      f(new DataView(b.buffer));
      return b;
    };
    expectCode(() => readMghBytes(new Uint8Array(100)), 'MGH_INVALID');
    expectCode(() => readMghBytes(edit((d) => d.setInt32(0, 2, false))), 'MGH_INVALID');
    expectCode(() => readMghBytes(edit((d) => d.setInt32(20, 2, false))), 'MGH_INVALID'); // LONG
    expectCode(() => readMghBytes(edit((d) => d.setInt32(8, -5, false))), 'MGH_INVALID');
    expectCode(() => readMghBytes(edit((d) => d.setFloat32(30, Number.NaN, false))), 'MGH_INVALID');
    expectCode(() => readMghBytes(edit((d) => [42, 46, 50].forEach((o) => d.setFloat32(o, 0, false)))), 'MGH_INVALID');
    expectCode(() => readMghBytes(good.subarray(0, 400)), 'MGH_INVALID');
    // a huge declared size stops before inflating: budget error, not memory exhaustion
    const huge = edit((d) => [4, 8, 12].forEach((o) => d.setInt32(o, 100000, false)));
    expectCode(() => readMghBytes(gzipSync(huge), { maxDecodedBytes: 1 << 20 }), 'DECODE_LIMIT_EXCEEDED');
    expectCode(() => readMghBytes(gzipSync(good).subarray(0, 40)), 'MGH_INVALID');
    expectCode(() => writeMgh({ ...vol, data: new Uint32Array(120).fill(2 ** 32 - 1) }), 'INVALID_ARGUMENT');
  });
});

describeData('MGH on the real FreeSurfer subject (niivue norm.mgz, aparc.a2009s+aseg.mgz)', () => {
  const dir = dataPath('validation/brain_mri/niivue_freesurfer_norm_aparc2009s');
  const ref = JSON.parse(readFileSync(`${dir}/reference.json`, 'utf8'));

  it('norm.mgz: dims, type, values and the LPS geometry of reference.json', async () => {
    const v = await readMgh(`${dir}/norm.mgz`);
    expect(v.dims).toEqual(ref.image.dims);
    expect(v.mgh.type).toBe(0);
    expect(v.data).toBeInstanceOf(Uint8Array);
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (let i = 0; i < v.data.length; i++) {
      const x = v.data[i]!;
      if (x < min) min = x;
      if (x > max) max = x;
      sum += x;
    }
    const [rmin, rmax, rmean] = ref.image.value_min_max_mean;
    expect([min, max]).toEqual([rmin, rmax]);
    expect(sum / v.data.length).toBeCloseTo(rmean, 3);
    v.spacing.forEach((s, i) => expect(s).toBeCloseTo(ref.image.spacing_mm[i], 5));
    v.origin.forEach((o, i) => expect(o).toBeCloseTo(ref.image.origin_lps_mm[i], 3));
    // reference.json's affine rows: LPS = A · ijk
    const A = ref.image.affine_lps_ijk_to_mm as number[][];
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) expect(v.direction[r * 3 + c]).toBeCloseTo(A[r]![c]!, 5);
    expect(orientationFromDirection(v.direction)).toBe(ref.image.orientation_ras_axcodes);
    expect(v.mgh.tail?.tr).toBe(1000);
  });

  it('aparc.a2009s+aseg.mgz: INT labels, same grid, per-label volumes of reference.json', async () => {
    const lab = await readMgh(`${dir}/aparc.a2009s+aseg.mgz`);
    const img = await readMgh(`${dir}/norm.mgz`);
    expect(lab.mgh.type).toBe(1);
    expect(lab.data).toBeInstanceOf(Int32Array);
    expect(lab.dims).toEqual(img.dims);
    expect(lab.origin).toEqual(img.origin);
    expect(lab.direction).toEqual(img.direction);
    const counts = new Map<number, number>();
    let nonzero = 0;
    for (let i = 0; i < lab.data.length; i++) {
      const l = lab.data[i]!;
      counts.set(l, (counts.get(l) ?? 0) + 1);
      if (l !== 0) nonzero++;
    }
    const ml = (lab.spacing[0] * lab.spacing[1] * lab.spacing[2]) / 1000;
    expect(ml).toBeCloseTo(ref.voxel_volume_ml, 9);
    for (const [key, vol] of Object.entries(ref.aseg_label_volumes_ml as Record<string, number>)) {
      const label = Number(key.split(' ')[0]);
      expect((counts.get(label) ?? 0) * ml, key).toBeCloseTo(vol, 3);
    }
    expect(nonzero * ml).toBeCloseTo(ref.all_nonzero_labels_ml ?? ref.grouped_volumes_ml.all_nonzero_labels, 3);
    expect(counts.size - 1).toBe(ref.n_labels_nonzero);
    const lh = [...counts.keys()].filter((l) => l >= 11100 && l <= 11175).length;
    expect(lh).toBe(ref.cortical_parcels_a2009s.lh_11100_11175_count);
  });

  it('norm.mgz written back: voxels bit-exact, the same grid, and the grid our NIfTI path gives', async () => {
    const src = readFileSync(`${dir}/norm.mgz`);
    const raw = gunzipSync(src);
    const v = readMghBytes(src);
    const out = writeMgh(v, { gzip: true });
    const back = readMghBytes(out);
    expect(Buffer.from(back.data).equals(Buffer.from(v.data))).toBe(true);
    const rawOut = gunzipSync(out);
    // version, dims, type: the same bytes; the geometry the same grid (FreeSurfer's Mdc is not
    // exactly unit length in float32, so the writer's normalised Mdc/size pair differs in the last bit)
    expect(Buffer.from(rawOut.subarray(0, 24)).equals(Buffer.from(raw.subarray(0, 24)))).toBe(true);
    expect(back.origin).toEqual(v.origin);
    expect(back.spacing).toEqual(v.spacing);
    back.mgh.affine.forEach((row, r) =>
      row.forEach((x, c) => expect(Math.abs(x - v.mgh.affine[r]![c]!)).toBeLessThan(1e-12)),
    );
    back.mgh.cRas.forEach((x, i) => expect(x).toBe(v.mgh.cRas[i]));
    expect(
      Buffer.from(rawOut.subarray(284, 284 + 256 ** 3)).equals(Buffer.from(raw.subarray(284, 284 + 256 ** 3))),
    ).toBe(true);
    // the NIfTI path, fed the same RAS affine, gives the same LPS grid
    const n = readNiftiBytes(writeNifti(v, { version: 2 }));
    expect(n.origin).toEqual(v.origin);
    expect(n.spacing).toEqual(v.spacing);
    expect(n.direction).toEqual(v.direction);
  });
});
