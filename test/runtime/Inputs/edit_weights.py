"""Writes a changed copy of a safetensors file, for the weight-binding tests.

    edit_weights.py IN OUT [--drop NAME] [--add NAME=D0xD1...] [--nan NAME]
                           [--inf NAME]
--add writes zeros of that shape; --nan and --inf set the tensor's first
value.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "scripts"))
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("input")
parser.add_argument("output")
parser.add_argument("--drop", action="append", default=[])
parser.add_argument("--add", action="append", default=[])
parser.add_argument("--nan", action="append", default=[])
parser.add_argument("--inf", action="append", default=[])
args = parser.parse_args()

tensors = {k: np.array(v) for k, v in read_safetensors(args.input).items()}
for name in args.drop:
    del tensors[name]
for spec in args.add:
    name, shape = spec.split("=")
    tensors[name] = np.zeros([int(d) for d in shape.split("x")], np.float32)
for names, value in ((args.nan, np.nan), (args.inf, np.inf)):
    for name in names:
        tensors[name].reshape(-1)[0] = value
write_safetensors(args.output, tensors)
