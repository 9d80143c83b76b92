import { MedImgError } from '../../core/errors.js';
import { callWithRetry, checkServer, type DicomWebCallOptions, type DicomWebServer, libraryClient } from './client.js';

/** One attribute of a DICOM JSON dataset (PS3.18 F.2). */
export interface DicomJsonAttribute {
  vr: string;
  Value?: unknown[];
  BulkDataURI?: string;
  InlineBinary?: string;
}
/** A DICOM JSON dataset: attributes keyed by 8-hex-digit tag. */
export type DicomJson = Record<string, DicomJsonAttribute>;

/** QIDO-RS query keys: attribute keywords or tags to values, e.g. `{ ModalitiesInStudy: 'CT' }`. */
export type DicomWebQuery = Record<string, string | number | boolean>;

/** Options of the QIDO-RS searches. */
export interface SearchDicomWebOptions extends DicomWebCallOptions {
  /** Matching keys and QIDO-RS parameters (`limit`, `offset`, `includefield`, `fuzzymatching`). */
  query?: DicomWebQuery;
}

/** A study found by {@link searchDicomWebStudies}; `attributes` keeps everything the server sent. */
export interface DicomWebStudy {
  studyInstanceUid: string;
  studyDate?: string;
  studyDescription?: string;
  accessionNumber?: string;
  modalitiesInStudy: string[];
  numberOfSeries?: number;
  numberOfInstances?: number;
  attributes: DicomJson;
}

/** A series found by {@link searchDicomWebSeries}. */
export interface DicomWebSeries {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  modality?: string;
  seriesNumber?: number;
  seriesDescription?: string;
  bodyPartExamined?: string;
  numberOfInstances?: number;
  attributes: DicomJson;
}

/** An instance found by {@link searchDicomWebInstances}. */
export interface DicomWebInstance {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  sopClassUid?: string;
  instanceNumber?: number;
  attributes: DicomJson;
}

/** First value of a DICOM JSON attribute as text (person names as their alphabetic form). */
export function jsonString(ds: DicomJson, tag: string): string | undefined {
  const v = ds[tag]?.Value?.[0];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object') {
    const a = (v as { Alphabetic?: unknown }).Alphabetic;
    return typeof a === 'string' ? a : undefined;
  }
  return String(v);
}

function jsonNumber(ds: DicomJson, tag: string): number | undefined {
  const s = jsonString(ds, tag);
  if (s === undefined) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

function jsonStrings(ds: DicomJson, tag: string): string[] {
  return (ds[tag]?.Value ?? []).filter((v): v is string => typeof v === 'string');
}

function datasets(answer: unknown): DicomJson[] {
  if (answer === null || answer === undefined || answer === '') return [];
  if (!Array.isArray(answer)) {
    throw new MedImgError('DICOMWEB_INVALID_RESPONSE', 'The answer to a QIDO-RS search is not a DICOM JSON array.');
  }
  return answer as DicomJson[];
}

function required(ds: DicomJson, tag: string, name: string): string {
  const v = jsonString(ds, tag);
  if (!v) throw new MedImgError('DICOMWEB_INVALID_RESPONSE', `A QIDO-RS result lacks ${name}.`);
  return v;
}

function cleanQuery(q: DicomWebQuery | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(q ?? {})) out[k] = String(v);
  return out;
}

/**
 * Searches a DICOMweb service for studies (QIDO-RS).
 *
 * @example
 * ```ts
 * import { searchDicomWebStudies } from 'medimg';
 * const server = { url: 'http://127.0.0.1:8042/dicom-web' };
 * const studies = await searchDicomWebStudies(server, { query: { ModalitiesInStudy: 'CT', limit: 50 } });
 * ```
 */
export async function searchDicomWebStudies(
  server: DicomWebServer,
  options: SearchDicomWebOptions = {},
): Promise<DicomWebStudy[]> {
  checkServer(server);
  const client = libraryClient(server);
  const answer = await callWithRetry(server, 'QIDO-RS search', options, (request) =>
    client.searchForStudies({ queryParams: cleanQuery(options.query), request: { instance: request } }),
  );
  return datasets(answer).map((ds) => {
    const s: DicomWebStudy = {
      studyInstanceUid: required(ds, '0020000D', 'StudyInstanceUID'),
      modalitiesInStudy: jsonStrings(ds, '00080061'),
      attributes: ds,
    };
    const date = jsonString(ds, '00080020');
    if (date) s.studyDate = date;
    const desc = jsonString(ds, '00081030');
    if (desc) s.studyDescription = desc;
    const acc = jsonString(ds, '00080050');
    if (acc) s.accessionNumber = acc;
    const ns = jsonNumber(ds, '00201206');
    if (ns !== undefined) s.numberOfSeries = ns;
    const ni = jsonNumber(ds, '00201208');
    if (ni !== undefined) s.numberOfInstances = ni;
    return s;
  });
}

/**
 * Searches for series (QIDO-RS), in one study when `studyInstanceUid` is given, else everywhere.
 *
 * @example
 * ```ts
 * import { searchDicomWebSeries } from 'medimg';
 * const series = await searchDicomWebSeries(server, { studyInstanceUid, query: { Modality: 'CT' } });
 * ```
 */
export async function searchDicomWebSeries(
  server: DicomWebServer,
  options: SearchDicomWebOptions & { studyInstanceUid?: string } = {},
): Promise<DicomWebSeries[]> {
  checkServer(server);
  const client = libraryClient(server);
  const answer = await callWithRetry(server, 'QIDO-RS search', options, (request) =>
    client.searchForSeries({
      ...(options.studyInstanceUid ? { studyInstanceUID: options.studyInstanceUid } : {}),
      queryParams: cleanQuery(options.query),
      request: { instance: request },
    }),
  );
  return datasets(answer).map((ds) => {
    const s: DicomWebSeries = {
      studyInstanceUid: options.studyInstanceUid ?? required(ds, '0020000D', 'StudyInstanceUID'),
      seriesInstanceUid: required(ds, '0020000E', 'SeriesInstanceUID'),
      attributes: ds,
    };
    const mod = jsonString(ds, '00080060');
    if (mod) s.modality = mod;
    const num = jsonNumber(ds, '00200011');
    if (num !== undefined) s.seriesNumber = num;
    const desc = jsonString(ds, '0008103E');
    if (desc) s.seriesDescription = desc;
    const body = jsonString(ds, '00180015');
    if (body) s.bodyPartExamined = body;
    const ni = jsonNumber(ds, '00201209');
    if (ni !== undefined) s.numberOfInstances = ni;
    return s;
  });
}

/**
 * Lists the instances of one series (QIDO-RS).
 *
 * @example
 * ```ts
 * import { searchDicomWebInstances } from 'medimg';
 * const server = { url: 'https://pacs.example.org/dicom-web' };
 * const instances = await searchDicomWebInstances(server, { studyInstanceUid, seriesInstanceUid });
 * ```
 */
export async function searchDicomWebInstances(
  server: DicomWebServer,
  options: SearchDicomWebOptions & { studyInstanceUid: string; seriesInstanceUid: string },
): Promise<DicomWebInstance[]> {
  checkServer(server);
  const client = libraryClient(server);
  const answer = await callWithRetry(server, 'QIDO-RS search', options, (request) =>
    client.searchForInstances({
      studyInstanceUID: options.studyInstanceUid,
      seriesInstanceUID: options.seriesInstanceUid,
      queryParams: cleanQuery(options.query),
      request: { instance: request },
    }),
  );
  return datasets(answer).map((ds) => {
    const s: DicomWebInstance = {
      studyInstanceUid: options.studyInstanceUid,
      seriesInstanceUid: options.seriesInstanceUid,
      sopInstanceUid: required(ds, '00080018', 'SOPInstanceUID'),
      attributes: ds,
    };
    const cls = jsonString(ds, '00080016');
    if (cls) s.sopClassUid = cls;
    const n = jsonNumber(ds, '00200013');
    if (n !== undefined) s.instanceNumber = n;
    return s;
  });
}
