// Web Worker: reads the DICOM folder with medimg's browser build, runs segmentLungs and
// detectNodules, and hands NIfTI bytes (niivue's native format) back to the page.
// Both tasks are classical (no network), so unlike examples/browser-viewer this worker never calls
// setOnnxRuntimeWeb and bundles none of onnxruntime-web; add it when you run a model task.
import { detectNodules, segmentLungs, writeNifti } from 'medimg';
import { noduleRows, r1, readLargestSeries, serveMessages } from '../../shared/dicom-folder.js';

let image = null;

const post = (m, transfer = []) => self.postMessage(m, transfer);
const progress = (task) => (e) => post({ type: 'progress', task, stage: e.stage, fraction: e.fraction });

// detectNodules searches lungs closed with 30 mm (its default, so juxtapleural masses are inside);
// computing them once here and passing them on gives exactly what detectNodules(ct) gives alone.
const DETECTOR_LUNG_CLOSING_MM = 30;

async function load(files) {
  const t0 = performance.now();
  const opened = await readLargestSeries(files, progress('read'));
  image = opened.image;
  const ct = image.meta?.modality === 'CT' || image.meta?.units === 'HU';
  const nifti = writeNifti(image);
  post(
    {
      type: 'loaded',
      ms: Math.round(performance.now() - t0),
      nifti,
      // Lung window (W 1500, L -600) on CT; niivue's robust range otherwise.
      window: ct ? [-1350, 150] : null,
      rows: opened.rows,
    },
    [nifti.buffer],
  );
}

async function run() {
  if (!image) throw new Error('Open a DICOM folder first.');
  const t0 = performance.now();
  const lungs = await segmentLungs(image, {
    closingRadiusMm: DETECTOR_LUNG_CLOSING_MM,
    onProgress: progress('segmentLungs'),
  });
  const res = await detectNodules(image, { lungs, onProgress: progress('detectNodules') });
  // lungLabels: 1 = right lung, 2 = left lung (the label layer's LUT indices).
  const labels = writeNifti(lungs.lungLabels);
  const nodules = res.nodules.map((n, i) => ({
    name: `${i + 1}: ${r1(n.diameterMm)} mm ${n.type}`,
    // medimg is LPS, NIfTI/niivue world space is RAS.
    ras: [-n.centerMm[0], -n.centerMm[1], n.centerMm[2]],
    diameterMm: n.diameterMm,
  }));
  post(
    {
      type: 'result',
      ms: Math.round(performance.now() - t0),
      labels,
      nodules,
      rows: [
        ['lung volume mL', r1(lungs.lungVolumeMl)],
        ['right / left lung mL', `${r1(lungs.rightVolumeMl)} / ${r1(lungs.leftVolumeMl)}`],
        ...noduleRows(res),
      ],
    },
    [labels.buffer],
  );
}

serveMessages({ load: (m) => load(m.files), run });
