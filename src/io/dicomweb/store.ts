import { MedImgError } from '../../core/errors.js';
import { callWithRetry, checkServer, type DicomWebCallOptions, type DicomWebServer, libraryClient } from './client.js';
import { type DicomJson, jsonString } from './query.js';

/** Options of {@link storeDicomWebInstances}. */
export interface StoreDicomWebOptions extends DicomWebCallOptions {
  /** Store into this study (STOW-RS `/studies/{uid}`); default: the study each instance names. */
  studyInstanceUid?: string;
}

/** What the PACS said about a STOW-RS request. */
export interface StoreDicomWebResult {
  /** SOP Instance UIDs the server reports as stored. */
  stored: string[];
  /** Instances the server refused, with its Failure Reason code (PS3.18 table I.2-1). */
  failed: { sopInstanceUid?: string; reason?: number }[];
  /** HTTP status of the answer (200 all stored, 202 some failed or warnings). */
  status: number;
}

/**
 * Stores DICOM instances (e.g. the SEG and SR medimg writes) with STOW-RS. A refusal of any
 * instance is an error (DICOMWEB_STORE_FAILED) whose details list the failure reasons.
 *
 * @example
 * ```ts
 * import { detectNodules, readDicomSeries, segmentLungs, storeDicomWebInstances, writeDicomSeg, writeDicomSr } from 'medimg';
 * import type { SrReportInput } from 'medimg';
 * const image = await readDicomSeries({ dicomweb: server, studyInstanceUid, seriesInstanceUid });
 * const masks = (await segmentLungs(image)).lungLabels;
 * const segments = [{ label: 'Right lung', type: 'right-lung' }, { label: 'Left lung', type: 'left-lung' }];
 * const nodules = await detectNodules(image);
 * const report: SrReportInput = {
 *   findings: nodules.nodules.map((n, i) => ({
 *     trackingId: `Nodule ${i + 1}`,
 *     finding: 'nodule',
 *     center: n.centerMm,
 *     measurements: [{ kind: 'diameter', value: n.diameterMm }],
 *   })),
 * };
 * const seg = writeDicomSeg(masks, image, segments);
 * const sr = writeDicomSr(report, image);
 * await storeDicomWebInstances(server, [seg, sr]);
 * ```
 */
export async function storeDicomWebInstances(
  server: DicomWebServer,
  instances: Uint8Array[],
  options: StoreDicomWebOptions = {},
): Promise<StoreDicomWebResult> {
  checkServer(server);
  if (!Array.isArray(instances) || instances.length === 0 || !instances.every((b) => b instanceof Uint8Array)) {
    throw new MedImgError('INVALID_ARGUMENT', 'STOW-RS needs at least one DICOM instance as Uint8Array.');
  }
  const client = libraryClient(server);
  let status = 0;
  const answer = await callWithRetry(server, 'STOW-RS store', options, async (request) => {
    const r = await client.storeInstances({
      datasets: instances,
      ...(options.studyInstanceUid ? { studyInstanceUID: options.studyInstanceUid } : {}),
      request: { instance: request },
    });
    status = request.status;
    return r as unknown;
  });
  let body: DicomJson | undefined;
  if (typeof answer === 'string' && answer.trim().startsWith('{')) {
    try {
      body = JSON.parse(answer) as DicomJson;
    } catch {
      body = undefined;
    }
  }
  const seq = (tag: string): DicomJson[] => (body?.[tag]?.Value ?? []) as DicomJson[];
  const stored = seq('00081199')
    .map((d) => jsonString(d, '00081155'))
    .filter((s): s is string => Boolean(s));
  const failed = seq('00081198').map((d) => {
    const f: { sopInstanceUid?: string; reason?: number } = {};
    const uid = jsonString(d, '00081155');
    if (uid) f.sopInstanceUid = uid;
    const reason = Number(jsonString(d, '00081197'));
    if (Number.isFinite(reason)) f.reason = reason;
    return f;
  });
  if (failed.length > 0) {
    throw new MedImgError(
      'DICOMWEB_STORE_FAILED',
      `The DICOMweb server refused ${failed.length} of ${instances.length} instance(s) (HTTP ${status}).`,
      { details: { status, reasons: failed.map((f) => f.reason ?? null) } },
    );
  }
  return { stored, failed, status };
}
