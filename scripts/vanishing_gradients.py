"""Residual connections against vanishing gradients, measured with cnnc.

usage: /usr/bin/python3 scripts/vanishing_gradients.py [--depth 16] [--cnnc cnnc]
           [--workdir DIR]

Builds two networks of the same layers: a stem convolution (1 to 8
channels), then DEPTH blocks of a 3x3 convolution and a sigmoid, then global
average pooling and a dense layer to 10 classes. In the plain network each
block feeds the next; in the residual one each block adds its input to its
output (x + sigmoid(conv(x))), as ResNet's shortcuts do. Both start from
the same weights (uniform in +-sqrt(6 / fan_in), He's bound) and see the
same batch; cnnc compiles each with --train (plain SGD) and runs one step,
so each weight moves by minus the learning rate times its gradient. The
learning rate is 1e8, so that a gradient of 1e-11 still moves a weight of
order 1 by a measurable 1e-3. Prints the norm of the
gradient of every convolution's weight, first to last, for both, and the
ratio at the stem: the gradient that reaches the first layer of the plain
network has all but vanished (each sigmoid multiplies it by at most 1/4),
while the shortcuts carry it back undiminished.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402

CHANNELS = 8
SIZE = 16
BATCH = 8
LEARNING_RATE = 1e8


def network(depth, residual):
    layers = [{"name": "stem", "op": "conv2d", "out_channels": CHANNELS, "kernel": 3,
               "padding": 1}]
    previous = "stem"
    for i in range(1, depth + 1):
        layers += [{"name": f"conv{i}", "op": "conv2d", "out_channels": CHANNELS, "kernel": 3,
                    "padding": 1, "inputs": [previous]},
                   {"name": f"act{i}", "op": "sigmoid"}]
        if residual:
            layers.append({"name": f"sum{i}", "op": "add", "inputs": [previous, f"act{i}"]})
        previous = layers[-1]["name"]
    layers += [{"name": "pool", "op": "global_avg_pool"}, {"name": "flat", "op": "flatten"},
               {"name": "fc", "op": "dense", "out_features": 10}]
    return {"name": "residual" if residual else "plain", "input": {"shape": [1, SIZE, SIZE]},
            "batch": BATCH, "layers": layers}


def initial_weights(depth, rng):
    weights = {}
    for name, fan_in, shape in ([("stem", 9, (CHANNELS, 1, 3, 3))] +
                                [(f"conv{i}", 9 * CHANNELS, (CHANNELS, CHANNELS, 3, 3))
                                 for i in range(1, depth + 1)]):
        bound = np.sqrt(6.0 / fan_in)
        weights[f"{name}.weight"] = rng.uniform(-bound, bound, shape).astype(np.float32)
        weights[f"{name}.bias"] = np.zeros(CHANNELS, np.float32)
    bound = np.sqrt(6.0 / CHANNELS)
    weights["fc.weight"] = rng.uniform(-bound, bound, (10, CHANNELS)).astype(np.float32)
    weights["fc.bias"] = np.zeros(10, np.float32)
    return weights


def gradient_norms(cnnc, model, weights, workdir):
    """Per convolution, first to last, the norm of its weight's gradient."""
    name = model["name"]
    source = os.path.join(workdir, name + ".json")
    with open(source, "w") as f:
        json.dump(model, f, indent=1)
    exe = os.path.join(workdir, name)
    subprocess.run([cnnc, "compile", source, "--train", f"--lr={LEARNING_RATE:g}", "-o", exe],
                   check=True)
    initial = os.path.join(workdir, name + ".safetensors")
    trained = os.path.join(workdir, name + ".trained.safetensors")
    write_safetensors(initial, weights)
    subprocess.run([exe, "--weights", initial, "--input", "input=" + os.path.join(workdir, "x.npy"),
                    "--input", "labels=" + os.path.join(workdir, "labels.npy"),
                    "--train-steps", "1", "--save-weights", trained],
                   check=True, capture_output=True)
    after = read_safetensors(trained)
    convolutions = [k[:-len(".weight")] for k in weights if k.endswith(".weight") and k != "fc.weight"]
    return [(c, float(np.linalg.norm(weights[c + ".weight"].astype(np.float64) -
                                     after[c + ".weight"])) / LEARNING_RATE)
            for c in convolutions]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--depth", type=int, default=16)
    parser.add_argument("--cnnc", default="cnnc")
    parser.add_argument("--workdir")
    args = parser.parse_args()
    workdir = args.workdir or tempfile.mkdtemp(prefix="cnnc-vanishing-")
    os.makedirs(workdir, exist_ok=True)
    rng = np.random.default_rng(0)
    weights = initial_weights(args.depth, rng)
    np.save(os.path.join(workdir, "x.npy"),
            rng.uniform(0, 1, (BATCH, 1, SIZE, SIZE)).astype(np.float32))
    np.save(os.path.join(workdir, "labels.npy"),
            rng.integers(0, 10, BATCH).astype(np.float32))
    plain = gradient_norms(args.cnnc, network(args.depth, False), weights, workdir)
    residual = gradient_norms(args.cnnc, network(args.depth, True), weights, workdir)
    print(f"gradient norm of each convolution's weight at initialisation, depth {args.depth}:")
    print(f"{'layer':>8} {'plain':>12} {'residual':>12}")
    for (layer, p), (_, r) in zip(plain, residual):
        print(f"{layer:>8} {p:12.4g} {r:12.4g}")
    print(f"first layer: plain {plain[0][1]:.4g}, residual {residual[0][1]:.4g}, "
          f"residual / plain = {residual[0][1] / plain[0][1]:.4g}")
    print(f"first / last layer: plain {plain[0][1] / plain[-1][1]:.4g}, "
          f"residual {residual[0][1] / residual[-1][1]:.4g}")


if __name__ == "__main__":
    main()
