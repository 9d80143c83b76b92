// Generates schemas/<task>.v<major>.schema.json from the task result types (their TSDoc becomes the
// field descriptions), in the JSON form toReport() gives: volumes become summaries, numbers may be
// null. test/tasks/report-schemas.test.ts checks that the committed schemas are current.
import { writeFileSync } from 'node:fs';
import { createGenerator } from 'ts-json-schema-generator';
import { TASKS } from '../src/tasks/registry.js';
import { REPORT_SCHEMA_MAJOR } from '../src/tasks/report.js';

/** Task id → [source file, result type name], from the task registry. */
export const RESULT_TYPES: Record<string, readonly [string, string]> = Object.fromEntries(
  TASKS.filter((t) => t.resultType).map((t) => [t.id, t.resultType!]),
);
export type SchemaTask = string;

const VEC3 = { type: 'array', items: { type: 'number' }, minItems: 3, maxItems: 3 };
const VOLUME_SUMMARY = {
  type: 'object',
  properties: {
    dims: { ...VEC3, items: { type: 'integer' }, description: 'Grid size [nx, ny, nz].' },
    spacing: { ...VEC3, description: 'Voxel size, mm.' },
    origin: { ...VEC3, description: 'LPS mm of voxel (0, 0, 0).' },
    direction: { type: 'array', items: { type: 'number' }, minItems: 9, maxItems: 9, description: 'Row-major 3x3.' },
    nonzeroVoxels: { type: 'integer', description: 'Voxels that are not 0 (for a mask: its size).' },
  },
  required: ['dims', 'spacing', 'origin', 'direction', 'nonzeroVoxels'],
  additionalProperties: false,
};

type Json = Record<string, unknown>;

function isVolumeSchema(s: Json): boolean {
  const p = s.properties as Json | undefined;
  return !!p && ['data', 'dims', 'spacing', 'origin', 'direction'].every((k) => k in p);
}

/** Rewrites a result schema into its report form. */
function toReportSchema(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(toReportSchema);
  if (!s || typeof s !== 'object') return s;
  const o = s as Json;
  if (isVolumeSchema(o)) {
    return {
      ...VOLUME_SUMMARY,
      ...(o.description ? { description: `${o.description} (summary: voxels are not in JSON)` } : {}),
    };
  }
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) out[k] = toReportSchema(v);
  if (out.type === 'number') out.type = ['number', 'null'];
  return out;
}

let caveatSchema: Json | undefined;

/** The JSON schema of one `Caveat` (src/tasks/caveats.ts), generated once. */
function caveatItemSchema(): Json {
  if (!caveatSchema) {
    const generator = createGenerator({
      path: 'src/tasks/caveats.ts',
      tsconfig: 'tsconfig.json',
      type: 'Caveat',
      skipTypeCheck: true,
      expose: 'none',
      topRef: false,
      jsDoc: 'extended',
    });
    const { $schema: _, ...s } = generator.createSchema('Caveat') as Json;
    caveatSchema = s;
  }
  return caveatSchema;
}

/** File name of a task's report schema under `schemas/`. */
export function schemaFile(task: string): string {
  return `${task}.v${REPORT_SCHEMA_MAJOR}.schema.json`;
}

/** The schema of one task's report, as JSON text. */
export function buildSchema(task: SchemaTask): string {
  const [path, type] = RESULT_TYPES[task]!;
  const generator = createGenerator({
    path,
    tsconfig: 'tsconfig.json',
    type,
    skipTypeCheck: true,
    expose: 'none',
    topRef: false,
    jsDoc: 'extended',
  });
  const { $schema: _, ...schema } = toReportSchema(generator.createSchema(type)) as Json;
  const props = schema.properties as Json;
  const required = (schema.required as string[]) ?? [];
  return `${JSON.stringify(
    {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: `medimg/schemas/${schemaFile(task)}`,
      title: `medimg ${task} report, schema v${REPORT_SCHEMA_MAJOR}`,
      ...schema,
      properties: {
        task: { const: task, description: 'Which task produced the report.' },
        schemaVersion: {
          type: 'string',
          pattern: `^${REPORT_SCHEMA_MAJOR}\\.`,
          description: `Report schema version (semver, major ${REPORT_SCHEMA_MAJOR}).`,
        },
        caveats: {
          type: 'array',
          items: toReportSchema(caveatItemSchema()),
          description:
            'Figures of this result that look wrong by rule (findCaveats; since 2.1.0): present when the caller passed them to toReport.',
        },
        ...props,
      },
      required: ['task', 'schemaVersion', ...required],
    },
    null,
    2,
  )}\n`;
}

/** Schemas of the validation harness's own files: the manifest it reads and the report it writes. */
export const VALIDATION_TYPES = {
  validationManifest: ['src/validation/manifest.ts', 'ValidationManifest', 'medimg validation manifest, schema v1'],
  validation: ['src/validation/report.ts', 'ValidationReport', 'medimg validation.json, schema v1'],
} as const;
export type ValidationSchema = keyof typeof VALIDATION_TYPES;

/** The schema of a validation file, as JSON text (NaN/Infinity are written as null, so numbers may be null). */
export function buildValidationSchema(name: ValidationSchema): string {
  const [path, type, title] = VALIDATION_TYPES[name];
  const generator = createGenerator({
    path,
    tsconfig: 'tsconfig.json',
    type,
    skipTypeCheck: true,
    expose: 'none',
    topRef: false,
    jsDoc: 'extended',
  });
  const { $schema: _, ...schema } = generator.createSchema(type) as Json;
  const body = name === 'validation' ? (toReportSchema(schema) as Json) : schema;
  if (name === 'validationManifest')
    (body.properties as Json).$schema = { type: 'string', description: 'Path or URL of this schema (for editors).' };
  return `${JSON.stringify(
    {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: `medimg/schemas/${name}.v1.schema.json`,
      title,
      ...body,
    },
    null,
    2,
  )}\n`;
}

if (process.argv[1]?.endsWith('build-schemas.ts')) {
  for (const name of Object.keys(VALIDATION_TYPES) as ValidationSchema[]) {
    writeFileSync(`schemas/${name}.v1.schema.json`, buildValidationSchema(name));
    console.log(`schemas/${name}.v1.schema.json`);
  }
  for (const task of Object.keys(RESULT_TYPES) as SchemaTask[]) {
    writeFileSync(`schemas/${schemaFile(task)}`, buildSchema(task));
    console.log(`schemas/${schemaFile(task)}`);
  }
}
