import { readFileSync } from 'node:fs';
import dcmjs from 'dcmjs';
import { expect, it } from 'vitest';
import type { Volume } from '../../src/core/volume.js';
import { readDicomSeg } from '../../src/io/dicom/seg-read.js';
import { dataPath, describeData } from '../helpers/data.js';
import { dcmcrle, HAS_DCMCRLE } from './dcmcrle.js';
import { readNrrdLabels, readSourceSeries } from './source-series.js';

const SEG = (...p: string[]) => dataPath('seg', ...p);
const bytesOf = (p: string) => new Uint8Array(readFileSync(p));

interface RefFrame {
  frame: number;
  segment: number | null;
  source_file: string;
  nonzero_pixels: number;
}

function reference(): Record<string, { frames: RefFrame[]; segments: { number: number; label: string }[] }> {
  return JSON.parse(readFileSync(SEG('reference.json'), 'utf8'));
}

function countSlice(v: Volume, k: number): number {
  const n = v.dims[0] * v.dims[1];
  let c = 0;
  for (let i = k * n; i < (k + 1) * n; i++) if ((v.data[i] as number) > 0) c++;
  return c;
}

/** Voxel-for-voxel comparison of a mask with (nrrd == label); NRRD and our volumes are both x fastest, LPS. */
function expectEqualsNrrdLabel(mask: Volume, nrrd: { data: Int32Array }, label: number): void {
  expect(mask.data.length).toBe(nrrd.data.length);
  let mismatches = 0;
  let count = 0;
  for (let i = 0; i < nrrd.data.length; i++) {
    const want = nrrd.data[i] === label ? 1 : 0;
    if (want) count++;
    if (((mask.data[i] as number) > 0 ? 1 : 0) !== want) mismatches++;
  }
  expect(count).toBeGreaterThan(0);
  expect(mismatches).toBe(0);
}

// biome-ignore lint/suspicious/noExplicitAny: dcmjs ships no types
const dcm = dcmjs as any;

/** Frame f's stored values decoded independently by dcmjs (its parser and bit unpacking). */
function dcmjsFrames(bytes: Uint8Array): { values: Uint8Array; npix: number } {
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const n = dcm.data.DicomMetaDictionary.naturalizeDataset(dcm.data.DicomMessage.readFile(ab).dict);
  const raw = new Uint8Array([n.PixelData].flat()[0] as ArrayBuffer);
  // dcmjs unpacks set bits to 255; make BINARY values 0/1.
  const values =
    n.BitsAllocated === 1 ? Uint8Array.from(dcm.data.BitArray.unpack(raw) as Uint8Array, (v) => (v ? 1 : 0)) : raw;
  return { values, npix: (n.Rows as number) * (n.Columns as number) };
}

describeData('readDicomSeg on real SEG objects', () => {
  const ref = reference();
  const ctDir = dataPath('dicom', 'ct_abdomen_dcmqi_3slice');

  it('liver.dcm (dcmqi BINARY) decodes to liver_seg.nrrd voxel for voxel, on the source grid and on its own grid', () => {
    const source = readSourceSeries(ctDir, ['01.dcm', '02.dcm', '03.dcm']);
    const nrrd = readNrrdLabels(SEG('dcmqi_on_ct_abdomen_3slice', 'liver_seg.nrrd'));
    const seg = readDicomSeg(bytesOf(SEG('dcmqi_on_ct_abdomen_3slice', 'liver.dcm')), { reference: source });
    expect(seg.segmentationType).toBe('BINARY');
    expect(seg.segments.map((s) => s.label)).toEqual(['Liver']);
    expect(seg.segments[0]?.algorithmType).toBe('SEMIAUTOMATIC');
    expectEqualsNrrdLabel(seg.masks[0] as Volume, nrrd, 1);
    // Frames reference 03, 02, 01 (z ascending); our slice order is z ascending as well.
    const srcUids = source.meta?.sopInstanceUids as string[];
    expect(seg.referencedSopInstanceUids).toEqual(srcUids);
    expect(seg.referencedSeriesInstanceUid).toBe(source.meta?.seriesInstanceUid);
    const frames = ref['dcmqi_on_ct_abdomen_3slice/liver.dcm']!.frames;
    for (const f of frames)
      expect(countSlice(seg.masks[0] as Volume, seg.frames.find((x) => x.frame === f.frame)!.sliceIndex)).toBe(
        f.nonzero_pixels,
      );

    const own = readDicomSeg(bytesOf(SEG('dcmqi_on_ct_abdomen_3slice', 'liver.dcm')));
    expect(own.masks[0]?.dims).toEqual([512, 512, 3]);
    for (let a = 0; a < 3; a++) {
      expect(own.masks[0]?.origin[a]).toBeCloseTo(nrrd.origin[a] as number, 3);
      expect(own.masks[0]?.spacing[a]).toBeCloseTo(nrrd.spacing[a] as number, 5);
    }
    expectEqualsNrrdLabel(own.masks[0] as Volume, nrrd, 1);
  });

  it('partial_overlaps.dcm: 5 overlapping, sparse segments match partial_overlaps-1/2/3.nrrd', () => {
    const source = readSourceSeries(ctDir, ['01.dcm', '02.dcm', '03.dcm']);
    const seg = readDicomSeg(bytesOf(SEG('dcmqi_on_ct_abdomen_3slice', 'partial_overlaps.dcm')), { reference: source });
    expect(seg.segments.map((s) => s.label)).toEqual(['GREEN', 'ORANGE', 'PURPLE', 'LIGHT_BLUE', 'DARK_BLUE']);
    const n1 = readNrrdLabels(SEG('dcmqi_on_ct_abdomen_3slice', 'partial_overlaps-1.nrrd'));
    const n2 = readNrrdLabels(SEG('dcmqi_on_ct_abdomen_3slice', 'partial_overlaps-2.nrrd'));
    const n3 = readNrrdLabels(SEG('dcmqi_on_ct_abdomen_3slice', 'partial_overlaps-3.nrrd'));
    expectEqualsNrrdLabel(seg.masks[0] as Volume, n1, 1);
    expectEqualsNrrdLabel(seg.masks[1] as Volume, n2, 2);
    expectEqualsNrrdLabel(seg.masks[2] as Volume, n3, 3);
    expectEqualsNrrdLabel(seg.masks[3] as Volume, n1, 4);
    expectEqualsNrrdLabel(seg.masks[4] as Volume, n1, 5);
    const frames = ref['dcmqi_on_ct_abdomen_3slice/partial_overlaps.dcm']!.frames;
    const srcUids = source.meta?.sopInstanceUids as string[];
    const fileOfSlice = ['01.dcm', '02.dcm', '03.dcm'].map(
      (f) => readSourceSeries(ctDir, [f]).meta?.sopInstanceUids?.[0],
    );
    for (const f of frames) {
      const info = seg.frames.find((x) => x.frame === f.frame)!;
      expect(info.segmentNumber).toBe(f.segment);
      expect(countSlice(seg.masks[(f.segment as number) - 1] as Volume, info.sliceIndex)).toBe(f.nonzero_pixels);
      expect(info.sourceSopInstanceUids).toEqual([fileOfSlice[['01.dcm', '02.dcm', '03.dcm'].indexOf(f.source_file)]]);
      expect(srcUids[info.sliceIndex]).toBe(info.sourceSopInstanceUids[0]);
    }
  });

  it("output: 'labelmap' gives one label volume consistent with the per-segment masks", () => {
    const source = readSourceSeries(ctDir, ['01.dcm', '02.dcm', '03.dcm']);
    const bytes = bytesOf(SEG('dcmqi_on_ct_abdomen_3slice', 'partial_overlaps.dcm'));
    const masks = readDicomSeg(bytes, { reference: source });
    const lm = readDicomSeg(bytes, { reference: source, output: 'labelmap' });
    expect(lm.masks).toEqual([]);
    expect(lm.labelmap?.data).toBeInstanceOf(Uint8Array);
    let overlaps = 0;
    let mism = 0;
    for (let i = 0; i < lm.labelmap!.data.length; i++) {
      let want = 0;
      let covering = 0;
      for (let s = 0; s < 5; s++) {
        if (masks.masks[s]!.data[i]) {
          want = s + 1; // frames come in segment order, so the highest number wins
          covering++;
        }
      }
      if (covering > 1) overlaps += covering - 1;
      if (lm.labelmap!.data[i] !== want) mism++;
    }
    expect(mism).toBe(0);
    expect(overlaps).toBeGreaterThan(0);
    expect(lm.overlappingVoxels).toBe(overlaps);
  });

  for (const variant of ['noppv', 'ppv5']) {
    it(`sparse-labelmap-${variant}.dcm (LABELMAP, middle slice missing) matches its NRRD voxel for voxel`, () => {
      const seg = readDicomSeg(bytesOf(SEG('dcmqi_sparse_labelmap', `sparse-labelmap-${variant}.dcm`)));
      const nrrd = readNrrdLabels(SEG('dcmqi_sparse_labelmap', `sparse_labelmap_${variant}_seg.nrrd`));
      expect(seg.segmentationType).toBe('LABELMAP');
      expect(seg.labelmap?.dims).toEqual(nrrd.dims);
      for (let a = 0; a < 3; a++) {
        expect(seg.labelmap?.origin[a]).toBeCloseTo(nrrd.origin[a] as number, 3);
        expect(seg.labelmap?.spacing[a]).toBeCloseTo(nrrd.spacing[a] as number, 5);
      }
      let mism = 0;
      for (let i = 0; i < nrrd.data.length; i++) if (seg.labelmap?.data[i] !== nrrd.data[i]) mism++;
      expect(mism).toBe(0);
      expect(seg.background?.label).toBe('Background');
      expect(seg.segments.map((s) => [s.number, s.label])).toEqual([[1, 'Liver']]);
      expectEqualsNrrdLabel(seg.masks[0] as Volume, nrrd, 1);
      expect([0, 1, 2].map((k) => countSlice(seg.masks[0] as Volume, k))).toEqual([315, 0, 315]);
    });
  }

  it('sparse labelmap placed on its single-frame source series grid by plane position', () => {
    const src = readSourceSeries(
      dataPath('dicom', 'multiframe', 'legacy_converted_ct_dcmqi_24x38x3', 'source_single_frame'),
    );
    const seg = readDicomSeg(bytesOf(SEG('dcmqi_sparse_labelmap', 'sparse-labelmap-noppv.dcm')), { reference: src });
    expect([0, 1, 2].map((k) => countSlice(seg.masks[0] as Volume, k))).toEqual([315, 0, 315]);
  });

  const hd = 'highdicom_on_pydicom_CT2';
  for (const file of [
    'seg_image_ct_binary.dcm',
    'seg_image_ct_binary_fractional.dcm',
    'seg_image_ct_binary_overlap.dcm',
    'seg_image_ct_true_fractional.dcm',
  ]) {
    it(`${file} decodes with the per-frame counts and source images of reference.json`, () => {
      // 17106 lies 200 mm away from the regular 17136/17166/17196 run, so the grid is those three.
      const source = readSourceSeries(SEG(hd, 'source_ct'), ['17136', '17166', '17196']);
      const uidOf = Object.fromEntries(
        ['17106', '17136', '17166', '17196'].map((f) => [
          f,
          readSourceSeries(SEG(hd, 'source_ct'), [f]).meta?.sopInstanceUids?.[0],
        ]),
      );
      const seg = readDicomSeg(bytesOf(SEG(hd, file)), { reference: source, outsideGrid: 'skip' });
      const r = ref[`${hd}/${file}`]!;
      expect(seg.segments.map((s) => s.label)).toEqual(r.segments.map((s) => s.label));
      const outside = r.frames.filter((f) => f.source_file === '17106').map((f) => f.frame);
      expect(seg.skippedFrames).toEqual(outside);
      for (const f of r.frames) {
        if (outside.includes(f.frame)) continue;
        const info = seg.frames.find((x) => x.frame === f.frame)!;
        expect(info.sourceSopInstanceUids).toEqual([uidOf[f.source_file]]);
        expect((source.meta!.sopInstanceUids as string[])[info.sliceIndex]).toBe(uidOf[f.source_file]);
        expect(countSlice(seg.masks[(f.segment as number) - 1] as Volume, info.sliceIndex)).toBe(f.nonzero_pixels);
      }
      // Voxel for voxel against dcmjs's independent decoding of every placed frame.
      const { values, npix } = dcmjsFrames(bytesOf(SEG(hd, file)));
      const maxFrac = seg.maxFractionalValue ?? 1;
      for (const info of seg.frames) {
        const m = seg.masks[(info.segmentNumber as number) - 1]!.data;
        let mism = 0;
        for (let p = 0; p < npix; p++) {
          const want = (values[(info.frame - 1) * npix + p] as number) / maxFrac;
          if (Math.abs((m[info.sliceIndex * npix + p] as number) - want) > 1e-6) mism++;
        }
        expect(mism).toBe(0);
      }
    });
  }

  it('dcmqi PET seg.dcm (13 frames, next to the SR) decodes on its own grid', () => {
    const seg = readDicomSeg(new Uint8Array(readFileSync(dataPath('sr', 'dcmqi_tid1500_pet', 'seg.dcm'))));
    expect(seg.segments.map((s) => s.label)).toHaveLength(1);
    expect(seg.segments[0]?.type?.meaning).toBe('Neoplasm, Primary');
    expect(seg.frames).toHaveLength(13);
    expect(seg.masks[0]!.dims.slice(0, 2)).toEqual([128, 128]);
    const { values, npix } = dcmjsFrames(new Uint8Array(readFileSync(dataPath('sr', 'dcmqi_tid1500_pet', 'seg.dcm'))));
    for (const info of seg.frames) {
      let a = 0;
      let b = 0;
      for (let p = 0; p < npix; p++) {
        a += values[(info.frame - 1) * npix + p] as number;
        b += seg.masks[0]!.data[info.sliceIndex * npix + p] as number;
      }
      expect(b).toBe(a);
    }
  });

  it('binary-valued FRACTIONAL equals the BINARY SEG; true FRACTIONAL gives probabilities in [0, 1]', () => {
    const source = readSourceSeries(SEG(hd, 'source_ct'), ['17136', '17166', '17196']);
    const bin = readDicomSeg(bytesOf(SEG(hd, 'seg_image_ct_binary.dcm')), { reference: source });
    const frac = readDicomSeg(bytesOf(SEG(hd, 'seg_image_ct_binary_fractional.dcm')), { reference: source });
    expect(frac.segmentationType).toBe('FRACTIONAL');
    expect(Array.from(frac.masks[0]!.data)).toEqual(Array.from(bin.masks[0]!.data));
    const tf = readDicomSeg(bytesOf(SEG(hd, 'seg_image_ct_true_fractional.dcm')), { reference: source });
    expect(tf.masks[0]!.data).toBeInstanceOf(Float32Array);
    const vals = new Set(Array.from(tf.masks[0]!.data));
    expect(vals.size).toBeGreaterThan(2);
    for (const v of vals) expect(v >= 0 && v <= 1).toBe(true);
    const asBinary = readDicomSeg(bytesOf(SEG(hd, 'seg_image_ct_true_fractional.dcm')), {
      reference: source,
      fractional: 'binary',
    });
    expect(asBinary.masks[0]!.data).toBeInstanceOf(Uint8Array);
  });

  it('seg_image_ct_binary_single_frame.dcm lands on CT_small.dcm with 1832 pixels', () => {
    const source = readSourceSeries(dataPath('dicom', 'single_frame'), ['CT_small.dcm']);
    const seg = readDicomSeg(bytesOf(SEG(hd, 'seg_image_ct_binary_single_frame.dcm')), { reference: source });
    expect(countSlice(seg.masks[0] as Volume, 0)).toBe(1832);
    expect(seg.frames[0]?.sourceSopInstanceUids).toEqual(source.meta?.sopInstanceUids);
  });

  it('rejects non-SEG input with a MedImgError', () => {
    const ct = bytesOf(dataPath('dicom', 'ct_abdomen_dcmqi_3slice', '01.dcm'));
    expect(() => readDicomSeg(ct)).toThrow(expect.objectContaining({ name: 'MedImgError', code: 'SEG_INVALID' }));
    expect(() => readDicomSeg(new Uint8Array(10))).toThrow(expect.objectContaining({ name: 'MedImgError' }));
  });
});

describeData('readDicomSeg on RLE Lossless SEGs (compressed by DCMTK dcmcrle)', () => {
  const cases = [
    ['highdicom_on_pydicom_CT2', 'seg_image_ct_true_fractional.dcm'],
    ['highdicom_on_pydicom_CT2', 'seg_image_ct_binary_fractional.dcm'],
    ['dcmqi_sparse_labelmap', 'sparse-labelmap-ppv5.dcm'],
  ];
  for (const [dir, file] of cases) {
    it(`${file} compressed with RLE decodes exactly like the original`, (ctx) => {
      if (!HAS_DCMCRLE) {
        ctx.skip('dcmcrle (Debian package dcmtk) is not installed; RLE test skipped');
        return;
      }
      const orig = bytesOf(SEG(dir as string, file as string));
      const rle = dcmcrle(orig);
      expect(new TextDecoder('latin1').decode(rle.subarray(0, 400)).includes('1.2.840.10008.1.2.5')).toBe(true);
      const a = readDicomSeg(orig);
      const b = readDicomSeg(rle);
      expect(b.masks.length).toBe(a.masks.length);
      for (let s = 0; s < a.masks.length; s++)
        expect(Array.from(b.masks[s]!.data)).toEqual(Array.from(a.masks[s]!.data));
      if (a.labelmap) expect(Array.from(b.labelmap!.data)).toEqual(Array.from(a.labelmap.data));
    });
  }
});
