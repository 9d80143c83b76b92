import { GLYPH_HEIGHT, GLYPH_WIDTH, glyph } from './font.js';

/** An 8-bit RGB colour. */
export type Rgb = [number, number, number];

/** An RGB image, 3 bytes per pixel, rows top to bottom. */
export interface RgbImage {
  width: number;
  height: number;
  /** width * height * 3 bytes. */
  data: Uint8Array;
}

/** Sets one pixel (ignored outside the image). */
export function setPixel(img: RgbImage, x: number, y: number, c: Rgb): void {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
  const o = (y * img.width + x) * 3;
  img.data[o] = c[0];
  img.data[o + 1] = c[1];
  img.data[o + 2] = c[2];
}

/** Fills the rectangle [x0, x1) × [y0, y1), clipped. */
export function fillRect(img: RgbImage, x0: number, y0: number, x1: number, y1: number, c: Rgb): void {
  const xa = Math.max(0, Math.round(x0));
  const xb = Math.min(img.width, Math.round(x1));
  const ya = Math.max(0, Math.round(y0));
  const yb = Math.min(img.height, Math.round(y1));
  for (let y = ya; y < yb; y++) {
    for (let x = xa; x < xb; x++) {
      const o = (y * img.width + x) * 3;
      img.data[o] = c[0];
      img.data[o + 1] = c[1];
      img.data[o + 2] = c[2];
    }
  }
}

/**
 * Draws a circle outline centred at (cx, cy) (pixel-centre coordinates) of radius r: the pixels
 * whose centre lies within `lineWidth / 2` of the circle.
 */
export function strokeCircle(img: RgbImage, cx: number, cy: number, r: number, lineWidth: number, c: Rgb): void {
  const half = lineWidth / 2;
  const outer = r + half;
  const inner = Math.max(0, r - half);
  const x0 = Math.max(0, Math.floor(cx - outer));
  const x1 = Math.min(img.width - 1, Math.ceil(cx + outer));
  const y0 = Math.max(0, Math.floor(cy - outer));
  const y1 = Math.min(img.height - 1, Math.ceil(cy + outer));
  const o2 = outer * outer;
  const i2 = inner * inner;
  for (let y = y0; y <= y1; y++) {
    const dy = y - cy;
    for (let x = x0; x <= x1; x++) {
      const dx = x - cx;
      const d2 = dx * dx + dy * dy;
      if (d2 <= o2 && d2 >= i2) setPixel(img, x, y, c);
    }
  }
}

/** Draws `text` with its top-left corner at (x, y), glyphs scaled by the integer `scale`. */
export function drawText(img: RgbImage, text: string, x: number, y: number, scale: number, c: Rgb): void {
  let pen = Math.round(x);
  const top = Math.round(y);
  for (const ch of text) {
    const g = glyph(ch);
    for (let r = 0; r < GLYPH_HEIGHT; r++) {
      const bits = g[r]!;
      if (bits === 0) continue;
      for (let col = 0; col < GLYPH_WIDTH; col++) {
        if (!((bits >> (GLYPH_WIDTH - 1 - col)) & 1)) continue;
        fillRect(img, pen + col * scale, top + r * scale, pen + (col + 1) * scale, top + (r + 1) * scale, c);
      }
    }
    pen += (GLYPH_WIDTH + 1) * scale;
  }
}

/** Text with a one-pixel (scaled) dark outline so it reads on any background. */
export function drawOutlinedText(img: RgbImage, text: string, x: number, y: number, scale: number, c: Rgb): void {
  const shadow: Rgb = [0, 0, 0];
  for (const [dx, dy] of [
    [-1, 0],
    [1, 0],
    [0, -1],
    [0, 1],
  ] as const) {
    drawText(img, text, x + dx * scale, y + dy * scale, scale, shadow);
  }
  drawText(img, text, x, y, scale, c);
}
