/**
 * Stable error codes. Callers branch on `code`, never on `message`; messages are for people and
 * never contain patient data (names, IDs, dates, UIDs of a study).
 */
export type MedImgErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_VOLUME'
  | 'GRID_MISMATCH'
  | 'ABORTED'
  | 'NOT_DICOM'
  | 'DICOM_TRUNCATED'
  | 'DICOM_MISSING_TAG'
  | 'DICOM_NO_PIXEL_DATA'
  | 'DICOM_PIXEL_LENGTH_MISMATCH'
  | 'DICOM_UNSUPPORTED_TRANSFER_SYNTAX'
  | 'DICOM_DECODE_FAILED'
  | 'NOT_2D_IMAGE'
  | 'SERIES_EMPTY'
  | 'SERIES_INCONSISTENT'
  | 'SERIES_DUPLICATE_POSITION'
  | 'SERIES_MULTIPLE'
  | 'SERIES_INCOMPLETE'
  | 'NIFTI_INVALID'
  | 'NRRD_INVALID'
  | 'MGH_INVALID'
  | 'IO_READ_FAILED'
  | 'UNSUPPORTED_ENVIRONMENT'
  | 'MODEL_INVALID'
  | 'MODEL_CARD_INVALID'
  | 'MODEL_HASH_MISMATCH'
  | 'MODEL_INPUT_MISMATCH'
  | 'BACKEND_UNAVAILABLE'
  | 'INFERENCE_FAILED'
  | 'EMPTY_MASK'
  | 'ROI_TOO_SMALL'
  | 'WRONG_MODALITY'
  | 'NO_LUNGS_FOUND'
  | 'EMPTY_SEED_REGION'
  | 'SEG_INVALID'
  | 'SR_INVALID'
  | 'NOT_IMPLEMENTED'
  | 'DICOM_INVALID'
  | 'DECODE_LIMIT_EXCEEDED'
  | 'CODEC_TIMEOUT'
  | 'OUTPUT_OVERLAPS_INPUT'
  | 'IO_WRITE_FAILED'
  | 'DICOMWEB_HTTP_ERROR'
  | 'DICOMWEB_UNREACHABLE'
  | 'DICOMWEB_TLS_ERROR'
  | 'DICOMWEB_TIMEOUT'
  | 'DICOMWEB_INVALID_RESPONSE'
  | 'DICOMWEB_STORE_FAILED'
  | 'REGISTRATION_FAILED';

/** The one error type medimg throws for bad input or unavailable resources. */
export class MedImgError extends Error {
  /** Stable, machine-readable code. */
  readonly code: MedImgErrorCode;
  /** Optional non-identifying details (sizes, tag numbers, option names). */
  readonly details?: Record<string, unknown>;

  constructor(
    code: MedImgErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'MedImgError';
    this.code = code;
    if (options?.details) this.details = options.details;
  }
}

/** True when `e` is a MedImgError (optionally with the given code). Works across bundle copies. */
export function isMedImgError(e: unknown, code?: MedImgErrorCode): e is MedImgError {
  if (!(e instanceof Error) || e.name !== 'MedImgError') return false;
  return code === undefined || (e as MedImgError).code === code;
}

/** Throws INVALID_ARGUMENT with `message` when `cond` is false. */
export function assertArg(cond: unknown, message: string, details?: Record<string, unknown>): asserts cond {
  if (!cond) throw new MedImgError('INVALID_ARGUMENT', message, details ? { details } : undefined);
}
