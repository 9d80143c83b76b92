// Web Worker: medimg reads the DICOM folder and runs segmentLungs and detectNodules off the UI
// thread; the page only receives plain arrays (the CT, the label map, the nodule centres in LPS mm).
import { detectNodules, segmentLungs } from 'medimg';
import { noduleRows, r1, readLargestSeries, serveMessages } from '../../shared/dicom-folder.js';

// Neither task runs a network, so onnxruntime-web is not bundled here. A page that runs a model
// task connects it as examples/browser-viewer does: setOnnxRuntimeWeb(() => import('onnxruntime-web')).

let image = null;

const post = (m, transfer = []) => self.postMessage(m, transfer);
const onProgress = (e) => post({ type: 'progress', stage: e.stage, fraction: e.fraction });

/** The volume as plain data: what the page's cornerstone volume loader serves. */
function plain(volume, data) {
  return { dims: volume.dims, spacing: volume.spacing, origin: volume.origin, direction: volume.direction, data };
}

async function load(files) {
  const t0 = performance.now();
  const opened = await readLargestSeries(files, onProgress);
  image = opened.image;
  const data = image.data.slice();
  post(
    {
      type: 'loaded',
      ms: Math.round(performance.now() - t0),
      volume: { ...plain(image, data), modality: image.meta?.modality ?? 'CT' },
      rows: opened.rows,
    },
    [data.buffer],
  );
}

async function run() {
  if (!image) throw new Error('Open a DICOM folder first.');
  const t0 = performance.now();
  // Segmented once, with the closing detectNodules uses by default (30 mm, so juxtapleural masses are
  // inside), and passed on: the same answer as Node's detectNodules(image) without a second pass.
  const lungs = await segmentLungs(image, { closingRadiusMm: 30, onProgress });
  const res = await detectNodules(image, { lungs, onProgress });
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
      rows: [['right lung mL', r1(lungs.rightVolumeMl)], ['left lung mL', r1(lungs.leftVolumeMl)], ...noduleRows(res)],
    },
    [labels.buffer],
  );
}

serveMessages({ load: (m) => load(m.files), run });
