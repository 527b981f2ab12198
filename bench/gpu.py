"""cnnc's GPU executables against PyTorch on an NVIDIA GPU.

usage:
  /usr/bin/python3 bench/gpu.py bundle DIR [--only NAME]...
      where cnnc is built (no GPU needed): compiles every model in models/
      at batch 1, and the benchmarks below, for --target=nvptx into DIR,
      with a PyTorch reference of each traced without its weights
      (TorchScript, kilobytes) and the order that maps cnnc's weight names
      onto it. DIR holds no weights and no inputs: a few MiB to carry.
  python3 bench/gpu.py run DIR [--runs N]
      on the GPU machine (python3 with numpy and a CUDA build of PyTorch;
      no cnnc, no CUDA toolkit): each executable initialises its weights
      (the same values on every machine) and saves them, PyTorch loads them
      into the reference, both run on the same random input on the GPU,
      and the outputs must agree within max |a - b| <= 1e-3 * max |b|
      (PyTorch in fp32, TF32 off). Then the benchmarks: medians [min, max]
      of the executable's --bench runs against PyTorch eager and
      torch.compile (where it compiles the reference) on the same card,
      and the ratios (below 1: cnnc is faster).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (name, model file, batch): the GPU benchmarks; every model also
# runs at batch 1 for the numerical check.
BENCHMARKS = [
    ("lenet5-b1", "models/lenet5.json", 1),
    ("conv3x3-64-56-b1", None, 1),
    ("resnet18-b1", "models/resnet18.json", 1),
    ("resnet18-b32", "models/resnet18.json", 32),
    ("resnet50-b1", "models/resnet50.json", 1),
    ("resnet50-b32", "models/resnet50.json", 32),
    ("vgg16-b1", "models/vgg16.json", 1),
    ("yolov1-b1", "models/yolov1.json", 1),
]


def signature(cnnc, source, batch):
    """The model's inputs (shapes), outputs (names) and parameters and
    buffers (names, shapes), in argument order, from its cnn dialect form."""
    ir = subprocess.run([cnnc, "compile", source, "--batch", str(batch), "--emit=cnn"],
                        check=True, capture_output=True, text=True).stdout
    head = ir[ir.index("func.func @forward("):]
    head = head[:head.index("{\n")]
    inputs, params = [], []
    for shape, attrs in re.findall(r"tensor<([0-9x]+)xf32> \{([^}]*)\}", head):
        dims = [int(d) for d in shape.split("x")]
        if "cnn.input" in attrs:
            inputs.append(dims)
        name = re.search(r'cnn\.(?:param|buffer) = "([^"]+)"', attrs)
        if name:
            params.append((name.group(1), dims))
    outputs = re.findall(r'cnn\.output = "([^"]+)"', head)
    return inputs, outputs, params


def reference_module(arch):
    """The PyTorch reference of a model of models/, as bench/run.py builds
    it (torchvision, the papers' references, LeNet-5)."""
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    import run
    if arch == "lenet5":
        return run.lenet5()
    if arch in run.TORCHVISION:
        return run.torchvision_model(arch)()
    if arch in run.PAPERS:
        return run.paper_model(arch)()
    return None


def weight_mapping(module, params):
    """[reference tensor name, cnnc name] for every tensor: by name where the
    reference's names are cnnc's (the papers' references), else in network
    order (torchvision's, as scripts/export_torchvision.py maps them); None
    where the tensors differ."""
    state = [(k, list(v.shape)) for k, v in module.state_dict().items()
             if not k.endswith("num_batches_tracked")]
    if dict(state) == dict(params):
        return [[name, name] for name, _ in params]
    if len(state) == len(params) and all(s == p for (_, s), (_, p) in zip(state, params)):
        return [[k, name] for (k, _), (name, _) in zip(state, params)]
    return None


def conv_layer_model(workdir):
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    import run
    _, model, module, _ = run.conv_layer(64, 64, 56, 3, 1)
    path = os.path.join(workdir, "conv3x3-64-56.json")
    with open(path, "w") as f:
        json.dump(model, f)
    return path, module()


def bundle(args):
    import torch
    cnnc = args.cnnc
    os.makedirs(args.dir, exist_ok=True)
    entries = []
    models = sorted(f[:-5] for f in os.listdir(os.path.join(ROOT, "models")) if f.endswith(".json"))
    wanted = [(f"{m}-b1", f"models/{m}.json", 1, True) for m in models]
    for name, source, batch in BENCHMARKS:
        found = next((w for w in wanted if w[0] == name), None)
        if found:
            wanted[wanted.index(found)] = (name, source, batch, "both")
        else:
            wanted.append((name, source, batch, False))
    for name, source, batch, check in wanted:
        if args.only and name not in args.only:
            continue
        if source is None:
            source, module = conv_layer_model(args.dir)
        else:
            source = os.path.join(ROOT, source)
            module = reference_module(os.path.basename(source)[:-5])
        exe = os.path.join(args.dir, name)
        subprocess.run([cnnc, "compile", source, "--target=nvptx", "--batch", str(batch),
                        "-o", exe], check=True)
        inputs, outputs, params = signature(cnnc, source, batch)
        entry = {"name": name, "exe": name, "inputs": inputs, "outputs": outputs,
                 "check": bool(check), "bench": check is not True}
        mapping = weight_mapping(module, params) if module is not None else None
        if mapping is None or len(inputs) != 1:
            entry["reference"] = None
            entry["why"] = "no PyTorch reference whose tensors are cnnc's"
        else:
            module.eval()
            with torch.no_grad():
                traced = torch.jit.trace(module, torch.zeros(inputs[0]), check_trace=False)
            # The weights come from the executable on the GPU machine.
            for tensor in list(traced.parameters()) + list(traced.buffers()):
                tensor.data = torch.empty(0)
            torch.jit.save(traced, exe + ".pt")
            entry["reference"] = name + ".pt"
            entry["weights"] = mapping
        entries.append(entry)
        print(f"{name}: compiled, reference {'yes' if entry['reference'] else 'no'}", flush=True)
    with open(os.path.join(args.dir, "manifest.json"), "w") as f:
        json.dump(entries, f, indent=1)


def read_safetensors(path):
    import numpy as np
    with open(path, "rb") as f:
        size = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(size))
        data = f.read()
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        tensors[name] = np.frombuffer(data[begin:end], dtype=np.float32).reshape(info["shape"])
    return tensors


def latency(out):
    m = re.search(r"latency_ms median=([\d.]+) min=([\d.]+) max=([\d.]+)", out)
    return tuple(float(v) for v in m.groups())


def time_torch(module, x, runs):
    import torch
    sync = torch.cuda.synchronize if x.is_cuda else (lambda: None)
    with torch.inference_mode():
        for _ in range(3):
            module(x)
        sync()
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            module(x)
            sync()
            times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times), min(times), max(times)


def run(args):
    import numpy as np
    import torch
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    device = torch.device(args.device)
    print(f"PyTorch {torch.__version__} on "
          f"{torch.cuda.get_device_name(0) if device.type == 'cuda' else device}")
    with open(os.path.join(args.dir, "manifest.json")) as f:
        entries = json.load(f)
    failed = checked = 0
    rows = []
    for entry in entries:
        name = entry["name"]
        exe = os.path.join(args.dir, entry["exe"])
        work = os.path.join(args.dir, name + ".run")
        os.makedirs(work, exist_ok=True)
        x = np.random.default_rng(1).uniform(-1, 1, entry["inputs"][0]).astype(np.float32)
        x_path = os.path.join(work, "x.npy")
        np.save(x_path, x)
        weights = os.path.join(work, "w.safetensors")
        result = subprocess.run([exe, "--input", x_path, "--output-dir", work,
                                 "--save-weights", weights], capture_output=True, text=True)
        if result.returncode:
            print(f"FAIL: {name}: {result.stderr.strip()}")
            failed += 1
            checked += 1
            continue
        reference = None
        if entry["reference"]:
            reference = torch.jit.load(os.path.join(args.dir, entry["reference"]))
            tensors = read_safetensors(weights)
            named = dict(reference.named_parameters())
            named.update(dict(reference.named_buffers()))
            for torch_name, cnnc_name in entry["weights"]:
                named[torch_name].data = torch.from_numpy(tensors[cnnc_name].copy())
            reference = reference.to(device).eval()
        if entry["check"]:
            if reference is None:
                print(f"SKIP: {name}: {entry['why']}")
            else:
                with torch.no_grad():
                    expected = reference(torch.from_numpy(x).to(device))
                expected = [t.cpu().numpy() for t in (
                    expected if isinstance(expected, (list, tuple)) else [expected])]
                report, ok = [], True
                for output, b in zip(entry["outputs"], expected):
                    a = np.load(os.path.join(work, output.replace("/", "_") + ".npy"))
                    bound = 1e-3 * float(np.max(np.abs(b)))
                    error = (float(np.max(np.abs(a.astype(np.float64) - b)))
                             if a.shape == b.shape else float("inf"))
                    ok = ok and error <= bound
                    report.append(f"{output} {list(a.shape)} max error {error:.3g} "
                                  f"(bound {bound:.3g})")
                failed += not ok
                checked += 1
                print(f"{'PASS' if ok else 'FAIL'}: {name} against PyTorch on {device}: "
                      f"{'; '.join(report)}", flush=True)
        if entry["bench"]:
            out = subprocess.run([exe, "--input", x_path, "--bench", str(args.runs)],
                                 check=True, capture_output=True, text=True).stdout
            row = [name, latency(out)]
            if reference is not None:
                xd = torch.from_numpy(x).to(device)
                row.append(time_torch(reference, xd, args.runs))
                try:
                    compiled = torch.compile(reference)
                    row.append(time_torch(compiled, xd, args.runs))
                except Exception as error:  # noqa: BLE001 (a peer that cannot run)
                    row.append(None)
                    print(f"{name}: torch.compile: {type(error).__name__}: {error}"[:300])
            rows.append(row)
    fmt = lambda t: "-" if t is None else f"{t[0]:.3g} [{t[1]:.3g}, {t[2]:.3g}]"  # noqa: E731
    print("\n| benchmark | cnnc | PyTorch eager | torch.compile | cnnc/eager | cnnc/compile |")
    print("| --- | --- | --- | --- | --- | --- |")
    for row in rows:
        cells = row[1:] + [None] * (4 - len(row))
        ratio = lambda peer: "-" if peer is None else f"{row[1][0] / peer[0]:.2f}"  # noqa: E731
        print(f"| {row[0]} | {fmt(cells[0])} | {fmt(cells[1])} | {fmt(cells[2])} | "
              f"{ratio(cells[1])} | {ratio(cells[2])} |")
    print(f"\nchecks: {checked - failed} passed, {failed} failed, "
          f"{sum(e['check'] for e in entries) - checked} without a reference")
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("bundle")
    b.add_argument("dir")
    b.add_argument("--only", action="append")
    b.add_argument("--cnnc", default=os.path.join(ROOT, "build", "bin", "cnnc"))
    r = sub.add_parser("run")
    r.add_argument("dir")
    r.add_argument("--runs", type=int, default=50)
    # cpu: a dry run of the script where no GPU is (against a stand-in driver).
    r.add_argument("--device", default="cuda")
    args = parser.parse_args()
    sys.exit(bundle(args) if args.command == "bundle" else run(args))


if __name__ == "__main__":
    main()
