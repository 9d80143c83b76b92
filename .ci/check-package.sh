#!/usr/bin/env bash
# Packs medimg and installs the tarball into a throwaway consumer project, then loads it the ways
# users do: require(), import(), and TypeScript type resolution under nodenext and bundler.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
echo "packed $tarball ($(du -h "$work/$tarball" | cut -f1))"
if tar -tzf "$work/$tarball" | grep -q 'node_modules/onnxruntime-node'; then
  echo "onnxruntime-node must stay external, but the tarball contains it" >&2
  exit 1
fi
mkdir -p "$work/consumer"
cd "$work/consumer"
cat > package.json <<'JSON'
{ "name": "medimg-consumer", "version": "1.0.0", "private": true }
JSON
# A consumer on an offline network skips onnxruntime-node's CUDA download the same way we do.
echo 'onnxruntime-node-install=skip' > .npmrc
npm install --no-audit --no-fund --loglevel=error "$work/$tarball" 2>&1 | grep -v 'Unknown project config' || true
test -d node_modules/medimg || { echo "install of the tarball failed" >&2; exit 1; }

# onnxruntime-node and onnxruntime-web are optional peer dependencies: a plain install has neither,
# everything that runs no network works, and asking for a backend names the package to install.
for p in onnxruntime-node onnxruntime-web; do
  [ ! -d "node_modules/$p" ] || { echo "$p was installed although it is an optional peer" >&2; exit 1; }
done
echo "consumer install without onnxruntime: $(du -sm node_modules | cut -f1) MB"
node --input-type=module -e "
const m = await import('medimg');
const { makeChestCtPhantom } = await import('medimg/testing');
const { image } = makeChestCtPhantom({ dims: [96, 96, 40], spacing: [3.6, 3.6, 7.5], nodules: 1 });
const r = await m.quantifyLungOpacity(image);
if (!(r.lungs.total.volumeMl > 500)) throw new Error('lung opacity without onnxruntime failed');
try {
  await m.createSession(new Uint8Array(16), { backend: 'cpu' });
  throw new Error('createSession without onnxruntime-node did not fail');
} catch (e) {
  if (e.code !== 'BACKEND_UNAVAILABLE' || !/npm install onnxruntime-node/.test(e.message)) throw e;
  console.log('without onnxruntime: tasks run; a backend asks for it: ' + e.message);
}
"

# The root entry is curated (volumes, IO, tasks, sessions, errors); the rest is in subpaths.
node -e "
const m = require('medimg');
if (typeof m.detectNodules !== 'function' || typeof m.readNifti !== 'function') throw new Error('require: API missing');
for (const bare of ['window', 'normalize', 'open', 'close', 'percentile', 'buildOnnxModel', 'makeChestCtPhantom'])
  if (bare in m) throw new Error('root exports ' + bare);
const sub = { 'medimg/ops': 'dilate', 'medimg/dicom': 'generateUid', 'medimg/radiomics': 'firstOrderFeatures', 'medimg/metrics': 'dice', 'medimg/testing': 'makeChestCtPhantom' };
for (const [p, f] of Object.entries(sub)) if (typeof require(p)[f] !== 'function') throw new Error('require ' + p + ': ' + f + ' missing');
console.log('require ok: version', m.VERSION, '(' + Object.keys(m).length + ' root exports), subpaths ' + Object.keys(sub).join(' '));
"
node --input-type=module -e "
const m = await import('medimg');
const ops = await import('medimg/ops');
const { makeChestCtPhantom } = await import('medimg/testing');
if (m.validateVolume !== ops.validateVolume) throw new Error('import: medimg and medimg/ops hold two copies of the core');
const { image } = makeChestCtPhantom({ dims: [32, 32, 16], spacing: [11, 11, 19], nodules: 0 });
if (image.data.length !== 32 * 32 * 16) throw new Error('phantom wrong size');
if (!(ops.dilate(ops.withData(image, new Uint8Array(image.data.length)), { radiusMm: 5 }).data.length > 0)) throw new Error('ops');
for (const p of ['medimg/dicom', 'medimg/radiomics', 'medimg/metrics']) await import(p);
console.log('import ok (root and subpaths)');
"
# Worker threads (an eval'd worker, no file of their own) run from the installed CJS and ESM builds
# and give what one thread gives, bit for bit.
for mode in cjs esm; do
node --input-type=$([ $mode = esm ] && echo module || echo commonjs) -e "
const ops = $([ $mode = esm ] && echo "await import('medimg/ops')" || echo "require('medimg/ops')");
const vol = ops.createVolume([60, 50, 30], Float32Array, { spacing: [0.8, 0.8, 2] });
for (let i = 0; i < vol.data.length; i++) vol.data[i] = Math.sin(i * 0.37) * 500;
ops.setThreads(1);
const one = new Uint32Array(ops.laplacianOfGaussian(vol, { sigmaMm: 1.5 }).data.buffer);
ops.setThreads(2, { minVoxels: 0 });
const two = new Uint32Array(ops.laplacianOfGaussian(vol, { sigmaMm: 1.5 }).data.buffer);
if (one.some((v, i) => v !== two[i])) throw new Error('threads changed the LoG');
console.log('threads ok ($mode): 2 threads equal 1 bit for bit');
"
done
# The DICOM codecs run in dist/codec-worker.{js,cjs} from the installed CJS and ESM builds: a real
# JPEG 2000 file decodes to the pixels of its uncompressed twin, a real JPEG Lossless file to its
# reference SHA-256 (reference.json), and a time limit stops the worker for both.
ts_dir="$root/../shared/data/dicom/transfer_syntax_MR_small"
if [ -f "$ts_dir/MR_small_jp2klossless.dcm" ]; then
for mode in cjs esm; do
node --input-type=$([ $mode = esm ] && echo module || echo commonjs) -e "
(async () => {
const m = $([ $mode = esm ] && echo "await import('medimg')" || echo "require('medimg')");
const fs = $([ $mode = esm ] && echo "await import('node:fs')" || echo "require('node:fs')");
const j2k = await m.readDicomFile(fs.readFileSync('$ts_dir/MR_small_jp2klossless.dcm'), { raw: true });
const ref = await m.readDicomFile(fs.readFileSync('$ts_dir/MR_small.dcm'), { raw: true });
if (j2k.pixels.some((v, i) => v !== ref.pixels[i])) throw new Error('the codec worker decoded other pixels');
m.setCodecTimeLimit({ baseMs: 20, msPerMegasample: 0 });
const e = await m.readDicomFile(fs.readFileSync('$ts_dir/../radiography/cr_fuji_tibia_mono1_10bit_j2kr.dcm')).catch((x) => x);
if (e?.code !== 'CODEC_TIMEOUT') throw new Error('no CODEC_TIMEOUT from the codec worker: ' + (e?.code ?? 'read ok'));
const jll = fs.readFileSync('$ts_dir/../radiography/cr_fuji_hip_mono2_10bit_jpegll.dcm');
const ejll = await m.readDicomFile(jll).catch((x) => x);
if (ejll?.code !== 'CODEC_TIMEOUT') throw new Error('no CODEC_TIMEOUT for JPEG Lossless: ' + (ejll?.code ?? 'read ok'));
m.setCodecTimeLimit(undefined);
const hip = await m.readDicomFile(jll, { raw: true });
const sha = $([ $mode = esm ] && echo "(await import('node:crypto'))" || echo "require('node:crypto')").createHash('sha256').update(new Uint8Array(hip.pixels.buffer, hip.pixels.byteOffset, hip.pixels.byteLength)).digest('hex');
if (sha !== '9ed5d9818c250bb81ff9093a6c4d5c6032df281fce82b9a288de65c74348301e') throw new Error('JPEG Lossless in the codec worker decoded other pixels');
console.log('codec worker ok ($mode): J2K equal to the uncompressed file, a 20 ms limit stops a 3-megapixel J2K and a JPEG Lossless frame, JPEG Lossless equal to its reference SHA-256');
})().catch((e) => { console.error(e); process.exit(1); });
"
done
else
  echo "codec worker check skipped: $ts_dir not found"
fi
# The bin works from the installed package.
ver=$(npx --no-install medimg --version)
[ "$ver" = "$(node -p "require('$root/package.json').version")" ] || { echo "medimg --version printed '$ver'" >&2; exit 1; }
echo "bin ok: medimg $ver"
cat > use.ts <<'TS'
import { MedImgError, type Volume, type VolumeMeta } from 'medimg';
import { generateUid } from 'medimg/dicom';
import { dice } from 'medimg/metrics';
import { dilate, type Grid } from 'medimg/ops';
import { firstOrderFeatures } from 'medimg/radiomics';
import { makeChestCtPhantom } from 'medimg/testing';
const p = makeChestCtPhantom({ nodules: 0, dims: [16, 16, 8] });
const v: Volume<Int16Array> = p.image;
const g: Grid<Uint8Array> = dilate({ data: new Uint8Array(16 * 16 * 8), dims: v.dims, spacing: v.spacing }, { radiusMm: 1 });
const meta: VolumeMeta | undefined = v.meta;
const e: MedImgError | undefined = undefined;
export const n: number = v.dims[0] + g.data.length + (e ? 1 : 0) + (meta?.seriesNumber ?? 0);
export const fns = [generateUid, dice, firstOrderFeatures];
TS
tsc="$root/node_modules/.bin/tsc"
for res in nodenext bundler; do
  mod=$([ "$res" = nodenext ] && echo nodenext || echo esnext)
  "$tsc" --noEmit --strict --skipLibCheck false --types node --typeRoots "$root/node_modules/@types" \
    --module "$mod" --moduleResolution "$res" --target es2022 use.ts
  echo "types ok under moduleResolution $res"
done
# CommonJS consumers resolve the .d.cts types
cat > use.cts <<'TS'
import medimg = require('medimg');
import testing = require('medimg/testing');
export const f: typeof medimg.detectNodules = medimg.detectNodules;
export const p: typeof testing.makeChestCtPhantom = testing.makeChestCtPhantom;
TS
"$tsc" --noEmit --strict --skipLibCheck false --types node --typeRoots "$root/node_modules/@types" --module nodenext --moduleResolution nodenext --target es2022 use.cts
echo "types ok for CommonJS (.cts)"
# A web page's bundler resolves the browser entry with no special configuration.
echo "import { readDicomSeries } from 'medimg'; import { makeChestCtPhantom } from 'medimg/testing'; import { dilate } from 'medimg/ops'; console.log(makeChestCtPhantom, readDicomSeries, dilate);" > page.js
"$root/node_modules/.bin/esbuild" page.js --bundle --platform=browser --format=esm --splitting --outdir=web --log-level=error
if grep -l 'onnxruntime-node\|require("node:' web/*.js >/dev/null 2>&1; then
  echo "the browser bundle pulls in Node-only code" >&2
  exit 1
fi
echo "browser bundle of the installed package ok ($(du -sh web | cut -f1))"

# With the peers installed the backends load, and a Vite build of a page that never runs inference
# emits no onnxruntime wasm (the ORT import is a lazy chunk only inference reaches).
npm install --no-audit --no-fund --loglevel=error onnxruntime-node@1.30.0 onnxruntime-web@1.30.0 2>&1 | grep -v 'Unknown project config' || true
echo "consumer install with onnxruntime-node and onnxruntime-web: $(du -sm node_modules | cut -f1) MB"
node --input-type=module -e "
const m = await import('medimg');
const b = await m.probeBackend('cpu');
if (!b.available) throw new Error('cpu backend unavailable with onnxruntime-node installed: ' + b.reason);
console.log('with onnxruntime-node: cpu backend ' + b.runtime);
"
mkdir -p page
echo '<!doctype html><script type="module" src="./main.js"></script>' > page/index.html
echo "import { renderSlicePng } from 'medimg'; import { makeChestCtPhantom } from 'medimg/testing'; const { image } = makeChestCtPhantom({ dims: [32, 32, 8] }); console.log(renderSlicePng(image).length);" > page/main.js
node "$root/node_modules/vite/bin/vite.js" build page --outDir ../vite-out --emptyOutDir --logLevel error
if find vite-out -name '*.wasm' | grep -q .; then
  echo "a Vite build of a page without inference emits wasm:" >&2
  find vite-out -name '*.wasm' -exec du -h {} + >&2
  exit 1
fi
echo "Vite bundle of a page without inference: $(du -sh vite-out | cut -f1), no wasm"
echo "package check passed"
