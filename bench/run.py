"""cnnc against PyTorch on the CPU, in one run.

usage: /usr/bin/python3 bench/run.py [--runs N] [--cnnc PATH]

Compiles each benchmark model with cnnc, times the executable's --bench
runs, times the same network in PyTorch (eager, inference mode) in this
process, and prints a table of median latencies (with min and max) and the
ratio cnnc / PyTorch: below 1 means cnnc is faster. PyTorch runs with one
thread (cnnc's code is single-threaded today) and with all cores.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def lenet5():
    class LeNet5(nn.Module):
        def __init__(self):
            super().__init__()
            self.c1, self.c3 = nn.Conv2d(1, 6, 5), nn.Conv2d(6, 16, 5)
            self.c5 = nn.Conv2d(16, 120, 5)
            self.f6, self.output = nn.Linear(120, 84), nn.Linear(84, 10)

        def forward(self, x):
            x = F.avg_pool2d(torch.tanh(self.c1(x)), 2)
            x = F.avg_pool2d(torch.tanh(self.c3(x)), 2)
            x = torch.flatten(torch.tanh(self.c5(x)), 1)
            return self.output(torch.tanh(self.f6(x)))
    return LeNet5()


def conv_bn_relu():
    return nn.Sequential(nn.Conv2d(64, 64, 3, padding=1, bias=False),
                         nn.BatchNorm2d(64), nn.ReLU())


def resnet18():
    import torchvision
    return torchvision.models.resnet18()


BENCHMARKS = [
    # name, model file, batch, PyTorch module, input shape without batch, MACs per sample
    ("LeNet-5, batch 1", "models/lenet5.json", 1, lenet5, (1, 32, 32), 416520),
    ("LeNet-5, batch 64", "models/lenet5.json", 64, lenet5, (1, 32, 32), 416520),
    ("Conv 3x3 64->64 + BN + ReLU, 1x64x56x56", "bench/models/conv_bn_relu.json", 1,
     conv_bn_relu, (64, 56, 56), 64 * 64 * 9 * 56 * 56),
    ("ResNet-18, 224x224, batch 1", "models/resnet18.json", 1, resnet18, (3, 224, 224),
     1814073344),
]


def time_torch(module, x, runs, threads):
    torch.set_num_threads(threads)
    module.eval()
    with torch.inference_mode():
        for _ in range(3):
            module(x)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            module(x)
            times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times), min(times), max(times)


def time_cnnc(cnnc, source, batch, runs, workdir):
    exe = os.path.join(workdir, os.path.basename(source).replace(".json", f"-b{batch}"))
    subprocess.run([cnnc, "compile", os.path.join(ROOT, source), "-o", exe,
                    "--batch", str(batch)], check=True)
    out = subprocess.run([exe, "--bench", str(runs)], check=True, capture_output=True,
                         text=True).stdout
    match = re.search(r"latency_ms median=([\d.]+) min=([\d.]+) max=([\d.]+)", out)
    return tuple(float(v) for v in match.groups())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--cnnc", default=os.path.join(ROOT, "build", "bin", "cnnc"))
    args = parser.parse_args()
    cores = os.cpu_count()
    print(f"PyTorch {torch.__version__}, {cores} cores; {args.runs} timed runs each, "
          "after a warm-up; latencies in ms as median [min, max]\n")
    header = (f"{'benchmark':<42} {'cnnc':>24} {'PyTorch 1 thread':>24} "
              f"{'PyTorch ' + str(cores) + ' threads':>24} {'cnnc/PT-1':>9} {'cnnc/PT-' + str(cores):>9} "
              f"{'cnnc GFLOP/s':>12}")
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as workdir:
        for name, source, batch, build, shape, macs in BENCHMARKS:
            runs = args.runs if macs * batch < 50e6 else max(5, args.runs // 5)
            torch.manual_seed(0)
            module = build()
            x = torch.rand(batch, *shape)
            cnnc = time_cnnc(args.cnnc, source, batch, runs, workdir)
            one = time_torch(module, x, runs, 1)
            all_cores = time_torch(module, x, runs, cores)
            gflops = 2 * macs * batch / (cnnc[0] * 1e-3) / 1e9
            cell = lambda t: f"{t[0]:.3f} [{t[1]:.3f}, {t[2]:.3f}]"
            print(f"{name:<42} {cell(cnnc):>24} {cell(one):>24} {cell(all_cores):>24} "
                  f"{cnnc[0] / one[0]:>9.2f} {cnnc[0] / all_cores[0]:>9.2f} {gflops:>12.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
