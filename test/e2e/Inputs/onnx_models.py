"""torchvision models exported by torch.onnx, compiled from ONNX, against PyTorch.

usage: onnx_models.py WORKDIR ARCH:SIZE:OPSET...

For each entry, torchvision's ARCH (randomly initialised, batch norm
statistics set from one batch of random inputs so that activations stay of
order 1) is exported with torch.onnx at OPSET for a SIZE x SIZE input, with
a dynamic batch dimension. cnnc compiles the .onnx file at --batch 2; the
executable, with the file's initializers embedded, must compute PyTorch's
output within max |a - b| <= 1e-3 * max(1, max |b|). Then the weights are
bound at run time by their ONNX names: a safetensors file of every
initializer, the last layer's scaled by 2, must give what PyTorch gives with
that layer scaled.
"""
import os
import subprocess
import sys

import numpy as np
import onnx
import onnx.numpy_helper
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, HERE)
import export_torchvision  # noqa: E402
import reference  # noqa: E402

BATCH = 2


class Mixed(torch.nn.Module):
    """The operators torchvision's classifiers do not export: reflection
    padding, PReLU, nearest and bilinear upsampling, ReLU6 (Clip), hard
    swish, ELU, a view by the batch size (a Shape, Gather, Unsqueeze and
    Concat chain that cnnc folds), log-softmax."""

    def __init__(self):
        super().__init__()
        nn = torch.nn
        self.conv = nn.Conv2d(3, 8, 3, padding=1, padding_mode="reflect")
        self.bn = nn.BatchNorm2d(8)
        self.prelu = nn.PReLU(8)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
        self.fc = nn.Linear(8 * 16 * 16, 10)

    def forward(self, x):
        F = torch.nn.functional
        y = self.up(self.prelu(self.bn(self.conv(x))))
        y = F.relu6(self.conv2(y))
        y = F.interpolate(y, scale_factor=2, mode="bilinear", align_corners=False)
        y = F.elu(F.hardswish(F.max_pool2d(y, 4)))
        return F.log_softmax(self.fc(y.view(y.size(0), -1)), dim=1)


def build(arch):
    if arch == "mixed":
        torch.manual_seed(0)
        model = Mixed()
        with torch.no_grad():
            model.prelu.weight.uniform_(0.1, 0.4)
        return model.eval()
    return export_torchvision.build(arch, seed=0)
# The classifier of each architecture, whose weights the binding check scales.
LAST_LAYER = {"mixed": "fc", "resnet18": "fc", "resnet50": "fc", "googlenet": "fc",
              "densenet121": "classifier", "vgg16": "classifier.6", "alexnet": "classifier.6"}


def check(workdir, arch, size, opset):
    stem = os.path.join(workdir, f"{arch}-{size}-opset{opset}")
    model = build(arch)
    reference.calibrate_batch_norm(model, size)
    x = np.random.default_rng(1).uniform(-1, 1, (BATCH, 3, size, size)).astype(np.float32)
    torch.onnx.export(model, torch.from_numpy(x), stem + ".onnx", opset_version=opset,
                      input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})
    subprocess.run(["cnnc", "compile", stem + ".onnx", "--batch", str(BATCH), "-o", stem],
                   check=True)
    np.save(stem + ".x.npy", x)
    subprocess.run([stem, "--input", stem + ".x.npy", "--output", stem + ".y.npy"], check=True)
    with torch.no_grad():
        expected = model(torch.from_numpy(x)).numpy()
    actual = np.load(stem + ".y.npy")
    close, error, bound = reference.within_tolerance(actual, expected, relative=1e-3)
    if not close:
        return False, f"max error {error:.3g} (bound {bound:.3g}), shape {actual.shape}"

    # The same model with weights bound at run time, by their ONNX names: an
    # initializer's, or where torch.onnx shared one initializer among equal
    # parameters, the name of the Identity that gives each its own.
    graph = onnx.load(stem + ".onnx").graph
    values = {t.name: onnx.numpy_helper.to_array(t).astype(np.float32)
              for t in graph.initializer if t.data_type == onnx.TensorProto.FLOAT}
    aliases = {n.output[0]: n.input[0] for n in graph.node
               if n.op_type == "Identity" and n.input[0] in values}
    read = {name for n in graph.node if n.op_type != "Identity" or n.input[0] not in values
            for name in n.input}
    initializers = {name: values[aliases.get(name, name)]
                    for name in list(values) + list(aliases) if name in read}
    last = LAST_LAYER[arch]
    scaled = [name for name in (last + ".weight", last + ".bias") if name in initializers]
    if len(scaled) != 2:
        return False, f"the initializers have no {last}.weight and {last}.bias"
    for name in scaled:
        initializers[name] = initializers[name] * 2
    reference.write_safetensors(stem + ".safetensors", initializers)
    subprocess.run([stem, "--weights", stem + ".safetensors", "--input", stem + ".x.npy",
                    "--output", stem + ".y2.npy"], check=True)
    layer = model.get_submodule(last)
    with torch.no_grad():
        layer.weight *= 2
        layer.bias *= 2
        expected = model(torch.from_numpy(x)).numpy()
    rebound = float(np.max(np.abs(np.load(stem + ".y2.npy").astype(np.float64) - expected)))
    if not rebound <= 2 * bound:
        return False, f"with {last} scaled by 2 at run time: max error {rebound:.3g}"
    return True, (f"max error {error:.3g} (bound {bound:.3g}); {len(initializers)} "
                  f"initializers bound by name at run time")


def main():
    workdir, entries = sys.argv[1], sys.argv[2:]
    os.makedirs(workdir, exist_ok=True)
    failed = 0
    for entry in entries:
        arch, size, opset = entry.split(":")
        ok, detail = check(workdir, arch, int(size), int(opset))
        # VGG-16's files are half a gigabyte each.
        stem = os.path.join(workdir, f"{arch}-{size}-opset{opset}")
        for leftover in (stem, stem + ".onnx", stem + ".safetensors"):
            if os.path.exists(leftover):
                os.remove(leftover)
        print(f"{'PASS' if ok else 'FAIL'}: {arch} {size}x{size} opset {opset}: {detail}")
        failed += not ok
    print(f"onnx models: {len(entries) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
