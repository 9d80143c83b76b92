/**
 * Starts the services the tests use, for .ci/run: Orthanc with its DICOMweb plugin and Redis, each
 * on 127.0.0.1, a free port and a throw-away folder. Writes `export NAME=value` lines to the file
 * named by its argument once both answer, then holds them until SIGTERM/SIGINT and stops them.
 */
import { writeFileSync } from 'node:fs';
import { startOrthanc, startRedis } from '../test/helpers/services.js';

const envFile = process.argv[2];
if (!envFile) throw new Error('usage: tsx .ci/services.ts <env-file>');
const orthanc = await startOrthanc();
const redis = await startRedis();
writeFileSync(
  envFile,
  `export MEDIMG_ORTHANC_URL=${orthanc.url}\nexport MEDIMG_REDIS_URL=${redis.url}\n`,
);
let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled([orthanc.stop(), redis.stop()]);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// bounded: CI's whole run is limited to 90 minutes
setTimeout(stop, 100 * 60 * 1000);
