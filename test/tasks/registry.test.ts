import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CT_TASKS, plannedTasks, TASK_NAMES } from '../../src/cli/analysis/tasks.js';
import { findTask, TASKS } from '../../src/tasks/registry.js';
import { REPORT_SCHEMA_MAJOR } from '../../src/tasks/report.js';

describe('task registry', () => {
  it('ids and CLI names are unique, and every task runs after the tasks it needs or uses', () => {
    expect(new Set(TASKS.map((t) => t.id)).size).toBe(TASKS.length);
    expect(new Set(TASKS.map((t) => t.cliName)).size).toBe(TASKS.length);
    TASKS.forEach((t, i) => {
      for (const dep of [...(t.needs ?? []), ...(t.uses ?? [])]) {
        const j = TASKS.findIndex((d) => d.id === dep);
        expect(j, `${t.id} -> ${dep}`).toBeGreaterThanOrEqual(0);
        expect(j, `${t.id} runs after ${dep}`).toBeLessThan(i);
      }
    });
  });

  it('every task has a committed report schema of the current major', () => {
    for (const t of TASKS) {
      expect(t.resultType, t.id).toBeDefined();
      expect(existsSync(`schemas/${t.id}.v${REPORT_SCHEMA_MAJOR}.schema.json`), t.id).toBe(true);
    }
  });

  it('the CLI names come from the registry; helper tasks run only when needed', () => {
    expect(TASK_NAMES).toEqual([
      'nodules',
      'tumor',
      'bone',
      'opacity',
      'radiomics',
      'brain',
      'classify',
      'brain-mask',
      'brain-structures',
      'structures',
    ]);
    expect(CT_TASKS).toEqual(['nodules', 'tumor', 'bone', 'opacity', 'radiomics']);
    expect(plannedTasks(['bone']).map((t) => t.id)).toEqual(['measureBoneDensity']);
    expect(plannedTasks(['opacity', 'nodules']).map((t) => t.id)).toEqual([
      'segmentLungs',
      'detectNodules',
      'quantifyLungOpacity',
    ]);
    expect(findTask('tumor')?.id).toBe('segmentTumor');
    expect(findTask('extractRadiomics')?.cliName).toBe('radiomics');
  });

  it('checks inputs before any work, one line per problem', () => {
    expect(findTask('brain')!.check!({}, ['brain'])).toMatch(/--model/);
    expect(findTask('brain')!.check!({ brainModel: 'm.onnx' }, ['brain'])).toBeUndefined();
    expect(findTask('radiomics')!.check!({}, ['radiomics'])).toMatch(/needs a mask/);
    expect(findTask('radiomics')!.check!({}, ['tumor', 'radiomics'])).toBeUndefined();
    expect(findTask('tumor')!.check!({}, ['tumor'])).toMatch(/--seed/);
    expect(findTask('tumor')!.check!({}, ['nodules', 'tumor'])).toBeUndefined();
    expect(findTask('brain-structures')!.check!({}, ['brain-structures'])).toMatch(/--model/);
    expect(findTask('brain-mask')!.check!({ brainModel: 'm.onnx' }, ['brain-mask'])).toBeUndefined();
    expect(findTask('structures')!.check!({ brainModel: 'm.onnx' }, ['structures'])).toMatch(/--card/);
  });
});
