/**
 * Test-only: builds a source-series Volume (+ the meta a SEG/SR needs) from single-frame DICOM
 * files with dicom-parser directly, sorted along the slice normal. Stands in for readDicomSeries
 * until that lands; replace with it then.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import dicomParser from 'dicom-parser';
import type { Vec3, Volume } from '../../src/core/volume.js';

export function readSourceSeries(dir: string, files?: string[]): Volume<Int16Array> {
  const names =
    files ??
    readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && (!e.name.includes('.') || e.name.endsWith('.dcm')))
      .map((e) => e.name);
  const slices = names.map((n) => {
    const bytes = new Uint8Array(readFileSync(join(dir, n)));
    const ds = dicomParser.parseDicom(bytes);
    const ipp = (ds.string('x00200032') ?? '').split('\\').map(Number);
    const iop = (ds.string('x00200037') ?? '').split('\\').map(Number);
    return { ds, bytes, ipp, iop };
  });
  const iop = slices[0]!.iop;
  const row: Vec3 = [iop[0]!, iop[1]!, iop[2]!];
  const col: Vec3 = [iop[3]!, iop[4]!, iop[5]!];
  const normal: Vec3 = [
    row[1] * col[2] - row[2] * col[1],
    row[2] * col[0] - row[0] * col[2],
    row[0] * col[1] - row[1] * col[0],
  ];
  const proj = (p: number[]) => p[0]! * normal[0] + p[1]! * normal[1] + p[2]! * normal[2];
  slices.sort((a, b) => proj(a.ipp) - proj(b.ipp));
  const first = slices[0]!.ds;
  const rows = first.uint16('x00280010')!;
  const cols = first.uint16('x00280011')!;
  const ps = (first.string('x00280030') ?? '1\\1').split('\\').map(Number);
  const dz = slices.length > 1 ? proj(slices[1]!.ipp) - proj(slices[0]!.ipp) : Number(first.string('x00180050') ?? 1);
  const data = new Int16Array(rows * cols * slices.length);
  slices.forEach((s, k) => {
    const el = s.ds.elements.x7fe00010!;
    const slope = Number(s.ds.string('x00281053') ?? 1);
    const inter = Number(s.ds.string('x00281052') ?? 0);
    const signed = s.ds.uint16('x00280103') === 1;
    const dv = new DataView(s.bytes.buffer, s.bytes.byteOffset + el.dataOffset, rows * cols * 2);
    for (let i = 0; i < rows * cols; i++) {
      const raw = signed ? dv.getInt16(i * 2, true) : dv.getUint16(i * 2, true);
      data[k * rows * cols + i] = raw * slope + inter;
    }
  });
  return {
    data,
    dims: [cols, rows, slices.length],
    spacing: [ps[1]!, ps[0]!, dz],
    origin: slices[0]!.ipp as Vec3,
    direction: [row[0], col[0], normal[0], row[1], col[1], normal[1], row[2], col[2], normal[2]],
    meta: {
      modality: first.string('x00080060'),
      studyInstanceUid: first.string('x0020000d'),
      seriesInstanceUid: first.string('x0020000e'),
      frameOfReferenceUid: first.string('x00200052'),
      sopClassUid: first.string('x00080016'),
      sopInstanceUids: slices.map((s) => s.ds.string('x00080018')!),
      patientName: first.string('x00100010') ?? '',
      patientId: first.string('x00100020') ?? '',
      studyDate: first.string('x00080020') ?? '',
      studyTime: first.string('x00080030') ?? '',
      accessionNumber: first.string('x00080050') ?? '',
      studyId: first.string('x00200010') ?? '',
      patientSex: first.string('x00100040') ?? '',
    },
  };
}

/** Minimal NRRD reader for the reference masks (raw or gzip, int16/uint8/short). */
export function readNrrdLabels(path: string): { dims: Vec3; data: Int32Array; origin: number[]; spacing: number[] } {
  const buf = readFileSync(path);
  const sep = buf.indexOf('\n\n');
  const header = buf.subarray(0, sep).toString('latin1');
  const body = buf.subarray(sep + 2);
  const field = (k: string) => header.match(new RegExp(`^${k}:\\s*(.*)$`, 'm'))?.[1]?.trim() ?? '';
  const sizes = field('sizes').split(/\s+/).map(Number) as Vec3;
  const enc = field('encoding');
  const type = field('type');
  const raw = enc.startsWith('gz') ? gunzipSync(body) : body;
  const n = sizes[0] * sizes[1] * sizes[2];
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Int32Array(n);
  const bpv = /short|int16/.test(type) ? 2 : /char|int8/.test(type) ? 1 : 4;
  for (let i = 0; i < n; i++) {
    out[i] = bpv === 2 ? dv.getInt16(i * 2, true) : bpv === 1 ? dv.getUint8(i) : dv.getInt32(i * 4, true);
  }
  const origin = field('space origin').replace(/[()]/g, '').split(',').map(Number);
  const dirs = [...field('space directions').matchAll(/\(([^)]*)\)/g)].map((m) => m[1]!.split(',').map(Number));
  const spacing = dirs.map((d) => Math.hypot(...d));
  return { dims: sizes, data: out, origin, spacing };
}
