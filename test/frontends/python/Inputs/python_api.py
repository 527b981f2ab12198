"""The Python package against PyTorch: a torchvision ResNet-18 through
cnnc.compile from the module and from models/resnet18.json, NumPy and torch
in and out, weights rebound from a state_dict and from a safetensors file,
several named inputs, and the errors a user meets, as exceptions.

usage: python_api.py WORKDIR SRC_ROOT
"""
import os
import sys

import numpy as np
import torch
import torchvision

workdir, src_root = sys.argv[1:3]
sys.path.insert(0, os.path.join(src_root, "test", "e2e", "Inputs"))
sys.path.insert(0, os.path.join(src_root, "scripts"))
import reference  # noqa: E402
from export_torchvision import cnnc_parameters, export  # noqa: E402
from safetensors_io import write_safetensors  # noqa: E402

import cnnc  # noqa: E402

torch.set_grad_enabled(False)
rng = np.random.default_rng(0)


def check(label, actual, expected, relative=1e-3):
    close, error, bound = reference.within_tolerance(actual, expected, relative)
    print("%s: %s (max error %.3g, bound %.3g)" % ("PASS" if close else "FAIL", label, error, bound))
    if not close:
        sys.exit(1)


def error_of(call):
    try:
        call()
    except cnnc.Error as failure:
        return "%s: %s" % (type(failure).__name__, failure)
    sys.exit("FAIL: no error")


def resnet18(seed):
    torch.manual_seed(seed)
    model = torchvision.models.resnet18()
    reference.calibrate_batch_norm(model, 64)
    return model


# A module the compiler has never seen as JSON, exported to ONNX on the way.
module = resnet18(1)
x = rng.uniform(-1, 1, (1, 3, 224, 224)).astype(np.float32)
compiled = cnnc.compile(module, torch.from_numpy(x))
print(compiled)
expected = module(torch.from_numpy(x)).numpy()
check("resnet18 module, numpy", compiled(x), expected)
out = compiled(torch.from_numpy(x))
print("torch in, torch out:", type(out).__name__, tuple(out.shape))
check("resnet18 module, torch", out.numpy(), expected)
check("resnet18 module, by name", compiled(x=x), expected)

# Other weights, from the other model's state_dict: prepared again.
other = resnet18(2)
compiled.load_weights(other.state_dict())
check("resnet18 rebound from a state_dict", compiled(x), other(torch.from_numpy(x)).numpy())
weights = compiled.state_dict()
check("state_dict() gives back what was bound", weights["fc.weight"], other.fc.weight.numpy(), 0)

# The JSON model, bound to torchvision's weights written as a file.
cnnc_names = cnnc_parameters(os.path.join(src_root, "models", "resnet18.json"))
path = os.path.join(workdir, "resnet18.safetensors")
write_safetensors(path, export(module, cnnc_names))
from_json = cnnc.compile(os.path.join(src_root, "models", "resnet18.json"), x, weights=path,
                         threads=1)
check("models/resnet18.json with a safetensors file", from_json(x), expected)

# Several inputs and outputs, in the order the model declares them.
two = cnnc.compile(os.path.join(src_root, "test", "e2e", "Inputs", "two_stream.json"))
print("inputs:", two.inputs)
print("outputs:", two.outputs)
feeds = {name: rng.uniform(-1, 1, shape).astype(np.float32) for name, shape in two.inputs.items()}
by_position = two(*feeds.values())
by_name = two(**dict(reversed(list(feeds.items()))))
print("outputs by position and by name equal:",
      all(np.array_equal(a, b) for a, b in zip(by_position, by_name)))

# A library kept with output= loads again without compiling.
kept = os.path.join(workdir, "two_stream.so")
cnnc.compile(os.path.join(src_root, "test", "e2e", "Inputs", "two_stream.json"), output=kept)
again = cnnc.Model(kept)
print("kept library loads again:",
      all(np.array_equal(a, b) for a, b in zip(again(**feeds), by_position)))

# Mistakes, as exceptions with cnnc's message.
print(error_of(lambda: compiled(x[:, :, :100])))
print(error_of(lambda: compiled(x, x)))
print(error_of(lambda: compiled(y=x)))
print(error_of(lambda: two(feeds["left"])))
sd = other.state_dict()
del sd["fc.bias"]
print(error_of(lambda: compiled.load_weights(sd)))
sd = other.state_dict()
sd["fc.weigth"] = sd["fc.weight"]
print(error_of(lambda: compiled.load_weights(sd)))
compiled.load_weights(sd, strict=False)
sd["fc.weight"] = sd["fc.weight"][:, :10]
print(error_of(lambda: compiled.load_weights(sd)))
print(error_of(lambda: compiled.load_weights(os.path.join(workdir, "none.safetensors"))))
bad = os.path.join(workdir, "bad.json")
with open(bad, "w") as f:
    f.write('{"input": {"shape": [3, 8, 8]}, "layers": [{"op": "conv2d", "filters": 4}]}')
print(error_of(lambda: cnnc.compile(bad)))
print(error_of(lambda: cnnc.compile(torch.nn.ReLU())))
print(error_of(lambda: cnnc.compile(42)))
