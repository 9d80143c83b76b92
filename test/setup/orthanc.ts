/**
 * Vitest global setup: one Orthanc with the DICOMweb plugin for the whole run, loaded with the real
 * chest CT A0002 (30 slices) and the 3-slice abdomen CT from ../shared/data. When .ci/run already
 * started one it passes MEDIMG_ORTHANC_URL and this setup loads the data into it. Tests get the
 * address through `inject('orthanc')`; without Orthanc (binary absent) they skip, or fail under CI.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { DATA_DIR, HAS_DATA } from '../helpers/data.js';
import { hasOrthanc, type OrthancServer, startOrthanc, uploadToOrthanc } from '../helpers/services.js';

/** The series the setup loads, by folder under ../shared/data/dicom. */
export const ORTHANC_SERIES = ['ct_chest_LungPETCTDx_A0002_B40f', 'ct_abdomen_dcmqi_3slice'];

let server: OrthancServer | undefined;

function dicomFiles(dir: string): Uint8Array[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.dcm'))
    .map((e) => new Uint8Array(readFileSync(join(e.parentPath, e.name))));
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let url = process.env.MEDIMG_ORTHANC_URL;
  let missing = '';
  if (!url) {
    if (hasOrthanc()) {
      server = await startOrthanc();
      url = server.url;
    } else missing = 'Orthanc with its DICOMweb plugin is not installed (apt-get install orthanc orthanc-dicomweb)';
  }
  if (url && HAS_DATA) {
    for (const s of ORTHANC_SERIES) await uploadToOrthanc(url, dicomFiles(join(DATA_DIR, 'dicom', s)));
  }
  project.provide(
    'orthanc',
    url ? { url, dicomweb: `${url}/dicom-web`, missing: '' } : { url: '', dicomweb: '', missing },
  );
  return async () => {
    await server?.stop();
    server = undefined;
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    orthanc: { url: string; dicomweb: string; missing: string };
  }
}
