import { type ParseArgsConfig, parseArgs } from 'node:util';
import { MedImgError } from '../core/errors.js';

/** Exit codes of the `medimg` command. */
export const EXIT = { ok: 0, internal: 1, usage: 2, partial: 3 } as const;

/** A bad command line or bad input: one line on stderr, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every command takes. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
} as const satisfies Options;

/**
 * Parses a command's arguments with node:util parseArgs (strict), turning its TypeErrors into
 * UsageError so the user sees one line instead of a stack trace.
 */
export function parseCommandArgs<O extends Options>(
  argv: string[],
  options: O,
  allowPositionals = true,
): {
  values: ReturnType<
    typeof parseArgs<{ options: O & typeof COMMON_OPTIONS; allowPositionals: boolean; args: string[] }>
  >['values'];
  positionals: string[];
} {
  try {
    const r = parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals, strict: true });
    return { values: r.values as never, positionals: r.positionals };
  } catch (e) {
    throw new UsageError(
      e instanceof Error ? e.message.split('\n')[0]!.replace(/\. To specify a positional.*$/, '.') : String(e),
    );
  }
}

/** Parses "x,y,z" into three finite numbers. */
export function parseTriple(text: string, name: string): [number, number, number] {
  const parts = text.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 3 || !parts.every(Number.isFinite)) {
    throw new UsageError(`${name} needs three comma-separated numbers (x,y,z in LPS mm), got '${text}'.`);
  }
  return [parts[0]!, parts[1]!, parts[2]!];
}

/** Parses a positive integer option. */
export function parsePositiveInt(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} needs a positive integer, got '${text}'.`);
  return n;
}

/** One line describing any error, never a stack trace, never patient data beyond what the library put in messages. */
export function errorLine(e: unknown): string {
  if (e instanceof MedImgError) return `${e.code}: ${e.message}`;
  if (e instanceof UsageError) return e.message;
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err === 'object' && typeof err.code === 'string' && typeof err.message === 'string') {
    // Node fs errors: the message already names the path and the reason.
    return `${err.code}: ${err.message}`;
  }
  return e instanceof Error ? e.message : String(e);
}

/** Exit code for an error: 2 for bad input (usage, MedImgError other than internal failures), else 1. */
export function exitCodeOf(e: unknown): number {
  if (e instanceof UsageError) return EXIT.usage;
  if (e instanceof MedImgError) return e.code === 'INFERENCE_FAILED' ? EXIT.internal : EXIT.usage;
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'ENOTDIR') return EXIT.usage;
  return EXIT.internal;
}
