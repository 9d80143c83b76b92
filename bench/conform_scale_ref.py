"""Reference for src/backends/conform-intensity.ts: FreeSurfer/FastSurfer conform's robust rescale
limits (getscale: 1000-bin numpy histogram, lower fraction of all voxels, upper fraction of the
non-zero ones, two bins down), written here from its published description, on the same seeded
volumes test/tasks/brain-structures.test.ts builds. Prints src_min and scale per case.
Run: python3 bench/conform_scale_ref.py"""
import numpy as np


def lcg_volume(n, seed, zero_frac, lo, hi, bright, bright_value, offset=0.0):
    s = seed
    out = np.empty(n, dtype=np.float64)
    for i in range(n):
        s = (s * 1664525 + 1013904223) % 2**32
        u = (s + 0.5) / 2**32
        if u < zero_frac:
            out[i] = 0.0
        else:
            out[i] = offset + lo + (hi - lo) * (u - zero_frac) / (1 - zero_frac)
    out[:bright] = bright_value
    return out


def getscale(data, lower, upper):
    mn, mx = data.min(), data.max()
    nz = np.count_nonzero(np.abs(data) >= 1e-15)
    n = data.size
    bin_size = (mx - mn) / 1000
    hist, _ = np.histogram(data, 1000)
    cs = np.concatenate(([0], np.cumsum(hist)))
    idx = np.where(cs < int(lower * n))[0]
    lo = idx[-1] + 1 if len(idx) else 0
    src_min = mn + lo * bin_size
    hi = np.where(cs >= n - int((1 - upper) * nz))[0][0] - 2
    src_max = src_min + hi * bin_size
    return src_min, 255 / (src_max - src_min)


cases = {
    'bright tail': (lcg_volume(8000, 1, 0.3, 100, 1000, 10, 5000), 0, 0.999),
    'negative values': (lcg_volume(8000, 2, 0.2, -50, 700, 0, 0), 0, 0.999),
    'lower 1 %': (lcg_volume(8000, 3, 0.1, 20, 900, 30, 3000), 0.01, 0.999),
}
for name, (data, lower, upper) in cases.items():
    src_min, scale = getscale(data, lower, upper)
    print(f"{name}: srcMin {float(src_min)!r} scale {float(scale)!r}")
