// Main thread: niivue shows the CT, the lung label layer and the nodule markers; the reading and
// the tasks run in worker.js.
import { Niivue, NVImage } from '@niivue/niivue';

const $ = (id) => document.getElementById(id);
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });

// Label layer LUT: index 1 = right lung, 2 = left lung (segmentLungs' lungLabels). The legend in
// the page is drawn from this same table.
const LUNG_LUT = {
  R: [0, 40, 70],
  G: [0, 220, 130],
  B: [0, 90, 255],
  A: [0, 255, 255],
  I: [0, 1, 2],
  labels: ['', 'right lung', 'left lung'],
};
const LABEL_OPACITY = 0.45;
// Nodule markers: translucent spheres of the nodule's diameter (niivue connectome nodes) in the
// top colour of niivue's 'warm' map, which every node gets (nodeMinColor = nodeMaxColor).
const MARKER_RGB = [255, 254, 0];
const MARKER_OPACITY = 0.5;

const nv = new Niivue({
  backColor: [0, 0, 0, 1],
  // CT is read in the radiological convention: the patient's right on the screen's left.
  isRadiologicalConvention: true,
  // This page reads dropped folders itself (with medimg); niivue's own loader must not.
  dragAndDropEnabled: false,
  show3Dcrosshair: true,
  logLevel: 'warn',
});
await nv.attachToCanvas($('gl'));
nv.setSliceType(nv.sliceTypeMultiplanar);

let busy = false;
let loaded = false;

function setStatus(text) {
  $('status').textContent = text;
}

function setBusy(b) {
  busy = b;
  $('run').disabled = b || !loaded;
  $('folder').disabled = b;
}

function showResults(rows) {
  $('results')
    .querySelector('tbody')
    .replaceChildren(
      ...rows.map(([k, v]) => {
        const tr = document.createElement('tr');
        for (const text of [k, v]) {
          const td = document.createElement('td');
          td.textContent = String(text);
          tr.append(td);
        }
        return tr;
      }),
    );
}

function legendItem(rgb, text) {
  const li = document.createElement('li');
  const sw = document.createElement('span');
  sw.className = 'swatch';
  sw.style.background = `rgb(${rgb.join(',')})`;
  li.append(sw, text);
  return li;
}

function showLegend(nodules) {
  const items = [];
  for (let i = 1; i < LUNG_LUT.I.length; i++) {
    items.push(legendItem([LUNG_LUT.R[i], LUNG_LUT.G[i], LUNG_LUT.B[i]], `${LUNG_LUT.labels[i]} (label ${i})`));
  }
  items.push(legendItem(MARKER_RGB, `nodule marker (${nodules.length}): sphere of the nodule's diameter`));
  $('legend').replaceChildren(...items);
  $('legend').hidden = false;
}

function clearScene() {
  for (const m of [...nv.meshes]) nv.removeMesh(m);
  for (const v of [...nv.volumes]) nv.removeVolume(v);
  $('legend').hidden = true;
}

/** Opens DICOM files (a folder's File objects): the input, drag and drop and tests call this. */
function openFiles(files) {
  if (busy || !files.length) return;
  setBusy(true);
  loaded = false;
  clearScene();
  showResults([]);
  setStatus(`Reading ${files.length} files...`);
  worker.postMessage({ type: 'load', files });
}

function runTasks() {
  if (busy || !loaded) return;
  setBusy(true);
  setStatus('Running segmentLungs and detectNodules in the worker...');
  worker.postMessage({ type: 'run' });
}

async function onLoaded(m) {
  const ct = await NVImage.loadFromUrl({ url: m.nifti.buffer, name: 'ct.nii' });
  if (m.window) {
    ct.cal_min = m.window[0];
    ct.cal_max = m.window[1];
  }
  nv.addVolume(ct);
  loaded = true;
  showResults(m.rows);
  setStatus(`Loaded ${m.rows.find((r) => r[0] === 'grid')?.[1] ?? ''} in ${m.ms} ms. Run the tasks.`);
}

async function onResult(m) {
  // Every niivue call that changes the scene (addVolume, addMesh, setMeshProperty, ...) recomputes
  // all layers; with SwiftShader (no GPU) each costs seconds on a 512 x 512 x 64 CT, so the scene is
  // prepared first and changed twice: the markers, then the label layer.
  for (const v of nv.volumes.slice(1)) nv.removeVolume(v);
  for (const mesh of [...nv.meshes]) nv.removeMesh(mesh);
  if (m.nodules.length) {
    const markers = nv.loadConnectomeAsMesh({
      name: 'nodules',
      nodeColormap: 'warm',
      nodeColormapNegative: 'winter',
      nodeMinColor: 1,
      nodeMaxColor: 1,
      nodeScale: 1,
      edgeColormap: 'warm',
      edgeColormapNegative: 'winter',
      edgeMin: 0,
      edgeMax: 1,
      edgeScale: 1,
      legendLineThickness: 0,
      showLegend: true,
      nodes: m.nodules.map((n) => ({
        name: n.name,
        x: n.ras[0],
        y: n.ras[1],
        z: n.ras[2],
        colorValue: 1,
        sizeValue: n.diameterMm / 2,
      })),
      edges: [],
    });
    markers.opacity = MARKER_OPACITY;
    // 2D views show the meshes within this distance of the slice: the largest radius, so a
    // sphere appears on the slices through its nodule and not on slices far from it.
    nv.opts.meshThicknessOn2D = Math.max(...m.nodules.map((n) => n.diameterMm / 2));
    // Put the crosshair on the most probable nodule.
    nv.scene.crosshairPos = nv.mm2frac(m.nodules[0].ras);
    nv.addMesh(markers);
  }
  const lungs = await NVImage.loadFromUrl({ url: m.labels.buffer, name: 'lungs.nii' });
  lungs.setColormapLabel(LUNG_LUT);
  lungs.opacity = LABEL_OPACITY;
  nv.addVolume(lungs);
  showLegend(m.nodules);
  showResults(m.rows);
  setStatus(`tasks done in ${m.ms} ms: ${m.nodules.length} nodule(s)`);
}

worker.addEventListener('message', async (e) => {
  const m = e.data;
  try {
    if (m.type === 'progress') {
      setStatus(`${m.task}: ${m.stage ?? ''} ${Math.round((m.fraction ?? 0) * 100)} %`);
      return;
    }
    if (m.type === 'loaded') await onLoaded(m);
    else if (m.type === 'result') await onResult(m);
    else if (m.type === 'error') setStatus(`Error: ${m.message}`);
  } catch (err) {
    setStatus(`Error: ${err?.message ?? err}`);
  }
  setBusy(false);
});

$('folder').addEventListener('change', () => openFiles([...$('folder').files]));
$('run').addEventListener('click', runTasks);
for (const [id, type] of [
  ['view-axial', nv.sliceTypeAxial],
  ['view-coronal', nv.sliceTypeCoronal],
  ['view-sagittal', nv.sliceTypeSagittal],
  ['view-multi', nv.sliceTypeMultiplanar],
  ['view-3d', nv.sliceTypeRender],
]) {
  $(id).addEventListener('click', () => nv.setSliceType(type));
}

/** All files under dropped folders (DataTransfer entries), depth first. */
async function droppedFiles(items) {
  const files = [];
  const walk = async (entry) => {
    if (entry.isFile) {
      files.push(await new Promise((res, rej) => entry.file(res, rej)));
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      // readEntries returns batches (100 in Chromium) until an empty one.
      for (;;) {
        const batch = await new Promise((res, rej) => reader.readEntries(res, rej));
        if (!batch.length) break;
        for (const child of batch) await walk(child);
      }
    }
  };
  const entries = [...items].map((i) => i.webkitGetAsEntry?.()).filter(Boolean);
  for (const entry of entries) await walk(entry);
  return files;
}

const drop = $('drop');
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', async (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  // Folders come through the entries API; plain dropped files (or a browser without it) as files.
  const files = await droppedFiles(e.dataTransfer.items);
  openFiles(files.length ? files : [...e.dataTransfer.files]);
});

// For scripts and tests: feed files without the file dialog, and reach the niivue instance.
globalThis.medimgNiivue = { openFiles, runTasks, nv };
