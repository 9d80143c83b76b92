// Presentation of label-model results shared by segmentStructures and segmentBrainStructures: one
// SEG segment and SR volume finding per structure (at most MAX_SEGMENTS: each segment is a
// whole-grid mask), a labelled mosaic with its colour key, and the volume table.
import type { ModelCard } from '../../backends/model-card.js';
import { createVolumeLike, type Volume } from '../../core/volume.js';
import { DEFAULT_LABEL_COLORS, renderMosaicPng } from '../../io/png/index.js';
import type { Presentation } from '../definition.js';
import { brainStructureCode } from '../brain-structures/codes.js';
import { emptyPresentation, labelledSlices } from '../internal/present.js';

/** Most SEG segments one task writes (each is a mask the size of the image). */
export const MAX_SEGMENTS = 32;

/** One row to present: a name, the labels that make it up, its volume and extra table cells. */
export interface PresentedStructure {
  name: string;
  labels: number[];
  volumeMl: number;
  cells: (string | number)[];
}

type Rgb = [number, number, number];

/** Colour of a label: the card's, else the default palette. */
function colorOf(card: ModelCard | undefined, label: number): Rgb {
  const c = card
    ? Object.values(card.network_data_format.outputs)[0]?.channel_codes?.[String(label)]?.color
    : undefined;
  return c ? [...c] : ([...DEFAULT_LABEL_COLORS[(label - 1) % DEFAULT_LABEL_COLORS.length]!] as Rgb);
}

/**
 * SEG segments, SR findings, a mosaic and a table for `structures` (non-empty ones, `first`
 * names before the others, then by volume).
 */
export function presentStructures(
  image: Volume,
  labels: Volume<Uint8Array>,
  structures: PresentedStructure[],
  opts: {
    title: string;
    file: string;
    columns: string[];
    card?: ModelCard;
    first?: RegExp;
    uidFor: (role: string) => string;
    note?: string;
  },
): Presentation {
  const p = emptyPresentation();
  const shown = structures
    .filter((s) => s.volumeMl > 0)
    .sort((a, b) => {
      const fa = opts.first?.test(a.name) ? 0 : 1;
      const fb = opts.first?.test(b.name) ? 0 : 1;
      return fa - fb || b.volumeMl - a.volumeMl;
    })
    .slice(0, MAX_SEGMENTS);
  const code = (label: number) =>
    opts.card ? Object.values(opts.card.network_data_format.outputs)[0]?.channel_codes?.[String(label)] : undefined;
  const ld = labels.data;
  for (const s of shown) {
    const mask = createVolumeLike(labels, Uint8Array);
    const want = new Uint8Array(256);
    for (const l of s.labels) want[l] = 1;
    for (let i = 0; i < ld.length; i++) if (want[ld[i]!]) mask.data[i] = 1;
    const c = code(s.labels[0]!);
    // The card's code, else the DICOM CID 7140 code of a brain structure name, else 'Brain'.
    const type =
      c?.code && s.labels.length === 1
        ? { value: c.code, scheme: c.scheme ?? 'SCT', meaning: c.meaning ?? s.name }
        : (brainStructureCode(s.name)?.code ?? 'brain');
    const trackingUid = opts.uidFor(`track-structure-${s.name}`);
    p.segments.push({
      mask,
      description: {
        label: s.name,
        type,
        // a CID 7140 structure is an anatomical structure (a bare code would default to Tissue)
        ...(typeof type === 'object' && !c?.code ? { category: 'anatomical structure' } : {}),
        color: colorOf(opts.card, s.labels[0]!),
        trackingId: s.name,
        trackingUid,
      },
    });
    p.findings.push({
      trackingId: s.name,
      trackingUid,
      finding: type,
      ...(type === 'brain' ? {} : { findingSite: 'brain' }),
      measurements: [{ kind: 'volume', value: Math.round(s.volumeMl * 1000) / 1000, unit: 'ml' }],
      segment: p.segments.length - 1,
    });
  }
  const indices = labelledSlices(labels, 9);
  const colors: Record<number, Rgb> = {};
  for (let l = 1; l < 256; l++) colors[l] = colorOf(opts.card, l);
  p.pictures.push({
    file: opts.file,
    title: opts.title,
    png: renderMosaicPng(image, {
      ...(indices ? { indices } : { count: 9 }),
      overlay: { mask: labels, alpha: 0.35, colors },
      maxSize: 220,
      legend: shown.slice(0, 10).map((s) => ({ label: s.name, color: colorOf(opts.card, s.labels[0]!) })),
    }),
  });
  p.tables.push({
    title: opts.title,
    columns: opts.columns,
    rows: structures.map((s) => s.cells),
    ...(opts.note || structures.filter((s) => s.volumeMl > 0).length > MAX_SEGMENTS
      ? {
          note: [
            opts.note,
            structures.filter((s) => s.volumeMl > 0).length > MAX_SEGMENTS
              ? `The SEG holds the first ${MAX_SEGMENTS} structures (key structures, then by volume).`
              : undefined,
          ]
            .filter(Boolean)
            .join(' '),
        }
      : {}),
  });
  return p;
}
