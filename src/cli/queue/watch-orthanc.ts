/** Polling Orthanc's changes feed for studies that became stable, for `medimg watch`. */

/** Which series make a study worth analysing; every given part must match one series. */
export interface SeriesRule {
  modality?: string;
  bodyPart?: string;
  seriesDescription?: RegExp;
}

/** A stable study with its first matching series. */
export interface MatchedStudy {
  studyInstanceUid: string;
  seriesInstanceUid: string;
}

export interface WatchOptions {
  /** Orthanc REST root. */
  orthanc: string;
  rule: SeriesRule;
  intervalMs: number;
  /** Change sequence number to start after. */
  since: number;
  /** Stop once the feed is read up to now. */
  once: boolean;
  signal: AbortSignal;
  auth?: { username: string; password: string } | undefined;
  onStudy: (s: MatchedStudy) => Promise<void>;
  onLog: (line: string) => void;
}

interface OrthancSeries {
  MainDicomTags?: {
    Modality?: string;
    BodyPartExamined?: string;
    SeriesDescription?: string;
    SeriesInstanceUID?: string;
  };
}

/** True when a series' main tags satisfy the rule. */
export function seriesMatches(tags: OrthancSeries['MainDicomTags'], rule: SeriesRule): boolean {
  const t = tags ?? {};
  if (rule.modality && (t.Modality ?? '').toUpperCase() !== rule.modality) return false;
  if (rule.bodyPart && (t.BodyPartExamined ?? '').toLowerCase() !== rule.bodyPart.toLowerCase()) return false;
  if (rule.seriesDescription && !rule.seriesDescription.test(t.SeriesDescription ?? '')) return false;
  // never our own outputs
  return t.Modality !== 'SEG' && t.Modality !== 'SR';
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}

/**
 * Reads /changes from `since` (100 at a time), and for each StableStudy change looks at the
 * study's series; a match is handed to `onStudy`. Network failures are logged and retried on
 * the next poll. Resolves when aborted, or with `once` when the feed is read up to now.
 */
export async function watchOrthanc(o: WatchOptions): Promise<number> {
  const headers: Record<string, string> = {};
  if (o.auth)
    headers.Authorization = `Basic ${Buffer.from(`${o.auth.username}:${o.auth.password}`).toString('base64')}`;
  const get = async <T>(path: string): Promise<T> => {
    const r = await fetch(`${o.orthanc}${path}`, { headers, signal: o.signal });
    if (!r.ok) throw new Error(`Orthanc answered HTTP ${r.status}`);
    return (await r.json()) as T;
  };
  let since = o.since;
  while (!o.signal.aborted) {
    let done = false;
    try {
      const page = await get<{
        Changes: { ChangeType: string; ID: string; Seq: number }[];
        Done: boolean;
        Last: number;
      }>(`/changes?since=${since}&limit=100`);
      for (const c of page.Changes) {
        if (c.ChangeType !== 'StableStudy') continue;
        const study = await get<{ MainDicomTags?: { StudyInstanceUID?: string } }>(`/studies/${c.ID}`);
        const series = await get<OrthancSeries[]>(`/studies/${c.ID}/series`);
        const match = series.find((s) => seriesMatches(s.MainDicomTags, o.rule));
        const studyUid = study.MainDicomTags?.StudyInstanceUID;
        const seriesUid = match?.MainDicomTags?.SeriesInstanceUID;
        if (studyUid && seriesUid) await o.onStudy({ studyInstanceUid: studyUid, seriesInstanceUid: seriesUid });
      }
      since = page.Last;
      done = page.Done;
    } catch (e) {
      if (o.signal.aborted) break;
      o.onLog(`poll failed (${e instanceof Error ? e.message : String(e)}); retrying`);
    }
    if (done && o.once) break;
    if (done) await wait(o.intervalMs, o.signal);
  }
  return since;
}
