/**
 * CPU and wall time per task of one `medimg analyze --tasks all` run (in-process, the CLI's
 * runTasks), with and without the tasks sharing intermediate results, on the real chest CTs.
 * Prints the figures that must not change (lung volumes, nodules, tumour, bone, opacity) so the two
 * runs can be compared. Run: `npx tsx bench/analyze-tasks.ts [--no-share] [dicom-folder ...]`
 * (default: ../shared/data/dicom/ct_chest_LungPETCTDx_A0001_kernelB and _A0002_B40f).
 */
import { loadavg } from 'node:os';
import { runTasks } from '../src/cli/analysis/tasks.js';
import { readDicomSeries } from '../src/index.js';

const args = process.argv.slice(2);
const share = !args.includes('--no-share');
const dirs = args.filter((a) => !a.startsWith('--'));
if (dirs.length === 0) {
  dirs.push(
    '../shared/data/dicom/ct_chest_LungPETCTDx_A0001_kernelB',
    '../shared/data/dicom/ct_chest_LungPETCTDx_A0002_B40f',
  );
}
const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;

console.log(
  `sharing ${share ? 'on' : 'off'}; node ${process.version}; load average ${loadavg()
    .map((v) => v.toFixed(1))
    .join(' ')}`,
);
for (const dir of dirs) {
  const image = await readDicomSeries(dir);
  const marks: { task: string; cpu: number; wall: number }[] = [];
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const out = await runTasks(
    image,
    { tasks: ['nodules', 'tumor', 'bone', 'opacity', 'radiomics'] },
    {
      shareIntermediates: share,
      onTask: (task) => marks.push({ task, cpu: cpuMs(process.cpuUsage(c0)), wall: performance.now() - t0 }),
    },
  );
  marks.push({ task: 'end', cpu: cpuMs(process.cpuUsage(c0)), wall: performance.now() - t0 });
  console.log(`\n${dir.split('/').pop()} ${image.dims.join('x')}`);
  console.log(`${'task'.padEnd(12)}${'cpu ms'.padStart(9)}${'wall ms'.padStart(9)}`);
  for (let i = 0; i + 1 < marks.length; i++) {
    const a = marks[i]!;
    const b = marks[i + 1]!;
    console.log(
      `${a.task.padEnd(12)}${(b.cpu - a.cpu).toFixed(0).padStart(9)}${(b.wall - a.wall).toFixed(0).padStart(9)}`,
    );
  }
  console.log(
    `${'total'.padEnd(12)}${marks.at(-1)!.cpu.toFixed(0).padStart(9)}${marks.at(-1)!.wall.toFixed(0).padStart(9)}`,
  );
  const r = out.results as Record<string, Record<string, unknown> | undefined>;
  const lungs = r.segmentLungs as { rightVolumeMl: number; leftVolumeMl: number } | undefined;
  const nod = r.detectNodules as
    | { nodules: { diameterMm: number; centerMm: number[] }[]; lungVolumeMl: number }
    | undefined;
  const tum = r.segmentTumor as { lesions: { volumeMl: number }[] } | undefined;
  const bone = r.measureBoneDensity as { vertebrae: { meanHU: number }[] } | undefined;
  console.log(
    `figures: lungs R ${lungs?.rightVolumeMl.toFixed(3)} L ${lungs?.leftVolumeMl.toFixed(3)} mL; nodule lungs ` +
      `${nod?.lungVolumeMl.toFixed(3)} mL; nodules ${JSON.stringify(nod?.nodules.map((n) => [n.diameterMm.toFixed(3), n.centerMm.map((v) => v.toFixed(2))]))}; ` +
      `tumour ${JSON.stringify(tum?.lesions.map((l) => l.volumeMl))} mL; bone ${JSON.stringify(bone?.vertebrae.map((v) => v.meanHU))}; ` +
      `status ${JSON.stringify(Object.fromEntries(Object.entries(out.status).map(([k, v]) => [k, v.ok])))}`,
  );
}
