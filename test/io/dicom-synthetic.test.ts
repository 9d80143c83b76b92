import { describe, expect, it } from 'vitest';
import { indexToWorld } from '../../src/core/geometry.js';
import { listDicomSeries, readDicomFile, readDicomSeries } from '../../src/index.js';
import { encapsulated, pixels16, rleFrame, slice16, sliceElements, writeDicom } from './dicom-synth.js';

const R = 4;
const C = 5;
const N = R * C;
const ramp = (k = 0) => Array.from({ length: N }, (_, i) => i + 10 * k);

describe('synthetic DICOM: pixel value handling', () => {
  it('masks garbage above BitsStored and sign-extends 12-bit signed values', async () => {
    const vals = [-5, -2048, 2047, 0, 1, ...Array(N - 5).fill(7)];
    const stored = vals.map((v, i) => (v & 0xfff) | ((i * 0x1357) & 0xf000)); // garbage in bits 12..15
    const f = slice16({ bitsStored: 12, signed: true }, stored);
    const raw = await readDicomFile(f, { raw: true });
    expect(raw.pixels).toBeInstanceOf(Int16Array);
    expect(Array.from(raw.pixels)).toEqual(vals);
    const unsignedFile = slice16({ bitsStored: 12, signed: false }, stored);
    const u = await readDicomFile(unsignedFile, { raw: true });
    expect(u.pixels).toBeInstanceOf(Uint16Array);
    expect(Array.from(u.pixels)).toEqual(vals.map((v) => v & 0xfff));
  });

  it('honours HighBit above BitsStored - 1 (values in the top bits)', async () => {
    const vals = ramp();
    const f = slice16(
      { bitsStored: 12, highBit: 15 },
      vals.map((v) => (v << 4) | 0xa),
    );
    expect(Array.from((await readDicomFile(f, { raw: true })).pixels)).toEqual(vals);
  });

  it('inverts MONOCHROME1 modality values, keeps raw values', async () => {
    const vals = ramp();
    const f = slice16({ bitsStored: 12, photometric: 'MONOCHROME1', modality: 'CR' }, vals);
    const img = await readDicomFile(f);
    expect(Array.from(img.pixels)).toEqual(vals.map((v) => 4095 - v));
    expect(img.meta.warnings.join()).toMatch(/MONOCHROME1/);
    expect(Array.from((await readDicomFile(f, { raw: true })).pixels)).toEqual(vals);
    const vol = await readDicomSeries([f]);
    expect(Array.from(vol.data)).toEqual(vals.map((v) => 4095 - v));
  });

  it('widens to Int32 when signed 16-bit values plus intercept leave the Int16 range', async () => {
    const vals = [32767, -32768, ...Array(N - 2).fill(0)];
    const f = slice16({ signed: true, intercept: 1000 }, vals);
    const img = await readDicomFile(f);
    expect(img.pixels).toBeInstanceOf(Int32Array);
    expect(img.pixels[0]).toBe(33767);
    expect(img.pixels[1]).toBe(-31768);
    const vol = await readDicomSeries([f]);
    expect(vol.data).toBeInstanceOf(Int32Array);
    expect(vol.data[0]).toBe(33767);
  });

  it('uses Float32 for non-integer rescale', async () => {
    const f = slice16({ slope: 0.5, intercept: -1.25 }, ramp());
    const img = await readDicomFile(f);
    expect(img.pixels).toBeInstanceOf(Float32Array);
    expect(Array.from(img.pixels)).toEqual(ramp().map((v) => v * 0.5 - 1.25));
  });

  it('decodes implicit LE, explicit BE, deflate, RLE and a bare data set identically', async () => {
    const vals = ramp().map((v) => v * 300 - 2000);
    const ref = Array.from((await readDicomFile(slice16({ signed: true }, vals), { raw: true })).pixels);
    expect(ref).toEqual(vals);
    for (const syntax of ['implicitLE', 'explicitBE', 'deflate', 'rle'] as const) {
      const img = await readDicomFile(slice16({ signed: true }, vals, syntax), { raw: true });
      expect(Array.from(img.pixels), syntax).toEqual(vals);
    }
    const bare = writeDicom(
      sliceElements({ signed: true }),
      'implicitLE',
      { native: pixels16(vals) },
      { preamble: false },
    );
    const img = await readDicomFile(bare, { raw: true });
    expect(Array.from(img.pixels)).toEqual(vals);
    expect(img.meta.warnings.join()).toMatch(/No Part 10/);
  });

  it('RLE multi-frame with 8-bit RGB, and native planar RGB, read as interleaved RGB', async () => {
    const rgb = Array.from({ length: N * 3 }, (_, i) => (i * 37) % 256);
    const els = [
      ...sliceElements({ bitsAllocated: 8, photometric: 'RGB' }).filter((e) => e[0] !== 0x00280002),
      [0x00280002, 'US', [3]] as [number, string, number[]],
      [0x00280006, 'US', [0]] as [number, string, number[]],
      [0x00280008, 'IS', '2'] as [number, string, string],
    ];
    const f = writeDicom(els, 'rle', {
      encapsulated: encapsulated([
        rleFrame(rgb, 1, 3),
        rleFrame(
          rgb.map((v) => 255 - v),
          1,
          3,
        ),
      ]),
    });
    const img = await readDicomFile(f, { raw: true });
    expect(img.frames).toBe(2);
    expect(Array.from(img.pixels.subarray(0, 3 * N))).toEqual(rgb);
    expect(Array.from(img.pixels.subarray(3 * N))).toEqual(rgb.map((v) => 255 - v));
    // planar configuration 1: RRR..GGG..BBB
    const planar = new Uint8Array(3 * N);
    for (let i = 0; i < N; i++) for (let s = 0; s < 3; s++) planar[s * N + i] = rgb[3 * i + s]!;
    const elsP = els.filter((e) => e[0] !== 0x00280006 && e[0] !== 0x00280008).concat([[0x00280006, 'US', [1]]]);
    const p = await readDicomFile(writeDicom(elsP, 'explicitLE', { native: planar }), { raw: true });
    expect(Array.from(p.pixels)).toEqual(rgb);
    const vol = await readDicomSeries([writeDicom(elsP, 'explicitLE', { native: planar })]);
    expect(vol.data[0]).toBe(Math.round(0.299 * rgb[0]! + 0.587 * rgb[1]! + 0.114 * rgb[2]!));
    expect(vol.meta!.warnings!.join()).toMatch(/luminance/);
  });
});

describe('synthetic DICOM: YBR colour', () => {
  const colourEls = (photometric: string) => [
    ...sliceElements({ bitsAllocated: 8, photometric, columns: 4 }).filter((e) => e[0] !== 0x00280002),
    [0x00280002, 'US', [3]] as [number, string, number[]],
    [0x00280006, 'US', [0]] as [number, string, number[]],
  ];
  it('converts native YBR_FULL and YBR_FULL_422 to RGB (PS3.3 C.7.6.3.1.2)', async () => {
    const np = 4 * 4;
    // grey (Cb = Cr = 128) stays grey; one saturated red pixel pair in 422
    const full = new Uint8Array(np * 3);
    for (let i = 0; i < np; i++) full.set([i * 10, 128, 128], 3 * i);
    const a = await readDicomFile(writeDicom(colourEls('YBR_FULL'), 'explicitLE', { native: full }), { raw: true });
    for (let i = 0; i < np; i++)
      expect(Array.from(a.pixels.subarray(3 * i, 3 * i + 3))).toEqual([i * 10, i * 10, i * 10]);
    const y422 = new Uint8Array(np * 2);
    for (let p = 0; p < np / 2; p++) y422.set([p * 20, p * 20 + 10, 128, 128], 4 * p);
    y422.set([76, 76, 85, 255], 0); // red: Y 76, Cb 85, Cr 255
    const b = await readDicomFile(writeDicom(colourEls('YBR_FULL_422'), 'explicitLE', { native: y422 }), { raw: true });
    expect(b.pixels.length).toBe(np * 3);
    const red = Array.from(b.pixels.subarray(0, 3));
    expect(red[0]).toBeGreaterThan(250);
    expect(red[1]).toBeLessThan(3);
    expect(red[2]).toBeLessThan(3);
    expect(Array.from(b.pixels.subarray(9, 12))).toEqual([30, 30, 30]);
  });
});

describe('synthetic DICOM: series geometry', () => {
  const stack = (zs: number[], opts: { dy?: (z: number) => number; series?: string } = {}) =>
    zs.map((z, k) =>
      slice16(
        {
          position: [-10, 20 + (opts.dy?.(z) ?? 0), z],
          instance: 100 - k,
          series: opts.series,
          sop: `1.2.9.${opts.series ?? 0}.${k}`,
        },
        Array(N).fill(Math.round(z * 10)),
      ),
    );

  it('sorts by position, not instance number or input order', async () => {
    const files = stack([3, 0, 2, 1]);
    const vol = await readDicomSeries(files);
    expect(vol.dims).toEqual([C, R, 4]);
    expect(vol.spacing).toEqual([0.75, 0.5, 1]);
    expect(vol.origin).toEqual([-10, 20, 0]);
    for (let z = 0; z < 4; z++) expect(vol.data[z * N]).toBe(z * 10);
    expect(vol.meta!.sopInstanceUids).toEqual(['1.2.9.0.1', '1.2.9.0.3', '1.2.9.0.2', '1.2.9.0.0']);
  });

  it('keeps slices in one stack when IOP is written with different precision', async () => {
    const files = [0, 1, 2].map((z) =>
      slice16(
        {
          position: [0, 0, z],
          orientation: z === 1 ? [0.99999999, 0.0004999, 0, 0, 1, 0.0005001] : [1, 0, 0, 0, 1, 0],
          sop: `1.2.11.${z}`,
          instance: z + 1,
        },
        Array(N).fill(z),
      ),
    );
    expect(await listDicomSeries(files)).toHaveLength(1);
    expect((await readDicomSeries(files)).dims[2]).toBe(3);
  });

  it('reports uneven spacing; resampleToUniform interpolates onto a uniform grid', async () => {
    const files = stack([0, 1, 2, 4, 5]);
    // a missing slice is refused unless the caller accepts gaps (issue 19)
    await expect(readDicomSeries(files)).rejects.toMatchObject({ code: 'SERIES_INCOMPLETE' });
    const vol = await readDicomSeries(files, { allowGaps: true });
    expect(vol.meta!.gaps).toEqual({ unreadableFiles: 0, missingSlices: 1 });
    expect(vol.meta!.uniformSpacing).toBe(false);
    expect(vol.meta!.warnings!.join()).toMatch(/Uneven slice spacing.*1 slice\(s\) missing/);
    expect(vol.meta!.slicePositions).toEqual([0, 1, 2, 4, 5]);
    const r = await readDicomSeries(files, { resampleToUniform: true, allowGaps: true });
    expect(r.spacing[2]).toBeCloseTo(1.25, 9);
    expect(r.dims[2]).toBe(5);
    // value = 10 * z, linear in z: resampled slices hold 10 * (1.25 k)
    for (let k = 0; k < 5; k++) expect(r.data[k * N + 7]).toBe(Math.round(10 * 1.25 * k));
    expect(r.meta!.warnings!.join()).toMatch(/Resampled/);
    expect(r.meta!.resampledToUniform).toBe(true);
    expect(r.meta!.sourceSlicePositions).toEqual([0, 1, 2, 4, 5]);
    expect(r.meta!.slicePositions).toEqual([0, 1.25, 2.5, 3.75, 5]);
  });

  it('detects gantry tilt: exact sheared geometry by default, untilted grid on request', async () => {
    const tan = Math.tan((15 * Math.PI) / 180);
    const zs = [0, 2, 4, 6];
    // a bright pixel at the same world point in every slice would move in the image: instead mark
    // column 2, row 1 in every slice and check where it lands in the world
    const files = zs.map((z, k) => {
      const v = Array(N).fill(0);
      v[1 * C + 2] = 1000;
      return slice16({ position: [0, z * tan, z], instance: k + 1, sop: `1.2.8.${k}` }, v);
    });
    const vol = await readDicomSeries(files);
    expect(vol.meta!.gantryTiltDeg).toBeCloseTo(15, 6);
    expect(vol.meta!.warnings!.join()).toMatch(/tilt/i);
    // the sheared direction maps every slice's first voxel to its own IPP
    for (let k = 0; k < 4; k++) {
      const w = indexToWorld(vol, [0, 0, k]);
      expect(w[0]).toBeCloseTo(0, 9);
      expect(w[1]).toBeCloseTo(zs[k]! * tan, 9);
      expect(w[2]).toBeCloseTo(zs[k]!, 9);
    }
    const r = await readDicomSeries(files, { resampleToUniform: true });
    expect(r.direction).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(r.spacing[2]).toBeCloseTo(2, 9);
    expect(r.meta!.warnings!.join()).toMatch(/untilted/);
    // slice 0 unchanged
    expect(r.data[1 * C + 2]).toBe(1000);
  });

  it('mixed series, mixed sizes and duplicates give stable codes', async () => {
    const a = stack([0, 1, 2], { series: '1.2.3.10' });
    const b = stack([0, 1], { series: '1.2.3.11' });
    const list = await listDicomSeries([...a, ...b]);
    expect(list.map((s) => s.sliceCount).sort()).toEqual([2, 3]);
    await expect(readDicomSeries([...a, ...b])).rejects.toMatchObject({ code: 'SERIES_MULTIPLE' });
    const v = await readDicomSeries([...a, ...b], { series: '1.2.3.11' });
    expect(v.dims[2]).toBe(2);
    // a slice of another size in the same series is split off
    const odd = slice16({ rows: 6, position: [0, 0, 9], sop: '1.2.7.1' }, Array(6 * C).fill(0));
    expect(await listDicomSeries([...stack([0, 1]), odd])).toHaveLength(2);
    await expect(readDicomSeries([...stack([0, 1]), odd])).rejects.toMatchObject({ code: 'SERIES_INCONSISTENT' });
    // the same slice position twice with different images and nothing to tell them apart
    const dup = slice16({ position: [-10, 20, 1], instance: 50, sop: '1.2.6.1' }, Array(N).fill(3));
    await expect(readDicomSeries([...stack([0, 1, 2]), dup])).rejects.toMatchObject({
      code: 'SERIES_DUPLICATE_POSITION',
    });
    // a broken file among the slices is refused by default; accepted, it is reported, and the gap
    // it leaves is detected
    const withBroken = stack([0, 1, 2, 3]);
    withBroken[2] = withBroken[2]!.subarray(0, 400);
    await expect(readDicomSeries(withBroken)).rejects.toMatchObject({ code: 'SERIES_INCOMPLETE' });
    const vb = await readDicomSeries(withBroken, { allowGaps: true });
    expect(vb.meta!.gaps).toEqual({ unreadableFiles: 1, missingSlices: 1 });
    expect(vb.meta!.warnings!.join()).toMatch(/1 DICOM file\(s\) in the input could not be read \(DICOM_TRUNCATED\)/);
    expect(vb.meta!.warnings!.join()).toMatch(/1 slice\(s\) missing/);
    // the same file twice is dropped with a note
    const s = stack([0, 1, 2]);
    const vol = await readDicomSeries([...s, s[1]!]);
    expect(vol.dims[2]).toBe(3);
    expect(vol.meta!.warnings!.join()).toMatch(/given twice/);
  });

  it('repeated positions with acquisition numbers form volumes (4D)', async () => {
    const files: Uint8Array[] = [];
    for (let t = 0; t < 3; t++)
      for (let z = 0; z < 2; z++)
        files.push(
          slice16(
            { position: [0, 0, z], acquisition: t + 1, instance: 10 * t + z, sop: `1.2.5.${t}.${z}` },
            Array(N).fill(100 * t + z),
          ),
        );
    const list = await listDicomSeries(files);
    expect(list[0]!.volumeCount).toBe(3);
    const v2 = await readDicomSeries(files.reverse(), { volumeIndex: 2 });
    expect([v2.data[0], v2.data[N]]).toEqual([200, 201]);
  });

  it('a series with a main stack and a stray localizer reads the main stack with a warning', async () => {
    const main = stack([0, 1, 2, 3, 4]);
    const scout = slice16(
      { position: [0, 0, 0], orientation: [0, 1, 0, 0, 0, -1], sop: '1.2.3.99', instance: 1 },
      ramp(),
    );
    const vol = await readDicomSeries([scout, ...main]);
    expect(vol.dims[2]).toBe(5);
    expect(vol.meta!.warnings!.join()).toMatch(/1 other stack/);
    expect(await listDicomSeries([scout, ...main])).toHaveLength(2);
  });

  it('classic multi-frame without per-frame positions stacks frames by SpacingBetweenSlices', async () => {
    const frames = [0, 1, 2].flatMap((f) => Array(N).fill(f * 5));
    const els = sliceElements({ position: [1, 2, 3] }).concat([
      [0x00280008, 'IS', '3'],
      [0x00180088, 'DS', '2.5'],
    ]);
    const f = writeDicom(els, 'explicitLE', { native: pixels16(frames) });
    const vol = await readDicomSeries([f]);
    expect(vol.dims).toEqual([C, R, 3]);
    expect(vol.spacing[2]).toBeCloseTo(2.5, 9);
    expect([vol.data[0], vol.data[N], vol.data[2 * N]]).toEqual([0, 5, 10]);
    expect(vol.meta!.geometryFallback).toBe(true);
    expect(vol.meta!.frameNumbers).toEqual([1, 2, 3]);
  });

  it('missing position falls back to instance order with a warning', async () => {
    const files = [2, 1, 3].map((i) =>
      slice16({ position: null, instance: i, sop: `1.2.4.${i}`, extra: [[0x00180050, 'DS', '2.5']] }, Array(N).fill(i)),
    );
    const vol = await readDicomSeries(files);
    expect(Array.from([vol.data[0], vol.data[N], vol.data[2 * N]])).toEqual([1, 2, 3]);
    expect(vol.spacing[2]).toBe(2.5);
    expect(vol.meta!.geometryFallback).toBe(true);
    expect(vol.meta!.warnings!.join()).toMatch(/ImagePositionPatient missing/);
  });
});

describe('synthetic DICOM: bad input', () => {
  it('gives stable error codes', async () => {
    const good = slice16({}, ramp());
    await expect(readDicomFile(good.subarray(0, good.length - 7))).rejects.toMatchObject({
      code: expect.stringMatching(/DICOM_TRUNCATED|DICOM_PIXEL_LENGTH_MISMATCH/),
    });
    const short = writeDicom(sliceElements({}), 'explicitLE', { native: pixels16(ramp().slice(0, N - 2)) });
    await expect(readDicomFile(short)).rejects.toMatchObject({ code: 'DICOM_PIXEL_LENGTH_MISMATCH' });
    const noPixels = writeDicom(sliceElements({}), 'explicitLE');
    await expect(readDicomFile(noPixels)).rejects.toMatchObject({ code: 'DICOM_NO_PIXEL_DATA' });
    const noRows = writeDicom(
      sliceElements({}).filter((e) => e[0] !== 0x00280010),
      'explicitLE',
      { native: pixels16(ramp()) },
    );
    await expect(readDicomFile(noRows)).rejects.toMatchObject({ code: 'DICOM_MISSING_TAG' });
    await expect(readDicomFile(new TextEncoder().encode('hello world, not dicom at all'))).rejects.toMatchObject({
      code: 'NOT_DICOM',
    });
    const badTs = writeDicom(sliceElements({}), 'explicitLE', { native: pixels16(ramp()) });
    // rewrite the transfer syntax UID in place to an unknown (same length) one
    const txt = new TextDecoder('latin1').decode(badTs);
    const at = txt.indexOf('1.2.840.10008.1.2.1\0');
    badTs.set(new TextEncoder().encode('1.2.840.10008.1.2.4.100\0').subarray(0, 20), at);
    await expect(readDicomFile(badTs)).rejects.toBeDefined();
    await expect(readDicomSeries([noPixels])).rejects.toMatchObject({ code: 'DICOM_NO_PIXEL_DATA' });
    await expect(readDicomSeries([new Uint8Array(10), new Uint8Array(20)])).rejects.toMatchObject({
      code: 'SERIES_EMPTY',
    });
  });
});
