// Web Worker: reads the DICOM files, runs the medimg tasks and writes the DICOM SEG, off the UI thread.
import {
  configureWebBackends,
  createVolumeLike,
  detectNodules,
  listDicomSeries,
  readDicomSeries,
  readMgh,
  readNifti,
  segmentBrainStructures,
  segmentBrainTissue,
  searchDicomWebSeries,
  segmentTumor,
  setOnnxRuntimeWeb,
  storeDicomWebInstances,
  worldToIndex,
  writeDicomSeg,
} from 'medimg';

// The brain task runs a network: connect onnxruntime-web (medimg's browser entry never imports it,
// so pages without networks bundle none of it).
setOnnxRuntimeWeb(() => import('onnxruntime-web'));

let image = null;
/** The PACS the image came from, when it came over DICOMweb: { url, study }. */
let pacs = null;
/** The SEG bytes of the latest run, for "Store SEG to the PACS". */
let lastSeg;
/** Latest mask per task, for the SEG: { mask, segment }. */
const segs = new Map();

const r1 = (x) => Math.round(x * 10) / 10;
const ICV_SOURCE = {
  extractBrain: 'MindGrab brain mask',
  given: 'given',
  labelled: 'labelled tissue only',
};
const post = (m, transfer = []) => self.postMessage(m, transfer);
const onProgress = (e) => post({ type: 'progress', stage: e.stage, fraction: e.fraction });

function percentile(data, q) {
  const step = Math.max(1, Math.floor(data.length / 200000));
  const s = [];
  for (let i = 0; i < data.length; i += step) s.push(data[i]);
  s.sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

function segBytes() {
  if (!segs.size || !image.meta?.sopInstanceUids?.length) return undefined;
  const list = [...segs.values()];
  return writeDicomSeg(
    list.map((s) => s.mask),
    image,
    list.map((s) => s.segment),
    { seriesDescription: 'medimg browser viewer' },
  );
}

function postLoaded(t0, rows) {
  segs.clear();
  const ct = image.meta?.modality === 'CT' || image.meta?.units === 'HU';
  const window = ct ? [-1350, 150] : [percentile(image.data, 0.01), percentile(image.data, 0.99)];
  const data = image.data.slice();
  post(
    {
      type: 'loaded',
      ms: Math.round(performance.now() - t0),
      volume: {
        dims: image.dims,
        spacing: image.spacing,
        origin: image.origin,
        direction: image.direction,
        modality: image.meta?.modality,
        window,
        data,
      },
      rows,
    },
    [data.buffer],
  );
}

async function loadNifti(file) {
  const t0 = performance.now();
  // FreeSurfer volumes (.mgz / .mgh) or NIfTI (.nii / .nii.gz)
  image = /\.mg[hz]$/i.test(file.name)
    ? await readMgh(file)
    : await readNifti(new Uint8Array(await file.arrayBuffer()));
  postLoaded(t0, [
    ['file', file.name],
    ['grid', `${image.dims.join(' x ')}`],
    ['spacing mm', image.spacing.map((v) => v.toFixed(2)).join(' x ')],
  ]);
}

async function load(files) {
  const t0 = performance.now();
  const series = await listDicomSeries(files, { onProgress });
  if (!series.length) throw new Error('No DICOM image series in this folder.');
  const best = [...series].sort(
    (a, b) => b.sliceCount * b.dims[0] * b.dims[1] - a.sliceCount * a.dims[0] * a.dims[1],
  )[0];
  image = await readDicomSeries(files, { series: best.id, onProgress });
  postLoaded(t0, [
    ['series', `${best.modality ?? ''} ${best.seriesDescription ?? ''}`.trim()],
    ['grid', `${image.dims.join(' x ')}`],
    ['spacing mm', image.spacing.map((v) => v.toFixed(2)).join(' x ')],
    ['series found', series.length],
    ['problems', best.problems.join('; ') || 'none'],
  ]);
}

const NOT_IMAGES = new Set(['SEG', 'SR', 'PR', 'KO', 'RTSTRUCT', 'REG', 'DOC']);

async function loadDicomWeb(m) {
  const t0 = performance.now();
  const server = { url: m.url };
  let seriesUid = m.series;
  let description = '';
  if (!seriesUid) {
    // The image series with the most instances in the study (SEG/SR/KO are not images to view).
    const found = (await searchDicomWebSeries(server, { studyInstanceUid: m.study })).filter(
      (s) => !NOT_IMAGES.has(s.modality ?? ''),
    );
    if (!found.length) throw new Error('No image series in this study.');
    found.sort((a, b) => (b.numberOfInstances ?? 0) - (a.numberOfInstances ?? 0));
    seriesUid = found[0].seriesInstanceUid;
    description = `${found[0].modality ?? ''} ${found[0].seriesDescription ?? ''}`.trim();
  }
  image = await readDicomSeries(
    { dicomweb: server, studyInstanceUid: m.study, seriesInstanceUid: seriesUid },
    { onProgress },
  );
  pacs = { url: m.url, study: m.study };
  postLoaded(t0, [
    ['source', 'PACS (DICOMweb)'],
    ['series', description || image.meta?.modality || ''],
    ['grid', `${image.dims.join(' x ')}`],
    ['spacing mm', image.spacing.map((v) => v.toFixed(2)).join(' x ')],
  ]);
}

async function storeSeg() {
  if (!pacs || !lastSeg) throw new Error('Run a task on a study opened from the PACS first.');
  const r = await storeDicomWebInstances({ url: pacs.url }, [lastSeg], { studyInstanceUid: pacs.study });
  post({ type: 'stored', count: r.stored.length });
}

async function run(m) {
  if (!image) throw new Error('Open an image first (a DICOM folder, NIfTI or MGZ file).');
  const t0 = performance.now();
  const labels = new Uint8Array(image.data.length);
  let rows = [];
  let markers = [];
  let focusSlice;
  let backend = 'cpu (JavaScript)';
  let columns = ['finding', 'value'];
  let notes = [];
  if (m.task === 'nodules') {
    const res = await detectNodules(image, { onProgress });
    const lm = res.lungMask.data;
    for (let i = 0; i < lm.length; i++) if (lm[i]) labels[i] = 2;
    segs.set('lungs', { mask: res.lungMask, segment: { label: 'Lungs', type: 'lung', color: [80, 160, 255] } });
    markers = res.nodules.map((n, i) => ({
      index: n.centerVoxel,
      radiusVox: n.diameterMm / 2 / image.spacing[0] + 4,
      radiusZ: n.diameterMm / 2 / image.spacing[2] + 1,
      label: String(i + 1),
    }));
    rows = [
      ['nodules', res.nodules.length],
      // null on scans outside Lung-RADS scope (thick slices, contrast): say why, never show a category
      ['exam Lung-RADS', res.lungRads ?? `n/a: ${res.limitations.map((l) => l.code).join(', ')}`],
      ['lung volume mL', r1(res.lungVolumeMl)],
      ...res.nodules.map((n, i) => [
        `nodule ${i + 1}`,
        `${r1(n.diameterMm)} mm ${n.type}${n.lungRads ? `, Lung-RADS ${n.lungRads}` : ''}, slice ${Math.round(n.centerVoxel[2]) + 1}`,
      ]),
    ];
    if (res.nodules[0]) focusSlice = Math.round(res.nodules[0].centerVoxel[2]);
  } else if (m.task === 'tumor') {
    const res = await segmentTumor(image, { seed: m.seedMm, onProgress });
    labels.set(res.mask.data);
    segs.set('tumor', {
      mask: res.mask,
      segment: { label: 'Tumor', type: 'tumor', algorithmType: 'SEMIAUTOMATIC', color: [255, 60, 60] },
    });
    const l = res.lesions[0];
    rows = l
      ? [
          ['tumour volume mL', r1(l.volumeMl)],
          ['long axis mm', r1(l.longAxisMm)],
          ['short axis mm', r1(l.shortAxisMm)],
          ['mean HU', Math.round(l.meanHU)],
          ['lesions', res.lesions.length],
        ]
      : [['tumour', 'nothing segmented at this seed']];
    focusSlice = Math.round(worldToIndex(image, m.seedMm)[2]);
  } else if (m.task === 'brain') {
    // Threads only when the page is cross-origin isolated; 'auto' prefers a hardware WebGPU adapter.
    const res = await segmentBrainTissue(image, { model: m.model, backend: 'auto', onProgress });
    labels.set(res.labels.data);
    const wm = createVolumeLike(image, Uint8Array);
    const gm = createVolumeLike(image, Uint8Array);
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] === 1) wm.data[i] = 1;
      else if (labels[i] === 2) gm.data[i] = 1;
    }
    segs.set('wm', { mask: wm, segment: { label: 'White matter', type: 'brain' } });
    segs.set('gm', { mask: gm, segment: { label: 'Grey matter', type: 'brain' } });
    backend = res.provenance.backend;
    rows = [
      ['white matter mL', r1(res.whiteMatterMl)],
      ['grey matter mL', r1(res.greyMatterMl)],
    ];
  } else if (m.task === 'structures') {
    // A MeshNet label model: brainchop subcortical18 unless a card (.json) came with it. The T1 is
    // conformed as the card says (subcortical18: 256^3 x 1 mm) and the labels come back on its grid.
    const res = await segmentBrainStructures(image, {
      model: m.card ? { onnx: m.model, card: m.card } : m.model,
      ...(m.maskModel ? { brainMaskModel: m.maskModel } : {}),
      backend: 'auto',
      onProgress,
    });
    labels.set(res.labels.data);
    backend = res.provenance.backend;
    const ml = (v) => (v === null ? '-' : v.toFixed(1));
    const pct = (f) => (f * 100).toFixed(2);
    columns = ['structure', 'mL', '% of ICV', 'left mL', 'right mL', 'asymmetry %'];
    rows = [
      [`intracranial volume (${ICV_SOURCE[res.icv.source]})`, ml(res.icv.ml), '100', '-', '-', '-'],
      ...res.structures
        .filter((s) => s.volumeMl > 0)
        .map((s) => [
          s.name,
          ml(s.volumeMl),
          pct(s.icvFraction),
          ml(s.leftMl),
          ml(s.rightMl),
          s.asymmetryIndex === null ? '-' : s.asymmetryIndex.toFixed(1),
        ]),
    ];
    notes = res.limitations.map((l) => `${l.code}: ${l.message}`);
  } else throw new Error(`Unknown task ${m.task}`);
  let seg;
  try {
    seg = segBytes();
  } catch (e) {
    rows.push(['SEG', `not written: ${e.message}`]);
  }
  lastSeg = seg ? seg.slice() : undefined;
  post(
    {
      type: 'result',
      fromPacs: pacs !== null,
      task: m.task,
      ms: Math.round(performance.now() - t0),
      backend,
      columns,
      rows,
      notes,
      labels,
      markers,
      focusSlice,
      seg,
    },
    [labels.buffer, ...(seg ? [seg.buffer] : [])],
  );
}

self.addEventListener('message', async (e) => {
  try {
    if (e.data.type === 'load' || e.data.type === 'load-nifti') pacs = null;
    if (e.data.type === 'load') await load(e.data.files);
    else if (e.data.type === 'load-nifti') await loadNifti(e.data.file);
    else if (e.data.type === 'load-dicomweb') await loadDicomWeb(e.data);
    else if (e.data.type === 'store-seg') await storeSeg();
    else if (e.data.type === 'run') await run(e.data);
    else if (e.data.type === 'config') configureWebBackends({ numThreads: e.data.threads });
  } catch (err) {
    post({ type: 'error', message: err?.code ? `${err.code}: ${err.message}` : String(err?.message ?? err) });
  }
});
