"""Helpers for comparing compiled cnnc models with PyTorch.

PyTorch (Debian's python3-torch) is the independent reference: a test builds
a model in PyTorch from the same weights it writes for cnnc, runs both on the
same input, and compares. Nothing here uses cnnc's own output as a reference.
"""
import concurrent.futures
import json
import os
import re
import subprocess
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "scripts"))
from safetensors_io import write_safetensors  # noqa: E402,F401

torch.set_grad_enabled(False)


def compile_model(cnnc, model, workdir, name, batch=None, flags=()):
    """Writes `model` (a dict) as JSON and compiles it (with `flags` for
    cnnc compile); returns the executable."""
    source = os.path.join(workdir, name + ".json")
    with open(source, "w") as f:
        json.dump(model, f, indent=1)
    exe = os.path.join(workdir, name)
    command = [cnnc, "compile", source, "-o", exe, *flags]
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


def within_tolerance(actual, expected, relative=1e-4):
    """max |a - b| <= relative * max(1, max |b|), shapes equal; returns
    (ok, error, bound)."""
    expected = np.asarray(expected, dtype=np.float64)
    actual = np.asarray(actual, dtype=np.float64)
    if actual.shape != expected.shape:
        return False, float("inf"), 0.0
    bound = relative * max(1.0, float(np.max(np.abs(expected))) if expected.size else 1.0)
    error = float(np.max(np.abs(actual - expected))) if expected.size else 0.0
    return error <= bound, error, bound


def calibrate_batch_norm(model, size, channels=3):
    """Sets the batch norm statistics from one batch of random inputs, as
    training would, so that activations stay of order 1 and a comparison
    is not vacuous."""
    norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    if not norms:
        return
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None  # the plain average of what it sees
    model.train()
    with torch.no_grad():
        model(torch.from_numpy(
            np.random.default_rng(2).uniform(-1, 1, (4, channels, size, size)).astype(np.float32)))
    model.eval()


def summary_parameter_count(source):
    """The total parameter count `cnnc summary` prints for a model file."""
    summary = subprocess.run(["cnnc", "summary", source], check=True,
                             capture_output=True, text=True).stdout
    return int(re.search(r"Total parameters: ([\d,]+)", summary).group(1).replace(",", ""))


def run_cases(count, run_case, label):
    """Runs `run_case(i)` -> (name, ok, detail) for every case on a thread
    per core, prints a line per case and 'LABEL: N passed, M failed', and
    returns the exit status."""
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        results = list(pool.map(run_case, range(count)))
    failed = 0
    for name, ok, detail in results:
        print(f"{'PASS' if ok else 'FAIL'}: {name}: {detail}")
        failed += not ok
    print(f"{label}: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


def run_train_steps(exe, weights_path, workdir, steps, trained_path):
    """Runs `steps` training steps of a model compiled with --train on the
    batch in WORKDIR/x.npy and WORKDIR/labels.npy from `weights_path`, and
    saves the weights to `trained_path`; returns the losses it printed."""
    run = subprocess.run([exe, "--weights", weights_path,
                          "--input", "input=" + os.path.join(workdir, "x.npy"),
                          "--input", "labels=" + os.path.join(workdir, "labels.npy"),
                          "--train-steps", str(steps), "--save-weights", trained_path],
                         check=True, capture_output=True, text=True)
    return [float(v) for v in re.findall(r"loss (\S+)", run.stdout)]
