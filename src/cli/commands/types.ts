/** One `medimg` sub-command. */
export interface Command {
  name: string;
  /** One line for the global help. */
  summary: string;
  /** Full `--help` text. */
  help: string;
  /** Runs the command; resolves to the exit code. Throws UsageError/MedImgError for bad input. */
  run(argv: string[]): Promise<number>;
}
