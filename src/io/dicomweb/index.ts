export type { DicomWebCallOptions, DicomWebOperation, DicomWebServer } from './client.js';
export type {
  DicomJson,
  DicomJsonAttribute,
  DicomWebInstance,
  DicomWebQuery,
  DicomWebSeries,
  DicomWebStudy,
  SearchDicomWebOptions,
} from './query.js';
export { searchDicomWebInstances, searchDicomWebSeries, searchDicomWebStudies } from './query.js';
export type { DicomWebSeriesRef, RetrieveDicomWebSeriesOptions } from './retrieve.js';
export { isDicomWebSeriesRef, retrieveDicomWebSeries } from './retrieve.js';
export type { StoreDicomWebOptions, StoreDicomWebResult } from './store.js';
export { storeDicomWebInstances } from './store.js';
export type { DicomWebTlsOptions, HttpRequest, HttpResponse, HttpTransport } from './transport.js';
export { fetchTransport, setHttpTransport } from './transport.js';
