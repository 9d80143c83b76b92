import type { Volume } from '../../core/volume.js';

/**
 * What segmentLungs computes before its closing, which depends on the image and the air threshold,
 * minimum lung volume and smoothing, but not on the closing radius: the body and airway masks, the
 * split lungs, the airway neighbourhood and each lung with its holes filled. The tasks of one
 * `analyze` run segment the lungs twice (the shared segmentation, closing 15 mm; detectNodules' own,
 * closing 30 mm): the second run reuses this and only closes. Deterministic either way, so the
 * masks are the same as without sharing.
 */
export interface LungPrefix {
  body: Uint8Array;
  airways: Uint8Array;
  labels: Uint8Array;
  method: 'components' | 'erosion' | 'midline';
  nearAirway: Uint8Array;
  /** Per side (1 right, 2 left): the lung mask and its per-slice hole-filled copy. */
  sides: { m: Uint8Array; holesFilled: Uint8Array }[];
  /** Warnings of the steps above, replayed on reuse. */
  warnings: string[];
}

const scopes = new WeakMap<Volume, Map<string, LungPrefix>>();

/**
 * Lets segmentLungs calls on this very image object share their pre-closing work until the
 * returned release is called (the CLI's runTasks wraps one study's tasks in it). Outside a scope
 * nothing is kept.
 */
export function shareLungIntermediates(ct: Volume): () => void {
  if (!scopes.has(ct)) scopes.set(ct, new Map());
  return () => {
    scopes.delete(ct);
  };
}

/** The scope's store for `ct`, if a scope is open. */
export function lungPrefixStore(ct: Volume): Map<string, LungPrefix> | undefined {
  return scopes.get(ct);
}
