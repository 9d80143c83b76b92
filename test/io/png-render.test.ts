import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { MedImgError } from '../../src/core/errors.js';
import { indexToWorld } from '../../src/core/geometry.js';
import { createVolume, type Vec3, type Volume } from '../../src/core/volume.js';
import {
  DEFAULT_LABEL_COLORS,
  type RenderSliceOptions,
  renderMosaic,
  renderMosaicPng,
  renderSlice,
  renderSlicePng,
  WINDOW_PRESETS,
} from '../../src/io/png/index.js';

/** Decoded PNG pixel (RGB). */
function decodePng(png: Uint8Array) {
  const d = decode(png);
  expect(d.channels).toBe(3);
  expect(d.depth).toBe(8);
  return {
    width: d.width,
    height: d.height,
    data: d.data as Uint8Array,
    px(x: number, y: number): [number, number, number] {
      const o = (y * d.width + x) * 3;
      return [d.data[o]!, d.data[o + 1]!, d.data[o + 2]!];
    },
  };
}

function filled(dims: Vec3, value: number, spacing: Vec3 = [1, 1, 1]): Volume<Int16Array> {
  return createVolume(dims, new Int16Array(dims[0] * dims[1] * dims[2]).fill(value), { spacing });
}

function expectCode(fn: () => unknown, code: string): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(MedImgError);
  expect((err as MedImgError).code).toBe(code);
}

const NO_BAR: RenderSliceOptions = { scaleBar: false };

describe('renderSlicePng: size and aspect', () => {
  it('a 100x100 slice at 1x2 mm is 100x200 square pixels; 2x1 mm is 200x100', () => {
    const tall = decodePng(renderSlicePng(filled([100, 100, 3], 0, [1, 2, 1])));
    expect([tall.width, tall.height]).toEqual([100, 200]);
    const wide = decodePng(renderSlicePng(filled([100, 100, 3], 0, [2, 1, 1])));
    expect([wide.width, wide.height]).toEqual([200, 100]);
  });

  it('coronal and sagittal use the in-plane spacings', () => {
    const vol = filled([100, 80, 30], 0, [1, 0.5, 3]);
    const cor = renderSlice(vol, { axis: 'coronal' });
    // columns: x, 100 × 1 mm; rows: z, 30 × 3 mm; at 1 mm pixels.
    expect([cor.width, cor.height]).toEqual([100, 90]);
    expect(cor.view.pixelSizeMm).toBe(1);
    const sag = renderSlice(vol, { axis: 'sagittal' });
    // columns: y, 80 × 0.5 mm; rows: z, 30 × 3 mm, at 0.5 mm pixels.
    expect([sag.width, sag.height]).toEqual([80, 180]);
  });

  it('maxSize limits the longest side and keeps the aspect', () => {
    const r = renderSlice(filled([100, 100, 3], 0, [1, 2, 1]), { maxSize: 50 });
    expect([r.width, r.height]).toEqual([25, 50]);
    expect(r.view.pixelSizeMm).toBe(4);
  });

  it('the PNG holds exactly the rendered pixels', () => {
    const vol = filled([40, 30, 5], 0);
    for (let i = 0; i < vol.data.length; i++) vol.data[i] = (i * 13) % 500;
    const raw = renderSlice(vol, { window: { center: 250, width: 500 } });
    const png = decodePng(renderSlicePng(vol, { window: { center: 250, width: 500 } }));
    expect([png.width, png.height]).toEqual([raw.width, raw.height]);
    expect(Buffer.from(png.data).equals(Buffer.from(raw.data))).toBe(true);
  });
});

describe('renderSlicePng: window levels', () => {
  // Four quadrants of known HU on a 20x20x3 slab (nearest interpolation keeps them crisp).
  const vol = filled([20, 20, 3], 0);
  const values = [-1000, 40, 140, 1500];
  for (let k = 0; k < 3; k++) {
    for (let j = 0; j < 20; j++) {
      for (let i = 0; i < 20; i++) vol.data[i + 20 * (j + 20 * k)] = values[(j < 10 ? 0 : 2) + (i < 10 ? 0 : 1)]!;
    }
  }
  // Identity direction: column = x index, row = y index.
  const grey = (png: ReturnType<typeof decodePng>, i: number, j: number) => png.px(i, j)[0];

  it('explicit window maps center to mid-grey and clamps outside', () => {
    const png = decodePng(
      renderSlicePng(vol, { ...NO_BAR, window: { center: 40, width: 400 }, interpolation: 'nearest' }),
    );
    expect(grey(png, 2, 2)).toBe(0); // -1000 < -160
    expect(grey(png, 15, 2)).toBe(128); // 40 = center: 127.5 rounds up
    expect(grey(png, 2, 15)).toBe(191); // 140: 255 × 300/400 = 191.25
    expect(grey(png, 15, 15)).toBe(255); // 1500 > 240
    expect(png.px(15, 2)).toEqual([128, 128, 128]);
  });

  it('presets: lung, mediastinum, bone, brain', () => {
    expect(WINDOW_PRESETS.lung).toEqual({ center: -600, width: 1500 });
    expect(WINDOW_PRESETS.mediastinum).toEqual({ center: 40, width: 400 });
    expect(WINDOW_PRESETS['soft-tissue']).toEqual({ center: 40, width: 400 });
    expect(WINDOW_PRESETS.bone).toEqual({ center: 400, width: 1800 });
    expect(WINDOW_PRESETS.brain).toEqual({ center: 40, width: 80 });
    const lung = decodePng(renderSlicePng(vol, { ...NO_BAR, window: 'lung', interpolation: 'nearest' }));
    // lung: lo = -1350; -1000 → 255 × 350/1500 = 59.5 → 60; 40 → 255 × 1390/1500 = 236.3 → 236
    expect(grey(lung, 2, 2)).toBe(60);
    expect(grey(lung, 15, 2)).toBe(236);
    const bone = decodePng(renderSlicePng(vol, { ...NO_BAR, window: 'bone', interpolation: 'nearest' }));
    // bone: lo = -500; 140 → 255 × 640/1800 = 90.67 → 91; 1500 → 255 × 2000/1800 → 255
    expect(grey(bone, 2, 15)).toBe(91);
    expect(grey(bone, 15, 15)).toBe(255);
    const brain = decodePng(renderSlicePng(vol, { ...NO_BAR, window: 'brain', interpolation: 'nearest' }));
    expect(grey(brain, 15, 2)).toBe(128);
    expect(grey(brain, 2, 15)).toBe(255);
  });

  it("'auto' is the 1st–99th percentile of the whole volume", () => {
    const ramp = createVolume(
      [10, 10, 10],
      Float32Array.from({ length: 1000 }, (_, i) => i),
    );
    const r = renderSlice(ramp, NO_BAR);
    // 1000 samples: percentile p at rank round(p/100 × 999): 1% → 10, 99% → 989
    expect(r.window).toEqual({ center: 499.5, width: 979 });
    expect(renderSlice(ramp, { ...NO_BAR, window: 'auto' }).window).toEqual(r.window);
  });

  it('bilinear interpolation blends across an upsampled edge', () => {
    // 2 voxels along x at 2 mm, 1 mm along y: 4 output columns, values 0 and 200 at the voxel centres.
    const v = createVolume([2, 4, 1], Int16Array.from([0, 200, 0, 200, 0, 200, 0, 200]), { spacing: [2, 1, 1] });
    const r = renderSlice(v, { ...NO_BAR, window: { center: 100, width: 200 } });
    expect(r.width).toBe(4);
    // Output column centres at source x = -0.25 (clamped 0), 0.25, 0.75, 1.25 (clamped 1).
    const row = [0, 1, 2, 3].map((x) => r.data[x * 3]);
    expect(row).toEqual([0, 64, 191, 255]);
  });
});

describe('renderSlicePng: overlays', () => {
  const vol = filled([30, 30, 3], 40);
  const mask = createVolume([30, 30, 3], Uint8Array);
  // label 1: block x 5..9, y 5..9 on slice 1; label 2: block x 15..24, y 15..24 on slice 1.
  for (let j = 5; j < 10; j++) for (let i = 5; i < 10; i++) mask.data[i + 30 * (j + 30 * 1)] = 1;
  for (let j = 15; j < 25; j++) for (let i = 15; i < 25; i++) mask.data[i + 30 * (j + 30 * 1)] = 2;
  const win = { center: 40, width: 400 }; // 40 → grey 128

  it('fill: colour per label blended with alpha 0.4 by default', () => {
    const png = decodePng(renderSlicePng(vol, { ...NO_BAR, window: win, overlay: { mask } }));
    const blend = (c: readonly number[], a: number) => c.map((v) => Math.round(128 * (1 - a) + v * a));
    expect(png.px(7, 7)).toEqual(blend(DEFAULT_LABEL_COLORS[0]!, 0.4));
    expect(png.px(20, 20)).toEqual(blend(DEFAULT_LABEL_COLORS[1]!, 0.4));
    expect(png.px(12, 12)).toEqual([128, 128, 128]);
    // Other slices have no labels.
    const other = decodePng(renderSlicePng(vol, { ...NO_BAR, window: win, index: 0, overlay: { mask } }));
    expect(other.px(7, 7)).toEqual([128, 128, 128]);
  });

  it('fill with custom colours and alpha', () => {
    const png = decodePng(
      renderSlicePng(vol, {
        ...NO_BAR,
        window: win,
        overlay: { mask, colors: { 1: [0, 0, 255], 2: [255, 0, 0] }, alpha: 0.5 },
      }),
    );
    expect(png.px(5, 5)).toEqual([64, 64, 192]);
    expect(png.px(24, 24)).toEqual([192, 64, 64]);
  });

  it('contour: only the boundary of each region, opaque by default', () => {
    const png = decodePng(renderSlicePng(vol, { ...NO_BAR, window: win, overlay: { mask, mode: 'contour' } }));
    const c2 = [...DEFAULT_LABEL_COLORS[1]!];
    expect(png.px(15, 20)).toEqual(c2); // left edge
    expect(png.px(24, 20)).toEqual(c2); // right edge
    expect(png.px(20, 15)).toEqual(c2); // top edge
    expect(png.px(20, 20)).toEqual([128, 128, 128]); // interior untouched
    expect(png.px(14, 20)).toEqual([128, 128, 128]); // outside untouched
    expect(png.px(5, 7)).toEqual([...DEFAULT_LABEL_COLORS[0]!]);
    expect(png.px(7, 7)).toEqual([128, 128, 128]);
    const thick = decodePng(
      renderSlicePng(vol, { ...NO_BAR, window: win, overlay: { mask, mode: 'contour', lineWidth: 2 } }),
    );
    expect(thick.px(16, 20)).toEqual(c2);
    expect(thick.px(17, 20)).toEqual([128, 128, 128]);
  });

  it('the mask is resampled like the image (anisotropic spacing)', () => {
    const v = filled([10, 10, 1], 40, [1, 2, 1]);
    const m = createVolume([10, 10, 1], Uint8Array, { spacing: [1, 2, 1] });
    m.data[3 + 10 * 4] = 1; // voxel (3, 4) → pixels x 3, y 8..9
    const r = renderSlice(v, { ...NO_BAR, window: win, interpolation: 'nearest', overlay: { mask: m, alpha: 1 } });
    expect([r.width, r.height]).toEqual([10, 20]);
    const at = (x: number, y: number) => Array.from(r.data.subarray((y * 10 + x) * 3, (y * 10 + x) * 3 + 3));
    expect(at(3, 8)).toEqual([...DEFAULT_LABEL_COLORS[0]!]);
    expect(at(3, 9)).toEqual([...DEFAULT_LABEL_COLORS[0]!]);
    expect(at(3, 7)).toEqual([128, 128, 128]);
    expect(at(3, 10)).toEqual([128, 128, 128]);
    expect(at(4, 8)).toEqual([128, 128, 128]);
  });

  it('a mask on another grid is GRID_MISMATCH', () => {
    const other = createVolume([30, 30, 3], Uint8Array, { spacing: [1, 1, 2] });
    expectCode(() => renderSlicePng(vol, { overlay: { mask: other } }), 'GRID_MISMATCH');
  });
});

describe('renderSlicePng: radiological orientation for any direction matrix', () => {
  // A phantom whose bright voxel sits in the patient's left-anterior-superior corner.
  // LPS identity grid: left = +x (last i), anterior = -y (first j), superior = +z (last k).
  const dims: Vec3 = [21, 25, 15];
  const spacing: Vec3 = [1, 1.5, 2];
  const lps = createVolume(dims, Int16Array, { spacing, origin: [-10, -18, -14] });
  lps.data[20 + 21 * (0 + 25 * 14)] = 1000;
  // A dim voxel at the right-posterior-inferior corner, to see both ends.
  lps.data[0 + 21 * (24 + 25 * 0)] = 500;
  const win = { center: 500, width: 1000 };
  const opts = (axis: 'axial' | 'coronal' | 'sagittal', index: number): RenderSliceOptions => ({
    axis,
    index,
    window: win,
    interpolation: 'nearest',
    scaleBar: false,
  });

  /** The same physical image stored with another index order (new index = map(old index)). */
  function restore(
    direction: number[],
    map: (i: number, j: number, k: number) => Vec3,
    newDims: Vec3,
    newSpacing: Vec3,
  ) {
    const data = new Int16Array(lps.data.length);
    for (let k = 0; k < dims[2]; k++) {
      for (let j = 0; j < dims[1]; j++) {
        for (let i = 0; i < dims[0]; i++) {
          const [a, b, c] = map(i, j, k);
          data[a + newDims[0] * (b + newDims[1] * c)] = lps.data[i + dims[0] * (j + dims[1] * k)]!;
        }
      }
    }
    // Origin: the world position of whichever old voxel became new voxel (0, 0, 0).
    let origin: Vec3 = [0, 0, 0];
    for (let k = 0; k < dims[2]; k++)
      for (let j = 0; j < dims[1]; j++)
        for (let i = 0; i < dims[0]; i++) {
          const [a, b, c] = map(i, j, k);
          if (a === 0 && b === 0 && c === 0) origin = indexToWorld(lps, [i, j, k]);
        }
    return createVolume(newDims, data, { spacing: newSpacing, origin, direction });
  }

  const ras = restore([-1, 0, 0, 0, -1, 0, 0, 0, 1], (i, j, k) => [dims[0] - 1 - i, dims[1] - 1 - j, k], dims, spacing);
  // Sagittal storage: index axes run toward P, I, L ('PIL').
  const pil = restore(
    [0, 0, 1, 1, 0, 0, 0, -1, 0],
    (i, j, k) => [j, dims[2] - 1 - k, i],
    [dims[1], dims[2], dims[0]],
    [spacing[1], spacing[2], spacing[0]],
  );

  it('sanity: the restored grids put the bright voxel at the same LPS point', () => {
    const p = indexToWorld(lps, [20, 0, 14]);
    expect(indexToWorld(ras, [0, 24, 14])).toEqual(p);
    const q = indexToWorld(pil, [0, 0, 20]);
    for (let a = 0; a < 3; a++) expect(q[a]).toBeCloseTo(p[a]!, 12);
    expect(ras.data[0 + 21 * (24 + 25 * 14)]).toBe(1000);
    expect(pil.data[0 + 25 * (0 + 15 * 20)]).toBe(1000);
  });

  it('axial: the left-anterior voxel is at the top right', () => {
    const img = decodePng(renderSlicePng(lps, opts('axial', 14)));
    // 21 × 1 mm by 25 × 1.5 mm at 1 mm pixels: 21 × 38 (37.5 rounds up).
    expect([img.width, img.height]).toEqual([21, 38]);
    expect(img.px(20, 0)[0]).toBe(255);
    expect(img.px(0, 0)[0]).toBe(0);
    expect(img.px(20, 37)[0]).toBe(0);
    const bottom = decodePng(renderSlicePng(lps, opts('axial', 0)));
    expect(bottom.px(0, 37)[0]).toBe(128); // right-posterior voxel: bottom left
  });

  it('coronal: the left-superior voxel is at the top right', () => {
    const img = decodePng(renderSlicePng(lps, opts('coronal', 0)));
    expect([img.width, img.height]).toEqual([21, 30]);
    expect(img.px(20, 0)[0]).toBe(255);
    expect(img.px(20, 1)[0]).toBe(255); // 2 mm slices → two 1 mm rows
    expect(img.px(20, 2)[0]).toBe(0);
    expect(img.px(0, 0)[0]).toBe(0);
    const back = decodePng(renderSlicePng(lps, opts('coronal', 24)));
    expect(back.px(0, 29)[0]).toBe(128); // right-inferior: bottom left
  });

  it('sagittal: the anterior-superior voxel is at the top left', () => {
    const img = decodePng(renderSlicePng(lps, opts('sagittal', 20)));
    // columns: y, 25 × 1.5 mm; rows: z, 15 × 2 mm; pixel 1.5 mm → 25 × 20
    expect([img.width, img.height]).toEqual([25, 20]);
    expect(img.px(0, 0)[0]).toBe(255);
    expect(img.px(24, 0)[0]).toBe(0);
    const right = decodePng(renderSlicePng(lps, opts('sagittal', 0)));
    expect(right.px(24, 19)[0]).toBe(128); // posterior-inferior: bottom right
  });

  it('LPS, RAS and PIL storage give byte-identical pictures (linear interpolation, overlays, scale bar)', () => {
    const maskOf = (v: Volume) => {
      const m = createVolume(v.dims, Uint8Array, { spacing: v.spacing, origin: v.origin, direction: v.direction });
      for (let i = 0; i < v.data.length; i++) m.data[i] = v.data[i]! > 0 ? 1 : 0;
      return m;
    };
    // Slice indices of the same physical planes in each storage.
    const planes: ['axial' | 'coronal' | 'sagittal', number, number, number][] = [
      ['axial', 14, 14, 0], // z index 14 ↔ PIL axis 1 (toward I): 14 - 14 = 0
      ['axial', 3, 3, 11],
      ['coronal', 0, 24, 0],
      ['coronal', 7, 17, 7],
      ['sagittal', 20, 0, 20],
      ['sagittal', 6, 14, 6],
    ];
    for (const [axis, iL, iR, iP] of planes) {
      const render = (v: Volume, index: number) =>
        renderSlicePng(v, { axis, index, window: win, overlay: { mask: maskOf(v), mode: 'contour' }, maxSize: 300 });
      const a = decodePng(render(lps, iL));
      const b = decodePng(render(ras, iR));
      const c = decodePng(render(pil, iP));
      expect([b.width, b.height]).toEqual([a.width, a.height]);
      expect([c.width, c.height]).toEqual([a.width, a.height]);
      expect(Buffer.from(b.data).equals(Buffer.from(a.data)), `${axis} RAS`).toBe(true);
      expect(Buffer.from(c.data).equals(Buffer.from(a.data)), `${axis} PIL`).toBe(true);
    }
  });
});

describe('renderSlicePng: markers and scale bar', () => {
  const vol = filled([101, 101, 21], -1000); // black in a soft-tissue window
  // orientation letters and the slice label have their own tests (png-legend.test.ts)
  const win = 'soft-tissue' as const;
  const plain = { orientationLabels: false, sliceLabel: false } as const;

  it('a marker is a circle of its radius around its LPS centre', () => {
    // Identity grid at 1 mm, origin 0: LPS (50, 40, 10) is voxel (50, 40, 10) → pixel (50, 40).
    const yellow = [255, 255, 0];
    const img = decodePng(
      renderSlicePng(vol, {
        window: win,
        index: 10,
        markers: [{ centerMm: [50, 40, 10], radiusMm: 8 }],
        scaleBar: false,
      }),
    );
    for (const [x, y] of [
      [58, 40],
      [42, 40],
      [50, 32],
      [50, 48],
    ]) {
      expect(img.px(x!, y!)).toEqual(yellow);
    }
    expect(img.px(50, 40)).toEqual([0, 0, 0]);
    expect(img.px(54, 40)).toEqual([0, 0, 0]);
    expect(img.px(62, 40)).toEqual([0, 0, 0]);
    // 6 mm off the plane: the sphere cuts a circle of radius sqrt(64 - 36) = 5.29 mm.
    const off = decodePng(
      renderSlicePng(vol, {
        window: win,
        index: 4,
        markers: [{ centerMm: [50, 40, 10], radiusMm: 8, color: [0, 255, 0] }],
        scaleBar: false,
      }),
    );
    expect(off.px(55, 40)).toEqual([0, 255, 0]);
    expect(off.px(58, 40)).toEqual([0, 0, 0]);
    // Farther than the radius: nothing drawn.
    const far = renderSlice(vol, {
      ...plain,
      window: win,
      index: 0,
      markers: [{ centerMm: [50, 40, 10], radiusMm: 8 }],
      scaleBar: false,
    });
    expect(far.data.every((v) => v === 0)).toBe(true);
  });

  it('marker positions follow radiological orientation (RAS grid)', () => {
    const ras = createVolume([101, 101, 21], new Int16Array(101 * 101 * 21).fill(-1000), {
      origin: [100, 100, 0],
      direction: [-1, 0, 0, 0, -1, 0, 0, 0, 1],
    });
    // Same LPS point as above → same pixel, although its RAS voxel index is (50, 60, 10).
    const img = decodePng(
      renderSlicePng(ras, {
        window: win,
        index: 10,
        markers: [{ centerMm: [50, 40, 10], radiusMm: 8 }],
        scaleBar: false,
      }),
    );
    expect(img.px(58, 40)).toEqual([255, 255, 0]);
    expect(img.px(50, 48)).toEqual([255, 255, 0]);
    expect(img.px(50, 40)).toEqual([0, 0, 0]);
  });

  it('a marker label is drawn beside the circle', () => {
    const plain = renderSlice(vol, { window: win, index: 10, markers: [{ centerMm: [50, 40, 10], radiusMm: 8 }] });
    const labelled = renderSlice(vol, {
      window: win,
      index: 10,
      markers: [{ centerMm: [50, 40, 10], radiusMm: 8, label: 'N1' }],
    });
    let diff = 0;
    for (let i = 0; i < plain.data.length; i++) if (plain.data[i] !== labelled.data[i]) diff++;
    expect(diff).toBeGreaterThan(20);
  });

  it('scale bar: a round length in mm, drawn white at the bottom right', () => {
    const v = filled([256, 256, 3], -1000, [1.4, 1.4, 2.5]);
    const r = renderSlice(v, { ...plain, window: win });
    expect(r.scaleBar).toBeDefined();
    const bar = r.scaleBar!;
    // A quarter of 358.4 mm is 89.6 mm → 50 mm → 35.7 → 36 pixels.
    expect(bar.lengthMm).toBe(50);
    expect(bar.x1 - bar.x0).toBe(36);
    expect(bar.x1).toBeLessThan(256);
    expect(bar.y1).toBeGreaterThan(256 * 0.9);
    const png = decodePng(encodeOf(v, { ...plain, window: win }));
    let white = 0;
    for (let x = 0; x < 256; x++) if (png.px(x, bar.y0).every((c) => c === 255)) white++;
    expect(white).toBe(36);
    const none = renderSlice(v, { ...plain, window: win, scaleBar: false });
    expect(none.scaleBar).toBeUndefined();
    expect(none.data.every((c) => c === 0)).toBe(true);
  });
});

function encodeOf(v: Volume, o: RenderSliceOptions): Uint8Array {
  return renderSlicePng(v, o);
}

describe('renderMosaicPng', () => {
  const vol = filled([20, 16, 12], 0, [1, 1, 2]);
  for (let k = 0; k < 12; k++) for (let i = 0; i < 20 * 16; i++) vol.data[k * 320 + i] = k * 100;

  it('tiles evenly spaced slices with one shared window', () => {
    const m = renderMosaic(vol, {
      count: 4,
      columns: 2,
      gap: 3,
      sliceLabels: false,
      scaleBar: false,
      window: { center: 550, width: 1100 },
    });
    expect(m.indices).toEqual([1, 4, 7, 10]);
    expect([m.tileWidth, m.tileHeight]).toEqual([20, 16]);
    expect([m.width, m.height]).toEqual([43, 35]);
    const png = decodePng(
      renderMosaicPng(vol, {
        count: 4,
        columns: 2,
        gap: 3,
        sliceLabels: false,
        scaleBar: false,
        window: { center: 550, width: 1100 },
      }),
    );
    expect([png.width, png.height]).toEqual([43, 35]);
    const g = (k: number) => Math.round((k * 100 * 255) / 1100);
    expect(png.px(5, 5)[0]).toBe(g(1));
    expect(png.px(30, 5)[0]).toBe(g(4));
    expect(png.px(5, 25)[0]).toBe(g(7));
    expect(png.px(30, 25)[0]).toBe(g(10));
    expect(png.px(21, 5)).toEqual([0, 0, 0]); // gap
  });

  it('explicit indices, coronal tiles match renderSlice', () => {
    const m = renderMosaic(vol, {
      axis: 'coronal',
      indices: [3, 9],
      sliceLabels: false,
      scaleBar: false,
      window: 'bone',
    });
    expect(m.columns).toBe(2);
    const t0 = renderSlice(vol, { axis: 'coronal', index: 3, scaleBar: false, window: 'bone' });
    expect([m.tileWidth, m.tileHeight]).toEqual([t0.width, t0.height]);
    for (let y = 0; y < t0.height; y++) {
      const rowM = m.data.subarray(y * m.width * 3, (y * m.width + t0.width) * 3);
      const rowT = t0.data.subarray(y * t0.width * 3, (y + 1) * t0.width * 3);
      expect(Buffer.from(rowM).equals(Buffer.from(rowT))).toBe(true);
    }
  });
});

describe('renderSlicePng: bad options are MedImgError', () => {
  const vol = filled([10, 10, 5], 0);
  it.each([
    ['axis', { axis: 'oblique' }],
    ['index too large', { index: 5 }],
    ['index negative', { index: -1 }],
    ['index fraction', { index: 1.5 }],
    ['preset', { window: 'liverish' }],
    ['width 0', { window: { center: 0, width: 0 } }],
    ['alpha', { overlay: { mask: createVolume([10, 10, 5], Uint8Array), alpha: 2 } }],
    ['mode', { overlay: { mask: createVolume([10, 10, 5], Uint8Array), mode: 'glow' } }],
    ['mask type', { overlay: { mask: createVolume([10, 10, 5], Int16Array) } }],
    ['marker centre', { markers: [{ centerMm: [1, 2] }] }],
    ['marker radius', { markers: [{ centerMm: [1, 2, 3], radiusMm: -1 }] }],
    ['maxSize', { maxSize: 0 }],
    ['interpolation', { interpolation: 'cubic' }],
  ])('%s', (_name, o) => {
    expectCode(() => renderSlicePng(vol, o as RenderSliceOptions), 'INVALID_ARGUMENT');
  });
  it('not a volume', () => {
    expectCode(() => renderSlicePng({} as Volume), 'INVALID_VOLUME');
    expectCode(() => renderMosaicPng(vol, { count: 0 }), 'INVALID_ARGUMENT');
    expectCode(() => renderMosaicPng(vol, { indices: [99] }), 'INVALID_ARGUMENT');
  });
});

describe("'auto' window on 16-bit data (histogram) equals the sorted percentiles", () => {
  it('Int16 and Uint16, with a skewed distribution', async () => {
    const { resolveWindow } = await import('../../src/io/png/window.js');
    for (const ctor of [Int16Array, Uint16Array, Uint8Array, Int8Array]) {
      const n = 3000;
      const data = new ctor(n);
      let state = 7;
      for (let i = 0; i < n; i++) {
        state = (state * 1103515245 + 12345) >>> 0;
        const r = (state >>> 8) / 2 ** 24;
        const max = ctor === Uint8Array ? 255 : ctor === Int8Array ? 127 : 3000;
        data[i] = Math.floor(r * r * max) - (ctor === Int16Array ? 1000 : ctor === Int8Array ? 100 : 0);
      }
      const sorted = Float64Array.from(data).sort();
      const a = sorted[Math.round(0.01 * (n - 1))]!;
      const b = sorted[Math.round(0.99 * (n - 1))]!;
      const w = resolveWindow(createVolume([n, 1, 1], data), 'auto');
      expect(w, ctor.name).toEqual({ center: (a + b) / 2, width: b - a });
    }
  });
});
