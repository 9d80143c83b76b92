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
"$root/node_modules/.bin/esbuild" page.js --bundle --platform=browser --format=esm --splitting --outdir=web \
  --external:onnxruntime-web --log-level=error
if grep -l 'onnxruntime-node\|require("node:' web/*.js >/dev/null 2>&1; then
  echo "the browser bundle pulls in Node-only code" >&2
  exit 1
fi
echo "browser bundle of the installed package ok ($(du -sh web | cut -f1))"
echo "package check passed"
