import { encode } from 'fast-png';
import { assertArg, MedImgError } from '../../core/errors.js';
import type { Vec3, Volume } from '../../core/volume.js';
import { assertSameGrid, validateVolume } from '../../core/volume.js';
import { drawOutlinedText, fillRect, type Rgb, type RgbImage, strokeCircle } from './draw.js';
import { textWidth } from './font.js';
import {
  appendLegend,
  type DrawnLegend,
  type DrawnText,
  drawCornerLabel,
  drawOrientationLetters,
  fontScale,
  type LegendEntry,
} from './legend.js';
import { type SliceAxis, type SliceView, sampleTables, sliceView, worldToViewPixel } from './view.js';
import { resolveWindow, type WindowLevel, type WindowPreset } from './window.js';

/** A label mask drawn over the slice. */
export interface SliceOverlay {
  /** Labels 1..255 on the image's grid (0 = nothing). */
  mask: Volume<Uint8Array>;
  /** Colour of each label, `colors[label]`. Default {@link DEFAULT_LABEL_COLORS} (cycled). */
  colors?: Record<number, Rgb> | Rgb[];
  /** Opacity 0..1. Default 0.4 for 'fill', 1 for 'contour'. */
  alpha?: number;
  /** 'fill' (default) tints every labelled pixel; 'contour' draws each region's outline. */
  mode?: 'fill' | 'contour';
  /** Contour thickness in pixels. Default 1. */
  lineWidth?: number;
}

/** A detection marker: a circle where its sphere cuts the slice, with an optional label. */
export interface SliceMarker {
  /** LPS position in mm. */
  centerMm: Vec3 | number[];
  /** Sphere radius in mm; the marker shows on slices within this distance. Default 5. */
  radiusMm?: number;
  /** Default yellow [255, 255, 0]. */
  color?: Rgb;
  /** Short text drawn beside the circle (5x7 bitmap font). */
  label?: string;
}

/** Options of {@link renderSlicePng} and {@link renderSlice}. */
export interface RenderSliceOptions {
  /** Plane to show. Default 'axial'. */
  axis?: SliceAxis;
  /**
   * Slice index along the volume index axis nearest the plane normal (volume order, not display
   * order). Default the middle slice, floor((n - 1) / 2).
   */
  index?: number;
  /**
   * `{ center, width }`, a preset from {@link WINDOW_PRESETS} ('lung' C-600/W1500, 'mediastinum'
   * and 'soft-tissue' C40/W400, 'bone' C400/W1800, 'brain' C40/W80), or 'auto' (default): the
   * 1st–99th percentile of the whole volume.
   */
  window?: WindowLevel | WindowPreset | 'auto';
  /** Label overlay(s), drawn in order. */
  overlay?: SliceOverlay | SliceOverlay[];
  /** Detection markers. */
  markers?: SliceMarker[];
  /** Draw a scale bar (a round number of mm) at the bottom right. Default true. */
  scaleBar?: boolean;
  /** Largest output side in pixels; the slice is downsampled to fit. Default: no limit. */
  maxSize?: number;
  /** Image interpolation when resampling to square pixels. Default 'linear' (masks: nearest). */
  interpolation?: 'linear' | 'nearest';
  /**
   * Patient-direction letters at the middle of each edge (axial: R left, L right, A top, P
   * bottom; coronal R/L/S/I; sagittal A/P/S/I). Default true; not drawn under 48 pixels a side.
   */
  orientationLabels?: boolean;
  /**
   * Label at the top-left corner: true (default) for '<PLANE> n/N' with n the 1-based slice
   * number along the plane's index axis, a string for your own text (e.g. a vertebral level),
   * false for none. Left out when it does not fit beside the top letter.
   */
  sliceLabel?: boolean | string;
  /** A colour key drawn in a strip below the image (the picture grows by its height). Default none. */
  legend?: LegendEntry[];
}

/** A rendered slice: RGB pixels plus how they map to the volume. */
export interface RenderedSlice extends RgbImage {
  /** The image part: rows 0..view.height - 1; rows below belong to `legend`. */
  view: SliceView;
  window: WindowLevel;
  /** Orientation letters and the slice label, where they were drawn. */
  labels: DrawnText[];
  /** The colour key strip, when `legend` was given. */
  legend?: DrawnLegend;
  /** The scale bar drawn, if any: its length and pixel span (x0 inclusive, x1 exclusive, rows y0..y1). */
  scaleBar?: { lengthMm: number; x0: number; x1: number; y0: number; y1: number };
}

/** Distinct label colours (label 1 first, cycled for larger labels). */
export const DEFAULT_LABEL_COLORS: readonly Rgb[] = Object.freeze([
  [230, 25, 75],
  [60, 180, 75],
  [0, 130, 200],
  [255, 225, 25],
  [245, 130, 48],
  [145, 30, 180],
  [70, 240, 240],
  [240, 50, 230],
  [210, 245, 60],
  [250, 190, 212],
  [0, 128, 128],
  [220, 190, 255],
] as Rgb[]);

const MARKER_COLOR: Rgb = [255, 255, 0];
const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];

/**
 * Renders one slice to RGB pixels in radiological convention (see {@link SliceView}) with square
 * pixels: a 100×100 slice at 1×2 mm becomes 100×200 pixels, plus the colour-key strip below when
 * `legend` is given. Orientation letters and a slice label are drawn unless turned off. Pure
 * typed-array code (no canvas).
 *
 * @example
 * ```ts
 * import { renderSlicePng } from 'medimg';
 * const png = renderSlicePng(ct, {
 *   window: 'lung',
 *   overlay: { mask: labels, colors: { 1: [80, 160, 255], 2: [255, 170, 60] } },
 *   legend: [
 *     { label: 'right lung', color: [80, 160, 255] },
 *     { label: 'left lung', color: [255, 170, 60] },
 *   ],
 * });
 * ```
 *
 * @throws MedImgError INVALID_ARGUMENT for bad options, INVALID_VOLUME for a malformed volume,
 *   GRID_MISMATCH when an overlay mask is not on the image grid.
 */
export function renderSlice(volume: Volume, options: RenderSliceOptions = {}): RenderedSlice {
  validateVolume(volume);
  const view = sliceView(volume, options.axis ?? 'axial', options.index, options.maxSize);
  const win = resolveWindow(volume, options.window);
  const img = renderView(volume, view, win, options, {
    scaleBar: options.scaleBar ?? true,
    orientation: options.orientationLabels ?? true,
    corner: cornerText(options.sliceLabel, view, volume),
  });
  return options.legend === undefined ? img : appendLegend(img, options.legend);
}

function cornerText(label: boolean | string | undefined, view: SliceView, vol: Volume): string | undefined {
  assertArg(
    label === undefined || typeof label === 'boolean' || typeof label === 'string',
    'sliceLabel must be a boolean or a string.',
  );
  if (label === false) return undefined;
  if (typeof label === 'string') return label;
  return `${view.axis} ${view.index + 1}/${vol.dims[view.sliceAxis]}`;
}

/**
 * {@link renderSlice} encoded as an 8-bit RGB PNG.
 *
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises';
 * import { renderSlicePng } from 'medimg';
 * const png = renderSlicePng(ct, {
 *   window: 'lung',
 *   overlay: { mask, alpha: 0.4 },
 *   markers: [{ centerMm: [40, 205, -209], radiusMm: 10, label: 'N1' }],
 * });
 * await writeFile('slice.png', png);
 * ```
 */
export function renderSlicePng(volume: Volume, options: RenderSliceOptions = {}): Uint8Array {
  return encodePng(renderSlice(volume, options));
}

/**
 * Encodes an RGB image as an 8-bit RGB PNG (fast-png).
 *
 * @example
 * ```ts
 * import { encodePng, renderMosaic } from 'medimg';
 * const mosaic = renderMosaic(ct, { count: 9, window: 'mediastinum' });
 * const png = encodePng(mosaic); // any { width, height, data: RGB bytes } image
 * ```
 */
export function encodePng(img: RgbImage): Uint8Array {
  assertArg(
    img &&
      Number.isInteger(img.width) &&
      Number.isInteger(img.height) &&
      img.data?.length === img.width * img.height * 3,
    'encodePng expects { width, height, data } with 3 bytes per pixel.',
  );
  return encode({ width: img.width, height: img.height, data: img.data, channels: 3, depth: 8 });
}

/** Decorations drawn on one view: scale bar, orientation letters, corner text. */
interface Decorations {
  scaleBar: boolean;
  orientation: boolean;
  corner?: string;
}

function renderView(
  vol: Volume,
  view: SliceView,
  win: WindowLevel,
  options: RenderSliceOptions,
  deco: Decorations,
): RenderedSlice {
  const { width: W, height: H } = view;
  const out = new Uint8Array(W * H * 3);
  const { cols, rows, base } = sampleTables(vol, view);
  const src = vol.data;
  const lo = win.center - win.width / 2;
  const ww = win.width;
  const linear = (options.interpolation ?? 'linear') === 'linear';
  if (
    options.interpolation !== undefined &&
    options.interpolation !== 'linear' &&
    options.interpolation !== 'nearest'
  ) {
    throw new MedImgError('INVALID_ARGUMENT', "interpolation must be 'linear' or 'nearest'.");
  }
  let o = 0;
  for (let y = 0; y < H; y++) {
    const r0 = base + rows.lo[y]!;
    const r1 = base + rows.hi[y]!;
    const wy = rows.w[y]!;
    const rn = base + rows.nearest[y]!;
    for (let x = 0; x < W; x++) {
      let v: number;
      if (linear) {
        const c0 = cols.lo[x]!;
        const c1 = cols.hi[x]!;
        const wx = cols.w[x]!;
        const a = src[r0 + c0]! + (src[r0 + c1]! - src[r0 + c0]!) * wx;
        const b = src[r1 + c0]! + (src[r1 + c1]! - src[r1 + c0]!) * wx;
        v = a + (b - a) * wy;
      } else {
        v = src[rn + cols.nearest[x]!]!;
      }
      let g = ((v - lo) * 255) / ww; // (not * (255 / ww): keeps the centre at exactly 127.5)
      g = g > 0 ? (g < 255 ? Math.round(g) : 255) : 0; // NaN → 0
      out[o] = g;
      out[o + 1] = g;
      out[o + 2] = g;
      o += 3;
    }
  }
  const img: RenderedSlice = { width: W, height: H, data: out, view, window: { ...win }, labels: [] };
  const overlays =
    options.overlay === undefined ? [] : Array.isArray(options.overlay) ? options.overlay : [options.overlay];
  for (const ov of overlays) drawOverlay(img, vol, ov);
  if (options.markers !== undefined) {
    assertArg(Array.isArray(options.markers), 'markers must be an array.');
    for (const m of options.markers) drawMarker(img, vol, m);
  }
  if (deco.scaleBar) drawScaleBar(img);
  if (deco.orientation) img.labels.push(...drawOrientationLetters(img, view.axis));
  if (deco.corner !== undefined) {
    const at = drawCornerLabel(img, deco.corner);
    if (at) img.labels.push(at);
  }
  return img;
}

function labelColor(colors: SliceOverlay['colors'], label: number): Rgb {
  const c = colors ? (colors as Record<number, Rgb>)[label] : undefined;
  if (c) return c;
  return DEFAULT_LABEL_COLORS[(label - 1) % DEFAULT_LABEL_COLORS.length]!;
}

function drawOverlay(img: RenderedSlice, vol: Volume, ov: SliceOverlay): void {
  assertArg(ov && typeof ov === 'object' && ov.mask, 'overlay needs a mask volume.');
  validateVolume(ov.mask, 'overlay mask');
  if (!(ov.mask.data instanceof Uint8Array))
    throw new MedImgError('INVALID_ARGUMENT', 'overlay mask data must be a Uint8Array.');
  assertSameGrid(vol, ov.mask, 'overlay mask');
  const mode = ov.mode ?? 'fill';
  assertArg(mode === 'fill' || mode === 'contour', "overlay mode must be 'fill' or 'contour'.");
  const alpha = ov.alpha ?? (mode === 'fill' ? 0.4 : 1);
  assertArg(Number.isFinite(alpha) && alpha >= 0 && alpha <= 1, 'overlay alpha must be within 0..1.');
  const lw = ov.lineWidth ?? 1;
  assertArg(Number.isInteger(lw) && lw >= 1 && lw <= 32, 'overlay lineWidth must be an integer 1..32.');
  const { width: W, height: H } = img;
  const { cols, rows, base } = sampleTables(vol, img.view);
  const m = ov.mask.data;
  // Labels on the output grid (nearest neighbour, so labels are never blended).
  const labels = new Uint8Array(W * H);
  let any = false;
  for (let y = 0; y < H; y++) {
    const r = base + rows.nearest[y]!;
    for (let x = 0; x < W; x++) {
      const l = m[r + cols.nearest[x]!]!;
      labels[y * W + x] = l;
      if (l) any = true;
    }
  }
  if (!any) return;
  // Colour table once per label.
  const table = new Float32Array(256 * 3);
  for (let l = 1; l < 256; l++) {
    const c = labelColor(ov.colors, l);
    table[l * 3] = c[0] * alpha;
    table[l * 3 + 1] = c[1] * alpha;
    table[l * 3 + 2] = c[2] * alpha;
  }
  const keep = 1 - alpha;
  const d = img.data;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const l = labels[i]!;
      if (l === 0) continue;
      if (mode === 'contour' && !isEdge(labels, W, H, x, y, l, lw)) continue;
      const o = i * 3;
      d[o] = Math.round(d[o]! * keep + table[l * 3]!);
      d[o + 1] = Math.round(d[o + 1]! * keep + table[l * 3 + 1]!);
      d[o + 2] = Math.round(d[o + 2]! * keep + table[l * 3 + 2]!);
    }
  }
}

/**
 * True when a pixel of label `l` has a pixel of another label (or the image edge) within `lw`
 * pixels (4-neighbourhood for lw = 1, a (2lw+1)² square beyond), giving lines `lw` pixels thick.
 */
function isEdge(labels: Uint8Array, W: number, H: number, x: number, y: number, l: number, lw: number): boolean {
  if (lw === 1) {
    return (
      x === 0 ||
      y === 0 ||
      x === W - 1 ||
      y === H - 1 ||
      labels[y * W + x - 1] !== l ||
      labels[y * W + x + 1] !== l ||
      labels[(y - 1) * W + x] !== l ||
      labels[(y + 1) * W + x] !== l
    );
  }
  for (let dy = -lw; dy <= lw; dy++) {
    const yy = y + dy;
    if (yy < 0 || yy >= H) return true;
    for (let dx = -lw; dx <= lw; dx++) {
      const xx = x + dx;
      if (xx < 0 || xx >= W) return true;
      if (labels[yy * W + xx] !== l) return true;
    }
  }
  return false;
}

function strokeWidth(img: RgbImage): number {
  return Math.max(1, Math.round(Math.min(img.width, img.height) / 200));
}

function drawMarker(img: RenderedSlice, vol: Volume, m: SliceMarker): void {
  assertArg(
    m && Array.isArray(m.centerMm) && m.centerMm.length === 3 && m.centerMm.every(Number.isFinite),
    'marker centerMm must be three finite numbers (LPS mm).',
  );
  const r = m.radiusMm ?? 5;
  assertArg(Number.isFinite(r) && r > 0, 'marker radiusMm must be positive.');
  const p = worldToViewPixel(vol, img.view, m.centerMm);
  // The circle where the marker's sphere cuts the slice plane.
  if (Math.abs(p.offsetMm) > r) return;
  const rPx = Math.max(2, Math.sqrt(r * r - p.offsetMm * p.offsetMm) / img.view.pixelSizeMm);
  const color = m.color ?? MARKER_COLOR;
  strokeCircle(img, p.x, p.y, rPx, strokeWidth(img), color);
  if (m.label) {
    const s = fontScale(img);
    const text = String(m.label).slice(0, 24);
    const tw = textWidth(text, s);
    let tx = p.x + rPx * 0.75 + 2 * s;
    let ty = p.y - rPx * 0.75 - 8 * s;
    tx = Math.min(Math.max(s, tx), img.width - tw - s);
    ty = Math.min(Math.max(s, ty), img.height - 8 * s);
    drawOutlinedText(img, text, tx, ty, s, color);
  }
}

/** The largest 1, 2 or 5 × 10^k not above `x`. */
export function niceLength(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  for (const f of [5, 2, 1]) if (f * p <= x) return f * p;
  return p;
}

function drawScaleBar(img: RenderedSlice): void {
  const { width: W, height: H } = img;
  if (W < 16 || H < 16) return;
  const px = img.view.pixelSizeMm;
  const lengthMm = niceLength((W * px) / 4);
  const len = Math.round(lengthMm / px);
  if (len < 4) return;
  const t = Math.max(1, Math.round(Math.min(W, H) / 150));
  const margin = Math.max(3, Math.round(Math.min(W, H) * 0.03));
  const x1 = W - margin;
  const x0 = x1 - len;
  const y1 = H - margin;
  const y0 = y1 - t;
  const tick = 3 * t;
  // Dark outline first, then the white bar with end ticks pointing up.
  fillRect(img, x0 - 1, y0 - tick - 1, x0 + t + 1, y1 + 1, BLACK);
  fillRect(img, x1 - t - 1, y0 - tick - 1, x1 + 1, y1 + 1, BLACK);
  fillRect(img, x0 - 1, y0 - 1, x1 + 1, y1 + 1, BLACK);
  fillRect(img, x0, y0, x1, y1, WHITE);
  fillRect(img, x0, y0 - tick, x0 + t, y0, WHITE);
  fillRect(img, x1 - t, y0 - tick, x1, y0, WHITE);
  const s = fontScale(img);
  const text = `${lengthMm} mm`;
  const tw = textWidth(text, s);
  const ty = y0 - tick - 2 - 7 * s - s;
  if (tw + 2 * s <= W - margin && ty >= 0 && H >= 48) {
    drawOutlinedText(img, text, Math.max(s, x1 - tw), ty, s, WHITE);
  }
  img.scaleBar = { lengthMm, x0, x1, y0, y1 };
}

/** Options of {@link renderMosaicPng}: those of a slice (but `index`), and how to tile. */
export interface RenderMosaicOptions extends Omit<RenderSliceOptions, 'index' | 'sliceLabel'> {
  /** Number of evenly spaced slices. Default 9 (or every slice when fewer). Ignored with `indices`. */
  count?: number;
  /** Explicit slice indices (volume order along the plane's axis). */
  indices?: number[];
  /** Tiles per row. Default ceil(sqrt(tiles)). */
  columns?: number;
  /** Black gap between tiles in pixels. Default 2. */
  gap?: number;
  /**
   * Write each tile's slice number (1-based along the plane's index axis, as `sliceLabel` of a
   * single slice) at its top-left corner. Default true. Orientation letters go on the first tile.
   */
  sliceLabels?: boolean;
}

/** A rendered mosaic with the slice indices of its tiles (row by row). */
export interface RenderedMosaic extends RgbImage {
  /** Volume indices (0-based) of the tiles; their labels read index + 1. */
  indices: number[];
  /** The colour key strip below the tiles, when `legend` was given. */
  legend?: DrawnLegend;
  window: WindowLevel;
  tileWidth: number;
  tileHeight: number;
  columns: number;
}

/**
 * Renders several slices of one plane side by side (row by row, in the order given or increasing
 * index). Every tile uses the same window (resolved once for the volume); `maxSize` limits each
 * tile; the scale bar is drawn on the last tile.
 *
 * @example
 * ```ts
 * import { renderMosaic } from 'medimg';
 * const m = renderMosaic(ct, { axis: 'coronal', count: 12, columns: 4, overlay: { mask } });
 * console.log(m.indices, m.tileWidth, m.tileHeight);
 * ```
 */
export function renderMosaic(volume: Volume, options: RenderMosaicOptions = {}): RenderedMosaic {
  validateVolume(volume);
  const axis = options.axis ?? 'axial';
  const first = sliceView(volume, axis, undefined, options.maxSize);
  const n = volume.dims[first.sliceAxis];
  let indices: number[];
  if (options.indices !== undefined) {
    assertArg(Array.isArray(options.indices) && options.indices.length > 0, 'indices must be a non-empty array.');
    indices = [...options.indices];
  } else {
    const count = options.count ?? Math.min(9, n);
    assertArg(Number.isInteger(count) && count >= 1 && count <= 1024, 'count must be an integer 1..1024.');
    indices = Array.from({ length: count }, (_, i) => Math.min(n - 1, Math.floor(((i + 0.5) * n) / count)));
  }
  const columns = options.columns ?? Math.ceil(Math.sqrt(indices.length));
  assertArg(Number.isInteger(columns) && columns >= 1, 'columns must be a positive integer.');
  const gap = options.gap ?? 2;
  assertArg(Number.isInteger(gap) && gap >= 0 && gap <= 256, 'gap must be an integer 0..256.');
  const win = resolveWindow(volume, options.window);
  const rowsN = Math.ceil(indices.length / columns);
  const tw = first.width;
  const th = first.height;
  const W = columns * tw + (columns - 1) * gap;
  const H = rowsN * th + (rowsN - 1) * gap;
  if (W * H > 1 << 26)
    throw new MedImgError('INVALID_ARGUMENT', 'The mosaic would be too large; set maxSize or fewer tiles.');
  const out = new Uint8Array(W * H * 3);
  indices.forEach((index, t) => {
    const view = sliceView(volume, axis, index, options.maxSize);
    const tile = renderView(volume, view, win, options, {
      scaleBar: (options.scaleBar ?? true) && t === indices.length - 1,
      orientation: (options.orientationLabels ?? true) && t === 0,
    });
    if (options.sliceLabels ?? true) {
      const s = fontScale(tile);
      drawOutlinedText(tile, String(index + 1), 2 * s, 2 * s, s, WHITE);
    }
    const ox = (t % columns) * (tw + gap);
    const oy = Math.floor(t / columns) * (th + gap);
    for (let y = 0; y < th; y++) {
      out.set(tile.data.subarray(y * tw * 3, (y + 1) * tw * 3), ((oy + y) * W + ox) * 3);
    }
  });
  const mosaic: RenderedMosaic = {
    width: W,
    height: H,
    data: out,
    indices,
    window: win,
    tileWidth: tw,
    tileHeight: th,
    columns,
  };
  return options.legend === undefined ? mosaic : appendLegend(mosaic, options.legend);
}

/**
 * {@link renderMosaic} encoded as an 8-bit RGB PNG.
 *
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises';
 * import { renderMosaicPng } from 'medimg';
 * await writeFile('mosaic.png', renderMosaicPng(ct, { count: 16, window: 'lung', overlay: { mask, mode: 'contour' } }));
 * ```
 */
export function renderMosaicPng(volume: Volume, options: RenderMosaicOptions = {}): Uint8Array {
  return encodePng(renderMosaic(volume, options));
}
