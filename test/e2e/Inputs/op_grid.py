"""Every cnn op over a grid of shapes and attributes, against PyTorch.

usage: op_grid.py CNNC WORKDIR [CNNC COMPILE FLAGS...]

Each case is a one- or two-layer model: cnnc compiles it, the executable runs
it on random weights and input, and torch.nn.functional computes the same
layer. Prints one line per case and a closing 'N passed, M failed' line;
exits 1 when a case fails.
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
import reference  # noqa: E402

RNG = np.random.default_rng(1234)
BATCH = 2


def rand(*shape, low=-1.0, high=1.0):
    return RNG.uniform(low, high, size=shape).astype(np.float32)


def t(array):
    return torch.from_numpy(np.asarray(array))


CASES = []


def case(name, input_shape, layers, weights, reference_fn, inputs=None):
    CASES.append((name, input_shape, layers, weights, reference_fn, inputs))


# --- conv2d -----------------------------------------------------------------
def conv_case(name, c, h, w, f, k, stride=1, padding=0, dilation=1, groups=1,
              bias=True, mode="zeros"):
    kh, kw = (k, k) if isinstance(k, int) else k
    layer = {"name": "conv", "op": "conv2d", "out_channels": f, "kernel": [kh, kw],
             "stride": stride, "padding": padding, "dilation": dilation,
             "groups": groups, "bias": bias, "padding_mode": mode}
    weights = {"conv.weight": rand(f, c // groups, kh, kw)}
    if bias:
        weights["conv.bias"] = rand(f)

    def torch_ref(x):
        pad = padding
        if isinstance(pad, int):
            pad = [pad] * 4
        elif len(pad) == 2:
            pad = [pad[0], pad[1], pad[0], pad[1]]
        top, left, bottom, right = pad
        torch_mode = {"zeros": "constant", "valid": "constant", "replicate": "replicate",
                      "reflect": "reflect", "circular": "circular"}[mode]
        if top == bottom and left == right and mode in ("replicate", "reflect", "circular",
                                                        "zeros"):
            # Symmetric: PyTorch's own padding_mode.
            module = torch.nn.Conv2d(c, f, (kh, kw), stride=stride, padding=(top, left),
                                     dilation=dilation, groups=groups, bias=bias,
                                     padding_mode=mode)
            module.weight.copy_(t(weights["conv.weight"]))
            if bias:
                module.bias.copy_(t(weights["conv.bias"]))
            return module(x)
        padded = F.pad(x, (left, right, top, bottom), mode=torch_mode)
        return F.conv2d(padded, t(weights["conv.weight"]),
                        t(weights["conv.bias"]) if bias else None,
                        stride=stride, dilation=dilation, groups=groups)
    case(name, [c, h, w], [layer], weights, torch_ref)


conv_case("conv 3x3", 3, 9, 11, 8, 3)
conv_case("conv 3x3 pad 1", 3, 9, 11, 8, 3, padding=1)
conv_case("conv 5x5 pad 2 stride 2", 3, 13, 10, 6, 5, stride=2, padding=2)
conv_case("conv stride [2, 1]", 4, 9, 9, 4, 3, stride=[2, 1], padding=1)
conv_case("conv 1x1", 8, 7, 7, 16, 1)
conv_case("conv 3x5 kernel", 2, 10, 12, 4, [3, 5], padding=[1, 2])
conv_case("conv asymmetric padding", 3, 8, 9, 5, 3, padding=[1, 0, 2, 1])
conv_case("conv dilation 2", 3, 12, 12, 4, 3, dilation=2, padding=2)
conv_case("conv dilation [2, 1] stride 2", 3, 15, 12, 4, 3, stride=2, dilation=[2, 1], padding=1)
conv_case("conv groups 2", 4, 9, 9, 6, 3, groups=2, padding=1)
conv_case("conv depthwise (groups = C)", 6, 9, 9, 6, 3, groups=6, padding=1)
conv_case("conv depthwise multiplier 2", 4, 8, 8, 8, 3, groups=4)
conv_case("conv no bias", 3, 9, 9, 5, 3, bias=False, padding=1)
conv_case("conv replicate", 3, 9, 10, 4, 3, padding=1, mode="replicate")
conv_case("conv replicate pad 2", 2, 7, 7, 3, 5, padding=2, mode="replicate")
conv_case("conv replicate asymmetric", 2, 7, 8, 3, 3, padding=[2, 0, 0, 1], mode="replicate")
conv_case("conv circular", 3, 9, 10, 4, 3, padding=1, mode="circular")
conv_case("conv reflect", 3, 9, 10, 4, 3, padding=1, mode="reflect")
conv_case("conv reflect pad 3 stride 2", 2, 7, 8, 3, 5, stride=2, padding=3, mode="reflect")
conv_case("conv reflect asymmetric", 2, 6, 7, 3, 3, padding=[2, 0, 1, 3], mode="reflect")
conv_case("conv circular pad 2 stride 2", 2, 8, 7, 3, 5, stride=2, padding=2, mode="circular")
conv_case("conv circular asymmetric", 2, 6, 6, 3, 3, padding=[0, 2, 1, 0], mode="circular")
conv_case("conv valid", 3, 9, 9, 4, 3, mode="valid")
valid_weights = {"conv.weight": rand(4, 3, 3, 2), "conv.bias": rand(4)}
case("conv padding 'valid' (as PyTorch's and conv1d's)", [3, 9, 8],
     [{"name": "conv", "op": "conv2d", "out_channels": 4, "kernel": [3, 2], "padding": "valid"}],
     valid_weights, lambda x: F.conv2d(x, t(valid_weights["conv.weight"]),
                                       t(valid_weights["conv.bias"]), padding="valid"))
conv_case("conv grouped replicate dilated", 4, 10, 10, 4, 3, groups=2, dilation=2, padding=2, mode="replicate")


def connections_case(name, c, h, w, k, table, bias=True):
    """conv2d with a connection table: output map f reads the input maps
    table[f]; the reference convolves each map's slice on its own."""
    layer = {"name": "conv", "op": "conv2d", "out_channels": len(table), "kernel": k,
             "bias": bias, "connections": table}
    count = sum(len(row) for row in table)
    weights = {"conv.weight": rand(count, 1, k, k)}
    if bias:
        weights["conv.bias"] = rand(len(table))

    def torch_ref(x):
        maps, start = [], 0
        for f, row in enumerate(table):
            filters = t(weights["conv.weight"][start:start + len(row)]).reshape(1, len(row), k, k)
            start += len(row)
            maps.append(F.conv2d(x[:, row], filters,
                                 t(weights["conv.bias"][f:f + 1]) if bias else None))
        return torch.cat(maps, 1)
    case(name, [c, h, w], [layer], weights, torch_ref)


connections_case("conv connection table", 4, 8, 9, 3, [[0, 1], [1, 2, 3], [0, 3], [0, 1, 2, 3], [2]])
connections_case("conv connection table no bias", 3, 7, 7, 5, [[0], [1, 2], [0, 2]], bias=False)


# --- conv1d -------------------------------------------------------------------
def conv1d_case(name, c, length, f, k, stride=1, padding=0, dilation=1, groups=1,
                bias=True, true_convolution=False):
    layer = {"name": "conv", "op": "conv1d", "out_channels": f, "kernel": k,
             "stride": stride, "padding": padding, "dilation": dilation,
             "groups": groups, "bias": bias, "true_convolution": true_convolution}
    weights = {"conv.weight": rand(f, c // groups, k)}
    if bias:
        weights["conv.bias"] = rand(f)
    extent = dilation * (k - 1) + 1
    if padding == "full":
        left = right = extent - 1
    elif isinstance(padding, int):
        left = right = padding
    else:
        left, right = padding

    def torch_ref(x):
        weight = t(weights["conv.weight"])
        if true_convolution:  # the kernel mirrored
            weight = torch.flip(weight, [2])
        return F.conv1d(F.pad(x, (left, right)), weight,
                        t(weights["conv.bias"]) if bias else None,
                        stride=stride, dilation=dilation, groups=groups)
    case(name, [c, length], [layer], weights, torch_ref)


conv1d_case("conv1d", 3, 20, 4, 3)
conv1d_case("conv1d pad 2 stride 2", 2, 17, 3, 5, stride=2, padding=2)
conv1d_case("conv1d asymmetric padding, dilation 2", 2, 15, 3, 3, padding=[3, 1], dilation=2)
conv1d_case("conv1d groups 2, no bias", 4, 12, 6, 3, groups=2, bias=False)
conv1d_case("conv1d true convolution, full padding", 1, 9, 1, 4, padding="full",
            true_convolution=True)
conv1d_case("conv1d true convolution, 3 channels, stride 2", 3, 16, 2, 5, stride=2,
            padding=1, true_convolution=True)


# --- dense, batch norm, activations ----------------------------------------
def dense_case(name, features, out, bias=True):
    weights = {"fc.weight": rand(out, features)}
    if bias:
        weights["fc.bias"] = rand(out)
    case(name, [features], [{"name": "fc", "op": "dense", "out_features": out, "bias": bias}],
         weights, lambda x: F.linear(x, t(weights["fc.weight"]),
                                     t(weights["fc.bias"]) if bias else None))


dense_case("dense", 37, 10)
dense_case("dense no bias", 16, 5, bias=False)


def batch_norm_case(name, shape, epsilon):
    c = shape[0]
    weights = {"bn.weight": rand(c), "bn.bias": rand(c), "bn.running_mean": rand(c),
               "bn.running_var": rand(c, low=0.1, high=2.0)}
    layer = {"name": "bn", "op": "batch_norm", "epsilon": epsilon}
    case(name, shape, [layer], weights,
         lambda x: F.batch_norm(x, t(weights["bn.running_mean"]), t(weights["bn.running_var"]),
                                t(weights["bn.weight"]), t(weights["bn.bias"]), False, 0.0, epsilon))


batch_norm_case("batch_norm 4-D", [5, 7, 9], 1e-5)
batch_norm_case("batch_norm 2-D epsilon 1e-3", [12], 1e-3)
batch_norm_case("batch_norm 3-D (BatchNorm1d on [N, C, L])", [6, 10], 1e-5)

case("relu", [3, 5, 7], [{"name": "a", "op": "relu"}], {}, F.relu)
case("leaky_relu default slope", [3, 5, 7], [{"name": "a", "op": "leaky_relu"}], {}, F.leaky_relu)
case("leaky_relu 0.1", [3, 5, 7], [{"name": "a", "op": "leaky_relu", "negative_slope": 0.1}], {},
     lambda x: F.leaky_relu(x, 0.1))
case("tanh", [3, 5, 7], [{"name": "a", "op": "tanh"}], {}, torch.tanh)
case("sigmoid", [3, 5, 7], [{"name": "a", "op": "sigmoid"}], {}, torch.sigmoid)
case("softmax classes", [10], [{"name": "s", "op": "softmax"}], {}, lambda x: F.softmax(x, 1))
case("softmax channels of a feature map", [4, 3, 5], [{"name": "s", "op": "softmax", "axis": 1}], {},
     lambda x: F.softmax(x, 1))
case("softmax last axis", [4, 3, 5], [{"name": "s", "op": "softmax", "axis": -1}], {},
     lambda x: F.softmax(x, -1))
case("dropout is the identity", [3, 5, 7], [{"name": "d", "op": "dropout", "rate": 0.5}], {},
     lambda x: x)


# --- pooling ----------------------------------------------------------------
def pool_case(name, kind, shape, kernel, stride=None, padding=0, ceil_mode=False,
              count_include_pad=True):
    layer = {"name": "p", "op": kind, "kernel": kernel, "padding": padding,
             "ceil_mode": ceil_mode}
    if stride is not None:
        layer["stride"] = stride
    if kind == "avg_pool2d":
        layer["count_include_pad"] = count_include_pad

    def torch_ref(x):
        if kind == "max_pool2d":
            return F.max_pool2d(x, kernel, stride, padding, ceil_mode=ceil_mode)
        return F.avg_pool2d(x, kernel, stride, padding, ceil_mode=ceil_mode,
                            count_include_pad=count_include_pad)
    case(name, shape, [layer], {}, torch_ref)


for kind in ("max_pool2d", "avg_pool2d"):
    pool_case(f"{kind} 2x2", kind, [3, 8, 10], 2)
    pool_case(f"{kind} 3x3 stride 2 pad 1", kind, [3, 9, 11], 3, 2, 1)
    pool_case(f"{kind} 3x3 stride 1", kind, [2, 7, 7], 3, 1)
    pool_case(f"{kind} ceil_mode odd size", kind, [3, 9, 11], 2, 2, 0, True)
    pool_case(f"{kind} ceil_mode pad 1", kind, [2, 7, 10], 3, 2, 1, True)
    pool_case(f"{kind} 2x3 kernel", kind, [2, 8, 9], [2, 3], [2, 3])
pool_case("avg_pool2d without pad in divisor", "avg_pool2d", [3, 9, 11], 3, 2, 1,
          count_include_pad=False)
pool_case("avg_pool2d ceil_mode without pad in divisor", "avg_pool2d", [2, 8, 11], 3, 2, 1,
          True, False)
case("global_avg_pool", [6, 7, 9], [{"name": "g", "op": "global_avg_pool"}], {},
     lambda x: F.adaptive_avg_pool2d(x, 1))
case("flatten", [4, 3, 5], [{"name": "f", "op": "flatten"}], {}, lambda x: torch.flatten(x, 1))

# --- graph ops --------------------------------------------------------------
case("add", [3, 5, 7],
     [{"name": "a", "op": "relu"}, {"name": "b", "op": "tanh", "inputs": ["input"]},
      {"name": "sum", "op": "add", "inputs": ["a", "b"]}],
     {}, lambda x: F.relu(x) + torch.tanh(x))
case("concat channels", [3, 5, 7],
     [{"name": "a", "op": "relu"}, {"name": "b", "op": "sigmoid", "inputs": ["input"]},
      {"name": "cat", "op": "concat", "inputs": ["a", "b", "input"]}],
     {}, lambda x: torch.cat([F.relu(x), torch.sigmoid(x), x], 1))
case("concat width", [3, 5, 7],
     [{"name": "a", "op": "relu"}, {"name": "cat", "op": "concat", "inputs": ["a", "input"], "axis": 3}],
     {}, lambda x: torch.cat([F.relu(x), x], 3))


# --- the ops of the lecture's later architectures -------------------------
def conv_transpose_case(name, c, h, w, f, k, stride=1, padding=0, output_padding=0,
                        dilation=1, groups=1, bias=True):
    layer = {"name": "up", "op": "conv_transpose2d", "out_channels": f, "kernel": k,
             "stride": stride, "padding": padding, "output_padding": output_padding,
             "dilation": dilation, "groups": groups, "bias": bias}
    kh, kw = (k, k) if isinstance(k, int) else k
    weights = {"up.weight": rand(c, f // groups, kh, kw)}
    if bias:
        weights["up.bias"] = rand(f)
    case(name, [c, h, w], [layer], weights,
         lambda x: F.conv_transpose2d(x, t(weights["up.weight"]),
                                      t(weights["up.bias"]) if bias else None, stride,
                                      padding, output_padding, groups, dilation))


conv_transpose_case("conv_transpose 2x2 stride 2 (U-Net)", 4, 5, 6, 3, 2, stride=2)
conv_transpose_case("conv_transpose 3x3 stride 2 pad 1 output_padding 1", 3, 5, 5, 4, 3,
                    stride=2, padding=1, output_padding=1)
conv_transpose_case("conv_transpose stride 1 pad 1", 3, 6, 7, 2, 3, padding=1)
conv_transpose_case("conv_transpose groups 2 no bias", 4, 4, 5, 6, 3, stride=2, groups=2,
                    bias=False)
conv_transpose_case("conv_transpose dilation 2", 2, 5, 5, 3, 3, dilation=2, padding=1)
conv_transpose_case("conv_transpose padding beyond the kernel", 2, 6, 6, 2, 3, stride=3,
                    padding=3)

# A zero padding before a strided transposed convolution: upstream MLIR's
# canonicalization folded the pair to the wrong offset (docs/upstream-issues.md).
pad_then_up = {"up.weight": rand(2, 3, 3, 3), "up.bias": rand(3)}
case("pad then conv_transpose stride 2", [2, 4, 5],
     [{"name": "p", "op": "pad", "padding": [1, 2, 0, 1]},
      {"name": "up", "op": "conv_transpose2d", "out_channels": 3, "kernel": 3, "stride": 2}],
     pad_then_up,
     lambda x: F.conv_transpose2d(F.pad(x, (2, 1, 1, 0)), t(pad_then_up["up.weight"]),
                                  t(pad_then_up["up.bias"]), 2))
case("pad then conv_transpose 1x1 stride [2, 3]", [1, 1, 3],
     [{"name": "p", "op": "pad", "padding": 1},
      {"name": "up", "op": "conv_transpose2d", "out_channels": 1, "kernel": 1,
       "stride": [2, 3], "bias": False}],
     {"up.weight": np.ones((1, 1, 1, 1), np.float32)},
     lambda x: F.conv_transpose2d(F.pad(x, (1, 1, 1, 1)), torch.ones(1, 1, 1, 1),
                                  None, (2, 3)))

case("silu", [3, 5, 7], [{"name": "a", "op": "silu"}], {}, F.silu)
case("local_response_norm (AlexNet)", [7, 5, 6],
     [{"name": "n", "op": "local_response_norm", "size": 5, "alpha": 1e-4, "beta": 0.75,
       "k": 2.0}], {},
     lambda x: F.local_response_norm(x, 5, 1e-4, 0.75, 2.0))
case("local_response_norm on [N, C, L], size beyond 2C + 1", [3, 7],
     [{"name": "n", "op": "local_response_norm", "size": 9, "alpha": 0.3, "k": 1.5}], {},
     lambda x: F.local_response_norm(x, 9, 0.3, 0.75, 1.5))
case("local_response_norm size 4, large alpha", [6, 3, 4],
     [{"name": "n", "op": "local_response_norm", "size": 4, "alpha": 0.5}], {},
     lambda x: F.local_response_norm(x, 4, 0.5))
for size, shape in [((3, 3), [4, 7, 9]), ((6, 6), [3, 6, 6]), ((1, 1), [5, 7, 7]),
                    ((4, 2), [2, 10, 5])]:
    case(f"adaptive_avg_pool2d {size} from {shape[1]}x{shape[2]}", shape,
         [{"name": "p", "op": "adaptive_avg_pool2d", "output_size": list(size)}], {},
         lambda x, size=size: F.adaptive_avg_pool2d(x, size))
case("upsample nearest x2", [3, 4, 5], [{"name": "u", "op": "upsample", "scale_factor": 2}],
     {}, lambda x: F.interpolate(x, scale_factor=2, mode="nearest"))
case("upsample nearest [2, 3]", [2, 3, 4],
     [{"name": "u", "op": "upsample", "scale_factor": [2, 3]}], {},
     lambda x: F.interpolate(x, scale_factor=(2, 3), mode="nearest"))
case("upsample bilinear x2", [3, 4, 5],
     [{"name": "u", "op": "upsample", "scale_factor": 2, "mode": "bilinear"}], {},
     lambda x: F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False))
case("upsample bilinear [3, 2]", [2, 5, 3],
     [{"name": "u", "op": "upsample", "scale_factor": [3, 2], "mode": "bilinear"}], {},
     lambda x: F.interpolate(x, scale_factor=(3, 2), mode="bilinear", align_corners=False))
case("center_crop to a size", [3, 9, 10],
     [{"name": "c", "op": "center_crop", "size": [5, 7]}], {},
     lambda x: x[:, :, 2:7, 1:8])
case("center_crop like another layer (U-Net)", [3, 9, 10],
     [{"name": "small", "op": "max_pool2d", "kernel": 2},
      {"name": "c", "op": "center_crop", "inputs": ["input", "small"]},
      {"name": "cat", "op": "concat", "inputs": ["c", "small"]}], {},
     lambda x: torch.cat([x[:, :, 2:6, 2:7], F.max_pool2d(x, 2)], 1))
case("pad constant", [2, 4, 5], [{"name": "p", "op": "pad", "padding": [1, 2, 0, 3], "value": 0.5}],
     {}, lambda x: F.pad(x, (2, 3, 1, 0), value=0.5))
case("pad replicate", [2, 4, 5], [{"name": "p", "op": "pad", "padding": 2, "mode": "replicate"}],
     {}, lambda x: F.pad(x, (2, 2, 2, 2), mode="replicate"))
# Ceil mode with a window larger than the (padded) input: one partial window.
case("max_pool2d ceil_mode, window beyond the input", [2, 2, 5],
     [{"name": "p", "op": "max_pool2d", "kernel": 3, "stride": 2, "ceil_mode": True}], {},
     lambda x: F.max_pool2d(x, 3, 2, ceil_mode=True))
case("avg_pool2d ceil_mode, window beyond the input, count_include_pad false", [2, 1, 4],
     [{"name": "p", "op": "avg_pool2d", "kernel": [2, 3], "stride": 2, "ceil_mode": True,
       "count_include_pad": False}], {},
     lambda x: F.avg_pool2d(x, (2, 3), 2, ceil_mode=True, count_include_pad=False))
case("pad reflect", [2, 4, 5], [{"name": "p", "op": "pad", "padding": [3, 1, 0, 4], "mode": "reflect"}],
     {}, lambda x: F.pad(x, (1, 4, 3, 0), mode="reflect"))
case("pad circular", [2, 4, 5], [{"name": "p", "op": "pad", "padding": [1, 2], "mode": "circular"}],
     {}, lambda x: F.pad(x, (2, 2, 1, 1), mode="circular"))
case("reshape (YOLOv1's 7x7x30)", [1470],
     [{"name": "r", "op": "reshape", "shape": [7, 7, 30]}], {},
     lambda x: x.reshape(-1, 7, 7, 30))
case("reshape a feature map", [3, 4, 5],
     [{"name": "r", "op": "reshape", "shape": [12, 5]}], {},
     lambda x: x.reshape(-1, 12, 5))


def run_case(index, workdir, cnnc, flags):
    name, input_shape, layers, weights, torch_ref, _ = CASES[index]
    model = {"name": f"case{index}", "input": {"shape": input_shape}, "batch": BATCH,
             "layers": layers}
    stem = f"case{index}"
    x = rand(BATCH, *input_shape)
    try:
        exe = reference.compile_model(cnnc, model, workdir, stem, flags=flags)
        actual = reference.run_model(exe, weights, x, workdir, stem)
    except Exception as error:  # a failed compile or run is a failed case
        return name, False, f"cnnc failed: {error}"
    with torch.no_grad():  # grad mode is per thread
        expected = torch_ref(t(x)).numpy()
    ok, error, bound = reference.within_tolerance(actual, expected)
    shapes = f"{list(actual.shape)} vs {list(expected.shape)}"
    return name, ok, f"max error {error:.3g} (bound {bound:.3g}), shapes {shapes}"


def main():
    cnnc, workdir, flags = sys.argv[1], sys.argv[2], sys.argv[3:]
    os.makedirs(workdir, exist_ok=True)
    return reference.run_cases(len(CASES), lambda i: run_case(i, workdir, cnnc, flags), "op grid")


if __name__ == "__main__":
    sys.exit(main())
