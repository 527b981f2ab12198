"""models/lenet5.json end to end against the same network in PyTorch.

usage: lenet5_vs_torch.py MODEL.json WORKDIR [CNNC COMPILE FLAGS...]

Writes one set of random weights as safetensors, compiles the model at batch
1 and 8 (and once with the weights embedded), runs each on random input and
compares with PyTorch. Prints one line per run and 'N passed, M failed'.
"""
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(__file__))
import reference  # noqa: E402


def lenet5():
    # LeCun et al. 1998 with C3 dense, tanh and average pooling.
    return nn.ModuleDict({
        "c1": nn.Conv2d(1, 6, 5), "c3": nn.Conv2d(6, 16, 5),
        "c5": nn.Conv2d(16, 120, 5), "f6": nn.Linear(120, 84),
        "output": nn.Linear(84, 10)})


def forward(m, x):
    x = torch.nn.functional.avg_pool2d(torch.tanh(m["c1"](x)), 2)
    x = torch.nn.functional.avg_pool2d(torch.tanh(m["c3"](x)), 2)
    x = torch.flatten(torch.tanh(m["c5"](x)), 1)
    return m["output"](torch.tanh(m["f6"](x)))


def main():
    source, workdir, flags = sys.argv[1], sys.argv[2], sys.argv[3:]
    os.makedirs(workdir, exist_ok=True)
    torch.manual_seed(0)
    model = lenet5()
    weights = {name: p.detach().numpy() for name, p in model.state_dict().items()}
    weights_path = os.path.join(workdir, "lenet5.safetensors")
    reference.write_safetensors(weights_path, weights)
    rng = np.random.default_rng(7)
    failed = total = 0
    runs = [("batch 1", 1, False), ("batch 8", 8, False), ("batch 8, embedded weights", 8, True)]
    for label, batch, embed in runs:
        exe = os.path.join(workdir, f"lenet5-b{batch}{'-embedded' if embed else ''}")
        command = ["cnnc", "compile", source, "-o", exe, "--batch", str(batch), *flags]
        if embed:
            command += ["--embed-weights", weights_path]
        subprocess.run(command, check=True)
        x = rng.uniform(-1, 1, size=(batch, 1, 32, 32)).astype(np.float32)
        input_path = os.path.join(workdir, f"x{batch}.npy")
        output_path = os.path.join(workdir, f"y{batch}.npy")
        np.save(input_path, x)
        args = [exe, "--input", input_path, "--output", output_path]
        if not embed:
            args += ["--weights", weights_path]
        subprocess.run(args, check=True)
        actual = np.load(output_path)
        with torch.no_grad():
            expected = forward(model, torch.from_numpy(x)).numpy()
        ok, error, bound = reference.within_tolerance(actual, expected)
        print(f"{'PASS' if ok else 'FAIL'}: lenet5 {label}: output {list(actual.shape)}, "
              f"max error {error:.3g} (bound {bound:.3g})")
        total += 1
        failed += not ok
    print(f"lenet5: {total - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
