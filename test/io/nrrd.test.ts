import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMedImgError, MedImgError } from '../../src/core/errors.js';
import { indexToWorld } from '../../src/core/geometry.js';
import { createVolume } from '../../src/core/volume.js';
import { setFileSystem } from '../../src/io/fs.js';
import { nodeFileSystem, nodeGzip } from '../../src/io/fs-node.js';
import { setGzipCodec } from '../../src/io/gzip.js';
import { readNrrd, readNrrdBytes, writeNrrd } from '../../src/io/nrrd.js';

setFileSystem(nodeFileSystem);

const enc = (s: string) => new TextEncoder().encode(s);
function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
/** An attached NRRD: header lines, a blank line, then the data bytes. */
function nrrd(lines: string[], data: Uint8Array): Uint8Array {
  return concat(enc(`${lines.join('\n')}\n\n`), data);
}
/** Bytes of `values` as `ctor` in the given byte order. */
function bytesOf(values: number[], kind: string, big = false): Uint8Array {
  const size = { i8: 1, u8: 1, i16: 2, u16: 2, i32: 4, u32: 4, f32: 4, f64: 8 }[kind]!;
  const buf = new Uint8Array(values.length * size);
  const dv = new DataView(buf.buffer);
  values.forEach((v, i) => {
    const o = i * size;
    if (kind === 'i8') dv.setInt8(o, v);
    else if (kind === 'u8') dv.setUint8(o, v);
    else if (kind === 'i16') dv.setInt16(o, v, !big);
    else if (kind === 'u16') dv.setUint16(o, v, !big);
    else if (kind === 'i32') dv.setInt32(o, v, !big);
    else if (kind === 'u32') dv.setUint32(o, v, !big);
    else if (kind === 'f32') dv.setFloat32(o, v, !big);
    else dv.setFloat64(o, v, !big);
  });
  return buf;
}

const DIMS = [4, 3, 2] as const;
const N = 24;
const ramp = (f: (i: number) => number) => Array.from({ length: N }, (_, i) => f(i));
const LPS_HEAD = [
  'NRRD0004',
  '# a comment',
  'dimension: 3',
  'space: left-posterior-superior',
  'sizes: 4 3 2',
  'space directions: (0.5,0,0) (0,0.75,0) (0,0,2.5)',
  'space origin: (-10,20.5,-30)',
  'kinds: domain domain domain',
];

async function expectCode(p: Promise<unknown> | (() => unknown), code: string): Promise<MedImgError> {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a MedImgError').toBeInstanceOf(MedImgError);
  expect((err as MedImgError).code).toBe(code);
  return err as MedImgError;
}

describe('readNrrd: types and encodings', () => {
  const cases: [string, string, number[], new (n: number) => ArrayLike<number>][] = [
    ['signed char', 'i8', ramp((i) => i - 12), Int8Array],
    ['uchar', 'u8', ramp((i) => i * 10), Uint8Array],
    ['unsigned char', 'u8', ramp((i) => 255 - i), Uint8Array],
    ['short', 'i16', ramp((i) => i * 1000 - 12000), Int16Array],
    ['unsigned short', 'u16', ramp((i) => i * 2700), Uint16Array],
    ['int', 'i32', ramp((i) => i * 100000 - 1e6), Int32Array],
    ['uint32', 'u32', ramp((i) => i * 150000000), Uint32Array],
    ['float', 'f32', ramp((i) => i * 0.25 - 3), Float32Array],
    ['double', 'f64', ramp((i) => Math.PI * i - 1e-9), Float64Array],
  ];
  for (const [typeName, kind, values, ctor] of cases) {
    for (const big of [false, true]) {
      it(`raw ${typeName} ${big ? 'big' : 'little'} endian`, async () => {
        const file = nrrd(
          [...LPS_HEAD, `type: ${typeName}`, `endian: ${big ? 'big' : 'little'}`, 'encoding: raw'],
          bytesOf(values, kind, big),
        );
        const vol = await readNrrd(file);
        expect(vol.data).toBeInstanceOf(ctor);
        expect(Array.from(vol.data)).toEqual(values);
        expect(vol.dims).toEqual([...DIMS]);
        expect(vol.spacing).toEqual([0.5, 0.75, 2.5]);
        expect(vol.origin).toEqual([-10, 20.5, -30]);
        expect(vol.direction).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
        expect(vol.meta?.source).toBe('nrrd');
      });
    }
  }

  it('gzip and gz encodings', async () => {
    const values = ramp((i) => i * 7 - 50);
    for (const encName of ['gzip', 'gz']) {
      const file = nrrd(
        [...LPS_HEAD, 'type: short', 'endian: little', `encoding: ${encName}`],
        gzipSync(bytesOf(values, 'i16')),
      );
      expect(Array.from((await readNrrd(file)).data)).toEqual(values);
    }
    // Extra decompressed bytes beyond the samples are ignored (compressed and stored blocks).
    for (const level of [0, 6] as const) {
      const extra = gzipSync(concat(bytesOf(values, 'i16'), new Uint8Array(9).fill(3)), { level });
      const file = nrrd([...LPS_HEAD, 'type: short', 'endian: little', 'encoding: gzip'], extra);
      expect(Array.from((await readNrrd(file)).data)).toEqual(values);
    }
  });

  it('ascii / text encoding (any whitespace, no endian needed)', async () => {
    const values = ramp((i) => i * 1.5 - 4);
    for (const encName of ['ascii', 'text', 'txt']) {
      const text = `${values.slice(0, 10).join(' ')}\n${values.slice(10).join('\t')}\n`;
      const vol = await readNrrd(nrrd([...LPS_HEAD, 'type: float', `encoding: ${encName}`], enc(text)));
      expect(vol.data).toBeInstanceOf(Float32Array);
      expect(Array.from(vol.data)).toEqual(values);
    }
  });

  it('hex encoding', async () => {
    const values = ramp((i) => i * 300 - 2000);
    const raw = bytesOf(values, 'i16', true);
    const hex = Array.from(raw, (b) => b.toString(16).padStart(2, '0')).join('');
    const text = `${hex.slice(0, 30)}\n${hex.slice(30).toUpperCase()}\n`;
    const vol = await readNrrd(nrrd([...LPS_HEAD, 'type: int16', 'endian: big', 'encoding: hex'], enc(text)));
    expect(Array.from(vol.data)).toEqual(values);
  });

  it('64-bit integers become float64 with a warning', async () => {
    const values = ramp((i) => i * 1e10 - 7);
    const buf = new BigInt64Array(values.map((v) => BigInt(v)));
    const vol = await readNrrd(
      nrrd([...LPS_HEAD, 'type: long long', 'endian: little', 'encoding: raw'], new Uint8Array(buf.buffer)),
    );
    expect(vol.data).toBeInstanceOf(Float64Array);
    expect(Array.from(vol.data)).toEqual(values);
    expect(vol.meta?.warnings?.some((w) => w.includes('64-bit'))).toBe(true);
  });

  it('accepts ArrayBuffer and Blob inputs, CRLF headers and NRRD0001–0005 magics', async () => {
    const values = ramp((i) => i);
    const body = bytesOf(values, 'u8');
    for (const magic of ['NRRD0001', 'NRRD0002', 'NRRD0003', 'NRRD0004', 'NRRD0005']) {
      const head = [magic, ...LPS_HEAD.slice(1), 'type: uchar', 'encoding: raw'].join('\r\n');
      const file = concat(enc(`${head}\r\n\r\n`), body);
      expect(Array.from((await readNrrd(file.buffer as ArrayBuffer)).data)).toEqual(values);
      expect(Array.from((await readNrrd(new Blob([file as Uint8Array<ArrayBuffer>]))).data)).toEqual(values);
    }
  });

  it('readNrrdBytes reads attached files synchronously', () => {
    const values = ramp((i) => i);
    const vol = readNrrdBytes(nrrd([...LPS_HEAD, 'type: uchar', 'encoding: raw'], bytesOf(values, 'u8')));
    expect(Array.from(vol.data)).toEqual(values);
  });
});

describe('readNrrd: geometry', () => {
  const values = ramp((i) => i);
  const body = bytesOf(values, 'u8');
  const common = ['NRRD0004', 'type: uchar', 'encoding: raw'];

  it('RAS space: directions and origin are converted to LPS', async () => {
    const vol = await readNrrd(
      nrrd(
        [
          ...common,
          'dimension: 3',
          'space: right-anterior-superior',
          'sizes: 4 3 2',
          'space directions: (-0.5,0,0) (0,-0.75,0) (0,0,2.5)',
          'space origin: (10,-20.5,-30)',
        ],
        body,
      ),
    );
    // RAS (-0.5,0,0) = LPS (+0.5,0,0): the same physical grid as the LPS header above.
    expect(vol.spacing).toEqual([0.5, 0.75, 2.5]);
    expect(vol.origin).toEqual([-10, 20.5, -30]);
    expect(vol.direction).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('RAS space with RAS-increasing axes: world positions match the file', async () => {
    const vol = await readNrrd(
      nrrd(
        [
          ...common,
          'dimension: 3',
          'space: RAS',
          'sizes: 4 3 2',
          'space directions: (0.5,0,0) (0,0.75,0) (0,0,2.5)',
          'space origin: (1,2,3)',
        ],
        body,
      ),
    );
    // RAS point of voxel (3,2,1) is (1+1.5, 2+1.5, 3+2.5); in LPS negate x and y.
    const p = indexToWorld(vol, [3, 2, 1]);
    expect(p[0]).toBeCloseTo(-2.5, 12);
    expect(p[1]).toBeCloseTo(-3.5, 12);
    expect(p[2]).toBeCloseTo(5.5, 12);
    expect(vol.direction).toEqual([-1, 0, 0, 0, -1, 0, 0, 0, 1]);
  });

  it('LAS, scanner-xyz and oblique directions', async () => {
    const c = Math.cos(0.3);
    const s = Math.sin(0.3);
    const las = await readNrrd(
      nrrd(
        [
          ...common,
          'dimension: 3',
          'space: left-anterior-superior',
          'sizes: 4 3 2',
          `space directions: (${2 * c},${2 * s},0) (${-s},${c},0) (0,0,3)`,
          'space origin: (1,2,3)',
        ],
        body,
      ),
    );
    expect(las.spacing[0]).toBeCloseTo(2, 12);
    expect(las.spacing[1]).toBeCloseTo(1, 12);
    expect(las.origin).toEqual([1, -2, 3]);
    const d = las.direction;
    expect(d[0]).toBeCloseTo(c, 12);
    expect(d[3]).toBeCloseTo(-s, 12); // y negated (anterior → posterior)
    expect(d[1]).toBeCloseTo(-s, 12);
    expect(d[4]).toBeCloseTo(-c, 12);
    const scanner = await readNrrd(
      nrrd(
        [
          ...common,
          'dimension: 3',
          'space: scanner-xyz',
          'sizes: 4 3 2',
          'space directions: (1,0,0) (0,1,0) (0,0,1)',
          'space origin: (1,2,3)',
        ],
        body,
      ),
    );
    expect(scanner.origin).toEqual([1, 2, 3]);
  });

  it('a leading non-spatial axis of size 1 is dropped; larger ones are refused', async () => {
    const vol = await readNrrd(
      nrrd(
        [
          ...common,
          'dimension: 4',
          'space: LPS',
          'sizes: 1 4 3 2',
          'space directions: none (0.5,0,0) (0,0.75,0) (0,0,2.5)',
          'kinds: vector domain domain domain',
          'space origin: (0,0,0)',
        ],
        body,
      ),
    );
    expect(vol.dims).toEqual([4, 3, 2]);
    expect(vol.spacing).toEqual([0.5, 0.75, 2.5]);
    expect(Array.from(vol.data)).toEqual(values);
    // Kinds alone (no space directions) also mark the vector axis.
    const byKinds = await readNrrd(
      nrrd([...common, 'dimension: 4', 'sizes: 1 4 3 2', 'kinds: vector domain domain domain'], body),
    );
    expect(byKinds.dims).toEqual([4, 3, 2]);
    const e = await expectCode(
      readNrrd(
        nrrd(
          [
            ...common,
            'dimension: 4',
            'space: LPS',
            'sizes: 3 4 3 2',
            'space directions: none (0.5,0,0) (0,0.75,0) (0,0,2.5)',
          ],
          concat(body, body, body),
        ),
      ),
      'NRRD_INVALID',
    );
    expect(e.message).toMatch(/multi-component/);
  });

  it('dimension 2 is one slice whose normal is the cross product', async () => {
    const vol = await readNrrd(
      nrrd(
        [
          ...common,
          'dimension: 2',
          'space: LPS',
          'sizes: 6 4',
          'space directions: (0,0.5,0) (0,0,-0.8)', // rows along P, columns toward I: a sagittal image
          'space origin: (5,6,7)',
        ],
        body,
      ),
    );
    expect(vol.dims).toEqual([6, 4, 1]);
    expect(vol.spacing).toEqual([0.5, 0.8, 1]);
    // columns: (0,1,0), (0,0,-1), cross = (-1,0,0)
    expect(vol.direction.map((x) => x + 0)).toEqual([0, 0, -1, 1, 0, 0, 0, -1, 0]);
  });

  it('spacings fallback without space information', async () => {
    const vol = await readNrrd(nrrd([...common, 'dimension: 3', 'sizes: 4 3 2', 'spacings: 0.7 nan 3'], body));
    expect(vol.spacing).toEqual([0.7, 1, 3]);
    expect(vol.origin).toEqual([0, 0, 0]);
    expect(vol.direction).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(vol.meta?.warnings?.some((w) => w.includes('no space information'))).toBe(true);
  });

  it('byte skip, byte skip -1 and line skip', async () => {
    const head = [...LPS_HEAD, 'type: uchar', 'encoding: raw'];
    const skip5 = await readNrrd(nrrd([...head, 'byte skip: 5'], concat(new Uint8Array(5).fill(99), body)));
    expect(Array.from(skip5.data)).toEqual(values);
    const fromEnd = await readNrrd(nrrd([...head, 'byte skip: -1'], concat(new Uint8Array(17).fill(99), body)));
    expect(Array.from(fromEnd.data)).toEqual(values);
    const lines = await readNrrd(nrrd([...head, 'line skip: 2'], concat(enc('junk line\nanother\n'), body)));
    expect(Array.from(lines.data)).toEqual(values);
    const gz = await readNrrd(
      nrrd([...LPS_HEAD, 'type: uchar', 'encoding: gzip', 'byte skip: 3'], gzipSync(concat(new Uint8Array(3), body))),
    );
    expect(Array.from(gz.data)).toEqual(values);
  });

  it('key/value pairs and content are kept in meta.nrrd', async () => {
    const vol = await readNrrd(
      nrrd([...LPS_HEAD, 'type: uchar', 'encoding: raw', 'content: test', 'Segment0_Name:=Liver'], body),
    );
    const m = vol.meta?.nrrd as Record<string, unknown>;
    expect(m.content).toBe('test');
    expect(m.keyValues).toEqual({ Segment0_Name: 'Liver' });
    expect(m.space).toBe('left-posterior-superior');
  });
});

describe('readNrrd: detached headers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medimg-nrrd-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const values = ramp((i) => i * 3 - 20);
  const raw = bytesOf(values, 'i16');
  const head = [...LPS_HEAD, 'type: short', 'endian: little'];

  it('one data file next to the header (path input)', async () => {
    writeFileSync(join(dir, 'a.raw'), raw);
    writeFileSync(join(dir, 'a.nhdr'), `${[...head, 'encoding: raw', 'data file: a.raw'].join('\n')}\n`);
    const vol = await readNrrd(join(dir, 'a.nhdr'));
    expect(Array.from(vol.data)).toEqual(values);
    expect(vol.origin).toEqual([-10, 20.5, -30]);
    writeFileSync(join(dir, 'b.raw.gz'), gzipSync(raw));
    writeFileSync(join(dir, 'b.nhdr'), `${[...head, 'encoding: gzip', 'datafile: b.raw.gz'].join('\n')}\n`);
    expect(Array.from((await readNrrd(join(dir, 'b.nhdr'))).data)).toEqual(values);
  });

  it('LIST and %d patterns: one file per slice', async () => {
    writeFileSync(join(dir, 's0.raw'), raw.subarray(0, 24));
    writeFileSync(join(dir, 's1.raw'), raw.subarray(24));
    writeFileSync(
      join(dir, 'list.nhdr'),
      `${[...head, 'encoding: raw', 'data file: LIST', 's0.raw', 's1.raw'].join('\n')}\n`,
    );
    expect(Array.from((await readNrrd(join(dir, 'list.nhdr'))).data)).toEqual(values);
    writeFileSync(join(dir, 'slice_003.raw'), raw.subarray(0, 24));
    writeFileSync(join(dir, 'slice_005.raw'), raw.subarray(24));
    writeFileSync(
      join(dir, 'fmt.nhdr'),
      `${[...head, 'encoding: raw', 'data file: slice_%03d.raw 3 5 2 2'].join('\n')}\n`,
    );
    expect(Array.from((await readNrrd(join(dir, 'fmt.nhdr'))).data)).toEqual(values);
  });

  it('bytes input: data files come from options.dataFiles, else a clear error', async () => {
    const header = enc(`${[...head, 'encoding: raw', 'data file: a.raw'].join('\n')}\n`);
    const vol = await readNrrd(header, { dataFiles: { 'a.raw': new Blob([raw as Uint8Array<ArrayBuffer>]) } });
    expect(Array.from(vol.data)).toEqual(values);
    await expectCode(readNrrd(header), 'INVALID_ARGUMENT');
    await expectCode(() => readNrrdBytes(header), 'INVALID_ARGUMENT');
  });

  it('a missing data file is IO_READ_FAILED', async () => {
    writeFileSync(join(dir, 'm.nhdr'), `${[...head, 'encoding: raw', 'data file: missing.raw'].join('\n')}\n`);
    await expectCode(readNrrd(join(dir, 'm.nhdr')), 'IO_READ_FAILED');
  });
});

describe('writeNrrd round trip', () => {
  const dirs = [
    [1, 0, 0, 0, 1, 0, 0, 0, 1],
    [-1, 0, 0, 0, -1, 0, 0, 0, 1],
    // oblique, orthonormal
    (() => {
      const c = Math.cos(0.4);
      const s = Math.sin(0.4);
      return [c, 0, s, 0, 1, 0, -s, 0, c];
    })(),
  ];
  const ctors = [Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array];
  for (const encoding of ['raw', 'gzip'] as const) {
    it(`${encoding}: every voxel type and geometry survive`, async () => {
      for (const [di, direction] of dirs.entries()) {
        for (const ctor of ctors) {
          const data = new ctor(5 * 4 * 3);
          for (let i = 0; i < data.length; i++)
            data[i] = ((i * 37) % 120) - (ctor.name.startsWith('Uint') ? 0 : 50) + 0.5 * (di % 2);
          const vol = createVolume([5, 4, 3], data, {
            spacing: [0.7, 1.3, 2.9],
            origin: [-123.456789, 0.1, 77.7],
            direction,
          });
          const back = await readNrrd(writeNrrd(vol, { encoding }));
          expect(back.data).toBeInstanceOf(ctor);
          expect(back.data).toEqual(vol.data);
          expect(back.dims).toEqual(vol.dims);
          expect(back.origin).toEqual(vol.origin);
          for (let i = 0; i < 3; i++) expect(back.spacing[i]).toBeCloseTo(vol.spacing[i]!, 12);
          for (let i = 0; i < 9; i++) expect(back.direction[i]).toBeCloseTo(direction[i]!, 12);
        }
      }
    });
  }
});

describe('readNrrd: malformed input is NRRD_INVALID', () => {
  const values = ramp((i) => i);
  const good = [...LPS_HEAD, 'type: short', 'endian: little', 'encoding: raw'];
  const body = bytesOf(values, 'i16');
  const without = (key: string) => good.filter((l) => !l.startsWith(key));
  const bad: [string, Uint8Array][] = [
    ['not NRRD', enc('hello world, this is not a NRRD file')],
    ['empty', new Uint8Array(0)],
    ['bad magic', nrrd(['NRRD0009', ...good.slice(1)], body)],
    ['no type', nrrd(without('type'), body)],
    ['no dimension', nrrd(without('dimension'), body)],
    ['no sizes', nrrd(without('sizes'), body)],
    ['no encoding', nrrd(without('encoding'), body)],
    ['no endian for shorts', nrrd(without('endian'), body)],
    ['unknown type', nrrd([...without('type'), 'type: quaternion'], body)],
    ['unknown encoding', nrrd([...without('encoding'), 'encoding: lzma'], body)],
    ['bzip2', nrrd([...without('encoding'), 'encoding: bzip2'], body)],
    ['bad endian', nrrd([...without('endian'), 'endian: middle'], body)],
    ['sizes count', nrrd([...without('sizes'), 'sizes: 4 3'], body)],
    ['negative size', nrrd([...without('sizes'), 'sizes: 4 -3 2'], body)],
    ['huge sizes', nrrd([...without('sizes'), 'sizes: 100000 100000 100000'], body)],
    ['truncated raw', nrrd(good, body.subarray(0, 40))],
    ['truncated gzip', nrrd([...without('encoding'), 'encoding: gzip'], gzipSync(body).subarray(0, 20))],
    ['corrupt gzip', nrrd([...without('encoding'), 'encoding: gzip'], new Uint8Array(60).fill(7))],
    ['short gzip', nrrd([...without('encoding'), 'encoding: gzip'], gzipSync(body.subarray(0, 30)))],
    ['truncated ascii', nrrd([...without('encoding'), 'encoding: ascii'], enc('1 2 3'))],
    ['garbage ascii', nrrd([...without('encoding'), 'encoding: ascii'], enc('1 2 x3 4'))],
    ['bad hex', nrrd([...without('encoding'), 'encoding: hex'], enc('zz'))],
    ['zero direction', nrrd([...without('space directions'), 'space directions: (0,0,0) (0,1,0) (0,0,1)'], body)],
    ['direction length', nrrd([...without('space directions'), 'space directions: (1,0) (0,1) (0,0)'], body)],
    ['direction count', nrrd([...without('space directions'), 'space directions: (1,0,0) (0,1,0)'], body)],
    ['directions no space', nrrd(without('space:'), body)],
    ['bad vector', nrrd([...without('space origin'), 'space origin: 1,2,3'], body)],
    ['bad number', nrrd([...without('space origin'), 'space origin: (1,abc,3)'], body)],
    ['unknown space', nrrd([...without('space:'), 'space: up-down-strange'], body)],
    [
      'collinear 2D',
      nrrd(
        [
          ...good.filter((l) => !/^(sizes|space dir|dimension)/.test(l)),
          'dimension: 2',
          'sizes: 6 4',
          'space directions: (1,0,0) (2,0,0)',
        ],
        body,
      ),
    ],
    [
      '1D',
      nrrd([...good.filter((l) => !/^(sizes|space dir|dimension|kinds)/.test(l)), 'dimension: 1', 'sizes: 24'], body),
    ],
    ['bad line', nrrd([...good, 'this line has no colon'], body)],
    ['byte skip -1 gzip', nrrd([...without('encoding'), 'encoding: gzip', 'byte skip: -1'], gzipSync(body))],
    ['line skip past end', nrrd([...good, 'line skip: 5'], enc('a\nb\n'))],
    ['no header end', concat(enc('NRRD0004\ntype: short\n'), new Uint8Array(2 << 20).fill(65))],
  ];
  for (const [name, bytes] of bad) {
    it(name, async () => {
      await expectCode(readNrrd(bytes), 'NRRD_INVALID');
    });
  }

  it('random mutations of valid files throw only MedImgError (2,000 cases)', async () => {
    const gzFile = nrrd([...without('encoding'), 'encoding: gzip'], gzipSync(body));
    const seeds = [nrrd(good, body), gzFile, nrrd([...without('encoding'), 'encoding: ascii'], enc(values.join(' ')))];
    let state = 12345;
    const rand = (n: number) => {
      state = (state * 1103515245 + 12345) >>> 0;
      return state % n;
    };
    let ok = 0;
    for (let t = 0; t < 2000; t++) {
      const src = seeds[t % seeds.length]!;
      let b = src.slice();
      const op = rand(3);
      if (op === 0) for (let k = 0; k <= rand(4); k++) b[rand(b.length)] = rand(256);
      else if (op === 1) b = b.subarray(0, rand(b.length));
      else {
        // Mutate a digit in the header (sizes, directions, skips).
        const i = rand(Math.min(b.length, 300));
        b[i] = 48 + rand(10);
      }
      try {
        const vol = await readNrrd(b);
        expect(vol.data.length).toBe(vol.dims[0] * vol.dims[1] * vol.dims[2]);
        ok++;
      } catch (e) {
        if (!isMedImgError(e)) throw e;
      }
    }
    expect(ok).toBeGreaterThan(0);
  });
});

describe('readNrrd/writeNrrd gzip with the node:zlib codec the Node entry installs', () => {
  beforeAll(() => setGzipCodec(nodeGzip));
  afterAll(() => setGzipCodec(undefined));
  const values = ramp((i) => i * 7 - 50);
  const body = bytesOf(values, 'i16');
  const head = [...LPS_HEAD, 'type: short', 'endian: little', 'encoding: gzip'];

  it('reads fflate-written gzip, with byte skip, and round-trips', async () => {
    expect(Array.from((await readNrrd(nrrd(head, gzipSync(body)))).data)).toEqual(values);
    const skipped = nrrd([...head, 'byte skip: 4'], gzipSync(concat(new Uint8Array(4), body)));
    expect(Array.from((await readNrrd(skipped)).data)).toEqual(values);
    const vol = await readNrrd(nrrd(head, gzipSync(body)));
    // The voxels own exactly their buffer (decoded in place, no view into a larger block).
    expect(vol.data.byteOffset).toBe(0);
    expect(vol.data.buffer.byteLength).toBe(vol.data.byteLength);
    const back = await readNrrd(writeNrrd(vol));
    expect(back.data).toEqual(vol.data);
    // Extra decompressed bytes beyond the samples are ignored, as teem does.
    expect(Array.from((await readNrrd(nrrd(head, gzipSync(concat(body, new Uint8Array(9)))))).data)).toEqual(values);
  });

  it('truncated, corrupt and short gzip data are NRRD_INVALID', async () => {
    await expectCode(readNrrd(nrrd(head, gzipSync(body).subarray(0, 20))), 'NRRD_INVALID');
    await expectCode(readNrrd(nrrd(head, new Uint8Array(60).fill(7))), 'NRRD_INVALID');
    await expectCode(readNrrd(nrrd(head, gzipSync(body.subarray(0, 30)))), 'NRRD_INVALID');
  });
});
