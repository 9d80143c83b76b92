import dcmjs from 'dcmjs';
import { describe, expect, it } from 'vitest';
import type { Volume } from '../../src/core/volume.js';
import { readDicomSeg } from '../../src/io/dicom/seg-read.js';
import { SEG_SOP_CLASS_UID, writeDicomSeg } from '../../src/io/dicom/seg-write.js';
import { isValidUid } from '../../src/io/dicom/uid.js';
import { dataPath, describeData } from '../helpers/data.js';
import { dcmcrle, HAS_DCMCRLE } from './dcmcrle.js';
import { dciodvfy, HAS_DCIODVFY } from './dciodvfy.js';
import { readNrrdLabels, readSourceSeries } from './source-series.js';

// biome-ignore lint/suspicious/noExplicitAny: dcmjs ships no types
type Item = Record<string, any>;
const dcm = dcmjs as Item;

function naturalize(bytes: Uint8Array) {
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const dict = dcm.data.DicomMessage.readFile(ab);
  return dcm.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
}

const one = <T>(x: T | T[]): T => (Array.isArray(x) ? (x[0] as T) : x);

/** Rebuilds per-segment masks from a SEG with dcmjs only (its parser and its bit unpacking), placing frames by IPP. */
function decodeWithDcmjs(bytes: Uint8Array, source: Volume) {
  const n = naturalize(bytes);
  const rows = n.Rows as number;
  const cols = n.Columns as number;
  const npix = rows * cols;
  const nFrames = Number(n.NumberOfFrames);
  const raw = new Uint8Array(one(n.PixelData) as ArrayBuffer);
  const values = n.BitsAllocated === 1 ? (dcm.data.BitArray.unpack(raw) as Uint8Array) : raw;
  const masks = new Map<number, Uint8Array>();
  const refs: { segment: number; slice: number; uid: string }[] = [];
  const pf = n.PerFrameFunctionalGroupsSequence as Record<string, unknown>[];
  expect(pf.length).toBe(nFrames);
  for (let f = 0; f < nFrames; f++) {
    const item = pf[f] as Item;
    const segment = one(item.SegmentIdentificationSequence).ReferencedSegmentNumber as number;
    const ipp = (one(item.PlanePositionSequence).ImagePositionPatient as number[]).map(Number);
    const slice = Math.round((ipp[2]! - source.origin[2]) / source.spacing[2]);
    const uid = one(one(one(item.DerivationImageSequence).SourceImageSequence)).ReferencedSOPInstanceUID as string;
    refs.push({ segment, slice, uid });
    if (!masks.has(segment)) masks.set(segment, new Uint8Array(source.data.length));
    const m = masks.get(segment) as Uint8Array;
    for (let p = 0; p < npix; p++) {
      const v = values[f * npix + p] as number;
      if (v) m[slice * npix + p] = n.BitsAllocated === 1 ? 1 : v;
    }
  }
  return { n, masks, refs };
}

describeData('writeDicomSeg on the real 3-slice abdominal CT', () => {
  const src = readSourceSeries(dataPath('dicom', 'ct_abdomen_dcmqi_3slice'), ['01.dcm', '02.dcm', '03.dcm']);
  const nrrd = readNrrdLabels(dataPath('seg', 'dcmqi_on_ct_abdomen_3slice', 'liver_spine_seg.nrrd'));
  const labels: Volume<Uint8Array> = { ...src, data: Uint8Array.from(nrrd.data), meta: undefined };
  const segments = [
    { label: 'Liver', type: 'liver', algorithmName: 'test-algo' },
    { label: 'Spine', type: 'vertebra', algorithmType: 'SEMIAUTOMATIC' as const },
  ];
  const seg = writeDicomSeg(labels, src, segments, { contentDateTime: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) });
  const srcUids = src.meta?.sopInstanceUids as string[];

  it('round-trips through readDicomSeg: same masks, right references', () => {
    const back = readDicomSeg(seg, { reference: src });
    expect(back.segmentationType).toBe('BINARY');
    expect(back.segments.map((s) => [s.number, s.label, s.type?.value, s.category?.value])).toEqual([
      [1, 'Liver', '10200004', '123037004'],
      [2, 'Spine', '51282000', '123037004'],
    ]);
    expect(back.segments[0]?.algorithmName).toBe('test-algo');
    expect(back.segments[1]?.algorithmType).toBe('SEMIAUTOMATIC');
    for (let s = 0; s < 2; s++) {
      const m = back.masks[s]!.data;
      let mism = 0;
      for (let i = 0; i < m.length; i++) if ((m[i] === 1) !== (labels.data[i] === s + 1)) mism++;
      expect(mism).toBe(0);
    }
    expect(back.referencedSopInstanceUids).toEqual(srcUids);
    for (const f of back.frames) expect(f.sourceSopInstanceUids).toEqual([srcUids[f.sliceIndex]]);
    expect(back.studyInstanceUid).toBe(src.meta?.studyInstanceUid);
    expect(back.frameOfReferenceUid).toBe(src.meta?.frameOfReferenceUid);
    expect(back.referencedSeriesInstanceUid).toBe(src.meta?.seriesInstanceUid);
    // Its own grid (no reference) is the source grid.
    const own = readDicomSeg(seg);
    for (let a = 0; a < 3; a++) {
      expect(own.masks[0]!.origin[a]).toBeCloseTo(src.origin[a] as number, 4);
      expect(own.masks[0]!.spacing[a]).toBeCloseTo(src.spacing[a] as number, 6);
    }
  });

  it('decodes independently with dcmjs to the original mask and referenced SOP instances', () => {
    const { n, masks, refs } = decodeWithDcmjs(seg, src);
    expect(n.SOPClassUID).toBe(SEG_SOP_CLASS_UID);
    expect(n.Modality).toBe('SEG');
    expect(n.SegmentationType).toBe('BINARY');
    expect(n.StudyInstanceUID).toBe(src.meta?.studyInstanceUid);
    expect(n.FrameOfReferenceUID).toBe(src.meta?.frameOfReferenceUid);
    expect(n.ContentDate).toBe('20240102');
    expect(String(n.ContentTime).startsWith('030405')).toBe(true);
    expect(isValidUid(n.SOPInstanceUID) && n.SOPInstanceUID.startsWith('2.25.')).toBe(true);
    expect(isValidUid(n.SeriesInstanceUID)).toBe(true);
    const segSeq = n.SegmentSequence as Item[];
    expect(segSeq.map((s) => s.SegmentLabel)).toEqual(['Liver', 'Spine']);
    expect(one(segSeq[0]!.SegmentedPropertyTypeCodeSequence).CodingSchemeDesignator).toBe('SCT');
    expect(one(one(segSeq[0]!.SegmentationAlgorithmIdentificationSequence).AlgorithmFamilyCodeSequence).CodeValue).toBe(
      '123110',
    );
    const refSeries = one(n.ReferencedSeriesSequence);
    expect(refSeries.SeriesInstanceUID).toBe(src.meta?.seriesInstanceUid);
    expect(
      (refSeries.ReferencedInstanceSequence as { ReferencedSOPInstanceUID: string }[]).map(
        (r) => r.ReferencedSOPInstanceUID,
      ),
    ).toEqual(srcUids);
    // Every frame non-empty, referencing the slice at its position.
    expect(Number(n.NumberOfFrames)).toBe(6);
    for (const r of refs) expect(r.uid).toBe(srcUids[r.slice]);
    for (const s of [1, 2]) {
      const m = masks.get(s) as Uint8Array;
      let mism = 0;
      for (let i = 0; i < m.length; i++) if ((m[i] === 1) !== (labels.data[i] === s)) mism++;
      expect(mism).toBe(0);
    }
    const dimIdx = n.DimensionIndexSequence as Item[];
    expect(dimIdx.map((d) => d.DimensionDescriptionLabel)).toEqual(['Segment Number', 'Image Position Patient']);
  });

  it('passes dciodvfy (dicom3tools) without errors', (ctx) => {
    if (!HAS_DCIODVFY) {
      ctx.skip('dciodvfy (Debian package dicom3tools) is not installed; validation assertion skipped');
      return;
    }
    const { output, errors } = dciodvfy(seg, 'seg.dcm');
    console.log(`dciodvfy on written SEG:\n${output}`);
    expect(errors).toEqual([]);
  });

  it('writes only non-empty frames by default and all frames on request', () => {
    const sparse = new Uint8Array(labels.data.length);
    const npix = 512 * 512;
    for (let i = npix; i < 2 * npix; i++) sparse[i] = labels.data[i] === 1 ? 1 : 0; // liver on the middle slice only
    const m: Volume<Uint8Array> = { ...labels, data: sparse };
    const a = naturalize(writeDicomSeg(m, src, [{ label: 'Liver', type: 'liver' }]));
    expect(Number(a.NumberOfFrames)).toBe(1);
    const b = naturalize(writeDicomSeg(m, src, [{ label: 'Liver', type: 'liver' }], { includeEmptyFrames: true }));
    expect(Number(b.NumberOfFrames)).toBe(3);
    const back = readDicomSeg(writeDicomSeg(m, src, [{ label: 'Liver', type: 'liver' }]), { reference: src });
    expect(Array.from(back.masks[0]!.data)).toEqual(Array.from(sparse));
  });

  it('writes overlapping segments from one mask per segment', () => {
    const liver = Uint8Array.from(labels.data, (v) => (v === 1 ? 1 : 0));
    const box = new Uint8Array(labels.data.length);
    for (let z = 0; z < 3; z++)
      for (let y = 200; y < 300; y++) for (let x = 100; x < 250; x++) box[x + 512 * (y + 512 * z)] = 1;
    const bytes = writeDicomSeg(
      [
        { ...labels, data: liver },
        { ...labels, data: box },
      ],
      src,
      [
        { label: 'Liver', type: 'liver' },
        {
          label: 'Box',
          category: 'physical object',
          type: { value: '260787004', scheme: 'SCT', meaning: 'Physical object' },
        },
      ],
    );
    const back = readDicomSeg(bytes, { reference: src });
    expect(Array.from(back.masks[0]!.data)).toEqual(Array.from(liver));
    expect(Array.from(back.masks[1]!.data)).toEqual(Array.from(box));
    const { masks } = decodeWithDcmjs(bytes, src);
    expect(Array.from(masks.get(2) as Uint8Array)).toEqual(Array.from(box));
  });

  it('writes a FRACTIONAL probability map that reads back within quantisation', () => {
    const prob = new Float32Array(labels.data.length);
    for (let z = 0; z < 3; z++)
      for (let y = 0; y < 512; y++)
        for (let x = 0; x < 512; x++) {
          const r = Math.hypot(x - 256, y - 256);
          prob[x + 512 * (y + 512 * z)] = r < 100 ? 1 - r / 100 : 0;
        }
    const bytes = writeDicomSeg({ ...labels, data: prob }, src, [{ label: 'Lesion probability', type: 'lesion' }]);
    const back = readDicomSeg(bytes, { reference: src });
    expect(back.segmentationType).toBe('FRACTIONAL');
    expect(back.fractionalType).toBe('PROBABILITY');
    expect(back.segments[0]?.category?.value).toBe('49755003');
    let maxErr = 0;
    for (let i = 0; i < prob.length; i++)
      maxErr = Math.max(maxErr, Math.abs((back.masks[0]!.data[i] as number) - (prob[i] as number)));
    expect(maxErr).toBeLessThanOrEqual(0.5 / 255 + 1e-6);
    const { n, masks } = decodeWithDcmjs(bytes, src);
    expect(n.BitsAllocated).toBe(8);
    expect(n.MaximumFractionalValue).toBe(255);
    const stored = masks.get(1) as Uint8Array;
    for (let i = 0; i < prob.length; i += 997) expect(stored[i]).toBe(Math.round((prob[i] as number) * 255));
    if (HAS_DCMCRLE) {
      // DCMTK re-encodes our SEG as RLE Lossless; reading that must give the same probabilities.
      const rle = readDicomSeg(dcmcrle(bytes), { reference: src });
      expect(Array.from(rle.masks[0]!.data)).toEqual(Array.from(back.masks[0]!.data));
    }
    if (HAS_DCIODVFY) {
      const { output, errors } = dciodvfy(bytes, 'frac.dcm');
      console.log(`dciodvfy on written FRACTIONAL SEG:\n${output}`);
      expect(errors).toEqual([]);
    }
  });

  it('rejects bad input with MedImgError codes', () => {
    const err = (code: string) => expect.objectContaining({ name: 'MedImgError', code });
    expect(() => writeDicomSeg(labels, { ...src, meta: {} }, segments)).toThrow(err('INVALID_ARGUMENT'));
    expect(() => writeDicomSeg({ ...labels, dims: [512, 256, 6] }, src, segments)).toThrow(
      expect.objectContaining({ name: 'MedImgError' }),
    );
    expect(() => writeDicomSeg(labels, src, [{ label: 'Liver' }])).toThrow(err('INVALID_ARGUMENT'));
    expect(() => writeDicomSeg(labels, src, [{ label: 'A', type: 'no-such-thing' }, { label: 'B' }])).toThrow(
      err('INVALID_ARGUMENT'),
    );
  });
});

describe('writeDicomSeg without real data', () => {
  it('works on a synthetic oblique grid and round-trips', () => {
    const c = Math.cos(0.3);
    const s = Math.sin(0.3);
    const dims: [number, number, number] = [7, 5, 4];
    const data = new Uint8Array(7 * 5 * 4);
    data[3 + 7 * (2 + 5 * 1)] = 1;
    data[0] = 1;
    const src: Volume<Int16Array> = {
      data: new Int16Array(data.length),
      dims,
      spacing: [0.7, 0.9, 2.5],
      origin: [10, -20, 30],
      direction: [c, 0, s, 0, 1, 0, -s, 0, c],
      meta: {
        studyInstanceUid: '1.2.3',
        seriesInstanceUid: '1.2.3.4',
        frameOfReferenceUid: '1.2.3.5',
        sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
        sopInstanceUids: ['1.2.3.4.1', '1.2.3.4.2', '1.2.3.4.3', '1.2.3.4.4'],
      },
    };
    const bytes = writeDicomSeg({ ...src, data }, src, [{ label: 'Nodule', type: 'nodule' }]);
    const back = readDicomSeg(bytes, { reference: src });
    expect(Array.from(back.masks[0]!.data)).toEqual(Array.from(data));
    expect(back.frames.map((f) => f.sourceSopInstanceUids[0])).toEqual(['1.2.3.4.1', '1.2.3.4.2']);
    const own = readDicomSeg(bytes);
    // Non-empty slices 0 and 1 only: the own grid spans those two and keeps the oblique orientation.
    expect(own.masks[0]!.dims).toEqual([7, 5, 2]);
    expect(own.masks[0]!.direction[2]).toBeCloseTo(s, 6);
  });
});

describeData('writeDicomSeg on the real 64-slice chest CT', () => {
  it('a bone mask (HU > 300) round-trips at full size through our reader and dcmjs', () => {
    const src = readSourceSeries(dataPath('dicom', 'ct_chest_LungPETCTDx_A0001_kernelB'));
    expect(src.dims).toEqual([512, 512, 64]);
    const bone = Uint8Array.from(src.data, (v) => (v > 300 ? 1 : 0));
    const bytes = writeDicomSeg({ ...src, data: bone, meta: undefined }, src, [{ label: 'Bone', type: 'bone' }]);
    const back = readDicomSeg(bytes, { reference: src });
    let mism = 0;
    for (let i = 0; i < bone.length; i++) if (back.masks[0]!.data[i] !== bone[i]) mism++;
    expect(mism).toBe(0);
    const uids = src.meta?.sopInstanceUids as string[];
    for (const f of back.frames) expect(f.sourceSopInstanceUids).toEqual([uids[f.sliceIndex]]);
    const { masks, refs } = decodeWithDcmjs(bytes, src);
    expect(refs.every((r) => r.uid === uids[r.slice])).toBe(true);
    expect(Array.from(masks.get(1) as Uint8Array).every((v, i) => v === bone[i])).toBe(true);
    if (HAS_DCIODVFY) expect(dciodvfy(bytes, 'bone.dcm').errors).toEqual([]);
  });
});
