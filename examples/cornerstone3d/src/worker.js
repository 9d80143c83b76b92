// Web Worker: medimg reads the DICOM folder and runs segmentLungs and detectNodules off the UI
// thread; the page only receives plain arrays (the CT, the label map, the nodule centres in LPS mm).
import { detectNodules, listDicomSeries, readDicomSeries, segmentLungs } from 'medimg';

// Neither task runs a network, so onnxruntime-web is not bundled here. A page that runs a model
// task connects it as examples/browser-viewer does: setOnnxRuntimeWeb(() => import('onnxruntime-web')).

let image = null;

const r1 = (x) => Math.round(x * 10) / 10;
const post = (m, transfer = []) => self.postMessage(m, transfer);
const onProgress = (e) => post({ type: 'progress', stage: e.stage, fraction: e.fraction });

/** The volume as plain data: what the page's cornerstone volume loader serves. */
function plain(volume, data) {
  return { dims: volume.dims, spacing: volume.spacing, origin: volume.origin, direction: volume.direction, data };
}

async function load(files) {
  const t0 = performance.now();
  const series = await listDicomSeries(files, { onProgress });
  if (!series.length) throw new Error('No DICOM image series in this folder.');
  // The series with the most voxels (a folder may also hold scouts, SEG or SR objects).
  const best = [...series].sort(
    (a, b) => b.sliceCount * b.dims[0] * b.dims[1] - a.sliceCount * a.dims[0] * a.dims[1],
  )[0];
  image = await readDicomSeries(files, { series: best.id, onProgress });
  const data = image.data.slice();
  post(
    {
      type: 'loaded',
      ms: Math.round(performance.now() - t0),
      volume: { ...plain(image, data), modality: image.meta?.modality ?? 'CT' },
      rows: [
        ['series', `${best.modality ?? ''} ${best.seriesDescription ?? ''}`.trim()],
        ['grid', image.dims.join(' x ')],
        ['spacing mm', image.spacing.map((v) => v.toFixed(2)).join(' x ')],
        ['series in folder', series.length],
      ],
    },
    [data.buffer],
  );
}

async function run() {
  if (!image) throw new Error('Open a DICOM folder first.');
  const t0 = performance.now();
  const lungs = await segmentLungs(image, { onProgress });
  // Default options, as `medimg analyze` and Node's detectNodules(image) use: the same answer.
  const res = await detectNodules(image, { onProgress });
  // 1 = right lung, 2 = left lung (segmentLungs' labels), copied so the transfer leaves `lungs` intact.
  const labels = lungs.lungLabels.data.slice();
  const nodules = res.nodules.map((n, i) => ({
    label: `${i + 1}: ${r1(n.diameterMm)} mm ${n.type}`,
    centerMm: [...n.centerMm],
    radiusMm: Math.max(4, n.diameterMm / 2 + 3),
  }));
  post(
    {
      type: 'result',
      ms: Math.round(performance.now() - t0),
      labelmap: plain(image, labels),
      nodules,
      rows: [
        ['right lung mL', r1(lungs.rightVolumeMl)],
        ['left lung mL', r1(lungs.leftVolumeMl)],
        ['nodules', res.nodules.length],
        // null on scans outside Lung-RADS scope (thick slices, contrast): say why, never a category
        ['exam Lung-RADS', res.lungRads ?? `n/a: ${res.limitations.map((l) => l.code).join(', ')}`],
        ...res.nodules.map((n, i) => [
          `nodule ${i + 1}`,
          `${r1(n.diameterMm)} mm ${n.type}${n.lungRads ? `, Lung-RADS ${n.lungRads}` : ''}, slice ${Math.round(n.centerVoxel[2]) + 1}`,
        ]),
      ],
    },
    [labels.buffer],
  );
}

self.addEventListener('message', async (e) => {
  try {
    if (e.data.type === 'load') await load(e.data.files);
    else if (e.data.type === 'run') await run();
  } catch (err) {
    post({ type: 'error', message: err?.code ? `${err.code}: ${err.message}` : String(err?.message ?? err) });
  }
});
