/**
 * NRRD read/write and PNG slice rendering timings.
 *
 *   npx tsx bench/nrrd-png.ts
 *
 * NRRD is compared with teem's `unu` (Debian `teem-apps`, the reference NRRD library) converting
 * the same gzip file to raw, both timed as whole processes; in-process medians are printed too.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeChestCtPhantom } from '../src/core/phantoms/index.js';
import { createVolume } from '../src/core/volume.js';
import { setFileSystem } from '../src/io/fs.js';
import { nodeFileSystem, nodeGzip } from '../src/io/fs-node.js';
import { setGzipCodec } from '../src/io/gzip.js';
import { readNrrd, readNrrdBytes, writeNrrd } from '../src/io/nrrd.js';
import { renderMosaicPng, renderSlicePng } from '../src/io/png/index.js';

function median(fn: () => unknown, runs = 5): number {
  const t: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}
function wall(cmd: string, args: string[], runs = 3): number {
  const t: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    execFileSync(cmd, args, { stdio: 'ignore' });
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}
const ms = (x: number) => `${x.toFixed(1)} ms`;
setFileSystem(nodeFileSystem);

const dir = mkdtempSync(join(tmpdir(), 'medimg-bench-'));
try {
  const { image, truth } = makeChestCtPhantom({ noiseSd: 10 });
  // A 512×512×200 CT-sized volume: the phantom's slices tiled 2×2 and repeated.
  const big = createVolume([512, 512, 200], Int16Array, { spacing: [0.7, 0.7, 1.25] });
  for (let k = 0; k < 200; k++) {
    const src = (k % 120) * 256 * 256;
    for (let j = 0; j < 512; j++) {
      for (let i = 0; i < 512; i++) big.data[i + 512 * (j + 512 * k)] = image.data[src + (i & 255) + 256 * (j & 255)]!;
    }
  }
  console.log(`NRRD, int16 ${big.dims.join('x')} (${(big.data.byteLength / 2 ** 20).toFixed(0)} MiB)`);
  const raw = writeNrrd(big, { encoding: 'raw' });
  let gz: Uint8Array = raw;
  for (const [name, codec] of [
    ['fflate (browser)', undefined],
    ['node:zlib (Node entry)', nodeGzip],
  ] as const) {
    setGzipCodec(codec);
    const tWriteGz = median(() => {
      gz = writeNrrd(big, { encoding: 'gzip', level: 1 });
    }, 3);
    console.log(`  [${name}] writeNrrd gzip(level 1) ${ms(tWriteGz)} -> ${(gz.length / 2 ** 20).toFixed(1)} MiB`);
    console.log(`  [${name}] readNrrdBytes gzip      ${ms(median(() => readNrrdBytes(gz), 3))}`);
  }
  console.log(`  writeNrrd raw           ${ms(median(() => writeNrrd(big, { encoding: 'raw' })))}`);
  console.log(`  readNrrdBytes raw       ${ms(median(() => readNrrdBytes(raw)))}`);
  const gzPath = join(dir, 'big.nrrd');
  writeFileSync(gzPath, gz);
  const dist = resolve(import.meta.dirname, '../dist/index.js');
  if (existsSync(dist)) {
    const script = `import('${dist}').then(async (m) => { await m.readNrrd('${gzPath}'); })`;
    console.log(`  whole process: node dist readNrrd(gzip)       ${ms(wall(process.execPath, ['-e', script]))}`);
  } else {
    console.log('  (npm run build first for the whole-process timing of medimg)');
  }
  const unu = ['teem-unu', 'unu'].find((c) => {
    try {
      execFileSync(c, ['about'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
  if (unu) {
    const out = join(dir, 'unu-out.nrrd');
    console.log(
      `  whole process: ${unu} save -e raw (gzip->raw)  ${ms(wall(unu, ['save', '-f', 'nrrd', '-e', 'raw', '-i', gzPath, '-o', out]))}`,
    );
  } else {
    console.log('  (teem-unu not installed: apt-get install teem-apps for the reference timing)');
  }
  // Keep readNrrd (async path) honest too.
  const t0 = performance.now();
  await readNrrd(gzPath);
  console.log(`  readNrrd(path, gzip)    ${ms(performance.now() - t0)}`);

  console.log(`\nPNG, chest phantom ${image.dims.join('x')} at ${image.spacing.join('x')} mm, lung overlay + markers`);
  const markers = truth.nodules.map((n) => ({
    centerMm: n.centerMm,
    radiusMm: n.diameterMm / 2 + 3,
    label: `N${n.label}`,
  }));
  for (const axis of ['axial', 'coronal', 'sagittal'] as const) {
    const o = { axis, window: 'lung' as const, overlay: { mask: truth.lungLabels }, markers };
    let bytes = 0;
    const t = median(() => {
      bytes = renderSlicePng(image, o).length;
    });
    console.log(`  renderSlicePng ${axis.padEnd(8)} ${ms(t)} (${(bytes / 1024).toFixed(0)} KiB)`);
  }
  console.log(`  renderSlicePng 512x512 axial, auto window ${ms(median(() => renderSlicePng(big)))}`);
  console.log(
    `  renderMosaicPng 9 axial tiles (maxSize 256) ${ms(median(() => renderMosaicPng(image, { count: 9, maxSize: 256, window: 'lung', overlay: { mask: truth.lungLabels, mode: 'contour' } })))}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
