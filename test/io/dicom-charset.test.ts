import { describe, expect, it } from 'vitest';
import { charsetDecoder } from '../../src/io/dicom/charset.js';
import { bytes, dataset, getItems, getString, seq, str, tag as T } from '../../src/io/dicom/ds-model.js';
import { parseDicom } from '../../src/io/dicom/ds-parse.js';
import { writePart10 } from '../../src/io/dicom/write.js';

const ESC = 0x1b;
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

/** Writes a Patient's Name of raw bytes under a Specific Character Set, parses it back. */
function nameUnder(charset: string | undefined, raw: number[]): string | undefined {
  const d = dataset([
    [T(0x0008, 0x0005), charset === undefined ? undefined : str('CS', charset)],
    [T(0x0010, 0x0010), bytes('PN', new Uint8Array(raw))],
  ]);
  return getString(parseDicom(writePart10(d)).dataset, T(0x0010, 0x0010));
}

describe('Specific Character Set decoding (PS3.5 annexes H-K examples)', () => {
  it('single-byte sets', () => {
    expect(nameUnder('ISO_IR 100', [...ascii('Buc^J'), 0xe9, ...ascii('r'), 0xf4, ...ascii('me')])).toBe('Buc^Jérôme');
    expect(nameUnder('ISO_IR 144', [0xbb, 0xee, 0xda, 0xd1, 0xd5, 0xe0])).toBe('Люкбер');
    expect(nameUnder('ISO_IR 126', [0xc4, 0xe9, 0xef, 0xed, 0xf5, 0xf3, 0xe9, 0xef, 0xf2])).toBe('Διονυσιος');
    expect(nameUnder('ISO_IR 138', [0xf9, 0xf8, 0xe5, 0xef])).toBe('שרון');
    // a C1 byte stays its code point (TextDecoder's 'latin1' would give windows-1252's euro sign)
    expect(nameUnder('ISO_IR 100', [0x80])).toBe('\u0080');
  });

  it('UTF-8, GB18030 and GBK', () => {
    expect(nameUnder('ISO_IR 192', [...new TextEncoder().encode('Wang^XiaoDong=王^小東')])).toBe(
      'Wang^XiaoDong=王^小東',
    );
    expect(nameUnder('GB18030', [...ascii('Wang^XiaoDong='), 0xcd, 0xf5, 0x5e, 0xd0, 0xa1, 0xb6, 0xab])).toBe(
      'Wang^XiaoDong=王^小东',
    );
    expect(nameUnder('GBK', [0xcd, 0xf5])).toBe('王');
  });

  it('ISO 2022 code extensions: Japanese (IR 87, IR 13) and Korean (IR 149)', () => {
    // H.3.1: Yamada^Tarou=山田^太郎
    const jis = [
      ...ascii('Yamada^Tarou='),
      ESC,
      0x24,
      0x42,
      0x3b,
      0x33,
      0x45,
      0x44,
      ESC,
      0x28,
      0x42,
      0x5e,
      ESC,
      0x24,
      0x42,
      0x42,
      0x40,
      0x4f,
      0x3a,
      ESC,
      0x28,
      0x42,
    ];
    expect(nameUnder('\\ISO 2022 IR 87', jis)).toBe('Yamada^Tarou=山田^太郎');
    // H.3.2: half-width katakana in G1 of ISO 2022 IR 13
    expect(nameUnder('ISO 2022 IR 13\\ISO 2022 IR 87', [0xd4, 0xcf, 0xc0, 0xde])).toBe('ﾔﾏﾀﾞ');
    // I.2: Hong^Gildong=洪^吉洞=홍^길동
    const ks = [
      ...ascii('Hong^Gildong='),
      ESC,
      0x24,
      0x29,
      0x43,
      0xfb,
      0xf3,
      0x5e,
      ESC,
      0x24,
      0x29,
      0x43,
      0xd1,
      0xce,
      0xd4,
      0xd7,
      0x3d,
      ESC,
      0x24,
      0x29,
      0x43,
      0xc8,
      0xab,
      0x5e,
      ESC,
      0x24,
      0x29,
      0x43,
      0xb1,
      0xe6,
      0xb5,
      0xbf,
    ];
    expect(nameUnder('\\ISO 2022 IR 149', ks)).toBe('Hong^Gildong=洪^吉洞=홍^길동');
  });

  it('no Specific Character Set: UTF-8 when valid, else Latin-1', () => {
    expect(nameUnder(undefined, [...new TextEncoder().encode('Müller')])).toBe('Müller');
    expect(nameUnder(undefined, [0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72])).toBe('Müller');
  });

  it('items inherit the character set of their data set; unknown terms are reported', () => {
    const d = dataset([
      [T(0x0008, 0x0005), str('CS', 'ISO_IR 144')],
      [T(0x0040, 0xa730), seq(dataset([[T(0x0040, 0xa160), bytes('UT', new Uint8Array([0xb6]))]]))],
    ]);
    const p = parseDicom(writePart10(d));
    expect(getString(getItems(p.dataset, T(0x0040, 0xa730))[0]!, T(0x0040, 0xa160))).toBe('Ж');
    expect(p.unknownCharsets).toBeUndefined();
    expect(charsetDecoder(['ISO_IR 999']).unknown).toEqual(['ISO_IR 999']);
    expect(charsetDecoder(['ISO_IR 999']).decode(new Uint8Array([0x41]))).toBe('A');
  });
});
