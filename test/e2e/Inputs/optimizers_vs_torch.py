"""Training steps of models/lenet5.json against torch.optim.

usage: optimizers_vs_torch.py MODEL.json WORKDIR

For each optimizer setting, cnnc compiles LeNet-5 with --train, runs three
training steps on one batch from the same weights, and saves the weights;
PyTorch runs the same three steps with torch.optim on the same network.
Prints one line per setting and 'N passed, M failed'.
"""
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
import reference  # noqa: E402
from lenet5_vs_torch import forward, lenet5  # noqa: E402
from safetensors_io import read_safetensors  # noqa: E402

BATCH = 8
STEPS = 3
SETTINGS = [
    ("sgd", ["--optimizer=sgd", "--lr=0.1"],
     lambda p: torch.optim.SGD(p, lr=0.1)),
    ("sgd, momentum and weight decay",
     ["--optimizer=sgd", "--lr=0.05", "--momentum=0.9", "--weight-decay=0.01"],
     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=0.01)),
    ("sgd, nesterov", ["--optimizer=sgd", "--lr=0.05", "--momentum=0.8", "--nesterov"],
     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True)),
    ("adam", ["--optimizer=adam", "--lr=0.001"],
     lambda p: torch.optim.Adam(p, lr=0.001)),
    ("adam, weight decay", ["--optimizer=adam", "--lr=0.002", "--weight-decay=0.01"],
     lambda p: torch.optim.Adam(p, lr=0.002, weight_decay=0.01)),
    ("adamw", ["--optimizer=adamw", "--lr=0.002", "--weight-decay=0.1"],
     lambda p: torch.optim.AdamW(p, lr=0.002, weight_decay=0.1)),
    ("label smoothing", ["--optimizer=sgd", "--lr=0.1", "--label-smoothing=0.2"],
     lambda p: torch.optim.SGD(p, lr=0.1)),
]


def main():
    source, workdir = sys.argv[1], sys.argv[2]
    os.makedirs(workdir, exist_ok=True)
    torch.manual_seed(0)
    initial = {k: v.detach().numpy().copy() for k, v in lenet5().state_dict().items()}
    weights_path = os.path.join(workdir, "lenet5.safetensors")
    reference.write_safetensors(weights_path, initial)
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, size=(BATCH, 1, 32, 32)).astype(np.float32)
    labels = rng.integers(0, 10, size=BATCH)
    np.save(os.path.join(workdir, "x.npy"), x)
    np.save(os.path.join(workdir, "labels.npy"), labels.astype(np.float32))
    failed = 0
    for index, (label, flags, make_optimizer) in enumerate(SETTINGS):
        exe = os.path.join(workdir, f"lenet5-train{index}")
        trained_path = os.path.join(workdir, f"trained{index}.safetensors")
        subprocess.run(["cnnc", "compile", source, "-o", exe, "--batch", str(BATCH),
                        "--train", *flags], check=True)
        losses = reference.run_train_steps(exe, weights_path, workdir, STEPS, trained_path)
        trained = read_safetensors(trained_path)

        model = lenet5()
        model.load_state_dict({k: torch.from_numpy(v) for k, v in initial.items()})
        optimizer = make_optimizer(model.parameters())
        smoothing = 0.2 if label == "label smoothing" else 0.0
        expected_losses = []
        for _ in range(STEPS):
            optimizer.zero_grad()
            with torch.enable_grad():  # reference.py turns it off
                loss = F.cross_entropy(forward(model, torch.from_numpy(x)),
                                       torch.from_numpy(labels), label_smoothing=smoothing)
                loss.backward()
            optimizer.step()
            expected_losses.append(loss.item())
        ok, error, _ = reference.within_tolerance(np.array(losses), np.array(expected_losses))
        detail = f"losses {', '.join(f'{v:.5f}' for v in losses)}"
        worst = 0.0
        for name, value in model.state_dict().items():
            # The change of each weight is what the optimizer did.
            good, err, _ = reference.within_tolerance(trained[name] - initial[name],
                                                      value.numpy() - initial[name])
            ok = ok and good
            worst = max(worst, err)
        print(f"{'PASS' if ok else 'FAIL'}: lenet5 {STEPS} steps, {label}: {detail}, "
              f"max error of the weight changes {worst:.3g}")
        failed += not ok
    print(f"optimizers: {len(SETTINGS) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
