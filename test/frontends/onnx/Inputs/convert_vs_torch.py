"""cnnc convert against PyTorch: a network exported by torch.onnx, written
as a JSON model and a safetensors file, compiled from the JSON and run with
those weights, must compute what PyTorch computes.

usage: convert_vs_torch.py WORKDIR NAME...   (NAME: resnet18, or small: the
operators torchvision's classifiers lack)
"""
import os
import subprocess
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(HERE))))
sys.path.insert(0, os.path.join(ROOT, "test", "e2e", "Inputs"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import export_torchvision  # noqa: E402
import reference  # noqa: E402


class Small(torch.nn.Module):
    """PReLU, ELU, SELU, hard sigmoid and swish, ReLU6, leaky ReLU,
    average pooling, upsampling, a residual subtraction, a product and a
    quotient of two branches, concatenation, log-softmax."""

    def __init__(self):
        super().__init__()
        nn = torch.nn
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.prelu = nn.PReLU(8)
        self.left = nn.Conv2d(8, 8, 1)
        self.right = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
        self.fc = nn.Linear(16 * 4 * 4, 10)

    def forward(self, x):
        F = torch.nn.functional
        y = self.prelu(self.bn(self.conv(x)))
        a = F.elu(self.left(y))
        b = F.selu(self.right(y))
        z = a * F.hardsigmoid(b) - F.relu6(b) / (F.hardsigmoid(a) + 1)
        z = torch.cat([F.hardswish(z), F.leaky_relu(z, 0.2)], dim=1)
        z = F.avg_pool2d(self.up(z), 8)
        return F.log_softmax(self.fc(torch.flatten(z, 1)), dim=1)


def build(name):
    if name == "small":
        torch.manual_seed(0)
        model = Small()
        with torch.no_grad():
            model.prelu.weight.uniform_(0.1, 0.4)
            # Logits of order 1, so that the log-softmax is not flat.
            model.fc.weight.mul_(30)
        return model.eval(), 16
    return export_torchvision.build(name, seed=0), 32


def main():
    workdir, names = sys.argv[1], sys.argv[2:]
    failed = 0
    for name in names:
        model, size = build(name)
        reference.calibrate_batch_norm(model, size)
        stem = os.path.join(workdir, name)
        x = np.random.default_rng(1).uniform(-1, 1, (1, 3, size, size)).astype(np.float32)
        torch.onnx.export(model, torch.from_numpy(x), stem + ".onnx", opset_version=17,
                          input_names=["image"], output_names=["scores"])
        subprocess.run(["cnnc", "convert", stem + ".onnx", "-o", stem + ".json"], check=True)
        subprocess.run(["cnnc", "compile", stem + ".json", "-o", stem], check=True)
        np.save(stem + ".x.npy", x)
        subprocess.run([stem, "--weights", stem + ".safetensors", "--input", stem + ".x.npy",
                        "--output", stem + ".y.npy"], check=True)
        with torch.no_grad():
            expected = model(torch.from_numpy(x)).numpy()
        close, error, bound = reference.within_tolerance(np.load(stem + ".y.npy"), expected,
                                                         relative=1e-3)
        print(f"{'PASS' if close else 'FAIL'}: {name} from JSON: max error {error:.3g} "
              f"(bound {bound:.3g})")
        failed += not close
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
