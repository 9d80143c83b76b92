"""scipy.ndimage side of bench/ops.ts, as a worker so runs interleave with medimg's.

Usage: python3 ops_scipy.py volume.raw nx ny nz sx sy sz threshold radius_mm samples.raw rsamples.raw
Then one op name per stdin line (gaussian, resample, label, edt, dilate); each answers one JSON
line with the wall and CPU time of that run in ms and a few numbers to check agreement.
"""
import json
import sys
import time

import numpy as np
from scipy import ndimage as ndi

path, nx, ny, nz, sx, sy, sz, thr, rad, samples_path, rsamples_path = sys.argv[1:]
nx, ny, nz = int(nx), int(ny), int(nz)
sx, sy, sz, thr, rad = float(sx), float(sy), float(sz), float(thr), float(rad)
vol = np.fromfile(path, dtype=np.float32).reshape(nz, ny, nx)  # x fastest = C order (z, y, x)
samples = np.fromfile(samples_path, dtype=np.int64)
# Output-grid voxels (x, y, z) of the 1 mm resample, checked with map_coordinates at the same
# input positions medimg uses (same origin, index * 1 mm / spacing).
rsamples = np.fromfile(rsamples_path, dtype=np.int64).reshape(-1, 3)
mask = vol > thr
r = [int(np.floor(rad / s)) for s in (sz, sy, sx)]
zz, yy, xx = np.mgrid[-r[0] : r[0] + 1, -r[1] : r[1] + 1, -r[2] : r[2] + 1]
ball = (xx * sx) ** 2 + (yy * sy) ** 2 + (zz * sz) ** 2 <= rad * rad
full = np.ones((3, 3, 3), dtype=bool)

OPS = {
    "gaussian": lambda: ndi.gaussian_filter(vol, sigma=(2 / sz, 2 / sy, 2 / sx)),
    # Laplacian in mm^-2 (medimg's unit): scipy's gaussian_laplace works in voxel units per axis, so
    # sum its three order-2 filters (what gaussian_laplace runs) each divided by spacing^2.
    "log": lambda: sum(
        ndi.gaussian_filter(vol, sigma=(2 / sz, 2 / sy, 2 / sx), order=[2 if i == a else 0 for i in range(3)])
        / (sz, sy, sx)[a] ** 2
        for a in range(3)
    ),
    "resample": lambda: ndi.zoom(vol, (sz, sy, sx), order=1),
    "label": lambda: ndi.label(mask, structure=full),
    "labelstats": lambda: ndi.label(mask, structure=full),
    "edt": lambda: ndi.distance_transform_edt(~mask, sampling=(sz, sy, sx)),
    "dilate": lambda: ndi.binary_dilation(mask, structure=ball),
}


def summary(op, out):
    if op in ("gaussian", "edt", "log"):
        return {"samples": out.ravel()[samples].astype(float).tolist()}
    if op == "resample":
        coords = np.stack([rsamples[:, 2] / sz, rsamples[:, 1] / sy, rsamples[:, 0] / sx])
        vals = ndi.map_coordinates(vol, coords, order=1, mode="nearest")
        return {"shape": list(out.shape[::-1]), "samples": vals.astype(float).tolist()}
    if op in ("label", "labelstats"):
        return {"count": int(out[1])}
    return {"count": int(out.sum()), "ball": int(ball.sum())}


print(json.dumps({"ready": True, "mask": int(mask.sum())}), flush=True)
for line in sys.stdin:
    op = line.strip()
    if not op:
        continue
    c = time.process_time()
    t = time.perf_counter()
    out = OPS[op]()
    ms = (time.perf_counter() - t) * 1000
    cpu = (time.process_time() - c) * 1000
    print(json.dumps({"op": op, "ms": ms, "cpuMs": cpu, **summary(op, out)}), flush=True)
    del out
