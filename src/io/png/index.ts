export type { Rgb, RgbImage } from './draw.js';
export {
  DEFAULT_LABEL_COLORS,
  encodePng,
  type RenderedMosaic,
  type RenderedSlice,
  type RenderMosaicOptions,
  type RenderSliceOptions,
  renderMosaic,
  renderMosaicPng,
  renderSlice,
  renderSlicePng,
  type SliceMarker,
  type SliceOverlay,
} from './render.js';
export { type DrawnLegend, type DrawnText, EDGE_LETTERS, type LegendEntry } from './legend.js';
export { type SliceAxis, type SliceView, sliceView, worldToViewPixel } from './view.js';
export {
  AUTO_WINDOW_PERCENTILES,
  resolveWindow,
  WINDOW_PRESETS,
  type WindowLevel,
  type WindowPreset,
} from './window.js';
