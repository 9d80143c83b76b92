import { MedImgError } from '../../core/errors.js';
import type { LongRunOptions, ProgressEvent } from '../../core/progress.js';
import { callWithRetry, checkServer, type DicomWebCallOptions, type DicomWebServer, libraryClient } from './client.js';
import { searchDicomWebInstances } from './query.js';

/**
 * A series on a DICOMweb service. {@link readDicomSeries} and {@link listDicomSeries} accept it in
 * place of files, so every task runs on a PACS series unchanged.
 */
export interface DicomWebSeriesRef {
  dicomweb: DicomWebServer;
  studyInstanceUid: string;
  seriesInstanceUid: string;
}

/** Options of {@link retrieveDicomWebSeries}. */
export interface RetrieveDicomWebSeriesOptions extends DicomWebCallOptions {
  /** Instances fetched at once. Default 4. */
  concurrency?: number;
}

/**
 * True when `x` is a {@link DicomWebSeriesRef}.
 *
 * @example
 * ```ts
 * import { isDicomWebSeriesRef } from 'medimg';
 * const input: unknown = { dicomweb: server, studyInstanceUid, seriesInstanceUid };
 * if (isDicomWebSeriesRef(input)) console.log(input.seriesInstanceUid);
 * ```
 */
export function isDicomWebSeriesRef(x: unknown): x is DicomWebSeriesRef {
  const r = x as Partial<DicomWebSeriesRef> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    !ArrayBuffer.isView(r) &&
    typeof r.dicomweb === 'object' &&
    r.dicomweb !== null &&
    typeof r.studyInstanceUid === 'string' &&
    typeof r.seriesInstanceUid === 'string'
  );
}

// as stored (`transfer-syntax=*`): every syntax medimg decodes (native, RLE, JPEG, JPEG-LS, JPEG 2000, HTJ2K)
// comes back unchanged, so the PACS never has to transcode (and cannot fail to)
const AS_STORED = [{ mediaType: 'application/dicom', transferSyntaxUID: '*' }];

/**
 * Retrieves the Part-10 bytes of every instance of a series (WADO-RS, multipart/related
 * application/dicom, transfer syntax as stored), a few instances at a time, each with its own retries. Progress counts
 * instances; abort stops between and inside requests.
 *
 * @example
 * ```ts
 * import { readDicomSeries, retrieveDicomWebSeries } from 'medimg';
 * const files = await retrieveDicomWebSeries({ dicomweb: server, studyInstanceUid, seriesInstanceUid });
 * const volume = await readDicomSeries(files); // or readDicomSeries(ref) directly
 * ```
 */
export async function retrieveDicomWebSeries(
  ref: DicomWebSeriesRef,
  options: RetrieveDicomWebSeriesOptions = {},
): Promise<Uint8Array[]> {
  if (!isDicomWebSeriesRef(ref)) {
    throw new MedImgError(
      'INVALID_ARGUMENT',
      'A DICOMweb series reference needs dicomweb, studyInstanceUid and seriesInstanceUid.',
    );
  }
  const server = ref.dicomweb;
  checkServer(server);
  const concurrency = Math.max(1, Math.min(16, Math.floor(options.concurrency ?? 4)));
  const call: DicomWebCallOptions = options.signal ? { signal: options.signal } : {};
  const instances = await searchDicomWebInstances(server, {
    ...call,
    studyInstanceUid: ref.studyInstanceUid,
    seriesInstanceUid: ref.seriesInstanceUid,
  });
  if (instances.length === 0) {
    throw new MedImgError('SERIES_EMPTY', 'The DICOMweb series has no instances.');
  }
  const client = libraryClient(server);
  const out: Uint8Array[] = new Array(instances.length);
  let next = 0;
  let done = 0;
  const report = (): void =>
    options.onProgress?.({ stage: 'Retrieving', fraction: done / instances.length, done, total: instances.length });
  report();
  const worker = async (): Promise<void> => {
    while (next < instances.length) {
      const i = next++;
      const inst = instances[i]!;
      const url = `${client.wadoURL}/studies/${inst.studyInstanceUid}/series/${inst.seriesInstanceUid}/instances/${inst.sopInstanceUid}`;
      const parts = await callWithRetry(server, 'WADO-RS retrieve', call, (request) =>
        client._httpGetMultipartApplicationDicom(url, AS_STORED, false, { instance: request }),
      );
      const part = Array.isArray(parts) ? (parts[0] as unknown) : undefined;
      if (!(part instanceof ArrayBuffer) && !ArrayBuffer.isView(part)) {
        throw new MedImgError('DICOMWEB_INVALID_RESPONSE', 'A WADO-RS answer holds no DICOM instance.');
      }
      out[i] =
        part instanceof ArrayBuffer
          ? new Uint8Array(part)
          : new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
      done++;
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, instances.length) }, worker));
  return out;
}

/**
 * For readers that take files: when `input` is a DICOMweb reference, retrieves its instances
 * (progress 0..`split`) and runs `read` on the bytes with its progress mapped onto the rest.
 */
export async function withDicomWebSeries<I, O extends LongRunOptions, R>(
  input: I | DicomWebSeriesRef,
  options: O,
  read: (input: I | Uint8Array[], options: O) => Promise<R>,
  split = 0.5,
): Promise<R> {
  if (!isDicomWebSeriesRef(input)) return read(input, options);
  const cb = options.onProgress;
  const scaled =
    (lo: number, hi: number) =>
    (e: ProgressEvent): void =>
      cb?.({ ...e, fraction: lo + (hi - lo) * e.fraction });
  const files = await retrieveDicomWebSeries(input, {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(cb ? { onProgress: scaled(0, split) } : {}),
  });
  return read(files, { ...options, ...(cb ? { onProgress: scaled(split, 1) } : {}) });
}
