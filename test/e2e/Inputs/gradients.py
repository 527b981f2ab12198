"""Gradients of the cnn ops against torch.autograd, through one SGD step.

usage: gradients.py CNNC WORKDIR

Each case is a small model ending in a dense layer of 5 logits. cnnc compiles
it with --train --lr=1 (plain SGD), runs one training step on a random batch
and labels, and saves the weights: with a learning rate of 1, the weights'
change is minus the gradient of the mean cross-entropy. PyTorch computes the
same loss from the same weights and batch, and torch.autograd its gradients.
Independently of PyTorch, cnnc's gradient is also checked against finite
differences of cnnc's own loss along a random direction.
Prints one line per case and 'N passed, M failed'; exits 1 when one fails.
"""
import os
import re
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
import reference  # noqa: E402
from safetensors_io import read_safetensors  # noqa: E402

RNG = np.random.default_rng(2024)
# The finite-difference check: a step of 1e-3 along a direction of entries
# in [-1, 1) keeps the float32 losses' rounding (about 1e-7 of a loss near
# 2, so 1e-4 on the quotient) and the curvature's error (of order the step)
# below the bound.
FD_STEP = 1e-3
FD_RELATIVE = 1e-2
FD_ABSOLUTE = 1e-3
BATCH = 3
CLASSES = 5
CASES = []


def case(name, input_shape, layers, shapes, forward, buffers=()):
    """`shapes`: every parameter's and buffer's shape by name; `forward(p,
    x)` computes the logits in PyTorch from the parameters `p` (a dict of
    tensors). `buffers` name the entries of `shapes` that the step updates
    rather than learns (running statistics): `forward` updates them in
    place, and cnnc's new values must equal those."""
    CASES.append((name, input_shape, layers, shapes, forward, tuple(buffers)))


def head(features):
    """The dense layer to the logits, and its parameter shapes."""
    return ([{"name": "flat", "op": "flatten"},
             {"name": "logits", "op": "dense", "out_features": CLASSES}],
            {"logits.weight": (CLASSES, features), "logits.bias": (CLASSES,)})


def logits(p, y):
    return F.linear(torch.flatten(y, 1), p["logits.weight"], p["logits.bias"])


def conv_case(name, c, h, w, f, k, stride=1, padding=0, dilation=1, activation="relu",
              out_hw=None):
    layers = [{"name": "conv", "op": "conv2d", "out_channels": f, "kernel": k,
               "stride": stride, "padding": padding, "dilation": dilation},
              {"name": "act", "op": activation}]
    oh = (h + 2 * padding - dilation * (k - 1) - 1) // stride + 1
    ow = (w + 2 * padding - dilation * (k - 1) - 1) // stride + 1
    tail, shapes = head(f * oh * ow)
    shapes.update({"conv.weight": (f, c, k, k), "conv.bias": (f,)})
    act = {"relu": F.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
           "silu": F.silu, "leaky_relu": F.leaky_relu}[activation]

    def forward(p, x):
        return logits(p, act(F.conv2d(x, p["conv.weight"], p["conv.bias"], stride,
                                      padding, dilation)))
    case(name, [c, h, w], layers + tail, shapes, forward)


conv_case("conv2d 3x3 pad 1, relu", 2, 6, 6, 3, 3, padding=1)
conv_case("conv2d 3x3 stride 2 pad 1, tanh", 3, 7, 7, 4, 3, stride=2, padding=1,
          activation="tanh")
conv_case("conv2d 3x3 stride 3 (rows the stride skips), sigmoid", 2, 8, 8, 3, 3, stride=3,
          activation="sigmoid")
conv_case("conv2d 3x3 dilation 2, silu", 2, 9, 9, 2, 3, dilation=2, activation="silu")
conv_case("conv2d 1x1 stride 2, leaky_relu", 4, 6, 6, 3, 1, stride=2,
          activation="leaky_relu")


def pool_case(name, c, h, w, pool, out_hw, torch_pool):
    layers = [{"name": "conv", "op": "conv2d", "out_channels": c, "kernel": 3, "padding": 1},
              dict(pool, name="pool")]
    tail, shapes = head(c * out_hw[0] * out_hw[1])
    shapes.update({"conv.weight": (c, c, 3, 3), "conv.bias": (c,)})

    def forward(p, x):
        return logits(p, torch_pool(F.conv2d(x, p["conv.weight"], p["conv.bias"], 1, 1)))
    case(name, [c, h, w], layers + tail, shapes, forward)


pool_case("max_pool2d 2x2", 2, 6, 6, {"op": "max_pool2d", "kernel": 2}, (3, 3),
          lambda y: F.max_pool2d(y, 2))
pool_case("max_pool2d 3x3 stride 2 pad 1 (overlapping)", 2, 7, 7,
          {"op": "max_pool2d", "kernel": 3, "stride": 2, "padding": 1}, (4, 4),
          lambda y: F.max_pool2d(y, 3, 2, 1))
pool_case("max_pool2d 3x3 stride 2 ceil_mode", 2, 8, 8,
          {"op": "max_pool2d", "kernel": 3, "stride": 2, "ceil_mode": True}, (4, 4),
          lambda y: F.max_pool2d(y, 3, 2, ceil_mode=True))
pool_case("avg_pool2d 2x2", 2, 6, 6, {"op": "avg_pool2d", "kernel": 2}, (3, 3),
          lambda y: F.avg_pool2d(y, 2))
pool_case("avg_pool2d 3x3 stride 2 pad 1, padding not counted", 2, 7, 7,
          {"op": "avg_pool2d", "kernel": 3, "stride": 2, "padding": 1,
           "count_include_pad": False}, (4, 4),
          lambda y: F.avg_pool2d(y, 3, 2, 1, count_include_pad=False))
pool_case("global_avg_pool", 3, 5, 4, {"op": "global_avg_pool"}, (1, 1),
          lambda y: F.adaptive_avg_pool2d(y, 1))
pool_case("adaptive_avg_pool2d 6x6 -> 3x2", 2, 6, 6,
          {"op": "adaptive_avg_pool2d", "output_size": [3, 2]}, (3, 2),
          lambda y: F.adaptive_avg_pool2d(y, (3, 2)))

# A residual block: the input's gradient is the sum of two paths.
tail, shapes = head(3 * 5 * 5)
shapes.update({"a.weight": (3, 3, 3, 3), "a.bias": (3,), "b.weight": (3, 3, 3, 3),
               "b.bias": (3,)})
case("residual add", [3, 5, 5],
     [{"name": "a", "op": "conv2d", "out_channels": 3, "kernel": 3, "padding": 1},
      {"name": "relu", "op": "relu"},
      {"name": "b", "op": "conv2d", "out_channels": 3, "kernel": 3, "padding": 1},
      {"name": "sum", "op": "add", "inputs": ["b", "a"]}] + tail, shapes,
     lambda p, x: logits(p, F.conv2d(F.relu(F.conv2d(x, p["a.weight"], p["a.bias"], 1, 1)),
                                     p["b.weight"], p["b.bias"], 1, 1)
                         + F.conv2d(x, p["a.weight"], p["a.bias"], 1, 1)))

tail, shapes = head(5 * 4 * 4)
shapes.update({"a.weight": (2, 2, 3, 3), "a.bias": (2,), "b.weight": (3, 2, 1, 1),
               "b.bias": (3,)})
case("concat of two branches", [2, 4, 4],
     [{"name": "a", "op": "conv2d", "out_channels": 2, "kernel": 3, "padding": 1},
      {"name": "b", "op": "conv2d", "out_channels": 3, "kernel": 1, "inputs": ["input"]},
      {"name": "cat", "op": "concat", "inputs": ["a", "b"]}] + tail, shapes,
     lambda p, x: logits(p, torch.cat([F.conv2d(x, p["a.weight"], p["a.bias"], 1, 1),
                                       F.conv2d(x, p["b.weight"], p["b.bias"])], 1)))

tail, shapes = head(6)
shapes.update({"fc.weight": (6, 8), "fc.bias": (6,)})
case("dense, softmax", [8],
     [{"name": "fc", "op": "dense", "out_features": 6}, {"name": "s", "op": "softmax"}]
     + tail, shapes,
     lambda p, x: logits(p, F.softmax(F.linear(x, p["fc.weight"], p["fc.bias"]), 1)))


def batch_norm_case(name, c, h, w, f, activation):
    """conv, batch norm in training mode, activation: the gradient through
    the batch's statistics, and the running statistics' update."""
    layers = [{"name": "conv", "op": "conv2d", "out_channels": f, "kernel": 3, "padding": 1},
              {"name": "bn", "op": "batch_norm"}, {"name": "act", "op": activation}]
    tail, shapes = head(f * h * w)
    shapes.update({"conv.weight": (f, c, 3, 3), "conv.bias": (f,), "bn.weight": (f,),
                   "bn.bias": (f,), "bn.running_mean": (f,), "bn.running_var": (f,)})
    act = {"relu": F.relu, "leaky_relu": F.leaky_relu}[activation]

    def forward(p, x):
        y = F.conv2d(x, p["conv.weight"], p["conv.bias"], 1, 1)
        return logits(p, act(F.batch_norm(y, p["bn.running_mean"], p["bn.running_var"],
                                          p["bn.weight"], p["bn.bias"], training=True)))
    case(name, [c, h, w], layers + tail, shapes, forward,
         buffers=["bn.running_mean", "bn.running_var"])


batch_norm_case("conv2d, batch_norm (training), relu", 2, 5, 5, 3, "relu")
batch_norm_case("conv2d, batch_norm (training), leaky_relu", 3, 4, 6, 4, "leaky_relu")

tail, shapes = head(6)
shapes.update({"fc.weight": (6, 8), "fc.bias": (6,), "bn.weight": (6,), "bn.bias": (6,),
               "bn.running_mean": (6,), "bn.running_var": (6,)})
case("dense, batch_norm 1-D (training)", [8],
     [{"name": "fc", "op": "dense", "out_features": 6}, {"name": "bn", "op": "batch_norm"}]
     + tail, shapes,
     lambda p, x: logits(p, F.batch_norm(F.linear(x, p["fc.weight"], p["fc.bias"]),
                                         p["bn.running_mean"], p["bn.running_var"],
                                         p["bn.weight"], p["bn.bias"], training=True)),
     buffers=["bn.running_mean", "bn.running_var"])


def conv_transpose_case(name, c, f, k, stride, padding=0, output_padding=0, groups=1):
    """A transposed convolution of a convolution's [c, 4, 4] output."""
    out = 3 * stride - 2 * padding + k + output_padding
    tail, shapes = head(f * out * out)
    shapes.update({"a.weight": (c, 2, 3, 3), "a.bias": (c,),
                   "up.weight": (c, f // groups, k, k), "up.bias": (f,)})
    case(name, [2, 4, 4],
         [{"name": "a", "op": "conv2d", "out_channels": c, "kernel": 3, "padding": 1},
          {"name": "up", "op": "conv_transpose2d", "out_channels": f, "kernel": k,
           "stride": stride, "padding": padding, "output_padding": output_padding,
           "groups": groups}] + tail, shapes,
         lambda p, x: logits(p, F.conv_transpose2d(
             F.conv2d(x, p["a.weight"], p["a.bias"], 1, 1), p["up.weight"], p["up.bias"],
             stride, padding, output_padding, groups)))


conv_transpose_case("conv_transpose2d 3x3 stride 2 pad 1 output_padding 1", 2, 3, 3, 2,
                    padding=1, output_padding=1)
conv_transpose_case("conv_transpose2d groups 2 stride 2", 4, 6, 3, 2, groups=2)

tail, shapes = head(2 * 6 * 4)
shapes.update({"a.weight": (2, 2, 3, 3), "a.bias": (2,)})
case("upsample nearest 3x2", [2, 2, 2],
     [{"name": "a", "op": "conv2d", "out_channels": 2, "kernel": 3, "padding": 1},
      {"name": "up", "op": "upsample", "scale_factor": [3, 2]}] + tail, shapes,
     lambda p, x: logits(p, F.interpolate(F.conv2d(x, p["a.weight"], p["a.bias"], 1, 1),
                                          scale_factor=(3, 2), mode="nearest")))


def lrn_case(name, size, alpha, beta, k):
    tail, shapes = head(5 * 3 * 3)
    shapes.update({"a.weight": (5, 2, 3, 3), "a.bias": (5,)})
    case(name, [2, 3, 3],
         [{"name": "a", "op": "conv2d", "out_channels": 5, "kernel": 3, "padding": 1},
          {"name": "lrn", "op": "local_response_norm", "size": size, "alpha": alpha,
           "beta": beta, "k": k}] + tail, shapes,
         lambda p, x: logits(p, F.local_response_norm(
             F.conv2d(x, p["a.weight"], p["a.bias"], 1, 1), size, alpha, beta, k)))


# A large alpha, so that the gradient through the other channels' windows
# counts; an even size has a window one channel longer before than after.
lrn_case("local_response_norm size 3", 3, 0.5, 0.75, 1.0)
lrn_case("local_response_norm size 4, k 2", 4, 0.8, 0.6, 2.0)


tail, shapes = head(6 * 3 * 3)
shapes.update({"a.weight": (4, 2, 3, 3), "a.bias": (4,), "g.weight": (6, 2, 3, 3),
               "g.bias": (6,), "d.weight": (6, 1, 2, 2)})
case("grouped conv2d (2 groups), depthwise 2x2 stride 2", [2, 6, 6],
     [{"name": "a", "op": "conv2d", "out_channels": 4, "kernel": 3, "padding": 1},
      {"name": "g", "op": "conv2d", "out_channels": 6, "kernel": 3, "padding": 1, "groups": 2},
      {"name": "d", "op": "conv2d", "out_channels": 6, "kernel": 2, "stride": 2, "groups": 6,
       "bias": False}] + tail, shapes,
     lambda p, x: logits(p, F.conv2d(F.conv2d(F.conv2d(x, p["a.weight"], p["a.bias"], 1, 1),
                                              p["g.weight"], p["g.bias"], 1, 1, groups=2),
                                     p["d.weight"], None, 2, groups=6)))


# LeNet-5's C3 in small: output map f reads input map c where the table
# says; PyTorch computes it with the dense filter bank, zeros elsewhere.
TABLE = np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=bool)
tail, shapes = head(4 * 4 * 4)
shapes.update({"a.weight": (3, 2, 3, 3), "a.bias": (3,),
               "t.weight": (int(TABLE.sum()), 1, 3, 3), "t.bias": (4,)})


def table_conv(p, y):
    dense = torch.zeros(4, 3, 3, 3)
    dense[torch.from_numpy(TABLE)] = p["t.weight"][:, 0]
    return F.conv2d(y, dense, p["t.bias"], 1, 1)


case("conv2d with a connection table", [2, 4, 4],
     [{"name": "a", "op": "conv2d", "out_channels": 3, "kernel": 3, "padding": 1},
      {"name": "t", "op": "conv2d", "out_channels": 4, "kernel": 3, "padding": 1,
       "connections": [np.flatnonzero(row).tolist() for row in TABLE]}] + tail, shapes,
     lambda p, x: logits(p, table_conv(p, F.conv2d(x, p["a.weight"], p["a.bias"], 1, 1))))


def padded_conv_case(name, c, h, w, f, k, padding, mode, stride=1):
    """A convolution whose padding copies the input (replicate, reflect,
    circular): its input gradient sums the copies' gradients back."""
    top, left, bottom, right = padding
    oh = (h + top + bottom - k) // stride + 1
    ow = (w + left + right - k) // stride + 1
    tail, shapes = head(f * oh * ow)
    shapes.update({"a.weight": (c, c, 3, 3), "a.bias": (c,), "conv.weight": (f, c, k, k),
                   "conv.bias": (f,)})

    def forward(p, x):
        y = F.conv2d(x, p["a.weight"], p["a.bias"], 1, 1)
        y = F.pad(y, (left, right, top, bottom), mode=mode)
        return logits(p, F.conv2d(y, p["conv.weight"], p["conv.bias"], stride))
    case(name, [c, h, w],
         [{"name": "a", "op": "conv2d", "out_channels": c, "kernel": 3, "padding": 1},
          {"name": "conv", "op": "conv2d", "out_channels": f, "kernel": k, "stride": stride,
           "padding": list(padding), "padding_mode": mode}] + tail, shapes, forward)


padded_conv_case("conv2d reflect padding 2, 1, 1, 2", 2, 5, 6, 3, 3, (2, 1, 1, 2), "reflect")
padded_conv_case("conv2d replicate padding 1", 2, 5, 5, 3, 3, (1, 1, 1, 1), "replicate")
padded_conv_case("conv2d circular padding 2 stride 2", 2, 6, 5, 3, 5, (2, 2, 2, 2),
                 "circular", stride=2)


def pad_case(name, c, h, w, padding, mode):
    top, left, bottom, right = padding
    tail, shapes = head(c * (h + top + bottom) * (w + left + right))
    shapes.update({"a.weight": (c, c, 3, 3), "a.bias": (c,)})
    case(name, [c, h, w],
         [{"name": "a", "op": "conv2d", "out_channels": c, "kernel": 3, "padding": 1},
          {"name": "p", "op": "pad", "padding": list(padding), "mode": mode}] + tail, shapes,
         lambda p, x: logits(p, F.pad(F.conv2d(x, p["a.weight"], p["a.bias"], 1, 1),
                                      (left, right, top, bottom), mode=mode)))


pad_case("pad reflect 3, 1, 0, 2", 2, 4, 5, (3, 1, 0, 2), "reflect")
pad_case("pad replicate 2, 0, 1, 3", 2, 3, 4, (2, 0, 1, 3), "replicate")
pad_case("pad circular 1, 2, 2, 1", 2, 4, 3, (1, 2, 2, 1), "circular")

tail, shapes = head(2 * 6 * 12)
shapes.update({"a.weight": (2, 2, 3, 3), "a.bias": (2,)})
case("upsample bilinear 3x4", [2, 2, 3],
     [{"name": "a", "op": "conv2d", "out_channels": 2, "kernel": 3, "padding": 1},
      {"name": "up", "op": "upsample", "scale_factor": [3, 4], "mode": "bilinear"}] + tail,
     shapes,
     lambda p, x: logits(p, F.interpolate(F.conv2d(x, p["a.weight"], p["a.bias"], 1, 1),
                                          scale_factor=(3, 4), mode="bilinear",
                                          align_corners=False)))

pool_case("adaptive_avg_pool2d 7x9 -> 3x4 (overlapping windows)", 2, 7, 9,
          {"op": "adaptive_avg_pool2d", "output_size": [3, 4]}, (3, 4),
          lambda y: F.adaptive_avg_pool2d(y, (3, 4)))


def conv1d_case(name, c, length, f, k, stride=1, padding=(0, 0), dilation=1, groups=1,
                true_convolution=False):
    left, right = padding
    out = (length + left + right - dilation * (k - 1) - 1) // stride + 1
    tail, shapes = head(f * out)
    shapes.update({"a.weight": (c, c, 3), "a.bias": (c,), "conv.weight": (f, c // groups, k),
                   "conv.bias": (f,)})

    def forward(p, x):
        weight = p["conv.weight"]
        if true_convolution:  # the kernel mirrored
            weight = torch.flip(weight, [2])
        y = F.conv1d(x, p["a.weight"], p["a.bias"], padding=1)
        return logits(p, F.conv1d(F.pad(y, (left, right)), weight, p["conv.bias"], stride,
                                  dilation=dilation, groups=groups))
    case(name, [c, length],
         [{"name": "a", "op": "conv1d", "out_channels": c, "kernel": 3, "padding": 1},
          {"name": "conv", "op": "conv1d", "out_channels": f, "kernel": k, "stride": stride,
           "padding": list(padding), "dilation": dilation, "groups": groups,
           "true_convolution": true_convolution}] + tail, shapes, forward)


conv1d_case("conv1d stride 2, padding 2, 1, dilation 2", 2, 13, 3, 3, stride=2,
            padding=(2, 1), dilation=2)
conv1d_case("conv1d true convolution, groups 2", 4, 9, 6, 4, padding=(3, 3), groups=2,
            true_convolution=True)


def fmix32(h):
    """MurmurHash3's 32-bit finaliser on uint32 arrays (wrapping)."""
    h = np.asarray(h, dtype=np.uint32)
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def dropout_mask(shape, rate, seed, stream, step):
    """cnn.dropout_train's mask, written from its documentation: 1 / (1 -
    rate) where an element is kept, 0 where it is dropped."""
    with np.errstate(over="ignore"):
        key = fmix32(fmix32(fmix32(seed) ^ np.uint32(stream)) ^ np.uint32(step))
        bits = fmix32(fmix32(np.arange(int(np.prod(shape)), dtype=np.uint32)) ^ key)
    keep = bits >= np.uint32(int(np.floor(rate * 2.0 ** 32)))
    scale = np.float32(1.0) / np.float32(1.0 - rate)
    return torch.from_numpy(np.where(keep, scale, np.float32(0)).reshape(shape))


# Dropout in training: the seed and the step count are state the weights
# file gives; PyTorch applies the mask written from the op's documentation,
# so the forward mask, the backward mask and the generator are all checked.
DROPOUT_STATE = {"dropout_seed": np.array([1234.0], np.float32),
                 "step": np.array([7.0], np.float32)}
tail, shapes = head(6)
shapes.update({"fc.weight": (6, 8), "fc.bias": (6,)})
case("dense, dropout 0.5 (seed 1234, step 7)", [8],
     [{"name": "fc", "op": "dense", "out_features": 6}, {"name": "drop", "op": "dropout"}]
     + tail, shapes,
     lambda p, x: logits(p, F.linear(x, p["fc.weight"], p["fc.bias"])
                         * dropout_mask((BATCH, 6), 0.5, 1234, 0, 7)))
tail, shapes = head(3 * 4 * 4)
shapes.update({"conv.weight": (3, 2, 3, 3), "conv.bias": (3,), "fc.weight": (5, 48),
               "fc.bias": (5,)})
case("conv2d, dropout 0.3, dense, dropout 0.2 (two streams)", [2, 4, 4],
     [{"name": "conv", "op": "conv2d", "out_channels": 3, "kernel": 3, "padding": 1},
      {"name": "drop1", "op": "dropout", "rate": 0.3},
      {"name": "flat1", "op": "flatten"},
      {"name": "fc", "op": "dense", "out_features": 5},
      {"name": "drop2", "op": "dropout", "rate": 0.2}] + head(5)[0],
     dict(shapes, **{"logits.weight": (CLASSES, 5)}),
     lambda p, x: logits(p, F.linear(torch.flatten(
         F.conv2d(x, p["conv.weight"], p["conv.bias"], 1, 1)
         * dropout_mask((BATCH, 3, 4, 4), 0.3, 1234, 0, 7), 1), p["fc.weight"], p["fc.bias"])
         * dropout_mask((BATCH, 5), 0.2, 1234, 1, 7)))


def run_case(index, workdir, cnnc):
    name, input_shape, layers, shapes, forward, buffers = CASES[index]
    stem = f"grad{index}"
    model = {"name": stem, "input": {"shape": input_shape}, "batch": BATCH, "layers": layers}
    weights = {key: RNG.uniform(-0.5, 0.5, size=shape).astype(np.float32)
               for key, shape in shapes.items()}
    for key in buffers:  # running variances are positive
        if key.endswith("var"):
            weights[key] = np.abs(weights[key]) + 0.5
    x = RNG.uniform(-1, 1, size=(BATCH, *input_shape)).astype(np.float32)
    labels = RNG.integers(0, CLASSES, size=BATCH)
    paths = {part: os.path.join(workdir, f"{stem}.{part}") for part in
             ("in.npy", "labels.npy", "safetensors", "trained.safetensors")}
    state = DROPOUT_STATE if "dropout" in name else {}

    def step(values):
        """cnnc's loss at `values` and the weights after one step."""
        reference.write_safetensors(paths["safetensors"], dict(values, **state))
        run = subprocess.run([exe, "--weights", paths["safetensors"], "--input",
                              "input=" + paths["in.npy"], "--input",
                              "labels=" + paths["labels.npy"], "--train-steps", "1",
                              "--save-weights", paths["trained.safetensors"]],
                             check=True, capture_output=True, text=True)
        return (float(re.search(r"step 1: loss (\S+)", run.stdout).group(1)),
                read_safetensors(paths["trained.safetensors"]))
    try:
        exe = reference.compile_model(cnnc, model, workdir, stem, flags=["--train", "--lr=1"])
        np.save(paths["in.npy"], x)
        np.save(paths["labels.npy"], labels.astype(np.float32))
        loss, trained = step(weights)
    except Exception as error:  # a failed compile or run is a failed case
        return name, False, f"cnnc failed: {error}"
    with torch.enable_grad():
        params = {key: torch.tensor(value, requires_grad=key not in buffers)
                  for key, value in weights.items()}
        expected_loss = F.cross_entropy(forward(params, torch.from_numpy(x)),
                                        torch.from_numpy(labels))
        expected_loss.backward()
    worst = 0.0
    ok, error, bound = reference.within_tolerance(np.array([loss]),
                                                  np.array([expected_loss.item()]))
    if not ok:
        return name, False, f"loss {loss} against {expected_loss.item()}"
    if "dropout" in name and float(trained["step"][0]) != 8.0:
        return name, False, f"the step count went from 7 to {float(trained['step'][0])}, not 8"
    for key in buffers:
        ok, error, bound = reference.within_tolerance(trained[key], params[key].numpy())
        if not ok:
            return name, False, f"updated {key}: max error {error:.3g} (bound {bound:.3g})"
    for key in shapes:
        if key in buffers:
            continue
        gradient = weights[key] - trained[key]
        expected = params[key].grad.numpy()
        ok, error, bound = reference.within_tolerance(gradient, expected)
        if not ok:
            return name, False, f"gradient of {key}: max error {error:.3g} (bound {bound:.3g})"
        worst = max(worst, error)
    # cnnc's gradient against its own loss: the derivative along a random
    # direction v of the parameters, sum of gradient * v, against central
    # differences (L(w + eps v) - L(w - eps v)) / (2 eps) of cnnc's losses.
    direction = {key: np.random.default_rng(index).uniform(-1, 1, size=shapes[key])
                 .astype(np.float32) for key in shapes if key not in buffers}
    derivative = sum(float(np.dot((weights[key] - trained[key]).ravel().astype(np.float64),
                                  v.ravel())) for key, v in direction.items())
    losses = []
    for sign in (1, -1):
        moved = dict(weights)
        for key, v in direction.items():
            moved[key] = weights[key] + np.float32(sign * FD_STEP) * v
        losses.append(step(moved)[0])
    differences = (losses[0] - losses[1]) / (2 * FD_STEP)
    if not abs(differences - derivative) <= FD_RELATIVE * abs(derivative) + FD_ABSOLUTE:
        return name, False, (f"finite differences {differences:.6g} against the gradient's "
                             f"{derivative:.6g} along a random direction")
    updated = f", {len(buffers)} running statistics" if buffers else ""
    return name, True, (f"loss and {len(shapes) - len(buffers)} gradients{updated}, "
                        f"max error {worst:.3g}; along a random direction "
                        f"{derivative:.5f}, finite differences {differences:.5f}")


def main():
    cnnc, workdir = sys.argv[1], sys.argv[2]
    os.makedirs(workdir, exist_ok=True)
    return reference.run_cases(len(CASES), lambda i: run_case(i, workdir, cnnc), "gradients")


if __name__ == "__main__":
    sys.exit(main())
