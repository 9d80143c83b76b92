// What a picture needs to be read on its own: orientation letters at the edges, a slice label, and
// a colour key in a strip below the image (never over the anatomy).
import { assertArg } from '../../core/errors.js';
import { drawText, fillRect, type Rgb, type RgbImage, strokeCircle } from './draw.js';
import { GLYPH_HEIGHT, textWidth } from './font.js';
import type { SliceAxis } from './view.js';

/** One line of a colour key. */
export interface LegendEntry {
  /** What the colour means, e.g. 'right lung' (drawn in capitals: the 5x7 bitmap font has no lower case). */
  label: string;
  color: Rgb;
  /** Swatch: 'fill' a filled square (default; label fills), 'outline' a hollow square (contours), 'circle' (markers). */
  shape?: 'fill' | 'outline' | 'circle';
}

/** Where a piece of text was drawn (as drawn: in capitals): its top-left corner and the glyph scale. */
export interface DrawnText {
  text: string;
  x: number;
  y: number;
  scale: number;
}

/** The colour key drawn below the image: rows `top`..`top + height - 1`, one swatch and label per entry. */
export interface DrawnLegend {
  top: number;
  height: number;
  entries: { label: string; color: Rgb; swatch: { x: number; y: number; size: number }; text: DrawnText }[];
}

/**
 * Patient direction at the left, right, top and bottom edge of a view, in the radiological layout
 * `sliceView` uses (axial and coronal: patient right on the image left).
 */
export const EDGE_LETTERS: Readonly<Record<SliceAxis, { left: string; right: string; top: string; bottom: string }>> = {
  axial: { left: 'R', right: 'L', top: 'A', bottom: 'P' },
  coronal: { left: 'R', right: 'L', top: 'S', bottom: 'I' },
  sagittal: { left: 'A', right: 'P', top: 'S', bottom: 'I' },
};

const WHITE: Rgb = [255, 255, 255];
const BACKGROUND: Rgb = [0, 0, 0];

/** Glyph scale for a picture of this size (1 up to 599 px, then one more per 300 px). */
export function fontScale(img: { width: number; height: number }): number {
  return Math.max(1, Math.floor(Math.min(img.width, img.height) / 300));
}

/** Edge margin in pixels: 2% of the shorter side, at least 3. */
export function edgeMargin(img: { width: number; height: number }): number {
  return Math.max(3, Math.round(Math.min(img.width, img.height) * 0.02));
}

/** White text on a black plate (one glyph pixel of padding), readable over bone or contrast. */
function drawPlated(img: RgbImage, t: DrawnText): void {
  const p = t.scale;
  fillRect(img, t.x - p, t.y - p, t.x + textWidth(t.text, t.scale) + p, t.y + GLYPH_HEIGHT * t.scale + p, BACKGROUND);
  drawText(img, t.text, t.x, t.y, t.scale, WHITE);
}

/**
 * Draws the patient-direction letters at the middle of each edge. Skipped (returns []) on images
 * under 48 pixels a side, where they would cover most of the picture.
 */
export function drawOrientationLetters(img: RgbImage, axis: SliceAxis): DrawnText[] {
  if (img.width < 48 || img.height < 48) return [];
  const s = fontScale(img);
  const m = edgeMargin(img);
  const e = EDGE_LETTERS[axis];
  const h = GLYPH_HEIGHT * s;
  const at: DrawnText[] = [
    { text: e.left, x: m, y: Math.round((img.height - h) / 2), scale: s },
    { text: e.right, x: img.width - m - textWidth(e.right, s), y: Math.round((img.height - h) / 2), scale: s },
    { text: e.top, x: Math.round((img.width - textWidth(e.top, s)) / 2), y: m, scale: s },
    { text: e.bottom, x: Math.round((img.width - textWidth(e.bottom, s)) / 2), y: img.height - m - h, scale: s },
  ];
  for (const t of at) drawPlated(img, t);
  return at;
}

/**
 * Draws `text` at the top-left corner when it fits left of the top orientation letter; returns
 * where, or undefined when it did not fit.
 */
export function drawCornerLabel(img: RgbImage, label: string): DrawnText | undefined {
  const text = label.toUpperCase();
  const s = fontScale(img);
  const m = edgeMargin(img);
  const room = img.width / 2 - textWidth('M', s) - 2 * m;
  if (text.length === 0 || textWidth(text, s) > room || img.height < GLYPH_HEIGHT * s + 2 * m) return undefined;
  const at = { text, x: m, y: m, scale: s };
  drawPlated(img, at);
  return at;
}

/**
 * Returns `img` with a colour-key strip appended below it (entries flow left to right and wrap),
 * and where each entry was drawn. The pixels above the strip are unchanged.
 */
export function appendLegend<T extends RgbImage>(img: T, entries: readonly LegendEntry[]): T & { legend: DrawnLegend } {
  assertArg(Array.isArray(entries), 'legend must be an array of { label, color }.');
  for (const e of entries) {
    assertArg(
      e &&
        typeof e.label === 'string' &&
        Array.isArray(e.color) &&
        e.color.length === 3 &&
        e.color.every((c: number) => Number.isInteger(c) && c >= 0 && c <= 255),
      'legend entries need a label and an [r, g, b] colour of integers 0..255.',
    );
    assertArg(
      e.shape === undefined || e.shape === 'fill' || e.shape === 'outline' || e.shape === 'circle',
      "legend entry shape must be 'fill', 'outline' or 'circle'.",
    );
  }
  const s = fontScale(img);
  const pad = 3 * s;
  const size = GLYPH_HEIGHT * s + 2 * s; // swatch side
  const lineH = size + pad;
  const W = img.width;
  // Lay out first (labels longer than a line are cut), then draw into the taller image.
  const maxChars = Math.max(1, Math.floor((W - 2 * pad - size - 2 * s) / (6 * s)));
  const placed: { e: LegendEntry; label: string; x: number; row: number }[] = [];
  let x = pad;
  let row = 0;
  for (const e of entries) {
    const label = e.label.toUpperCase().slice(0, maxChars);
    const w = size + 2 * s + textWidth(label, s);
    if (x > pad && x + w > W - pad) {
      row++;
      x = pad;
    }
    placed.push({ e, label, x, row });
    x += w + 4 * pad;
  }
  const stripH = entries.length ? (row + 1) * lineH + pad : 0;
  const H = img.height + stripH;
  const data = new Uint8Array(W * H * 3);
  data.set(img.data);
  const out = { ...img, height: H, data } as T & { legend: DrawnLegend };
  fillRect(out, 0, img.height, W, H, BACKGROUND);
  const drawn: DrawnLegend['entries'] = [];
  for (const p of placed) {
    const y = img.height + pad + p.row * lineH;
    const shape = p.e.shape ?? 'fill';
    if (shape === 'fill') fillRect(out, p.x, y, p.x + size, y + size, p.e.color);
    else if (shape === 'outline') {
      const t = Math.max(1, s);
      fillRect(out, p.x, y, p.x + size, y + t, p.e.color);
      fillRect(out, p.x, y + size - t, p.x + size, y + size, p.e.color);
      fillRect(out, p.x, y, p.x + t, y + size, p.e.color);
      fillRect(out, p.x + size - t, y, p.x + size, y + size, p.e.color);
    } else strokeCircle(out, p.x + (size - 1) / 2, y + (size - 1) / 2, (size - 1) / 2 - 0.5, Math.max(1, s), p.e.color);
    const text: DrawnText = { text: p.label, x: p.x + size + 2 * s, y: y + s, scale: s };
    drawText(out, text.text, text.x, text.y, s, WHITE);
    drawn.push({ label: p.e.label, color: [...p.e.color] as Rgb, swatch: { x: p.x, y, size }, text });
  }
  out.legend = { top: img.height, height: stripH, entries: drawn };
  return out;
}
