import { makeChestCtPhantom } from '../core/phantoms/chest-ct.js';
import { MedImgError } from '../core/errors.js';
import { VERSION } from '../version.js';

const HELP = `medimg ${VERSION}: medical image analysis from the command line

Usage:
  medimg demo [--seed N] [--json]   build the synthetic chest CT phantom and summarise it
  medimg --version                  print the version
  medimg --help                     this text
`;

async function demo(args: string[]): Promise<number> {
  const seedArg = args.indexOf('--seed');
  const seed = seedArg >= 0 ? Number(args[seedArg + 1]) : 1;
  if (!Number.isInteger(seed)) throw new MedImgError('INVALID_ARGUMENT', '--seed needs an integer.');
  const t0 = performance.now();
  const { image, truth } = makeChestCtPhantom({ seed, noiseSd: 15, tumor: true, nodules: 8 });
  const ms = performance.now() - t0;
  const voxMl = (image.spacing[0] * image.spacing[1] * image.spacing[2]) / 1000;
  const count = (a: Uint8Array, v?: number): number => {
    let c = 0;
    for (let i = 0; i < a.length; i++) if (v === undefined ? a[i] !== 0 : a[i] === v) c++;
    return c;
  };
  const summary = {
    phantom: 'chest CT',
    dims: image.dims,
    spacingMm: image.spacing,
    buildMs: Math.round(ms),
    lungsMl: {
      right: +(count(truth.lungLabels.data, 1) * voxMl).toFixed(1),
      left: +(count(truth.lungLabels.data, 2) * voxMl).toFixed(1),
    },
    nodules: truth.nodules.map((n) => ({
      type: n.type,
      diameterMm: +n.diameterMm.toFixed(1),
      lung: n.lung,
      juxtapleural: n.juxtapleural,
      centerMm: n.centerMm.map((v) => +v.toFixed(1)),
    })),
    vertebrae: truth.vertebrae.map((v) => ({ level: v.level, trabecularHU: v.trabecularHU })),
    tumorMl: truth.tumor ? +(truth.tumor.volumeMm3 / 1000).toFixed(1) : null,
  };
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return 0;
  }
  const lines = [
    `Synthetic chest CT phantom (seed ${seed}) built in ${summary.buildMs} ms`,
    `  grid ${image.dims.join(' x ')} voxels at ${image.spacing.join(' x ')} mm (LPS)`,
    `  lungs: right ${summary.lungsMl.right} mL, left ${summary.lungsMl.left} mL`,
    `  tumour: ${summary.tumorMl ?? 'none'} mL`,
    `  ${summary.nodules.length} nodules:`,
    ...summary.nodules.map(
      (n) =>
        `    ${n.type.padEnd(12)} ${String(n.diameterMm).padStart(5)} mm  ${n.lung.padEnd(5)} ${n.juxtapleural ? 'juxtapleural' : ''}`,
    ),
    `  ${summary.vertebrae.length} vertebrae (true trabecular HU): ${summary.vertebrae.map((v) => `${v.level} ${v.trabecularHU}`).join(', ')}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(HELP);
    return cmd ? 0 : 1;
  }
  if (cmd === '--version' || cmd === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (cmd === 'demo') return demo(rest);
  process.stderr.write(`medimg: unknown command '${cmd}'. Run 'medimg --help'.\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const msg = e instanceof MedImgError ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
    process.stderr.write(`medimg: ${msg}\n`);
    process.exitCode = e instanceof MedImgError ? 2 : 1;
  },
);
