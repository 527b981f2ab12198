"""Inputs/two_stream.json (three inputs, one broadcast per channel, two
outputs) compiled at batch 2 against PyTorch, with the inputs given by name
and out of order, the outputs written by name into a directory.

usage: two_stream.py WORKDIR
"""
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
import reference  # noqa: E402

workdir = sys.argv[1]
os.makedirs(workdir, exist_ok=True)
model = os.path.join(os.path.dirname(__file__), "two_stream.json")
exe = os.path.join(workdir, "two_stream")
subprocess.run(["cnnc", "compile", model, "--batch", "2", "-o", exe], check=True)

rng = np.random.default_rng(7)
w = {name: rng.uniform(-1, 1, shape).astype(np.float32) for name, shape in [
    ("conv_left.weight", (4, 3, 3, 3)), ("conv_left.bias", (4,)),
    ("conv_right.weight", (4, 3, 3, 3)), ("conv_right.bias", (4,))]}
x = {name: rng.uniform(-1, 1, shape).astype(np.float32) for name, shape in [
    ("left", (2, 3, 8, 8)), ("right", (2, 3, 8, 8)), ("gain", (2, 4, 1, 1))]}
weights = os.path.join(workdir, "w.safetensors")
reference.write_safetensors(weights, w)
args = [exe, "--weights", weights]
for name in ("gain", "right", "left"):
    np.save(os.path.join(workdir, name + ".npy"), x[name])
    args += ["--input", f"{name}={os.path.join(workdir, name + '.npy')}"]
out = os.path.join(workdir, "out")
os.makedirs(out, exist_ok=True)
subprocess.run(args + ["--output-dir", out], check=True)

t = {k: torch.from_numpy(v) for k, v in {**w, **x}.items()}
total = (F.conv2d(t["left"], t["conv_left.weight"], t["conv_left.bias"], padding=1) +
         F.conv2d(t["right"], t["conv_right.weight"], t["conv_right.bias"], padding=1))
pool = F.adaptive_avg_pool2d(F.relu(total + t["gain"]), 1)
for name, expected in (("pool", pool), ("sum", total)):
    ok, error, bound = reference.within_tolerance(np.load(os.path.join(out, name + ".npy")),
                                                  expected.numpy())
    print(f"{'PASS' if ok else 'FAIL'}: {name} max error {error:.3g} (bound {bound:.3g})")
