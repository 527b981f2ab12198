"""Training steps of models/resnet18.json at 32x32 against torchvision's
ResNet-18 in train mode.

usage: resnet_step_vs_torch.py MODEL.json WORKDIR

From torchvision's random weights (batch norm statistics set from a batch
first, so that they are not the trivial 0 and 1), cnnc compiles the model
with --train for a 3x32x32 input and runs training steps on one batch;
PyTorch runs the same steps with torch.optim. Compared: the losses, the
change of every parameter, and the running statistics every batch norm
updated with the batch's statistics (momentum 0.1, unbiased variance).
Prints one line per optimizer setting and 'N passed, M failed'.
"""
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(HERE))), "scripts"))
sys.path.insert(0, HERE)
import export_torchvision  # noqa: E402
import reference  # noqa: E402
from safetensors_io import read_safetensors  # noqa: E402

BATCH = 8
SIZE = 32
LR_ADAM = 0.001
SETTINGS = [
    ("sgd, momentum 0.9, weight decay 5e-4",
     ["--optimizer=sgd", "--lr=0.1", "--momentum=0.9", "--weight-decay=5e-4"], 1,
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=5e-4)),
    ("adam", ["--optimizer=adam", f"--lr={LR_ADAM}"], 1,
     lambda p: torch.optim.Adam(p, lr=LR_ADAM)),
]


def relative_error(actual, expected):
    """||a - b|| / ||b|| over a tensor (0 for two zero tensors)."""
    expected = np.asarray(expected, dtype=np.float64)
    difference = np.linalg.norm(np.asarray(actual, dtype=np.float64) - expected)
    scale = np.linalg.norm(expected)
    return difference / scale if scale > 0 else difference


# Two float32 computations of ResNet-18's gradients differ by about 1e-5
# relative to each other (cnnc and PyTorch each differ from PyTorch in
# float64 by that much): 1e-4 leaves a margin.
BOUND = 1e-4
# Adam's first step moves a weight by about the learning rate times the
# sign of its gradient, so a gradient within rounding of 0 can take either
# sign in two correct computations. Its moments, which hold the gradients,
# get BOUND; its weight changes are compared element by element where the
# gradient is clear of 0 (at least ADAM_CLEAR times the tensor's root mean
# square), within ADAM_BOUND of the learning rate.
ADAM_CLEAR = 1e-3
ADAM_BOUND = 1e-3


def main():
    source, workdir = sys.argv[1], sys.argv[2]
    os.makedirs(workdir, exist_ok=True)
    shape_flags = ["--input-shape", f"3x{SIZE}x{SIZE}"]
    params = export_torchvision.cnnc_parameters(source, extra_args=shape_flags)
    rng = np.random.default_rng(5)
    x = rng.uniform(-1, 1, size=(BATCH, 3, SIZE, SIZE)).astype(np.float32)
    labels = rng.integers(0, 1000, size=BATCH)
    np.save(os.path.join(workdir, "x.npy"), x)
    np.save(os.path.join(workdir, "labels.npy"), labels.astype(np.float32))
    failed = 0
    for index, (label, flags, steps, make_optimizer) in enumerate(SETTINGS):
        model = export_torchvision.build("resnet18", seed=0)
        reference.calibrate_batch_norm(model, SIZE)
        for norm in model.modules():
            if isinstance(norm, torch.nn.BatchNorm2d):
                norm.momentum = 0.1  # PyTorch's default, which cnnc trains with
        initial = export_torchvision.export(model, params)
        # cnnc's name of each torchvision tensor, in the order both share.
        names = dict(zip([k for k in model.state_dict() if not k.endswith("num_batches_tracked")],
                         (name for name, _ in params)))
        weights_path = os.path.join(workdir, f"initial{index}.safetensors")
        trained_path = os.path.join(workdir, f"trained{index}.safetensors")
        reference.write_safetensors(weights_path, initial)
        exe = os.path.join(workdir, f"resnet18-train{index}")
        subprocess.run(["cnnc", "compile", source, "-o", exe, "--batch", str(BATCH), "--train",
                        *shape_flags, *flags], check=True)
        losses = reference.run_train_steps(exe, weights_path, workdir, steps, trained_path)
        trained = read_safetensors(trained_path)

        model.train()
        optimizer = make_optimizer(model.parameters())
        expected_losses = []
        for _ in range(steps):
            optimizer.zero_grad()
            with torch.enable_grad():  # reference.py turns it off
                loss = F.cross_entropy(model(torch.from_numpy(x)), torch.from_numpy(labels))
                loss.backward()
            optimizer.step()
            expected_losses.append(loss.item())
        ok, _, _ = reference.within_tolerance(np.array(losses), np.array(expected_losses))
        adam = "adam" in label
        compared = []  # (kind, cnnc name, error, bound)
        zero = unclear = total = 0
        parameters = dict(model.named_parameters())
        for torch_name, value in model.state_dict().items():
            if torch_name not in names:
                continue
            name = names[torch_name]
            if "running" in torch_name:
                compared.append(("running statistics", name,
                                 relative_error(trained[name], value.numpy()), BOUND))
                continue
            change, expected = trained[name] - initial[name], value.numpy() - initial[name]
            if not adam:
                compared.append(("parameter changes", name, relative_error(change, expected),
                                 BOUND))
                continue
            state = optimizer.state[parameters[torch_name]]
            for moment in ("exp_avg", "exp_avg_sq"):
                compared.append(("Adam moments", f"{name}.{moment}",
                                 relative_error(trained[f"{name}.{moment}"],
                                                state[moment].numpy()), BOUND))
            gradient = state["exp_avg"].numpy()
            clear = np.abs(gradient) >= ADAM_CLEAR * np.sqrt(np.mean(gradient ** 2))
            zero += int(np.count_nonzero(gradient == 0))
            unclear += int(np.count_nonzero(~clear & (gradient != 0)))
            total += gradient.size
            compared.append(("parameter changes (in learning rates)", name,
                             float(np.max(np.abs(change - expected)[clear], initial=0.0)) / LR_ADAM,
                             ADAM_BOUND))
        worst = {}
        for kind, name, error, bound in compared:
            if not error <= bound:
                print(f"  {name}: error {error:.3g} (bound {bound:.3g})")
                ok = False
            if error >= worst.get(kind, (0.0, ""))[0]:
                worst[kind] = (error, name)
        details = "; ".join(f"{kind} {error:.3g} ({name})" for kind, (error, name) in worst.items())
        print(f"{'PASS' if ok else 'FAIL'}: resnet18 {SIZE}x{SIZE}, batch {BATCH}, {label}: "
              f"losses {', '.join(f'{v:.5f}' for v in losses)} (PyTorch "
              f"{', '.join(f'{v:.5f}' for v in expected_losses)}); largest error of "
              f"the {details}" + (f"; of {total} gradients {zero} are 0 and {unclear} "
                                    "within rounding of 0"
                                    if adam else ""))
        failed += not ok
    print(f"resnet18 steps: {len(SETTINGS) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
