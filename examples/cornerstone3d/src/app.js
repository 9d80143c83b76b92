// Main thread: cornerstone3D shows the CT medimg decoded in the worker (served through a custom
// volume loader, scheme `medimg:`), the lung label map as a cornerstone labelmap segmentation and
// each nodule as a CircleROI annotation at its centre.
import {
  cache,
  Enums,
  imageLoader,
  init as coreInit,
  metaData,
  RenderingEngine,
  volumeLoader,
} from '@cornerstonejs/core';
import {
  addTool,
  annotation,
  CircleROITool,
  Enums as ToolEnums,
  PanTool,
  StackScrollTool,
  segmentation,
  ToolGroupManager,
  init as toolsInit,
  WindowLevelTool,
  ZoomTool,
} from '@cornerstonejs/tools';

const ENGINE = 'medimg-engine';
const VIEWPORT = 'medimg-axial';
const TOOLS = 'medimg-tools';
const SEGMENTATION = 'medimg-lungs';
const FRAME = '1.2.826.0.1.3680043.10.1082.medimg.frame';

/** One source of truth for the overlay colours and the legend (RGBA, 0-255). */
export const LEGEND = [
  { value: 1, label: 'Right lung (segmentLungs)', color: [0, 220, 90, 255] },
  { value: 2, label: 'Left lung (segmentLungs)', color: [40, 120, 255, 255] },
];
const NODULE_COLOR = 'rgb(255, 200, 0)';

const $ = (id) => document.getElementById(id);
const status = (t) => {
  $('status').textContent = t;
};

// ---- the custom volume loader: medimg's decoded volumes, posted by the worker, by id ----

/** Plain volumes from the worker waiting to be loaded: volumeId -> { dims, spacing, origin, direction, data, modality }. */
const pending = new Map();
let serial = 0;

/** medimg's direction is row-major with the index axes as columns; cornerstone lists the axes as rows. */
const axesAsRows = (d) => [d[0], d[3], d[6], d[1], d[4], d[7], d[2], d[5], d[8]];

function medimgVolumeLoader(volumeId) {
  const v = pending.get(volumeId);
  pending.delete(volumeId);
  const promise = v
    ? Promise.resolve().then(() => {
        const direction = axesAsRows(v.direction);
        // cornerstone's local images take Uint8, Int16, Uint16 or Float32 voxels.
        const ok = v.data instanceof Uint8Array || v.data instanceof Int16Array || v.data instanceof Uint16Array;
        const scalarData = ok || v.data instanceof Float32Array ? v.data : Float32Array.from(v.data);
        return volumeLoader.createLocalVolume(volumeId, {
          dimensions: v.dims,
          spacing: v.spacing,
          origin: v.origin,
          direction,
          scalarData,
          preventCache: true, // createAndCacheVolume caches the load object itself
          metadata: {
            BitsAllocated: scalarData.BYTES_PER_ELEMENT * 8,
            BitsStored: scalarData.BYTES_PER_ELEMENT * 8,
            SamplesPerPixel: 1,
            HighBit: scalarData.BYTES_PER_ELEMENT * 8 - 1,
            PhotometricInterpretation: 'MONOCHROME2',
            PixelRepresentation: scalarData instanceof Uint8Array || scalarData instanceof Uint16Array ? 0 : 1,
            Modality: v.modality ?? 'SEG',
            ImageOrientationPatient: direction.slice(0, 6),
            PixelSpacing: [v.spacing[1], v.spacing[0]],
            FrameOfReferenceUID: FRAME,
            Columns: v.dims[0],
            Rows: v.dims[1],
            voiLut: v.window
              ? [{ windowCenter: (v.window[0] + v.window[1]) / 2, windowWidth: v.window[1] - v.window[0] }]
              : [],
            VOILUTFunction: 'LINEAR',
          },
        });
      })
    : Promise.reject(new Error(`medimg volume loader: nothing posted for ${volumeId}`));
  return { promise };
}

/** Per volume (id prefix): modality and window, for the metadata provider below. */
const seriesInfo = new Map();

/**
 * The slices of a `medimg:` volume (ids `<volumeId>_slice_<k>`) are cornerstone images that
 * createLocalVolume put in the cache; cornerstone asks the image loader for one when it looks for
 * a default window, so the loader answers from the cache.
 */
function medimgImageLoader(imageId) {
  const image = cache.getImage(imageId);
  return { promise: image ? Promise.resolve(image) : Promise.reject(new Error(`medimg image loader: no ${imageId}`)) };
}

/**
 * Modality, window and plane of each `medimg:` slice. createLocalVolume gives every slice the
 * volume's origin as its position; the right one (origin + k * spacing along the third axis) lets
 * cornerstone find the slice under a point, as its annotation tools do.
 */
function medimgMetadata(type, imageId) {
  if (typeof imageId !== 'string' || !imageId.startsWith('medimg:')) return undefined;
  const at = imageId.lastIndexOf('_slice_');
  const info = at > 0 ? seriesInfo.get(imageId.slice(0, at)) : undefined;
  if (!info) return undefined;
  if (type === 'generalSeriesModule') return { modality: info.modality };
  if (type === 'voiLutModule' && info.window) {
    return { windowCenter: (info.window[0] + info.window[1]) / 2, windowWidth: info.window[1] - info.window[0] };
  }
  if (type === 'imagePlaneModule') {
    const k = Number(imageId.slice(at + 7));
    const { dims, spacing, origin, direction: d } = info;
    return {
      frameOfReferenceUID: FRAME,
      rows: dims[1],
      columns: dims[0],
      imageOrientationPatient: d.slice(0, 6),
      rowCosines: d.slice(0, 3),
      columnCosines: d.slice(3, 6),
      imagePositionPatient: [0, 1, 2].map((a) => origin[a] + k * spacing[2] * d[6 + a]),
      pixelSpacing: [spacing[1], spacing[0]],
      rowPixelSpacing: spacing[1],
      columnPixelSpacing: spacing[0],
    };
  }
  return undefined;
}

/** Hands a plain volume to the `medimg:` loader and loads it into cornerstone's cache. */
async function loadIntoCornerstone(plain, kind) {
  const volumeId = `medimg:${kind}-${++serial}`;
  pending.set(volumeId, plain);
  seriesInfo.set(volumeId, {
    modality: plain.modality ?? 'SEG',
    window: plain.window,
    dims: plain.dims,
    spacing: plain.spacing,
    origin: plain.origin,
    direction: axesAsRows(plain.direction),
  });
  return volumeLoader.createAndCacheVolume(volumeId);
}

// ---- cornerstone set-up ----

let viewport;
let ctVolumeId;
/** dims, spacing, origin, direction (medimg's convention) of the CT on display. */
let ctGeometry;

async function setUp() {
  await coreInit();
  toolsInit();
  volumeLoader.registerVolumeLoader('medimg', medimgVolumeLoader);
  imageLoader.registerImageLoader('medimg', medimgImageLoader);
  metaData.addProvider(medimgMetadata, 10000);

  const engine = new RenderingEngine(ENGINE);
  engine.enableElement({
    viewportId: VIEWPORT,
    type: Enums.ViewportType.ORTHOGRAPHIC,
    element: $('viewport'),
    defaultOptions: { orientation: Enums.OrientationAxis.AXIAL, background: [0, 0, 0] },
  });
  viewport = engine.getViewport(VIEWPORT);

  for (const T of [WindowLevelTool, PanTool, ZoomTool, StackScrollTool, CircleROITool]) addTool(T);
  const group = ToolGroupManager.createToolGroup(TOOLS);
  group.addTool(WindowLevelTool.toolName);
  group.addTool(PanTool.toolName);
  group.addTool(ZoomTool.toolName);
  group.addTool(StackScrollTool.toolName);
  // The circle's text: medimg's finding first, then cornerstone's mean in the drawn circle.
  group.addTool(CircleROITool.toolName, {
    getTextLines: (data, targetIds) => {
      const mean = data.cachedStats?.[targetIds[0]]?.mean;
      return [`Nodule ${data.label}`, ...(Number.isFinite(mean) ? [`circle mean ${Math.round(mean)} HU`] : [])];
    },
  });
  const { MouseBindings } = ToolEnums;
  group.setToolActive(WindowLevelTool.toolName, { bindings: [{ mouseButton: MouseBindings.Primary }] });
  group.setToolActive(PanTool.toolName, { bindings: [{ mouseButton: MouseBindings.Auxiliary }] });
  group.setToolActive(ZoomTool.toolName, { bindings: [{ mouseButton: MouseBindings.Secondary }] });
  group.setToolActive(StackScrollTool.toolName, { bindings: [{ mouseButton: MouseBindings.Wheel }] });
  // Shown (and movable) but not drawn by clicks: the markers come from detectNodules.
  group.setToolPassive(CircleROITool.toolName);
  group.addViewport(VIEWPORT, ENGINE);
  annotation.config.style.setToolGroupToolStyles(TOOLS, {
    [CircleROITool.toolName]: { color: NODULE_COLOR, colorHighlighted: NODULE_COLOR, lineWidth: '2' },
  });
  viewport.element.addEventListener(Enums.Events.CAMERA_MODIFIED, showSlice);
  viewport.element.addEventListener(Enums.Events.VOLUME_NEW_IMAGE, showSlice);

  $('legend').innerHTML = [
    ...LEGEND.map(
      (l) => `<li><span class="swatch" style="background:rgb(${l.color.slice(0, 3)})"></span>${l.label}</li>`,
    ),
    `<li><span class="swatch ring" style="border-color:${NODULE_COLOR}"></span>Nodule (detectNodules), circle at its centre</li>`,
  ].join('');
}

/**
 * The slice under the camera, numbered as medimg and the results table number it (from the CT's
 * first slice along its third index axis; cornerstone's own slice index may run the other way).
 */
function showSlice() {
  if (!viewport || !ctGeometry) return;
  const { focalPoint: f } = viewport.getCamera();
  const { origin: o, direction: d, spacing, dims } = ctGeometry;
  const k = ((f[0] - o[0]) * d[2] + (f[1] - o[1]) * d[5] + (f[2] - o[2]) * d[8]) / spacing[2];
  $('slice-label').textContent = `slice ${Math.round(k) + 1} / ${dims[2]}`;
}

/** Moves the camera along its normal so the plane passes through `point` (LPS mm). */
function jumpTo(point) {
  const { focalPoint, position, viewPlaneNormal: n } = viewport.getCamera();
  const d = (point[0] - focalPoint[0]) * n[0] + (point[1] - focalPoint[1]) * n[1] + (point[2] - focalPoint[2]) * n[2];
  viewport.setCamera({
    focalPoint: focalPoint.map((v, i) => v + d * n[i]),
    position: position.map((v, i) => v + d * n[i]),
  });
  viewport.render();
}

// ---- worker messages ----

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
let busy = false;

function table(rows) {
  $('results').querySelector('tbody').innerHTML = rows
    .map(([k, v]) => `<tr><td>${k}</td><td>${String(v).replace(/</g, '&lt;')}</td></tr>`)
    .join('');
}

async function clearResults() {
  segmentation.removeAllSegmentationRepresentations?.();
  segmentation.removeAllSegmentations?.();
  annotation.state.removeAllAnnotations();
}

async function showVolume(m) {
  await clearResults();
  if (ctVolumeId) cache.removeVolumeLoadObject(ctVolumeId);
  // Lung window for CT; other modalities get the window cornerstone computes from the mid slice.
  const window = m.volume.modality === 'CT' ? [-1350, 150] : undefined;
  const volume = await loadIntoCornerstone({ ...m.volume, window }, 'ct');
  ctVolumeId = volume.volumeId;
  const { dims, spacing, origin, direction } = m.volume;
  ctGeometry = { dims, spacing, origin, direction };
  await viewport.setVolumes([{ volumeId: ctVolumeId }]);
  // A local volume arrives whole: mark every slice for upload (a streamed one does this per slice).
  volume.invalidate();
  viewport.resetCamera();
  viewport.render();
  showSlice();
  table(m.rows);
  status(`Loaded ${m.volume.dims.join(' x ')} ${m.volume.modality} in ${m.ms} ms`);
  $('run').disabled = false;
}

async function showResult(m) {
  await clearResults();
  const seg = await loadIntoCornerstone(m.labelmap, 'lungs');
  segmentation.addSegmentations([
    {
      segmentationId: SEGMENTATION,
      representation: {
        type: ToolEnums.SegmentationRepresentations.Labelmap,
        data: { volumeId: seg.volumeId, referencedVolumeId: ctVolumeId },
      },
      config: {
        label: 'medimg lungs',
        segments: Object.fromEntries(LEGEND.map((l) => [l.value, { segmentIndex: l.value, label: l.label }])),
      },
    },
  ]);
  const lut = [[0, 0, 0, 0]];
  for (const l of LEGEND) lut[l.value] = l.color;
  await segmentation.addLabelmapRepresentationToViewport(VIEWPORT, [
    { segmentationId: SEGMENTATION, config: { colorLUTOrIndex: lut } },
  ]);

  // A circle in the viewing plane around each nodule centre (world = LPS mm in both libraries).
  const { viewPlaneNormal: n, viewUp: up } = viewport.getCamera();
  const right = [up[1] * n[2] - up[2] * n[1], up[2] * n[0] - up[0] * n[2], up[0] * n[1] - up[1] * n[0]];
  m.nodules.forEach((nod, k) => {
    const c = nod.centerMm;
    const edge = c.map((v, i) => v + nod.radiusMm * right[i]);
    const annotationUID = `medimg-nodule-${serial}-${k + 1}`;
    CircleROITool.hydrate(VIEWPORT, [c, edge], { annotationUID, viewplaneNormal: n, viewUp: up });
    const a = annotation.state.getAnnotation(annotationUID);
    if (a) a.data.label = nod.label;
  });
  if (m.nodules[0]) jumpTo(m.nodules[0].centerMm);
  viewport.render();
  table(m.rows);
  $('result').dataset.nodules = String(m.nodules.length);
  status(`lungs + nodules done in ${m.ms} ms (${m.nodules.length} nodule${m.nodules.length === 1 ? '' : 's'})`);
}

worker.onmessage = async (e) => {
  const m = e.data;
  try {
    if (m.type === 'progress') status(`${m.stage} ${Math.round(m.fraction * 100)} %`);
    else if (m.type === 'loaded') await showVolume(m);
    else if (m.type === 'result') await showResult(m);
    else if (m.type === 'error') status(`Error: ${m.message}`);
  } catch (err) {
    console.error(err);
    status(`Error: ${err?.message ?? err}`);
  }
  if (m.type !== 'progress') busy = false;
};

/** Sends a DICOM folder's files to the worker (file input, drag and drop, or a script). */
export function loadFiles(files) {
  const list = [...files];
  if (!list.length || busy) return;
  busy = true;
  $('run').disabled = true;
  delete $('result').dataset.nodules;
  status(`Reading ${list.length} files...`);
  worker.postMessage({ type: 'load', files: list });
}

function runTasks() {
  if (busy) return;
  busy = true;
  $('run').disabled = true;
  status('Running segmentLungs and detectNodules in the worker...');
  worker.postMessage({ type: 'run' });
}

/** Files of a dropped folder (or of dropped files), read through the entries API. */
async function droppedFiles(items) {
  const out = [];
  const walk = async (entry) => {
    if (entry.isFile) out.push(await new Promise((ok, no) => entry.file(ok, no)));
    else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((ok, no) => reader.readEntries(ok, no));
        if (!batch.length) break;
        for (const b of batch) await walk(b);
      }
    }
  };
  for (const it of items) {
    const entry = it.webkitGetAsEntry?.();
    if (entry) await walk(entry);
    else if (it.kind === 'file') out.push(it.getAsFile()); // no entries API: plain dropped files
  }
  return out;
}

$('folder').addEventListener('change', (e) => loadFiles(e.target.files));
$('run').addEventListener('click', runTasks);
const drop = $('viewport');
// Right drag zooms: no context menu over the image.
drop.addEventListener('contextmenu', (e) => e.preventDefault());
drop.addEventListener('dragover', (e) => e.preventDefault());
drop.addEventListener('drop', async (e) => {
  e.preventDefault();
  loadFiles((await droppedFiles([...e.dataTransfer.items])).filter(Boolean));
});

// For scripts and tests: window.medimgCornerstone.loadFiles(fileList), .runTasks().
globalThis.medimgCornerstone = {
  loadFiles,
  runTasks,
  ready: setUp().then(() => status('Ready: open or drop a DICOM folder.')),
};
globalThis.medimgCornerstone.ready.catch((err) => status(`Error: cornerstone3D did not start: ${err?.message ?? err}`));
