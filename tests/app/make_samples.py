"""Writes the samples files of the app tests into DIR: one valid file and one per way to be invalid.

Run with Debian's /usr/bin/python3 (python3-h5py, python3-numpy). The schema is the README's:
attributes d, N, L; /weights (M,); /samples/real and /samples/imag (M, N, N), C order.
"""
import sys

import h5py
import numpy as np

out = sys.argv[1]
d, N, L, M = 2, 32, 16.0, 3
x = -L / 2 + np.arange(N) * L / N
X, Y = np.meshgrid(x, x, indexing="ij")
cell = (L / N) ** d


def sample(cx, kick):
    phi = np.exp(-((X - cx) ** 2 + Y ** 2) / 2) * np.exp(1j * kick * X)
    return phi / np.sqrt(cell * np.sum(np.abs(phi) ** 2))


def write(name, weights=None, real=None, imag=None, attrs=None, imag_dtype="f8"):
    phis = np.array([sample(-1.0, 0.5), sample(0.0, 0.0), sample(1.5, -1.0)])
    weights = np.array([0.2, 0.3, 0.5]) if weights is None else weights
    real = phis.real if real is None else real
    imag = phis.imag if imag is None else imag
    attrs = {"d": d, "N": N, "L": L} if attrs is None else attrs
    with h5py.File(f"{out}/{name}.h5", "w") as f:
        for key, value in attrs.items():
            f.attrs[key] = value
        f["weights"] = weights
        f["samples/real"] = real
        f["samples/imag"] = imag.astype(imag_dtype)
    return phis


phis = write("good")
write("bad_sum", weights=np.array([0.2, 0.3, 0.49]))
write("negative_weight", weights=np.array([-0.1, 0.6, 0.5]))
unnormalized = phis.real.copy()
unnormalized[1] *= 1.001
write("not_normalized", real=unnormalized)
write("wrong_shape", real=phis.real[:, :, :16], imag=phis.imag[:, :, :16])
write("missing_attribute", attrs={"d": d, "N": N})
with_nan = phis.imag.copy()
with_nan[2, 5, 7] = np.nan
write("nan_value", imag=with_nan)
with open(f"{out}/not_hdf5.h5", "w") as f:
    f.write("this is not an HDF5 file\n")

# Many samples: M = 100,000 equal weights 1/M as numpy writes them (float64 1/M, summed naively they
# are off 1 by ~1e-12), on a tiny 1D grid; and the same file with the weights summing to 1 + 1e-6.
M_many, N_many, L_many = 100_000, 8, 8.0
x_many = -L_many / 2 + np.arange(N_many) * L_many / N_many
row = np.exp(-x_many ** 2 / 2)
row = row / np.sqrt((L_many / N_many) * np.sum(row ** 2))
for name, scale in (("many_uniform", 1.0), ("many_off", 1.0 + 1e-6)):
    with h5py.File(f"{out}/{name}.h5", "w") as f:
        f.attrs["d"], f.attrs["N"], f.attrs["L"] = 1, N_many, L_many
        f["weights"] = np.full(M_many, scale / M_many)
        f["samples/real"] = np.broadcast_to(row, (M_many, N_many))
        f["samples/imag"] = np.zeros((M_many, N_many))
