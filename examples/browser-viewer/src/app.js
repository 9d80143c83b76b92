// Main thread: the page, the slice display and the clicks. The heavy work runs in worker.js.
const $ = (id) => document.getElementById(id);
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const canvas = $('view');
const ctx = canvas.getContext('2d');
let vol = null; // { dims, spacing, origin, direction, data, modality }
let labels = null; // Uint8Array on the volume grid
let markers = []; // [{ index: [i,j,k], radiusVox, label }]
let seedIndex = null;
let slice = 0;
let busy = false;

const COLORS = [null, [255, 60, 60], [80, 160, 255], [255, 170, 60], [60, 220, 120], [200, 120, 255]];

function setStatus(text) {
  $('status').textContent = text;
}

function setBusy(b) {
  busy = b;
  $('run-nodules').disabled = b || !vol;
  $('run-tumor').disabled = b || !vol || !seedIndex;
  $('run-brain').disabled = b || !vol || !$('model').files.length;
  $('run-structures').disabled = b || !vol || !$('model').files.length;
}

function indexToWorld(idx) {
  const { origin, direction: d, spacing } = vol;
  const s = [idx[0] * spacing[0], idx[1] * spacing[1], idx[2] * spacing[2]];
  return [0, 1, 2].map((r) => origin[r] + d[r * 3] * s[0] + d[r * 3 + 1] * s[1] + d[r * 3 + 2] * s[2]);
}

function draw() {
  if (!vol) return;
  const [nx, ny] = vol.dims;
  if (canvas.width !== nx || canvas.height !== ny) {
    canvas.width = nx;
    canvas.height = ny;
  }
  const [lo, hi] = vol.window;
  const img = ctx.createImageData(nx, ny);
  const off = slice * nx * ny;
  const scale = 255 / (hi - lo);
  for (let p = 0; p < nx * ny; p++) {
    let g = (vol.data[off + p] - lo) * scale;
    g = g < 0 ? 0 : Math.min(g, 255);
    let r = g;
    let gg = g;
    let b = g;
    const l = labels ? labels[off + p] : 0;
    if (l) {
      const c = COLORS[((l - 1) % (COLORS.length - 1)) + 1];
      r = 0.55 * r + 0.45 * c[0];
      gg = 0.55 * gg + 0.45 * c[1];
      b = 0.55 * b + 0.45 * c[2];
    }
    img.data[p * 4] = r;
    img.data[p * 4 + 1] = gg;
    img.data[p * 4 + 2] = b;
    img.data[p * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  ctx.lineWidth = Math.max(1, nx / 256);
  for (const m of markers) {
    const dz = Math.abs(m.index[2] - slice);
    if (dz > m.radiusZ) continue;
    ctx.strokeStyle = '#ffeb3b';
    ctx.beginPath();
    ctx.arc(m.index[0], m.index[1], m.radiusVox, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.fillStyle = '#ffeb3b';
    ctx.font = `${Math.round(nx / 40)}px sans-serif`;
    ctx.fillText(m.label, m.index[0] + m.radiusVox + 2, m.index[1]);
  }
  if (seedIndex && Math.round(seedIndex[2]) === slice) {
    ctx.strokeStyle = '#00e5ff';
    const [x, y] = seedIndex;
    const s = nx / 64;
    ctx.beginPath();
    ctx.moveTo(x - s, y);
    ctx.lineTo(x + s, y);
    ctx.moveTo(x, y - s);
    ctx.lineTo(x, y + s);
    ctx.stroke();
  }
  $('slice-label').textContent = `${slice + 1} / ${vol.dims[2]}`;
}

function setSlice(k) {
  if (!vol) return;
  slice = Math.max(0, Math.min(vol.dims[2] - 1, k));
  $('slice').value = String(slice);
  draw();
}

function showResults(rows, columns = ['finding', 'value'], notes = []) {
  const head = $('results').querySelector('thead tr');
  head.replaceChildren(
    ...columns.map((c) => {
      const th = document.createElement('th');
      th.textContent = c;
      return th;
    }),
  );
  $('notes').replaceChildren(
    ...notes.map((n) => {
      const li = document.createElement('li');
      li.textContent = n;
      return li;
    }),
  );
  const body = $('results').querySelector('tbody');
  body.replaceChildren(
    ...rows.map((row) => {
      const tr = document.createElement('tr');
      for (const text of row) {
        const td = document.createElement('td');
        td.textContent = String(text);
        tr.append(td);
      }
      return tr;
    }),
  );
}

$('folder').addEventListener('change', () => {
  const files = [...$('folder').files];
  if (!files.length) return;
  setBusy(true);
  labels = null;
  markers = [];
  seedIndex = null;
  $('download-seg').hidden = true;
  $('store-seg').hidden = true;
  setStatus(`Reading ${files.length} files...`);
  worker.postMessage({ type: 'load', files });
});

$('nifti').addEventListener('change', () => {
  const file = $('nifti').files[0];
  if (!file) return;
  setBusy(true);
  labels = null;
  markers = [];
  seedIndex = null;
  $('download-seg').hidden = true;
  $('store-seg').hidden = true;
  setStatus(`Reading ${file.name}...`);
  worker.postMessage({ type: 'load-nifti', file });
});

// A study on a PACS: the page reads it over DICOMweb (QIDO-RS, WADO-RS) straight from the browser.
// The PACS must send CORS headers for this page's origin. Deep link: ?dicomweb=URL&study=UID[&series=UID].
function openFromPacs() {
  const url = $('dw-url').value.trim();
  const study = $('dw-study').value.trim();
  if (!url || !study) {
    setStatus('Give the DICOMweb URL and the StudyInstanceUID.');
    return;
  }
  setBusy(true);
  labels = null;
  markers = [];
  seedIndex = null;
  $('download-seg').hidden = true;
  $('store-seg').hidden = true;
  setStatus('Querying the PACS...');
  worker.postMessage({ type: 'load-dicomweb', url, study, series: $('dw-series').value.trim() || undefined });
}
$('open-dw').addEventListener('click', openFromPacs);
{
  const q = new URLSearchParams(location.search);
  if (q.get('dicomweb')) {
    $('dw-url').value = q.get('dicomweb');
    $('dw-study').value = q.get('study') ?? '';
    $('dw-series').value = q.get('series') ?? '';
    if (q.get('study')) openFromPacs();
  }
}
$('store-seg').addEventListener('click', () => {
  setBusy(true);
  setStatus('Storing the SEG to the PACS...');
  worker.postMessage({ type: 'store-seg' });
});

$('model').addEventListener('change', () => setBusy(busy));
{
  // ?threads=N: onnxruntime-web's wasm threads (it picks 1 below 4 cores; needs cross-origin isolation)
  const threads = Number(new URLSearchParams(location.search).get('threads'));
  if (threads > 0) worker.postMessage({ type: 'config', threads });
}
$('slice').addEventListener('input', (e) => setSlice(Number(e.target.value)));
canvas.addEventListener(
  'wheel',
  (e) => {
    e.preventDefault();
    setSlice(slice + (e.deltaY > 0 ? 1 : -1));
  },
  { passive: false },
);
canvas.addEventListener('click', (e) => {
  if (!vol) return;
  const rect = canvas.getBoundingClientRect();
  const i = ((e.clientX - rect.left) / rect.width) * vol.dims[0];
  const j = ((e.clientY - rect.top) / rect.height) * vol.dims[1];
  seedIndex = [i, j, slice];
  const w = indexToWorld(seedIndex);
  setStatus(`Seed at ${w.map((v) => v.toFixed(1)).join(', ')} mm (LPS). Run "Segment tumour".`);
  setBusy(busy);
  draw();
});

function run(task, extra = {}) {
  setBusy(true);
  setStatus(`Running ${task}...`);
  worker.postMessage({ type: 'run', task, ...extra });
}
$('run-nodules').addEventListener('click', () => run('nodules'));
$('run-tumor').addEventListener('click', () => run('tumor', { seedMm: indexToWorld(seedIndex) }));
$('run-brain').addEventListener('click', async () => {
  const bytes = new Uint8Array(await $('model').files[0].arrayBuffer());
  run('brain', { model: bytes });
});
$('run-structures').addEventListener('click', async () => {
  setBusy(true);
  setStatus('Reading the model...');
  const model = new Uint8Array(await $('model').files[0].arrayBuffer());
  const maskFile = $('mask-model').files[0];
  const maskModel = maskFile ? new Uint8Array(await maskFile.arrayBuffer()) : undefined;
  let card;
  if ($('card').files[0]) {
    try {
      card = JSON.parse(await $('card').files[0].text());
    } catch (e) {
      setStatus(`Error: the card is not JSON (${e.message}).`);
      setBusy(false);
      return;
    }
  }
  run('structures', { model, maskModel, card });
});

// Files dropped anywhere on the page go to the inputs by kind: an image (.nii, .nii.gz, .mgz, .mgh)
// is opened, a .json is the model card, an .onnx the MeshNet model (the MindGrab model has its own input:
// two models dropped together cannot be told apart by name).
function routeDropped(files) {
  const put = (input, file) => {
    const d = new DataTransfer();
    d.items.add(file);
    input.files = d.files;
    input.dispatchEvent(new Event('change'));
  };
  const onnx = files.filter((f) => /\.onnx$/i.test(f.name));
  const json = files.find((f) => /\.json$/i.test(f.name));
  const imageFile = files.find((f) => /\.(nii|nii\.gz|mgz|mgh)$/i.test(f.name));
  const unknown = files.filter((f) => f !== json && f !== imageFile && f !== onnx[0]);
  if (onnx[0]) put($('model'), onnx[0]);
  if (json) put($('card'), json);
  if (imageFile) put($('nifti'), imageFile);
  if (unknown.length)
    setStatus(
      `Not used: ${unknown.map((f) => f.name).join(', ')} (drop a .nii, .nii.gz or .mgz T1, one .onnx model, a .json card).`,
    );
}
document.addEventListener('dragover', (e) => {
  e.preventDefault();
  document.body.classList.add('dragging');
});
document.addEventListener('dragleave', (e) => {
  if (!e.relatedTarget) document.body.classList.remove('dragging');
});
document.addEventListener('drop', (e) => {
  e.preventDefault();
  document.body.classList.remove('dragging');
  routeDropped([...(e.dataTransfer?.files ?? [])]);
});

worker.addEventListener('message', (e) => {
  const m = e.data;
  if (m.type === 'progress') {
    setStatus(`${m.stage} ${Math.round(m.fraction * 100)}%`);
  } else if (m.type === 'loaded') {
    vol = m.volume;
    $('slice').max = String(vol.dims[2] - 1);
    $('slice').disabled = false;
    setSlice(Math.floor(vol.dims[2] / 2));
    showResults(m.rows);
    setStatus(`Loaded ${vol.dims.join(' x ')} ${vol.modality ?? ''} in ${m.ms} ms.`);
    setBusy(false);
  } else if (m.type === 'result') {
    labels = m.labels;
    markers = m.markers;
    showResults(m.rows, m.columns, m.notes);
    if (m.focusSlice !== undefined) setSlice(m.focusSlice);
    else draw();
    setStatus(`${m.task} done in ${m.ms} ms (${m.backend}).`);
    if (m.seg) {
      const a = $('download-seg');
      if (a.href) URL.revokeObjectURL(a.href);
      a.href = URL.createObjectURL(new Blob([m.seg], { type: 'application/dicom' }));
      a.hidden = false;
      $('store-seg').hidden = !m.fromPacs;
    }
    setBusy(false);
  } else if (m.type === 'stored') {
    setStatus(`SEG stored to the PACS (${m.count} instance${m.count === 1 ? '' : 's'}).`);
    setBusy(false);
  } else if (m.type === 'error') {
    setStatus(`Error: ${m.message}`);
    setBusy(false);
  }
});
