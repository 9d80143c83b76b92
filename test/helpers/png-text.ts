// Reads text back from a decoded picture: finds the ink of one colour inside a rectangle and
// matches each 5x7 cell (at a given scale) against the bitmap font, so tests check what a reader
// would read at that place, not that the picture equals itself.
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyph } from '../../src/io/png/font.js';

const CHARSET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZm.,-+:/%()#_';

export interface Picture {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Options of {@link readText}. */
export interface ReadTextOptions {
  /** The rectangle to search, [x0, y0, x1, y1) (default the whole picture). */
  rect?: [number, number, number, number];
  /** Ink colour (default white). */
  ink?: [number, number, number];
  /** Glyph scale (default 1). */
  scale?: number;
}

/**
 * The text drawn in `ink` inside `rect`, read cell by cell ('' when no ink). Lower-case letters
 * read as capitals except 'm' (the font has no others); unknown cells read as '?'.
 */
export function readText(img: Picture, o: ReadTextOptions = {}): string {
  const [rx0, ry0, rx1, ry1] = o.rect ?? [0, 0, img.width, img.height];
  const ink = o.ink ?? [255, 255, 255];
  const s = o.scale ?? 1;
  const isInk = (x: number, y: number): boolean => {
    if (x < rx0 || y < ry0 || x >= rx1 || y >= ry1 || x >= img.width || y >= img.height) return false;
    const p = (y * img.width + x) * 3;
    return img.data[p] === ink[0] && img.data[p + 1] === ink[1] && img.data[p + 2] === ink[2];
  };
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = -1;
  for (let y = ry0; y < ry1; y++)
    for (let x = rx0; x < rx1; x++)
      if (isInk(x, y)) {
        minX = Math.min(minX, x);
        minY = Math.min(minY, y);
        maxX = Math.max(maxX, x);
      }
  if (maxX < 0) return '';
  // the first ink pixel may sit in any row/column of its glyph: try every offset, keep the reading
  // that explains the most cells
  let best = '';
  let bestScore = -1;
  for (let dy = 0; dy < GLYPH_HEIGHT; dy++) {
    for (let dx = 0; dx < GLYPH_WIDTH; dx++) {
      const top = minY - dy * s;
      let x = minX - dx * s;
      let text = '';
      let known = 0;
      while (x <= maxX) {
        const ch = matchCell(isInk, x, top, s);
        text += ch ?? '?';
        if (ch !== undefined) known++;
        x += (GLYPH_WIDTH + 1) * s;
      }
      if (known > bestScore) {
        bestScore = known;
        best = text;
      }
    }
  }
  return best.trim();
}

function matchCell(isInk: (x: number, y: number) => boolean, x: number, y: number, s: number): string | undefined {
  for (const ch of CHARSET + ' ') {
    const g = glyph(ch);
    let ok = true;
    for (let r = 0; r < GLYPH_HEIGHT && ok; r++)
      for (let c = 0; c < GLYPH_WIDTH && ok; c++) {
        const on = ((g[r]! >> (GLYPH_WIDTH - 1 - c)) & 1) === 1;
        if (isInk(x + c * s, y + r * s) !== on) ok = false;
      }
    if (ok) return ch;
  }
  return undefined;
}
