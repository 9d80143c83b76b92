import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { REPORT_SCHEMA_MAJOR, type ReportTask } from '../../src/tasks/report.js';

const ajv = new Ajv({ allErrors: true, strict: false });

/** Errors of `report` (after a JSON round trip) against schemas/<task>.v<major>.schema.json; [] when valid. */
export function reportSchemaErrors(task: ReportTask, report: unknown): string[] {
  const schema = JSON.parse(
    readFileSync(new URL(`../../schemas/${task}.v${REPORT_SCHEMA_MAJOR}.schema.json`, import.meta.url), 'utf8'),
  );
  const validate = ajv.getSchema(schema.$id) ?? ajv.compile(schema);
  const json = JSON.parse(JSON.stringify(report));
  return validate(json) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
