import { describe, expect, it } from 'vitest';
import { runQueueLoad } from '../../bench/queue-load.js';
import { describeService, hasOrthanc, hasRedis } from '../helpers/services.js';

// Long: 100 phantom studies, two workers, one SIGKILLed mid-job, Redis restarted once (see
// bench/queue-load.ts). Runs under CI, or locally with MEDIMG_LONG=1.
const missing = !hasOrthanc()
  ? 'Orthanc with its DICOMweb plugin is not installed'
  : !hasRedis()
    ? 'redis-server is not installed'
    : '';
const long = Boolean(process.env.CI || process.env.MEDIMG_LONG);

(long
  ? describeService
  : (name: string, _m: string, fn: () => void) =>
      describe.skip(`${name} (skipped: long test; MEDIMG_LONG=1 runs it)`, fn))(
  'job queue under faults and load (long)',
  missing,
  () => {
    it('100 studies, a worker killed mid-job, Redis restarted: one SEG and one SR per study', async () => {
      const f = await runQueueLoad({ studies: 100, timeoutS: 1200 });
      console.log(
        `queue load: ${f.completed}/${f.studies} studies in ${f.wallSeconds} s with ${f.workers} workers, ` +
          `${f.studiesPerMinute} studies/min, ${f.retries} retries, ${f.stalledRecoveries} stalled recovered`,
      );
      expect(f.killedWorkerMidJob).toBe(true);
      expect(f.redisRestarted).toBe(true);
      expect(f.completed).toBe(100);
      expect(f.failed).toBe(0);
      expect(f.studiesWrong).toBe(0);
      expect(f.segTotal).toBe(100);
      expect(f.srTotal).toBe(100);
      // the killed worker's job was taken over by another
      expect(f.stalledRecoveries + f.retries).toBeGreaterThanOrEqual(1);
    }, 1_500_000);
  },
);
