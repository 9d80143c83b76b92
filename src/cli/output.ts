/** Writes a JSON document to stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Writes lines to stdout. */
export function printLines(lines: string[]): void {
  process.stdout.write(`${lines.join('\n')}\n`);
}
