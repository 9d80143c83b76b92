import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '../../src/index.js';
import { makeChestCtPhantom, type Vec3 } from '../../src/core/index.js';
import {
  detectNodules,
  extractRadiomics,
  measureBoneDensity,
  quantifyLungOpacity,
  REPORT_SCHEMA_VERSION,
  segmentTumor,
  toReport,
} from '../../src/tasks/index.js';
import { buildSchema, RESULT_TYPES, type SchemaTask, schemaFile } from '../../scripts/build-schemas.js';
import { reportSchemaErrors } from '../helpers/report-schema.js';

describe('task report schemas', () => {
  it('committed schemas are generated from the current result types (npx tsx scripts/build-schemas.ts)', () => {
    for (const task of Object.keys(RESULT_TYPES) as SchemaTask[]) {
      expect(readFileSync(`schemas/${schemaFile(task)}`, 'utf8'), task).toBe(buildSchema(task));
    }
  }, 300_000); // one ts-json-schema-generator program per schema: slow on a loaded machine

  it('real task results on a phantom validate against their schemas', async () => {
    const p = makeChestCtPhantom({
      dims: [170, 120, 60] as Vec3,
      spacing: [2, 2, 2.5] as Vec3,
      nodules: 4,
      tumor: true,
      noiseSd: 10,
      seed: 4,
    });
    const nodules = toReport('detectNodules', await detectNodules(p.image));
    expect(nodules.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    expect(nodules.lungMask.nonzeroVoxels).toBeGreaterThan(0);
    expect(JSON.stringify(nodules)).not.toContain('"data"');
    expect(reportSchemaErrors('detectNodules', nodules)).toEqual([]);

    const tumor = await segmentTumor(p.image, { seed: p.truth.tumor!.centerMm });
    expect(reportSchemaErrors('segmentTumor', toReport('segmentTumor', tumor))).toEqual([]);
    expect(
      reportSchemaErrors('measureBoneDensity', toReport('measureBoneDensity', await measureBoneDensity(p.image))),
    ).toEqual([]);
    expect(
      reportSchemaErrors('quantifyLungOpacity', toReport('quantifyLungOpacity', await quantifyLungOpacity(p.image))),
    ).toEqual([]);
    const radiomics = toReport('extractRadiomics', await extractRadiomics(p.image, tumor.mask));
    expect(Object.keys(radiomics.features).length).toBeGreaterThan(90);
    expect(reportSchemaErrors('extractRadiomics', radiomics)).toEqual([]);
  }, 120_000);

  it('a report that breaks the schema is caught', () => {
    const bad = { task: 'segmentTumor', schemaVersion: REPORT_SCHEMA_VERSION, lesions: 'none' };
    expect(reportSchemaErrors('segmentTumor', bad).length).toBeGreaterThan(0);
  });
});
