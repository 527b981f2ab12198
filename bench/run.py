"""cnnc against PyTorch and ONNX Runtime on the CPU, in one run.

usage: /usr/bin/python3 bench/run.py [--runs N] [--cnnc PATH] [--only NAME]

Measures the machine's single-thread FMA peak (bench/fma_peak.c, built for
the host), then for each benchmark (every model in models/ at batch 1,
ResNet-18 also at batch 8, LeNet-5 at batch 64, and a zoo of the
convolution layers of ResNet-50 and VGG-16, each with batch norm and ReLU)
compiles it with cnnc (timing the compilation), times the executable's
--bench runs on 1 thread and on all cores (and reads its peak resident
memory), times the same network in PyTorch (eager, inference mode) in this
process and in ONNX Runtime (exported with torch.onnx, run by
bench/ort_time.js with the CPU build of onnxruntime-node) with the same
thread counts, and prints median latencies [min, max], the ratios cnnc /
peer (below 1: cnnc is faster), cnnc's GFLOP/s and, for the convolution
layers, its fraction of the FMA peak of the threads used. ONNX Runtime is a
benchmark peer only; it comes from
`npm install --ignore-scripts --prefix bench onnxruntime-node` (its columns
are left out where it is missing).
"""
import argparse
import json
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
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, os.path.join(ROOT, "test", "e2e", "Inputs"))


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


def torchvision_model(arch):
    import export_torchvision
    return lambda: export_torchvision.build(arch, seed=0)


def paper_model(arch):
    import paper_models
    builder, _, size = paper_models.REFERENCES[arch]
    return lambda: builder(size)


def conv_layer(c, f, size, kernel, stride):
    """A zoo entry: name, its JSON model, its PyTorch module, input shape."""
    padding = kernel // 2
    name = f"conv {kernel}x{kernel}/{stride} {c}->{f} @{size}"
    model = {
        "name": re.sub(r"\W+", "_", name),
        "input": {"shape": [c, size, size]},
        "layers": [
            {"name": "conv", "op": "conv2d", "out_channels": f, "kernel": kernel,
             "stride": stride, "padding": padding, "bias": False},
            {"name": "bn", "op": "batch_norm"},
            {"name": "relu", "op": "relu"},
        ],
    }
    module = lambda: nn.Sequential(nn.Conv2d(c, f, kernel, stride, padding, bias=False),
                                   nn.BatchNorm2d(f), nn.ReLU())
    return name, model, module, (c, size, size)


# The convolution layers of ResNet-50 and VGG-16 at 224x224, each shape once:
# (input channels, filters, input size, kernel, stride).
CONV_ZOO = [
    (3, 64, 224, 7, 2), (64, 64, 56, 3, 1), (64, 256, 56, 1, 1), (256, 64, 56, 1, 1),
    (128, 128, 56, 3, 2), (512, 128, 28, 1, 1), (256, 256, 14, 3, 1),
    (1024, 256, 14, 1, 1), (512, 512, 7, 3, 1), (2048, 512, 7, 1, 1),
    (3, 64, 224, 3, 1), (64, 64, 224, 3, 1), (128, 128, 112, 3, 1), (256, 256, 56, 3, 1),
    (512, 512, 28, 3, 1), (512, 512, 14, 3, 1),
]

TORCHVISION = ["alexnet", "vgg16", "googlenet", "resnet18", "resnet50", "densenet121"]
PAPERS = ["neocognitron", "lenet5-1998", "zfnet", "yolov1", "unet", "yolov5s"]


def benchmarks(workdir):
    """(name, model file, batch, PyTorch builder, input shape, is a conv layer)."""
    entries = [("lenet5, batch 1", "models/lenet5.json", 1, lenet5, (1, 32, 32), False)]
    for arch in TORCHVISION:
        entries.append((f"{arch}, batch 1", f"models/{arch}.json", 1, torchvision_model(arch),
                        (3, 224, 224), False))
    for arch in PAPERS:
        import paper_models
        _, channels, size = paper_models.REFERENCES[arch]
        entries.append((f"{arch}, batch 1", f"models/{arch}.json", 1, paper_model(arch),
                        (channels, size, size), False))
    entries.append(("resnet18, batch 8", "models/resnet18.json", 8, torchvision_model("resnet18"),
                    (3, 224, 224), False))
    entries.append(("lenet5, batch 64", "models/lenet5.json", 64, lenet5, (1, 32, 32), False))
    for layer in CONV_ZOO:
        name, model, module, shape = conv_layer(*layer)
        path = os.path.join(workdir, model["name"] + ".json")
        with open(path, "w") as f:
            json.dump(model, f)
        entries.append((name, path, 1, module, shape, True))
    return entries


def multiply_adds(cnnc, source, batch):
    """The model's multiply-adds per sample, as `cnnc summary` counts them."""
    out = subprocess.run([cnnc, "summary", source], check=True, capture_output=True,
                         text=True).stdout
    return int(re.search(r"Total multiply-accumulates: ([\d,]+)", out).group(1).replace(",", ""))


def fma_peak(workdir):
    """GFLOP/s of one thread at peak, measured, or None without a C compiler."""
    exe = os.path.join(workdir, "fma_peak")
    try:
        subprocess.run(["cc", "-O3", "-march=native", os.path.join(ROOT, "bench", "fma_peak.c"),
                        "-o", exe], check=True)
        out = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return float(re.search(r"fma_peak_gflops=([\d.]+)", out).group(1))


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
    source = source if os.path.isabs(source) else os.path.join(ROOT, source)
    start = time.perf_counter()
    subprocess.run([cnnc, "compile", source, "-o", exe, "--batch", str(batch)], check=True)
    return exe, time.perf_counter() - start


def time_cnnc(exe, runs, threads):
    """Latencies, and the executable's peak resident memory in MiB."""
    out = subprocess.run([exe, "--bench", str(runs), "--threads", str(threads)],
                         check=True, capture_output=True, text=True).stdout
    return parse_latency(out), float(re.search(r"peak_resident=([\d.]+)", out).group(1))


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
    compile_times = []
    cell = lambda t: f"{t[0]:.3f} [{t[1]:.3f}, {t[2]:.3f}]" if t else "-"
    with tempfile.TemporaryDirectory() as workdir:
        peak = fma_peak(workdir)
        print(f"PyTorch {torch.__version__}, ONNX Runtime "
              f"{'from ' + modules if modules else 'not found (columns left out)'}, "
              f"{cores} cores, FMA peak "
              f"{f'{peak:.1f} GFLOP/s a thread' if peak else 'not measured'}; "
              f"{args.runs} timed runs each (a fifth for big models), after a warm-up; "
              "latencies in ms as median [min, max]\n")
        header = (f"{'benchmark':<34} {'thr':>3} {'cnnc':>26} {'PyTorch':>26} "
                  f"{'ONNX Runtime':>26} {'cnnc/PT':>7} {'cnnc/ORT':>8} {'GFLOP/s':>8} "
                  f"{'peak':>5} {'MiB':>6}")
        print(header)
        print("-" * len(header))
        for name, source, batch, build, shape, is_layer in benchmarks(workdir):
            if args.only and args.only not in name:
                continue
            full_source = source if os.path.isabs(source) else os.path.join(ROOT, source)
            macs = multiply_adds(args.cnnc, full_source, batch)
            runs = args.runs if macs * batch < 50e6 else max(5, args.runs // 5)
            torch.manual_seed(0)
            module = build().eval()
            x = torch.rand(batch, *shape)
            exe, seconds = compile_cnnc(args.cnnc, source, batch, workdir)
            compile_times.append((name, seconds))
            for threads in sorted({1, cores}):
                cnnc, rss = time_cnnc(exe, runs, threads)
                pt = time_torch(module, x, runs, threads)
                ort = (time_ort(modules, module, x, runs, threads, workdir, name)
                       if modules else None)
                gflops = 2 * macs * batch / (cnnc[0] * 1e-3) / 1e9
                fraction = (f"{gflops / (peak * threads):.0%}" if is_layer and peak else "")
                print(f"{name:<34} {threads:>3} {cell(cnnc):>26} {cell(pt):>26} "
                      f"{cell(ort):>26} {cnnc[0] / pt[0]:>7.2f} "
                      f"{(cnnc[0] / ort[0]) if ort else float('nan'):>8.2f} {gflops:>8.1f} "
                      f"{fraction:>5} {rss:>6.0f}",
                      flush=True)
    print("\ncompile times (cnnc compile, executable):")
    for name, seconds in compile_times:
        print(f"  {name:<34} {seconds:6.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
