// Worker-side helpers the browser examples share: open the image series of a dropped DICOM folder,
// the nodule table rows, and the message loop. Bundled into each example's worker by esbuild.
import { listDicomSeries, readDicomSeries } from 'medimg';

/**
 * Reads the image series with the most voxels from a dropped folder (a folder may also hold scouts,
 * SEG, SR or other series). Returns the volume, the chosen series' summary and the table rows.
 */
export async function readLargestSeries(files, onProgress) {
  const series = await listDicomSeries(files, { onProgress });
  if (!series.length) throw new Error('No DICOM image series in this folder.');
  const best = [...series].sort(
    (a, b) => b.sliceCount * b.dims[0] * b.dims[1] - a.sliceCount * a.dims[0] * a.dims[1],
  )[0];
  const image = await readDicomSeries(files, { series: best.id, onProgress });
  const rows = [
    ['series', `${best.modality ?? ''} ${best.seriesDescription ?? ''}`.trim()],
    ['grid', image.dims.join(' x ')],
    ['spacing mm', image.spacing.map((v) => v.toFixed(2)).join(' x ')],
    ['series in folder', series.length],
  ];
  return { image, best, series, rows };
}

export const r1 = (x) => Math.round(x * 10) / 10;

/**
 * Table rows for a detectNodules result: the count, the exam's Lung-RADS (null on scans outside its
 * scope, e.g. thick slices or contrast: the codes of why are shown, never a category) and a row a nodule.
 */
export function noduleRows(res) {
  return [
    ['nodules', res.nodules.length],
    ['exam Lung-RADS', res.lungRads ?? `n/a: ${res.limitations.map((l) => l.code).join(', ')}`],
    ...res.nodules.map((n, i) => [
      `nodule ${i + 1}`,
      `${r1(n.diameterMm)} mm ${n.type}${n.lungRads ? `, Lung-RADS ${n.lungRads}` : ''}, slice ${Math.round(n.centerVoxel[2]) + 1}`,
    ]),
  ];
}

/** Runs `handlers[message.type]` for each message; a failure goes to the page as `{ type: 'error' }` (its code first). */
export function serveMessages(handlers) {
  self.addEventListener('message', async (e) => {
    try {
      await handlers[e.data.type]?.(e.data);
    } catch (err) {
      self.postMessage({
        type: 'error',
        message: err?.code ? `${err.code}: ${err.message}` : String(err?.message ?? err),
      });
    }
  });
}
