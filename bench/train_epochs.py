"""Epochs of LeNet-5 on Fashion-MNIST: `cnnc train` against PyTorch, in one run.

usage: /usr/bin/python3 bench/train_epochs.py [--epochs 5] [--threads 2]
           [--data /usr/share/datasets/fashion-mnist] [--cnnc cnnc]

Both start from the same initial weights (PyTorch's initialisation, seed 0),
train with SGD (learning rate 0.05, momentum 0.9) at batch 64 on the same
batches in the same order (runtime/train.c's shuffle, reproduced in
test/e2e/Inputs/train_reference.py), and evaluate the test set after every
epoch. cnnc runs on every core; PyTorch on --threads (set it to the core
count). Prints each epoch's test accuracy for both and their difference
(issue 13's bar: within 0.5 points), each epoch's training time, and the
median [min, max] epoch time with the ratio cnnc / PyTorch (below 1: cnnc
is faster).
"""
import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, os.path.join(ROOT, "test", "e2e", "Inputs"))
from lenet5_vs_torch import forward, lenet5  # noqa: E402
from safetensors_io import write_safetensors  # noqa: E402
import train_reference  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--cnnc", default="cnnc")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    work = tempfile.mkdtemp(prefix="cnnc-epoch-bench-")
    torch.manual_seed(0)
    model = lenet5()
    initial = os.path.join(work, "initial.safetensors")
    write_safetensors(initial, {k: v.detach().numpy() for k, v in model.state_dict().items()})

    log = os.path.join(work, "cnnc.csv")
    start = time.perf_counter()
    subprocess.run([args.cnnc, "train", os.path.join(ROOT, "models", "lenet5.json"),
                    "--data", args.data, "--batch", "64", "--lr", "0.05", "--momentum", "0.9",
                    "--epochs", str(args.epochs), "--weights", initial, "--log", log,
                    "-o", os.path.join(work, "lenet5.safetensors")],
                   check=True, stdout=subprocess.DEVNULL)
    cnnc_total = time.perf_counter() - start
    with open(log) as f:
        cnnc = [{k: float(v) for k, v in row.items()} for row in csv.DictReader(f)]

    data = (*train_reference.load_split(args.data, "train"),
            *train_reference.load_split(args.data, "t10k"))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    reference = train_reference.train_torch(lambda x: forward(model, x), optimizer, data,
                                            args.epochs, seed=1, batch=64)

    print(f"LeNet-5, Fashion-MNIST, batch 64, SGD lr 0.05 momentum 0.9, same initial "
          f"weights and batches; PyTorch {torch.__version__} on {args.threads} threads")
    print("epoch  cnnc acc  PyTorch acc  difference  cnnc s  PyTorch s")
    for e, (c, t) in enumerate(zip(cnnc, reference)):
        diff = 100 * (c["test_accuracy"] - t["test_accuracy"])
        print(f"{e + 1:5d}  {100 * c['test_accuracy']:7.2f}%  {100 * t['test_accuracy']:10.2f}%"
              f"  {diff:+9.2f}  {c['seconds']:6.2f}  {t['seconds']:9.2f}")
    times = {"cnnc": [c["seconds"] for c in cnnc],
             "PyTorch": [t["seconds"] for t in reference]}
    for name, values in times.items():
        print(f"  {name:8s} epoch {statistics.median(values):6.2f} s "
              f"[{min(values):.2f}, {max(values):.2f}]")
    print(f"  cnnc / PyTorch: "
          f"{statistics.median(times['cnnc']) / statistics.median(times['PyTorch']):.2f} "
          f"(cnnc train in all: {cnnc_total:.1f} s, compilation and evaluation included)")


if __name__ == "__main__":
    sys.exit(main())
