// typedoc plugin: groups the API reference by area (IO, volumes and ops, tasks, inference, outputs,
// errors, validation) from the source folder each export is declared in, so no export needs a
// hand-written @group tag and a new function lands in its area by where it lives. Task functions
// link their guide (docs/tasks/<page>.md) in their own TSDoc; TypeDoc turns that relative link into
// the rendered guide page (test/docs/tsdoc-examples.test.ts checks every task function has one).
import { Comment, CommentTag, Converter, ReflectionKind } from 'typedoc';

/** Area of a declaration by its source path (first match wins). */
const AREAS = [
  [/\/src\/core\/errors\.ts$/, 'Errors'],
  [/\/src\/io\/(png\/|dicom\/(seg-write|sr-write)\.ts$)/, 'Outputs'],
  [/\/src\/tasks\/(report|caveats)\.ts$/, 'Outputs'],
  [/\/src\/io\//, 'IO'],
  [/\/src\/core\//, 'Volumes and ops'],
  [/\/src\/tasks\//, 'Tasks'],
  [/\/src\/backends\//, 'Inference'],
  [/\/src\/validation\//, 'Validation'],
];

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    const parent = reflection.parent;
    if (!parent || !(parent.kindOf(ReflectionKind.Project) || parent.kindOf(ReflectionKind.Module))) return;
    if (reflection.comment?.getTag('@group')) return;
    const symbol = context.getSymbolFromReflection?.(reflection) ?? context.project.getSymbolFromReflection(reflection);
    const file = symbol?.declarations?.[0]?.getSourceFile().fileName.replace(/\\/g, '/');
    if (!file) return;
    const area = AREAS.find(([re]) => re.test(file))?.[1];
    if (!area) return;
    reflection.comment ??= new Comment();
    reflection.comment.blockTags.push(new CommentTag('@group', [{ kind: 'text', text: area }]));
  });
}
