"""Exports a torchvision model's weights as a safetensors file for cnnc.

usage: /usr/bin/python3 scripts/export_torchvision.py ARCH MODEL.json OUT.safetensors [--seed N]

ARCH is a torchvision.models constructor (resnet18, resnet50, vgg16,
alexnet, densenet121, googlenet); the model is randomly initialised with
the seed (torchvision 0.14 ships no weights; load a state_dict into it to
export trained ones). The tensors are matched to cnnc's parameters in
network order, which cnnc and torchvision share, and written under cnnc's
names (as `cnnc compile MODEL.json --emit=cnn` lists them); a count or
shape that does not match is an error. BatchNorm's num_batches_tracked is
not a tensor cnnc needs.
"""
import argparse
import os
import re
import subprocess
import sys

import numpy as np
import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import write_safetensors  # noqa: E402


def build(arch, seed):
    torch.manual_seed(seed)
    kwargs = {"aux_logits": False, "init_weights": True} if arch == "googlenet" else {}
    return getattr(torchvision.models, arch)(**kwargs).eval()


def cnnc_parameters(model_json, cnnc="cnnc", extra_args=()):
    """(name, shape) of every parameter and buffer, in argument order;
    `extra_args` go to `cnnc compile` (e.g. --input-shape)."""
    ir = subprocess.run([cnnc, "compile", model_json, "--emit=cnn", *extra_args], check=True,
                        capture_output=True, text=True).stdout
    signature = ir[ir.index("func.func @forward("):]
    signature = signature[:signature.index("{\n")]
    found = []
    for shape, attrs in re.findall(r"tensor<([0-9x]+)xf32> \{([^}]*)\}", signature):
        name = re.search(r'cnn\.(?:param|buffer) = "([^"]+)"', attrs)
        if name:
            found.append((name.group(1), tuple(int(d) for d in shape.split("x"))))
    return found


def export(model, params):
    tensors = [(k, v) for k, v in model.state_dict().items()
               if not k.endswith("num_batches_tracked")]
    if len(tensors) != len(params):
        sys.exit(f"error: torchvision has {len(tensors)} tensors, the cnnc model {len(params)}")
    out = {}
    for (torch_name, value), (name, shape) in zip(tensors, params):
        if tuple(value.shape) != shape:
            sys.exit(f"error: {torch_name} {tuple(value.shape)} does not match "
                     f"cnnc's {name} {shape}")
        out[name] = value.detach().numpy().astype(np.float32)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("arch")
    parser.add_argument("model_json")
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cnnc", default="cnnc")
    args = parser.parse_args()
    model = build(args.arch, args.seed)
    write_safetensors(args.out, export(model, cnnc_parameters(args.model_json, args.cnnc)))


if __name__ == "__main__":
    main()
