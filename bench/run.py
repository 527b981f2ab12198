"""cnnc against PyTorch and ONNX Runtime on the CPU, in one run.

usage: /usr/bin/python3 bench/run.py [--runs N] [--cnnc PATH] [--only NAME]

Compiles each benchmark model with cnnc (timing the compilation), times the
executable's --bench runs on 1 thread and on all cores, times the same
network in PyTorch (eager, inference mode) in this process and in ONNX
Runtime (exported with torch.onnx, run by bench/ort_time.js with the CPU
build of onnxruntime-node) with the same thread counts, and prints median
latencies [min, max] and the ratios cnnc / peer: below 1 means cnnc is
faster. ONNX Runtime is a benchmark peer only; it comes from
`npm install --ignore-scripts --prefix bench onnxruntime-node` (its columns
are left out where it is missing).
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


def resnet50():
    import torchvision
    return torchvision.models.resnet50()


def vgg16():
    import torchvision
    return torchvision.models.vgg16()


BENCHMARKS = [
    # name, model file, batch, PyTorch module, input shape without batch, MACs per sample
    ("LeNet-5, batch 1", "models/lenet5.json", 1, lenet5, (1, 32, 32), 416520),
    ("LeNet-5, batch 64", "models/lenet5.json", 64, lenet5, (1, 32, 32), 416520),
    ("Conv 3x3 64->64 + BN + ReLU, 1x64x56x56", "bench/models/conv_bn_relu.json", 1,
     conv_bn_relu, (64, 56, 56), 64 * 64 * 9 * 56 * 56),
    ("ResNet-18, 224x224, batch 1", "models/resnet18.json", 1, resnet18, (3, 224, 224),
     1814073344),
    ("ResNet-50, 224x224, batch 1", "models/resnet50.json", 1, resnet50, (3, 224, 224),
     4089184256),
    ("VGG-16, 224x224, batch 1", "models/vgg16.json", 1, vgg16, (3, 224, 224),
     15470264320),
]


def parse_latency(text):
    match = re.search(r"latency_ms median=([\d.e+-]+) min=([\d.e+-]+) max=([\d.e+-]+)", text)
    return tuple(float(v) for v in match.groups())


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


def compile_cnnc(cnnc, source, batch, workdir):
    """The executable and the seconds cnnc took to write it."""
    exe = os.path.join(workdir, os.path.basename(source).replace(".json", f"-b{batch}"))
    start = time.perf_counter()
    subprocess.run([cnnc, "compile", os.path.join(ROOT, source), "-o", exe,
                    "--batch", str(batch)], check=True)
    return exe, time.perf_counter() - start


def time_cnnc(exe, runs, threads):
    out = subprocess.run([exe, "--bench", str(runs), "--threads", str(threads)],
                         check=True, capture_output=True, text=True).stdout
    return parse_latency(out)


def find_ort():
    """The node_modules folder that holds onnxruntime-node, or None."""
    for folder in (os.path.join(ROOT, "bench", "node_modules"),
                   os.path.join(os.getcwd(), "node_modules")):
        if os.path.isdir(os.path.join(folder, "onnxruntime-node")):
            return folder
    return None


def time_ort(modules, module, x, runs, threads, workdir, name):
    path = os.path.join(workdir, re.sub(r"\W+", "_", name) + ".onnx")
    if not os.path.exists(path):
        with torch.inference_mode():
            torch.onnx.export(module, x, path, opset_version=13)
    env = dict(os.environ, NODE_PATH=modules)
    out = subprocess.run(["node", os.path.join(ROOT, "bench", "ort_time.js"), path,
                          str(threads), str(runs), ",".join(map(str, x.shape))],
                         check=True, capture_output=True, text=True, env=env).stdout
    return parse_latency(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--cnnc", default=os.path.join(ROOT, "build", "bin", "cnnc"))
    parser.add_argument("--only", help="run the benchmarks whose name contains this")
    args = parser.parse_args()
    cores = os.cpu_count()
    modules = find_ort()
    print(f"PyTorch {torch.__version__}, ONNX Runtime "
          f"{'from ' + modules if modules else 'not found (columns left out)'}, "
          f"{cores} cores; {args.runs} timed runs each (a fifth for big models), "
          "after a warm-up; latencies in ms as median [min, max]\n")
    header = (f"{'benchmark':<42} {'thr':>3} {'cnnc':>24} {'PyTorch':>24} "
              f"{'ONNX Runtime':>24} {'cnnc/PT':>8} {'cnnc/ORT':>8} {'GFLOP/s':>8}")
    print(header)
    print("-" * len(header))
    compile_times = []
    cell = lambda t: f"{t[0]:.3f} [{t[1]:.3f}, {t[2]:.3f}]" if t else "-"
    with tempfile.TemporaryDirectory() as workdir:
        for name, source, batch, build, shape, macs in BENCHMARKS:
            if args.only and args.only not in name:
                continue
            runs = args.runs if macs * batch < 50e6 else max(5, args.runs // 5)
            torch.manual_seed(0)
            module = build().eval()
            x = torch.rand(batch, *shape)
            exe, seconds = compile_cnnc(args.cnnc, source, batch, workdir)
            compile_times.append((name, seconds))
            for threads in sorted({1, cores}):
                cnnc = time_cnnc(exe, runs, threads)
                pt = time_torch(module, x, runs, threads)
                ort = (time_ort(modules, module, x, runs, threads, workdir, name)
                       if modules else None)
                gflops = 2 * macs * batch / (cnnc[0] * 1e-3) / 1e9
                print(f"{name:<42} {threads:>3} {cell(cnnc):>24} {cell(pt):>24} "
                      f"{cell(ort):>24} {cnnc[0] / pt[0]:>8.2f} "
                      f"{(cnnc[0] / ort[0]) if ort else float('nan'):>8.2f} {gflops:>8.1f}",
                      flush=True)
    print("\ncompile times (cnnc compile, executable):")
    for name, seconds in compile_times:
        print(f"  {name:<42} {seconds:6.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
