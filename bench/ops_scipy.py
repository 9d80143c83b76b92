"""scipy.ndimage side of bench/ops.ts: same data, same operations, best-of-N timings as JSON.

Usage: python3 ops_scipy.py volume.raw nx ny nz sx sy sz threshold radius_mm samples.raw repeats
"""
import json
import sys
import time

import numpy as np
from scipy import ndimage as ndi

path, nx, ny, nz, sx, sy, sz, thr, rad, samples_path, reps = sys.argv[1:]
nx, ny, nz, reps = int(nx), int(ny), int(nz), int(reps)
sx, sy, sz, thr, rad = float(sx), float(sy), float(sz), float(thr), float(rad)
vol = np.fromfile(path, dtype=np.float32).reshape(nz, ny, nx)  # x fastest = C order (z, y, x)
samples = np.fromfile(samples_path, dtype=np.int64)


def best(fn, n=reps):
    t = 1e30
    out = None
    for _ in range(n):
        s = time.perf_counter()
        out = fn()
        t = min(t, time.perf_counter() - s)
    return t * 1000, out


res = {}
ms, g = best(lambda: ndi.gaussian_filter(vol, sigma=(2 / sz, 2 / sy, 2 / sx)))
res["gaussian"] = {"ms": ms, "samples": g.ravel()[samples].astype(float).tolist()}
del g
ms, z = best(lambda: ndi.zoom(vol, (sz / 1.0, sy / 1.0, sx / 1.0), order=1))
res["resample"] = {"ms": ms, "shape": list(z.shape[::-1])}
del z
mask = vol > thr
ms, (lab, n) = best(lambda: ndi.label(mask, structure=np.ones((3, 3, 3), dtype=bool)))
res["label"] = {"ms": ms, "count": int(n)}
del lab
ms, d = best(lambda: ndi.distance_transform_edt(~mask, sampling=(sz, sy, sx)), n=min(reps, 2))
res["edt"] = {"ms": ms, "samples": d.ravel()[samples].astype(float).tolist(), "max": float(d.max())}
del d
r = [int(np.floor(rad / s)) for s in (sz, sy, sx)]
zz, yy, xx = np.mgrid[-r[0] : r[0] + 1, -r[1] : r[1] + 1, -r[2] : r[2] + 1]
ball = (xx * sx) ** 2 + (yy * sy) ** 2 + (zz * sz) ** 2 <= rad * rad
ms, dl = best(lambda: ndi.binary_dilation(mask, structure=ball))
res["dilate"] = {"ms": ms, "count": int(dl.sum()), "ball": int(ball.sum())}
print(json.dumps(res))
