// The task registry: every task folder exports one TaskDefinition (its `definition.ts`), and this
// list is the only place that names them all. The CLI (`medimg analyze`, the demo), the report
// types, the schema script and the HTML summary loop over it: adding a task is its folder plus one
// line here (docs/contributing.md walks through it).
import { boneDensityTask } from './bone-density/definition.js';
import { extractBrainTask } from './brain-extraction/definition.js';
import { brainStructuresTask } from './brain-structures/definition.js';
import { brainTissueTask } from './brain-tissue/definition.js';
import { classifyTask } from './classify/definition.js';
import type { TaskDefinition } from './definition.js';
import { detectNodulesTask } from './detect-nodules/definition.js';
import { lungOpacityTask } from './lung-opacity/definition.js';
import { segmentLungsTask } from './lung-segmentation/definition.js';
import { radiomicsTask } from './radiomics/definition.js';
import { segmentStructuresTask } from './segment-structures/definition.js';
import { segmentTumorTask } from './segment-tumor/definition.js';

export type * from './definition.js';

/** Every task, in the order an analysis runs them (a task runs after those it needs or uses). */
const TASK_LIST = [
  segmentLungsTask,
  detectNodulesTask,
  segmentTumorTask,
  boneDensityTask,
  lungOpacityTask,
  radiomicsTask,
  brainTissueTask,
  classifyTask,
  extractBrainTask,
  brainStructuresTask,
  segmentStructuresTask,
] as const;

/** Every task, in the order an analysis runs them (a task runs after those it needs or uses). */
export const TASKS: readonly TaskDefinition[] = TASK_LIST;

/** Task id → its result type, from the registry. */
export type RegisteredResults = {
  [D in (typeof TASK_LIST)[number] as D['id']]: D extends TaskDefinition<infer R, string> ? R : never;
};

/** The definition of a task by id or CLI name, or undefined. */
export function findTask(name: string): TaskDefinition | undefined {
  return TASKS.find((t) => t.id === name || t.cliName === name);
}
