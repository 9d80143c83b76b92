import { decode } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import { isMedImgError } from '../../src/core/errors.js';
import { makeChestCtPhantom } from '../../src/core/phantoms/index.js';
import type { Vec3, Volume } from '../../src/core/volume.js';
import {
  type LegendEntry,
  type RenderSliceOptions,
  renderMosaic,
  renderMosaicPng,
  renderSlice,
  renderSlicePng,
} from '../../src/io/png/index.js';
import { TASKS } from '../../src/tasks/registry.js';
import {
  detectNodules,
  measureBoneDensity,
  quantifyLungOpacity,
  segmentLungs,
  segmentTumor,
} from '../../src/tasks/index.js';
import { type Picture, readText } from '../helpers/png-text.js';

// Legends read back from the encoded PNG (fast-png decode): the letters, slice labels and colour
// keys a reader needs are where they should be and say what they should.

const png = (bytes: Uint8Array): Picture => {
  const d = decode(bytes);
  expect(d.channels).toBe(3);
  return { width: d.width, height: d.height, data: d.data as Uint8Array };
};
const px = (p: Picture, x: number, y: number): number[] =>
  Array.from(p.data.subarray((y * p.width + x) * 3, (y * p.width + x) * 3 + 3));

/**
 * Reads the letter at the middle of each edge: a 9x9 pixel box (a 5x7 glyph and its plate) set in
 * by the documented margin (2% of the shorter side, at least 3 pixels).
 */
function edgeLetters(p: Picture) {
  const W = p.width;
  const H = p.height;
  const m = Math.max(3, Math.round(Math.min(W, H) * 0.02));
  const cx = Math.round((W - 5) / 2);
  const cy = Math.round((H - 7) / 2);
  const box = (x: number, y: number) => readText(p, { rect: [x - 1, y - 1, x + 6, y + 8] });
  return { left: box(m, cy), right: box(W - m - 5, cy), top: box(cx, m), bottom: box(cx, H - m - 7) };
}

describe('legends on pictures', () => {
  const ph = makeChestCtPhantom({ dims: [128, 96, 40], spacing: [2.5, 2.5, 5], nodules: 1, seed: 5 });
  const ct = ph.image;
  let lungs: Awaited<ReturnType<typeof segmentLungs>>;
  beforeAll(async () => {
    lungs = await segmentLungs(ct);
  });

  it('axial, coronal and sagittal slices carry their patient-direction letters', () => {
    const want = {
      axial: { left: 'R', right: 'L', top: 'A', bottom: 'P' },
      coronal: { left: 'R', right: 'L', top: 'S', bottom: 'I' },
      sagittal: { left: 'A', right: 'P', top: 'S', bottom: 'I' },
    } as const;
    for (const axis of ['axial', 'coronal', 'sagittal'] as const) {
      const p = png(renderSlicePng(ct, { axis, window: 'lung', scaleBar: false, sliceLabel: false }));
      expect(edgeLetters(p), axis).toEqual(want[axis]);
    }
  });

  it('the letters follow the patient, not the storage order (an RAS-stored copy reads the same)', () => {
    const [nx, ny, nz] = ct.dims;
    const flipped = new Int16Array(ct.data.length);
    for (let k = 0; k < nz; k++)
      for (let j = 0; j < ny; j++)
        for (let i = 0; i < nx; i++)
          flipped[(k * ny + (ny - 1 - j)) * nx + (nx - 1 - i)] = ct.data[(k * ny + j) * nx + i]!;
    const o = ct.origin;
    const ras: Volume = {
      ...ct,
      data: flipped,
      origin: [o[0] + (nx - 1) * ct.spacing[0], o[1] + (ny - 1) * ct.spacing[1], o[2]] as Vec3,
      direction: [-1, 0, 0, 0, -1, 0, 0, 0, 1],
    };
    const a = renderSlicePng(ct, { window: 'lung' });
    const b = renderSlicePng(ras, { window: 'lung' });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(edgeLetters(png(b))).toEqual({ left: 'R', right: 'L', top: 'A', bottom: 'P' });
  });

  it('a slice label at the top left: plane and 1-based slice number of N, or the caller’s text', () => {
    const ct = makeChestCtPhantom({ dims: [200, 160, 40], spacing: [1.6, 1.6, 5], nodules: 0, seed: 5 }).image;
    const r = renderSlice(ct, { index: 20, window: 'lung' });
    expect(r.labels.map((l) => l.text)).toEqual(['R', 'L', 'A', 'P', 'AXIAL 21/40']);
    // too narrow for it beside the top letter: left out rather than drawn over it
    expect(renderSlice(ct, { index: 20, window: 'lung', maxSize: 100 }).labels.map((l) => l.text)).toEqual([
      'R',
      'L',
      'A',
      'P',
    ]);
    const p = png(renderSlicePng(ct, { index: 20, window: 'lung' }));
    expect(readText(p, { rect: [0, 0, Math.round(p.width * 0.45), 16] })).toBe('AXIAL 21/40');
    const own = png(renderSlicePng(ct, { index: 20, window: 'lung', sliceLabel: 'L1-L3' }));
    expect(readText(own, { rect: [0, 0, Math.round(own.width * 0.45), 16] })).toBe('L1-L3');
    const none = png(renderSlicePng(ct, { index: 20, window: 'lung', sliceLabel: false, orientationLabels: false }));
    expect(readText(none, { rect: [0, 0, Math.round(none.width * 0.45), 16] })).toBe('');
    expect(edgeLetters(none)).toEqual({ left: '', right: '', top: '', bottom: '' });
  });

  it('a colour key below the image: one swatch in each colour and its words; the image itself untouched', () => {
    const legend: LegendEntry[] = [
      { label: 'right lung', color: [80, 160, 255] },
      { label: 'left lung', color: [255, 170, 60] },
      { label: 'nodule', color: [255, 255, 0], shape: 'circle' },
    ];
    const o: RenderSliceOptions = {
      index: 20,
      window: 'lung',
      overlay: { mask: lungs.lungLabels, colors: { 1: [80, 160, 255], 2: [255, 170, 60] } },
    };
    const bare = renderSlice(ct, o);
    const r = renderSlice(ct, { ...o, legend });
    const p = png(renderSlicePng(ct, { ...o, legend }));
    expect(p.width).toBe(bare.width);
    expect(p.height).toBeGreaterThan(bare.height);
    expect(r.legend!.top).toBe(bare.height);
    // the anatomy is not covered
    expect(Buffer.from(p.data.subarray(0, bare.data.length)).equals(Buffer.from(bare.data))).toBe(true);
    expect(r.legend!.entries.map((e) => e.label)).toEqual(['right lung', 'left lung', 'nodule']);
    for (const e of r.legend!.entries) {
      const { x, y, size } = e.swatch;
      expect(y).toBeGreaterThanOrEqual(bare.height);
      let hits = 0;
      for (let yy = y; yy < y + size; yy++)
        for (let xx = x; xx < x + size; xx++) if (px(p, xx, yy).join() === e.color.join()) hits++;
      // a filled square is all colour; a circle outline a ring of it
      if (e.label === 'nodule') expect(hits, e.label).toBeGreaterThan(size * 2);
      else expect(hits, e.label).toBe(size * size);
      // the words right of the swatch
      const t = e.text;
      expect(readText(p, { rect: [t.x - 1, t.y - 1, t.x + 6 * t.text.length, t.y + 8] })).toBe(e.label.toUpperCase());
    }
    // the strip as a whole reads left to right
    const strip = readText(p, { rect: [r.legend!.entries[0]!.text.x - 1, bare.height, p.width, p.height] });
    expect(strip.startsWith('RIGHT LUNG')).toBe(true);
  });

  it('entries wrap onto more lines when the picture is narrow, none is lost', () => {
    const legend = Array.from({ length: 6 }, (_, i) => ({
      label: `class ${i + 1}`,
      color: [40 * i, 200, 100] as [number, number, number],
    }));
    const r = renderSlice(ct, { index: 20, window: 'lung', maxSize: 100, legend });
    expect(r.legend!.entries).toHaveLength(6);
    const rows = new Set(r.legend!.entries.map((e) => e.swatch.y));
    expect(rows.size).toBeGreaterThan(1);
    for (const e of r.legend!.entries) expect(e.swatch.x + e.swatch.size).toBeLessThanOrEqual(r.width);
    const p = png(renderSlicePng(ct, { index: 20, window: 'lung', maxSize: 100, legend }));
    const last = r.legend!.entries[5]!.text;
    expect(readText(p, { rect: [last.x - 1, last.y - 1, r.width, last.y + 8] })).toBe('CLASS 6');
  });

  it('mosaic: 1-based slice numbers on the tiles, letters on the first tile, one key below', () => {
    const m = renderMosaic(ct, {
      indices: [9, 19, 29],
      columns: 3,
      window: 'lung',
      scaleBar: false,
      legend: [{ label: 'lungs', color: [80, 160, 255] }],
    });
    const p = png(
      renderMosaicPng(ct, {
        indices: [9, 19, 29],
        columns: 3,
        window: 'lung',
        scaleBar: false,
        legend: [{ label: 'lungs', color: [80, 160, 255] }],
      }),
    );
    expect(p.height).toBe(m.tileHeight + m.legend!.height);
    for (const [t, want] of [
      [0, '10'],
      [1, '20'],
      [2, '30'],
    ] as const) {
      const x0 = t * (m.tileWidth + 2);
      expect(readText(p, { rect: [x0, 0, x0 + 20, 12] })).toBe(want);
    }
    const first: Picture = { width: m.tileWidth, height: m.tileHeight, data: tile(p, 0, m.tileWidth, m.tileHeight) };
    expect(edgeLetters(first)).toEqual({ left: 'R', right: 'L', top: 'A', bottom: 'P' });
    const second: Picture = {
      width: m.tileWidth,
      height: m.tileHeight,
      data: tile(p, m.tileWidth + 2, m.tileWidth, m.tileHeight),
    };
    expect(edgeLetters(second).left).toBe('');
    const t = m.legend!.entries[0]!.text;
    expect(readText(p, { rect: [t.x - 1, t.y - 1, p.width, t.y + 8] })).toBe('LUNGS');
  });

  it('a bad legend is INVALID_ARGUMENT', () => {
    for (const legend of [
      [{ label: 'x' }],
      [{ label: 'x', color: [300, 0, 0] }],
      [{ label: 2, color: [1, 2, 3] }],
      [{ label: 'x', color: [1, 2, 3], shape: 'star' }],
      'x',
    ]) {
      let err: unknown;
      try {
        renderSlice(ct, { legend: legend as unknown as LegendEntry[] });
      } catch (e) {
        err = e;
      }
      expect(isMedImgError(err) && err.code, JSON.stringify(legend)).toBe('INVALID_ARGUMENT');
    }
  });

  it('every picture the CT tasks present has a colour key and orientation letters', async () => {
    const nodule = ph.truth.nodules[0]!;
    const results: Record<string, unknown> = {
      segmentLungs: lungs,
      quantifyLungOpacity: await quantifyLungOpacity(ct, { lungs }),
      detectNodules: await detectNodules(ct, { lungs }),
      measureBoneDensity: await measureBoneDensity(ct),
      segmentTumor: await segmentTumor(ct, { seed: nodule.centerMm }),
    };
    let pictures = 0;
    for (const def of TASKS) {
      const result = results[def.id];
      if (!result) continue;
      const pres = def.present(result as never, {
        image: ct,
        results: results as never,
        requested: TASKS.map((t) => t.cliName),
        isCt: true,
        uidFor: () => '2.25.1',
      });
      for (const pic of pres.pictures) {
        pictures++;
        const p = png(pic.png);
        // the key: white words on the black strip at the bottom
        const key = readText(p, { rect: [0, p.height - 16, p.width, p.height] });
        expect(key.replace(/\?/g, '').trim().length, `${def.id} ${pic.file}`).toBeGreaterThan(3);
        // the letter at the left edge (of the first tile of a mosaic), read in 12-pixel windows
        const left = new Set<string>();
        for (let y = 0; y + 12 <= p.height; y += 4) left.add(readText(p, { rect: [0, y, 14, y + 12] }));
        expect([...left], `${def.id} ${pic.file}`).toContain(pic.file === 'bone.png' ? 'A' : 'R');
      }
    }
    expect(pictures).toBeGreaterThanOrEqual(4);
  });
});

function tile(p: Picture, x0: number, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) out.set(p.data.subarray((y * p.width + x0) * 3, (y * p.width + x0 + w) * 3), y * w * 3);
  return out;
}
