"""Training steps of LeNet-5: cnnc against PyTorch, in one run.

usage: /usr/bin/python3 bench/train_step.py [--runs N] [--steps S] [--batch B] [--threads T]

Compiles models/lenet5.json with --train (SGD, learning rate 0.05, momentum
0.9: the setting of issue 13's epoch benchmark) at batch B and times the
executable's --train-steps: each run times S steps and 1 step and takes the
difference over S - 1, so start-up and weight loading cancel out. PyTorch
runs the same step (forward, cross-entropy, backward, torch.optim.SGD) on
the same thread count in this process. Prints the median time per step
[min, max] over the runs, images per second, and the ratio cnnc / PyTorch
(below 1: cnnc is faster). An epoch of Fashion-MNIST is 60000 / B steps.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, os.path.join(ROOT, "test", "e2e", "Inputs"))
from lenet5_vs_torch import forward, lenet5  # noqa: E402
from safetensors_io import write_safetensors  # noqa: E402


def summary(times):
    return statistics.median(times), min(times), max(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--steps", type=int, default=101)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cnnc", default="cnnc")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_grad_enabled(True)
    work = tempfile.mkdtemp(prefix="cnnc-train-bench-")
    exe = os.path.join(work, "lenet5-train")
    start = time.perf_counter()
    subprocess.run([args.cnnc, "compile", os.path.join(ROOT, "models", "lenet5.json"),
                    "--batch", str(args.batch), "--train", "--lr=0.05", "--momentum=0.9",
                    "-o", exe], check=True)
    compile_s = time.perf_counter() - start

    torch.manual_seed(0)
    model = lenet5()
    weights = os.path.join(work, "w.safetensors")
    write_safetensors(weights, {k: v.detach().numpy() for k, v in model.state_dict().items()})
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, size=(args.batch, 1, 32, 32)).astype(np.float32)
    labels = rng.integers(0, 10, size=args.batch)
    np.save(os.path.join(work, "x.npy"), x)
    np.save(os.path.join(work, "labels.npy"), labels.astype(np.float32))

    def run_cnnc(steps):
        begin = time.perf_counter()
        subprocess.run([exe, "--weights", weights, "--threads", str(args.threads),
                        "--input", "input=" + os.path.join(work, "x.npy"),
                        "--input", "labels=" + os.path.join(work, "labels.npy"),
                        "--train-steps", str(steps)], check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - begin

    cnnc_ms = []
    for _ in range(args.runs):
        many, one = run_cnnc(args.steps), run_cnnc(1)
        cnnc_ms.append((many - one) / (args.steps - 1) * 1000)

    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    xt, yt = torch.from_numpy(x), torch.from_numpy(labels)

    def step():
        optimizer.zero_grad()
        loss = F.cross_entropy(forward(model, xt), yt)
        loss.backward()
        optimizer.step()

    for _ in range(5):
        step()
    torch_ms = []
    for _ in range(args.runs):
        begin = time.perf_counter()
        for _ in range(args.steps - 1):
            step()
        torch_ms.append((time.perf_counter() - begin) / (args.steps - 1) * 1000)

    c, t = summary(cnnc_ms), summary(torch_ms)
    print(f"LeNet-5 training step, batch {args.batch}, {args.threads} threads, "
          f"SGD momentum 0.9 (cnnc compile {compile_s:.1f} s)")
    for name, (median, low, high) in (("cnnc", c), ("PyTorch", t)):
        print(f"  {name:8s} {median:8.3f} ms/step [{low:.3f}, {high:.3f}]  "
              f"{args.batch / median * 1000:8.0f} images/s  "
              f"epoch of 60000: {60000 / args.batch * median / 1000:.1f} s")
    print(f"  cnnc / PyTorch: {c[0] / t[0]:.2f}")


if __name__ == "__main__":
    sys.exit(main())
