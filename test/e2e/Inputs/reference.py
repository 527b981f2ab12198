"""Helpers for comparing compiled cnnc models with PyTorch.

PyTorch (Debian's python3-torch) is the independent reference: a test builds
a model in PyTorch from the same weights it writes for cnnc, runs both on the
same input, and compares. Nothing here uses cnnc's own output as a reference.
"""
import json
import os
import struct
import subprocess

import numpy as np
import torch

torch.set_grad_enabled(False)


DTYPES = {np.dtype(np.float32): "F32", np.dtype(np.float64): "F64",
          np.dtype(np.float16): "F16"}


def write_safetensors(path, tensors):
    """Writes {name: array} as a safetensors file; float64 and float16 arrays
    keep their type, everything else is written as float32."""
    header, blobs, offset = {}, [], 0
    for name, value in tensors.items():
        value = np.asarray(value)
        if value.dtype not in DTYPES:
            value = value.astype(np.float32)
        data = np.ascontiguousarray(value).tobytes()
        header[name] = {"dtype": DTYPES[value.dtype], "shape": list(value.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def compile_model(cnnc, model, workdir, name, batch=None):
    """Writes `model` (a dict) as JSON and compiles it; returns the executable."""
    source = os.path.join(workdir, name + ".json")
    with open(source, "w") as f:
        json.dump(model, f, indent=1)
    exe = os.path.join(workdir, name)
    command = [cnnc, "compile", source, "-o", exe]
    if batch is not None:
        command += ["--batch", str(batch)]
    subprocess.run(command, check=True)
    return exe


def run_model(exe, weights, x, workdir, name):
    """Runs a compiled model on `x` with `weights`; returns its output."""
    weights_path = os.path.join(workdir, name + ".safetensors")
    input_path = os.path.join(workdir, name + ".in.npy")
    output_path = os.path.join(workdir, name + ".out.npy")
    write_safetensors(weights_path, weights)
    np.save(input_path, np.ascontiguousarray(x, dtype=np.float32))
    subprocess.run([exe, "--weights", weights_path, "--input", input_path,
                    "--output", output_path], check=True)
    return np.load(output_path)


def within_tolerance(actual, expected):
    """max |a - b| <= 1e-4 * max(1, max |b|); returns (ok, error, bound)."""
    expected = np.asarray(expected, dtype=np.float64)
    actual = np.asarray(actual, dtype=np.float64)
    if actual.shape != expected.shape:
        return False, float("inf"), 0.0
    bound = 1e-4 * max(1.0, float(np.max(np.abs(expected))) if expected.size else 1.0)
    error = float(np.max(np.abs(actual - expected))) if expected.size else 0.0
    return error <= bound, error, bound
