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
const { image } = m.makeChestCtPhantom({ dims: [96, 96, 40], spacing: [3.6, 3.6, 7.5], nodules: 1 });
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

node -e "
const m = require('medimg');
if (typeof m.makeChestCtPhantom !== 'function' || typeof m.readNifti !== 'function') throw new Error('require: API missing');
console.log('require ok: version', m.VERSION);
"
node --input-type=module -e "
const m = await import('medimg');
if (typeof m.makeChestCtPhantom !== 'function') throw new Error('import: API missing');
const { image } = m.makeChestCtPhantom({ dims: [32, 32, 16], spacing: [11, 11, 19], nodules: 0 });
if (image.data.length !== 32 * 32 * 16) throw new Error('phantom wrong size');
console.log('import ok');
"
# The bin works from the installed package.
ver=$(npx --no-install medimg --version)
[ "$ver" = "$(node -p "require('$root/package.json').version")" ] || { echo "medimg --version printed '$ver'" >&2; exit 1; }
echo "bin ok: medimg $ver"
cat > use.ts <<'TS'
import { makeChestCtPhantom, MedImgError, type Volume } from 'medimg';
const p = makeChestCtPhantom({ nodules: 0, dims: [16, 16, 8] });
const v: Volume<Int16Array> = p.image;
const e: MedImgError | undefined = undefined;
export const n: number = v.dims[0] + (e ? 1 : 0);
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
export const f: typeof medimg.makeChestCtPhantom = medimg.makeChestCtPhantom;
TS
"$tsc" --noEmit --strict --skipLibCheck false --types node --typeRoots "$root/node_modules/@types" --module nodenext --moduleResolution nodenext --target es2022 use.cts
echo "types ok for CommonJS (.cts)"
# A web page's bundler resolves the browser entry with no special configuration.
echo "import { makeChestCtPhantom, readDicomSeries } from 'medimg'; console.log(makeChestCtPhantom, readDicomSeries);" > page.js
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
echo "import { makeChestCtPhantom, renderSlicePng } from 'medimg'; const { image } = makeChestCtPhantom({ dims: [32, 32, 8] }); console.log(renderSlicePng(image).length);" > page/main.js
node "$root/node_modules/vite/bin/vite.js" build page --outDir ../vite-out --emptyOutDir --logLevel error
if find vite-out -name '*.wasm' | grep -q .; then
  echo "a Vite build of a page without inference emits wasm:" >&2
  find vite-out -name '*.wasm' -exec du -h {} + >&2
  exit 1
fi
echo "Vite bundle of a page without inference: $(du -sh vite-out | cut -f1), no wasm"
echo "package check passed"
