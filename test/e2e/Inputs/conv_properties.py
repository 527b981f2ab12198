"""The properties of convolution from the lecture, as tests of compiled
conv1d code (true convolution, "full" padding) on random signals.

usage: conv_properties.py WORKDIR

Compiles conv1d models for the signal and kernel lengths needed and checks:
linearity, shift invariance, the Dirac kernel as identity, commutativity
(x * h = h * x), associativity ((x * h1) * h2 = x * (h1 * h2)), the
convolution theorem (x * h = IFFT(FFT(x) FFT(h)), numpy's FFT), and that
cross-correlation is convolution with the mirrored kernel. Tolerance:
max |a - b| <= 1e-5 * max(1, max |b|).
"""
import json
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference import write_safetensors  # noqa: E402

WORKDIR = sys.argv[1]
RNG = np.random.default_rng(11)
_compiled = {}


def conv(x, h, true_convolution=True):
    """The compiled full convolution of 1-D signals x and h (by cnnc)."""
    length, kernel = len(x), len(h)
    key = (length, kernel, true_convolution)
    if key not in _compiled:
        name = f"conv-{length}-{kernel}-{'conv' if true_convolution else 'xcorr'}"
        source = os.path.join(WORKDIR, name + ".json")
        with open(source, "w") as f:
            json.dump({"name": name.replace("-", "_"), "input": {"shape": [1, length]},
                       "layers": [{"name": "h", "op": "conv1d", "out_channels": 1,
                                   "kernel": kernel, "padding": "full", "bias": False,
                                   "true_convolution": true_convolution}]}, f)
        exe = os.path.join(WORKDIR, name)
        subprocess.run(["cnnc", "compile", source, "-o", exe], check=True)
        _compiled[key] = exe
    exe = _compiled[key]
    weights, x_path, y_path = (os.path.join(WORKDIR, n) for n in ("h.safetensors", "x.npy", "y.npy"))
    write_safetensors(weights, {"h.weight": np.asarray(h, np.float32).reshape(1, 1, -1)})
    np.save(x_path, np.asarray(x, np.float32).reshape(1, 1, -1))
    subprocess.run([exe, "--weights", weights, "--input", x_path, "--output", y_path], check=True)
    return np.load(y_path).reshape(-1).astype(np.float64)


def signal(n, zeros_at_end=0):
    x = RNG.uniform(-1, 1, n).astype(np.float32)
    if zeros_at_end:
        x[-zeros_at_end:] = 0
    return x


def main():
    os.makedirs(WORKDIR, exist_ok=True)
    x, y, h = signal(32), signal(32), signal(5)
    h1, h2 = signal(5), signal(7)
    a, b = np.float32(1.5), np.float32(-0.75)
    dirac = np.zeros(5, np.float32)
    dirac[0] = 1
    shift = 4
    x_short = signal(32, zeros_at_end=shift)
    x_shifted = np.concatenate([np.zeros(shift, np.float32), x_short[:-shift]])
    n = len(x) + len(h) - 1
    fft_product = np.real(np.fft.ifft(np.fft.fft(x, n) * np.fft.fft(h, n)))

    checks = [
        ("linearity: (a x + b y) * h = a (x * h) + b (y * h)",
         conv(a * x + b * y, h), a * conv(x, h) + b * conv(y, h)),
        (f"shift invariance: x delayed by {shift} gives x * h delayed by {shift}",
         conv(x_shifted, h), np.concatenate([np.zeros(shift), conv(x_short, h)[:-shift]])),
        ("identity: x * delta = x (followed by zeros)",
         conv(x, dirac), np.concatenate([x, np.zeros(len(dirac) - 1)])),
        ("commutativity: x * h = h * x", conv(x, h), conv(h, x)),
        ("associativity: (x * h1) * h2 = x * (h1 * h2)",
         conv(conv(x, h1), h2), conv(x, conv(h1, h2))),
        ("convolution theorem: x * h = IFFT(FFT(x) FFT(h))", conv(x, h), fft_product),
        ("cross-correlation is convolution with the mirrored kernel",
         conv(x, h, true_convolution=False), conv(x, h[::-1])),
        ("true convolution is numpy's convolve", conv(x, h), np.convolve(x, h)),
    ]
    failed = 0
    for label, actual, expected in checks:
        expected = np.asarray(expected, np.float64)
        bound = 1e-5 * max(1.0, float(np.max(np.abs(expected))))
        error = float(np.max(np.abs(actual - expected))) if actual.shape == expected.shape else np.inf
        ok = error <= bound
        failed += not ok
        print(f"{'PASS' if ok else 'FAIL'}: {label}: length {len(actual)}, max error {error:.2g}")
    print(f"convolution properties: {len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
