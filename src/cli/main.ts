import { isBatchWorker, runBatchWorker } from './analysis/batch.js';
import { EXIT, errorLine, exitCodeOf } from './args.js';
import { analyzeCommand } from './commands/analyze.js';
import { classifyCommand } from './commands/classify.js';
import { compareCommand } from './commands/compare.js';
import { deidentifyCommand } from './commands/deidentify.js';
import { demoCommand } from './commands/demo.js';
import { enqueueCommand } from './commands/enqueue.js';
import { infoCommand } from './commands/info.js';
import { jobsCommand } from './commands/jobs.js';
import { modelsCommand } from './commands/models.js';
import { radiomicsCommand } from './commands/radiomics.js';
import type { Command } from './commands/types.js';
import { validateCommand } from './commands/validate.js';
import { watchCommand } from './commands/watch.js';
import { workerCommand } from './commands/worker.js';
import { setCliEntryUrl } from './entry.js';
import { VERSION } from '../version.js';
// The Node entry registers the file system, gzip codec and onnxruntime-node backends.
import '../index.js';

const COMMANDS: Command[] = [
  infoCommand,
  analyzeCommand,
  classifyCommand,
  radiomicsCommand,
  compareCommand,
  deidentifyCommand,
  validateCommand,
  modelsCommand,
  workerCommand,
  enqueueCommand,
  jobsCommand,
  watchCommand,
  demoCommand,
];

function globalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `medimg ${VERSION}: medical image analysis on your machine (no data leaves it)

Usage: medimg <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run 'medimg <command> --help' for a command's options.
Global: --version, --help. Exit codes: 0 ok, 1 internal error, 2 bad input, 3 some studies failed.
`;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    const target = cmd === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    (cmd ? process.stdout : process.stderr).write(target ? `${target.help}\n` : globalHelp());
    return cmd ? EXIT.ok : EXIT.usage;
  }
  if (cmd === '--version' || cmd === '-v' || cmd === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === cmd);
  if (!command) {
    process.stderr.write(`medimg: unknown command '${cmd}'. Commands: ${COMMANDS.map((c) => c.name).join(', ')}.\n`);
    return EXIT.usage;
  }
  return command.run(rest);
}

setCliEntryUrl(new URL(import.meta.url));
if (isBatchWorker()) {
  runBatchWorker();
} else {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`medimg: ${errorLine(e).split('\n')[0]}\n`);
      if (process.env.MEDIMG_DEBUG && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
      process.exitCode = exitCodeOf(e);
    },
  );
}
