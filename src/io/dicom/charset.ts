/**
 * Text of DICOM string values under Specific Character Set (0008,0005), PS3.3 C.12.1.1.2 and
 * PS3.5 6.1. Decoding is the platform's TextDecoder (the WHATWG Encoding Standard, the same in Node
 * and browsers): no code tables of our own.
 */

/** Decodes the value bytes of one string element. */
export type TextDecodeFn = (bytes: Uint8Array) => string;

// Defined Terms for single-byte and multi-byte sets without code extensions, as TextDecoder labels.
// ISO_IR 100 is decoded by hand: TextDecoder maps 'latin1' to windows-1252, which differs in 0x80-0x9F.
const LABELS: Record<string, string> = {
  ISO_IR_101: 'iso-8859-2',
  ISO_IR_109: 'iso-8859-3',
  ISO_IR_110: 'iso-8859-4',
  ISO_IR_144: 'iso-8859-5',
  ISO_IR_127: 'iso-8859-6',
  ISO_IR_126: 'iso-8859-7',
  ISO_IR_138: 'iso-8859-8',
  ISO_IR_148: 'iso-8859-9',
  ISO_IR_203: 'iso-8859-15',
  // TIS 620-2533 is windows-874 without the 0x80-0x9F additions
  ISO_IR_166: 'windows-874',
  // JIS X 0201: its single bytes are Shift_JIS's (romaji below 0x80, half-width katakana 0xA1-0xDF)
  ISO_IR_13: 'shift_jis',
  ISO_IR_192: 'utf-8',
  GB18030: 'gb18030',
  GBK: 'gbk',
};

const decoders = new Map<string, TextDecoder>();
function decoder(label: string): TextDecoder {
  let d = decoders.get(label);
  if (!d) {
    d = new TextDecoder(label);
    decoders.set(label, d);
  }
  return d;
}

/** ISO 8859-1 (ISO_IR 100): each byte is its code point. */
export function decodeLatin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode.apply(null, b.subarray(i, i + 8192) as never);
  return s;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * No Specific Character Set: the default repertoire is ASCII, but writers often put UTF-8 or
 * Latin-1 there without saying so. Valid UTF-8 (ASCII included) reads as UTF-8, anything else as Latin-1.
 */
export function decodeDefault(b: Uint8Array): string {
  for (let i = 0; i < b.length; i++) if (b[i]! >= 0x80) return decodeUndeclared(b);
  return decodeLatin1(b);
}

function decodeUndeclared(b: Uint8Array): string {
  try {
    return strictUtf8.decode(b);
  } catch {
    return decodeLatin1(b);
  }
}

/** The decoder of one Defined Term without code extensions ('ISO_IR 100'), or undefined when unknown. */
function singleSet(term: string): TextDecodeFn | undefined {
  const key = term.replace(/[ _]+/g, '_');
  if (key === '' || key === 'ISO_IR_6') return decodeDefault;
  if (key === 'ISO_IR_100') return decodeLatin1;
  const label = LABELS[key];
  return label ? (b) => decoder(label).decode(b) : undefined;
}

// ISO 2022 escape sequences (PS3.3 table C.12-3/C.12-4) and the decoder of the bytes they announce.
// Multi-byte sets keep their escape so that iso-2022-jp decodes them; G1 sets of 8-bit bytes
// decode with the single-byte or EUC decoder of the same repertoire.
type Ext = { decode: TextDecodeFn; keepEscape?: boolean };
const ESCAPES: Record<string, Ext> = {
  '(B': { decode: decodeLatin1 }, // ISO 2022 IR 6 (ASCII) in G0
  '(J': { decode: decodeLatin1 }, // ISO 2022 IR 14 (JIS X 0201 romaji) in G0
  ')I': { decode: (b) => decoder('shift_jis').decode(b) }, // ISO 2022 IR 13 katakana in G1
  $B: { decode: (b) => decoder('iso-2022-jp').decode(b), keepEscape: true }, // ISO 2022 IR 87
  $$B: { decode: (b) => decoder('iso-2022-jp').decode(b), keepEscape: true },
  '$)C': { decode: (b) => decoder('euc-kr').decode(b) }, // ISO 2022 IR 149 (KS X 1001) in G1
  '$)A': { decode: (b) => decoder('gbk').decode(b) }, // ISO 2022 IR 58 (GB 2312) in G1
  '-A': { decode: decodeLatin1 }, // ISO 2022 IR 100
  '-B': { decode: (b) => decoder('iso-8859-2').decode(b) },
  '-C': { decode: (b) => decoder('iso-8859-3').decode(b) },
  '-D': { decode: (b) => decoder('iso-8859-4').decode(b) },
  '-L': { decode: (b) => decoder('iso-8859-5').decode(b) },
  '-G': { decode: (b) => decoder('iso-8859-6').decode(b) },
  '-F': { decode: (b) => decoder('iso-8859-7').decode(b) },
  '-H': { decode: (b) => decoder('iso-8859-8').decode(b) },
  '-M': { decode: (b) => decoder('iso-8859-9').decode(b) },
  '-T': { decode: (b) => decoder('windows-874').decode(b) },
};

function escapeAt(b: Uint8Array, p: number): { key: string; len: number } | undefined {
  // ESC then intermediate bytes (0x20-0x2F) then one final byte
  let q = p + 1;
  while (q < b.length && b[q]! >= 0x20 && b[q]! <= 0x2f) q++;
  if (q >= b.length || q === p + 1) return undefined;
  return { key: String.fromCharCode(...b.subarray(p + 1, q + 1)), len: q + 1 - p };
}

/**
 * Text with ISO 2022 code extensions: the bytes between escape sequences decode with the set the
 * last escape announced; the first value set applies before any escape. Delimiters resetting to the
 * first set (PS3.5 6.1.2.5.3) need no handling: every set here is ASCII in its G0 half.
 */
function withExtensions(first: TextDecodeFn): TextDecodeFn {
  return (b) => {
    if (b.indexOf(0x1b) < 0) return first(b);
    let out = '';
    let current: Ext = { decode: first };
    let start = 0;
    let p = b.indexOf(0x1b);
    while (p >= 0) {
      if (p > start) out += current.decode(b.subarray(start, p));
      const esc = escapeAt(b, p);
      const ext = esc ? ESCAPES[esc.key] : undefined;
      if (esc && ext) {
        current = ext;
        start = ext.keepEscape ? p : p + esc.len;
      } else {
        start = p + 1; // unknown escape: drop the ESC byte only
      }
      p = b.indexOf(0x1b, Math.max(start, p + 1));
    }
    if (start < b.length) out += current.decode(b.subarray(start));
    return out;
  };
}

/**
 * The decoder for a Specific Character Set value (its backslash-separated Defined Terms). Unknown
 * terms fall back to {@link decodeDefault} and are reported in `unknown` so the caller can warn.
 */
export function charsetDecoder(terms: readonly string[]): { decode: TextDecodeFn; unknown: string[] } {
  const unknown: string[] = [];
  const cleaned = terms.map((t) => t.trim().toUpperCase());
  const extended = cleaned.length > 1 || cleaned.some((t) => t.startsWith('ISO 2022'));
  const firstTerm = (cleaned[0] ?? '').replace(/^ISO 2022 /, 'ISO_');
  let first = singleSet(firstTerm);
  if (!first) {
    unknown.push(cleaned[0]!);
    first = decodeDefault;
  }
  for (const t of cleaned.slice(1)) {
    if (!/^ISO 2022 IR (6|13|87|100|101|109|110|126|127|138|144|148|149|159|166|58)$/.test(t)) unknown.push(t);
  }
  return { decode: extended ? withExtensions(first) : first, unknown };
}
