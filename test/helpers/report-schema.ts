import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ReportTask } from '../../src/tasks/report.js';

const ajv = new Ajv({ allErrors: true, strict: false });

/** Errors of `report` (after a JSON round trip) against schemas/<task>.v1.schema.json; [] when valid. */
export function reportSchemaErrors(task: ReportTask, report: unknown): string[] {
  const schema = JSON.parse(readFileSync(new URL(`../../schemas/${task}.v1.schema.json`, import.meta.url), 'utf8'));
  const validate = ajv.getSchema(schema.$id) ?? ajv.compile(schema);
  const json = JSON.parse(JSON.stringify(report));
  return validate(json) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
