"""Differential testing: random valid networks, compiled by cnnc, against
PyTorch models built from the same model file.

usage: random_networks.py [--count N] [--seed S] [--break-reference OP] WORKDIR

Each network is drawn from its own seed (S, S + 1, ...): a chain of layers
over most ops and options of the format (convolutions with every padding
form and mode, strides, dilations, groups, transposed convolutions, 1-D
convolutions (also true convolution), pooling with ceil_mode and
count_include_pad, batch norm with non-trivial statistics, activations,
padding, upsampling, local response norm, classifier heads), with branches
that meet again in residual adds (also broadcast: squeeze-and-excitation
style, or a per-channel second input) and concatenations, several inputs,
several outputs and batch sizes above one. PyTorch checks each layer as it is drawn, so every network is one that
PyTorch accepts; the reference is an interpreter of the model file over
torch.nn.functional, independent of cnnc.

A network cnnc computes wrongly (or crashes on) is shrunk to a minimal one
(the shortest failing prefix, then without each layer that keeps its input's
shape while it still fails) and printed with its seed. A network cnnc
refuses with a message is counted apart: a gap between the format and
PyTorch, not a miscompile. Prints one line per failure or refusal and a
closing 'random networks: N passed, M failed, R refused'; exits 1 when one
failed. --break-reference OP adds 1 to the reference's value of every OP
layer: a test of this harness, whose failures must shrink to a network that
ends with OP.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
import reference  # noqa: E402

ACTIVATIONS = ["relu", "leaky_relu", "tanh", "sigmoid", "silu"]


class Layer:
    """One layer: its JSON, its PyTorch meaning and its parameters."""

    def __init__(self, spec, inputs, fn, params, shape):
        self.spec = spec          # the layer's JSON object (with "inputs")
        self.inputs = inputs      # names of the values it reads
        self.fn = fn              # list of input tensors -> output tensor
        self.params = params      # {"name.weight": array}
        self.shape = shape        # output shape, batch included

    @property
    def name(self):
        return self.spec["name"]


def pair(rng, low, high):
    a, b = int(rng.integers(low, high + 1)), int(rng.integers(low, high + 1))
    return a if a == b or rng.random() < 0.5 else [a, b]


def as_pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def quad(padding):
    """cnnc's padding forms as (top, left, bottom, right)."""
    if isinstance(padding, int):
        return (padding,) * 4
    if len(padding) == 2:
        return (padding[0], padding[1], padding[0], padding[1])
    return tuple(padding)


def same_padding(size, kernel, stride, dilation):
    """TensorFlow's 'same': total padding, the odd one at the end."""
    out = -(-size // stride)
    total = max((out - 1) * stride + dilation * (kernel - 1) + 1 - size, 0)
    return total // 2, total - total // 2


def uniform(rng, *shape, low=-1.0, high=1.0):
    return rng.uniform(low, high, size=shape).astype(np.float32)


def t(array):
    return torch.from_numpy(np.asarray(array))


def conv2d(rng, name, shape):
    c, h, w = shape[1:]
    groups = int(rng.choice([g for g in (1, 2, 3, 4) if c % g == 0]))
    filters = groups * int(rng.integers(1, 9 // groups + 1))
    kernel = pair(rng, 1, 3)
    kh, kw = as_pair(kernel)
    stride, dilation = pair(rng, 1, 2), pair(rng, 1, 2)
    mode = str(rng.choice(["zeros", "zeros", "replicate", "reflect", "circular", "valid"]))
    spec = {"name": name, "op": "conv2d", "out_channels": filters, "kernel": kernel,
            "stride": stride, "dilation": dilation, "groups": groups,
            "bias": bool(rng.random() < 0.7), "padding_mode": mode}
    if mode != "valid":
        form = rng.integers(0, 5)
        spec["padding"] = ("valid" if form == 4 and mode == "zeros" else
                           int(rng.integers(0, 3)) if form == 0 else
                           [int(rng.integers(0, 3)) for _ in range(2)] if form == 1 else
                           [int(rng.integers(0, 3)) for _ in range(4)] if form == 2 else "same")
        if mode in ("circular", "reflect") and spec["padding"] != "same":
            # Circular wraps at most once; reflect stays inside the input.
            limit = 0 if mode == "circular" else 1
            spec["padding"] = [min(p, (h if i % 2 == 0 else w) - limit)
                               for i, p in enumerate(quad(spec["padding"]))]
    params = {f"{name}.weight": uniform(rng, filters, c // groups, kh, kw)}
    if spec["bias"]:
        params[f"{name}.bias"] = uniform(rng, filters)
    sh, sw = as_pair(stride)
    dh, dw = as_pair(dilation)

    def fn(xs):
        x = xs[0]
        if mode != "valid":
            if spec["padding"] == "same":
                top, bottom = same_padding(x.shape[2], kh, sh, dh)
                left, right = same_padding(x.shape[3], kw, sw, dw)
            elif spec["padding"] == "valid":
                top = left = bottom = right = 0
            else:
                top, left, bottom, right = quad(spec["padding"])
            torch_mode = {"zeros": "constant", "replicate": "replicate",
                          "reflect": "reflect", "circular": "circular"}[mode]
            x = F.pad(x, (left, right, top, bottom), mode=torch_mode)
        return F.conv2d(x, t(params[f"{name}.weight"]),
                        t(params[f"{name}.bias"]) if spec["bias"] else None,
                        stride=(sh, sw), dilation=(dh, dw), groups=groups)
    return spec, fn, params


def conv_transpose2d(rng, name, shape):
    c = shape[1]
    groups = int(rng.choice([g for g in (1, 2) if c % g == 0]))
    filters = groups * int(rng.integers(1, 5))
    kernel = pair(rng, 1, 3)
    kh, kw = as_pair(kernel)
    stride, dilation = pair(rng, 1, 2), pair(rng, 1, 2)
    sh, sw = as_pair(stride)
    dh, dw = as_pair(dilation)
    padding = [int(rng.integers(0, dh * (kh - 1) + 1)), int(rng.integers(0, dw * (kw - 1) + 1))]
    output_padding = [int(rng.integers(0, max(sh, dh))), int(rng.integers(0, max(sw, dw)))]
    spec = {"name": name, "op": "conv_transpose2d", "out_channels": filters, "kernel": kernel,
            "stride": stride, "dilation": dilation, "padding": padding,
            "output_padding": output_padding, "groups": groups,
            "bias": bool(rng.random() < 0.7)}
    params = {f"{name}.weight": uniform(rng, c, filters // groups, kh, kw)}
    if spec["bias"]:
        params[f"{name}.bias"] = uniform(rng, filters)

    def fn(xs):
        return F.conv_transpose2d(xs[0], t(params[f"{name}.weight"]),
                                  t(params[f"{name}.bias"]) if spec["bias"] else None,
                                  stride=(sh, sw), padding=tuple(padding),
                                  output_padding=tuple(output_padding), groups=groups,
                                  dilation=(dh, dw))
    return spec, fn, params


def pool2d(rng, name, shape):
    op = str(rng.choice(["max_pool2d", "avg_pool2d"]))
    kernel = int(rng.integers(1, 4))
    stride = int(rng.integers(1, 4))
    padding = int(rng.integers(0, kernel // 2 + 1))
    spec = {"name": name, "op": op, "kernel": kernel, "stride": stride, "padding": padding,
            "ceil_mode": bool(rng.random() < 0.4)}
    if op == "avg_pool2d":
        spec["count_include_pad"] = bool(rng.random() < 0.5)

    def fn(xs):
        if op == "max_pool2d":
            return F.max_pool2d(xs[0], kernel, stride, padding, ceil_mode=spec["ceil_mode"])
        return F.avg_pool2d(xs[0], kernel, stride, padding, ceil_mode=spec["ceil_mode"],
                            count_include_pad=spec["count_include_pad"])
    return spec, fn, {}


def batch_norm(rng, name, shape):
    c = shape[1]
    params = {f"{name}.weight": uniform(rng, c, low=0.5, high=1.5),
              f"{name}.bias": uniform(rng, c),
              f"{name}.running_mean": uniform(rng, c, low=-0.5, high=0.5),
              f"{name}.running_var": uniform(rng, c, low=0.5, high=2.0)}
    epsilon = float(rng.choice([1e-5, 1e-3]))
    spec = {"name": name, "op": "batch_norm", "epsilon": epsilon}

    def fn(xs):
        return F.batch_norm(xs[0], t(params[f"{name}.running_mean"]),
                            t(params[f"{name}.running_var"]), t(params[f"{name}.weight"]),
                            t(params[f"{name}.bias"]), False, 0.0, epsilon)
    return spec, fn, params


def activation(rng, name, shape):
    op = str(rng.choice(ACTIVATIONS))
    spec = {"name": name, "op": op}
    if op == "leaky_relu":
        spec["negative_slope"] = float(rng.choice([0.01, 0.2]))
    fns = {"relu": F.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "silu": F.silu,
           "leaky_relu": lambda x: F.leaky_relu(x, spec["negative_slope"])}
    return spec, lambda xs: fns[op](xs[0]), {}


def pad(rng, name, shape):
    mode = str(rng.choice(["zeros", "replicate", "reflect", "circular"]))
    h, w = shape[2:]
    padding = [int(rng.integers(0, 3)) for _ in range(4)]
    if mode in ("circular", "reflect"):
        limit = 0 if mode == "circular" else 1
        padding = [min(p, (h if i % 2 == 0 else w) - limit) for i, p in enumerate(padding)]
    spec = {"name": name, "op": "pad", "padding": padding, "mode": mode}
    value = 0.0
    if mode == "zeros" and rng.random() < 0.5:
        value = spec["value"] = float(rng.choice([0.5, -1.0]))
    top, left, bottom, right = padding
    torch_mode = {"zeros": "constant", "replicate": "replicate", "reflect": "reflect",
                  "circular": "circular"}[mode]

    def fn(xs):
        if torch_mode == "constant":
            return F.pad(xs[0], (left, right, top, bottom), value=value)
        return F.pad(xs[0], (left, right, top, bottom), mode=torch_mode)
    return spec, fn, {}


def upsample(rng, name, shape):
    scale = pair(rng, 1, 2)
    mode = str(rng.choice(["nearest", "bilinear"]))
    spec = {"name": name, "op": "upsample", "scale_factor": scale, "mode": mode}
    sh, sw = as_pair(scale)

    def fn(xs):
        if mode == "nearest":
            return F.interpolate(xs[0], scale_factor=(float(sh), float(sw)), mode="nearest")
        return F.interpolate(xs[0], scale_factor=(float(sh), float(sw)), mode="bilinear",
                             align_corners=False)
    return spec, fn, {}


def local_response_norm(rng, name, shape):
    size = int(rng.integers(1, min(shape[1], 5) + 1))
    spec = {"name": name, "op": "local_response_norm", "size": size,
            "alpha": float(rng.choice([1e-4, 0.1])), "beta": 0.75,
            "k": float(rng.choice([1.0, 2.0]))}
    return spec, lambda xs: F.local_response_norm(xs[0], size, spec["alpha"], spec["beta"],
                                                  spec["k"]), {}


def adaptive_pool(rng, name, shape):
    size = [int(rng.integers(1, shape[2] + 1)), int(rng.integers(1, shape[3] + 1))]
    spec = {"name": name, "op": "adaptive_avg_pool2d", "output_size": size}
    return spec, lambda xs: F.adaptive_avg_pool2d(xs[0], tuple(size)), {}


def conv1d(rng, name, shape):
    c = shape[1]
    groups = int(rng.choice([g for g in (1, 2, 3) if c % g == 0]))
    filters = groups * int(rng.integers(1, 7 // groups + 1))
    kernel, stride, dilation = (int(rng.integers(1, 5)), int(rng.integers(1, 3)),
                                int(rng.integers(1, 3)))
    padding = [int(rng.integers(0, 3)), [int(rng.integers(0, 3)), int(rng.integers(0, 3))],
               "valid", "same", "full"][rng.integers(0, 5)]
    spec = {"name": name, "op": "conv1d", "out_channels": filters, "kernel": kernel,
            "stride": stride, "dilation": dilation, "groups": groups, "padding": padding,
            "bias": bool(rng.random() < 0.7), "true_convolution": bool(rng.random() < 0.3)}
    params = {f"{name}.weight": uniform(rng, filters, c // groups, kernel)}
    if spec["bias"]:
        params[f"{name}.bias"] = uniform(rng, filters)

    def fn(xs):
        x = xs[0]
        if padding == "same":
            left, right = same_padding(x.shape[2], kernel, stride, dilation)
        elif padding == "full":
            left = right = dilation * (kernel - 1)
        elif padding == "valid":
            left = right = 0
        else:
            left, right = (padding, padding) if isinstance(padding, int) else padding
        weight = t(params[f"{name}.weight"])
        if spec["true_convolution"]:
            weight = torch.flip(weight, [2])
        return F.conv1d(F.pad(x, (left, right)), weight,
                        t(params[f"{name}.bias"]) if spec["bias"] else None,
                        stride=stride, dilation=dilation, groups=groups)
    return spec, fn, params


# The 1-D family works on [N, C, L].
DRAWS_1D = [(conv1d, 5), (batch_norm, 2), (activation, 3), (local_response_norm, 1)]
DRAWS = [(conv2d, 6), (conv_transpose2d, 2), (pool2d, 3), (batch_norm, 2), (activation, 4),
         (pad, 1), (upsample, 1), (local_response_norm, 1), (adaptive_pool, 1)]


def draw_network(seed):
    """A random network that PyTorch accepts: (model JSON, layers, inputs by
    name). Some networks are 1-D ([N, C, L]); some have a second input of the
    first's shape, or a per-channel [C, 1, 1] one, for adds and concatenations."""
    rng = np.random.default_rng(seed)
    batch = int(rng.integers(1, 4))
    one_d = rng.random() < 0.15
    spatial = (int(rng.integers(3, 20)),) if one_d else \
        (int(rng.integers(3, 12)), int(rng.integers(3, 12)))
    shape = (batch, int(rng.integers(1, 6))) + spatial
    inputs_shapes = {"input": shape}
    extra = rng.random()
    if extra < 0.2:
        inputs_shapes["side"] = shape
    elif extra < 0.35 and not one_d:
        inputs_shapes["gate"] = (batch, shape[1], 1, 1)
    values = {name: torch.zeros(s) for name, s in inputs_shapes.items()}
    layers = []
    current = "input"
    kinds, weights = zip(*(DRAWS_1D if one_d else DRAWS))
    for index in range(int(rng.integers(2, 9))):
        name = f"l{index}"
        x = values[current]
        choice = rng.random()
        same = [n for n, v in values.items() if n != current and v.shape == x.shape]
        gates = [n for n, v in values.items() if n != current and v.dim() == 4 and
                 v.shape[:2] == x.shape[:2] and v.shape[2:] == (1, 1)]
        channels = [n for n, v in values.items()
                    if n != current and v.shape[0] == x.shape[0] and v.shape[2:] == x.shape[2:]]
        if choice < 0.12 and same:
            other = str(rng.choice(same))
            spec, inputs, fn, params = {"name": name, "op": "add"}, [current, other], \
                lambda xs: xs[0] + xs[1], {}
        elif choice < 0.15 and gates:
            other = str(rng.choice(gates))
            spec, inputs, fn, params = {"name": name, "op": "add"}, [current, other], \
                lambda xs: xs[0] + xs[1], {}
        elif choice < 0.18 and not one_d:
            # Squeeze-and-excitation style: a per-channel term broadcast back.
            squeezed = f"{name}_squeeze"
            layers.append(Layer({"name": squeezed, "op": "global_avg_pool",
                                 "inputs": [current]}, [current],
                                lambda xs: F.adaptive_avg_pool2d(xs[0], 1), {},
                                (x.shape[0], x.shape[1], 1, 1)))
            values[squeezed] = torch.zeros(x.shape[0], x.shape[1], 1, 1)
            spec, inputs, fn, params = {"name": name, "op": "add"}, [current, squeezed], \
                lambda xs: xs[0] + xs[1], {}
        elif choice < 0.26 and channels:
            others = [str(o) for o in rng.choice(channels, size=min(len(channels), 2),
                                                  replace=False)]
            spec, inputs, fn, params = {"name": name, "op": "concat"}, [current] + others, \
                lambda xs: torch.cat(xs, 1), {}
        else:
            kind = kinds[rng.choice(len(kinds), p=np.array(weights) / sum(weights))]
            spec, fn, params = kind(rng, name, tuple(x.shape))
            inputs = [current]
        spec = dict(spec, inputs=inputs)
        try:
            out = fn([values[i] for i in inputs])
        except RuntimeError:
            continue  # PyTorch refuses it: draw the next layer instead
        if out.numel() == 0 or out.numel() > 1 << 16 or min(out.shape) < 1:
            continue
        layers.append(Layer(spec, inputs, fn, params, tuple(out.shape)))
        values[name] = out
        current = name
    # Sometimes a classifier head: flatten, dense, dropout, softmax.
    if layers and rng.random() < 0.3:
        x = values[current]
        features, out = int(np.prod(x.shape[1:])), int(rng.integers(1, 11))
        head = f"l{len(layers)}"
        params = {f"{head}_fc.weight": uniform(rng, out, features) / np.sqrt(features),
                  f"{head}_fc.bias": uniform(rng, out)}
        n = x.shape[0]
        for spec, fn, p, head_shape in [
                ({"name": f"{head}_flat", "op": "flatten"}, lambda xs: xs[0].reshape(n, -1),
                 {}, (n, features)),
                ({"name": f"{head}_fc", "op": "dense", "out_features": out},
                 lambda xs: F.linear(xs[0], t(params[f"{head}_fc.weight"]),
                                     t(params[f"{head}_fc.bias"])), params, (n, out)),
                ({"name": f"{head}_drop", "op": "dropout", "rate": 0.3}, lambda xs: xs[0],
                 {}, (n, out)),
                ({"name": f"{head}_softmax", "op": "softmax"},
                 lambda xs: torch.softmax(xs[0], 1), {}, (n, out))]:
            spec = dict(spec, inputs=[current])
            layers.append(Layer(spec, [current], fn, p, head_shape))
            values[spec["name"]] = fn([values[current]])
            current = spec["name"]
    # Sometimes a second output, from an earlier layer.
    outputs = [current]
    earlier = [layer.name for layer in layers[:-1] if len(layer.shape) == 4]
    if earlier and rng.random() < 0.3:
        outputs.insert(0, str(rng.choice(earlier)))
    model = {"name": f"random{seed}", "batch": batch,
             "layers": [layer.spec for layer in layers], "outputs": outputs}
    if len(inputs_shapes) == 1:
        model["input"] = {"shape": list(shape[1:])}
    else:
        model["inputs"] = [{"name": n, "shape": list(s[1:])} for n, s in inputs_shapes.items()]
    x = {name: uniform(rng, *s) for name, s in inputs_shapes.items()}
    return model, layers, x


BROKEN_OP = None  # --break-reference


def reference_outputs(model, layers, x):
    values = {name: t(array) for name, array in x.items()}
    for layer in layers:
        values[layer.name] = layer.fn([values[i] for i in layer.inputs])
        if layer.spec["op"] == BROKEN_OP:
            values[layer.name] = values[layer.name] + 1
    return {name: values[name].numpy() for name in model["outputs"]}


def run_cnnc(model, layers, x, workdir):
    """'pass', ('fail', why) or ('refused', message)."""
    os.makedirs(workdir, exist_ok=True)
    source = os.path.join(workdir, "model.json")
    with open(source, "w") as f:
        json.dump(model, f, indent=1)
    exe = os.path.join(workdir, "model")
    compiled = subprocess.run(["cnnc", "compile", source, "-o", exe],
                              capture_output=True, text=True)
    if compiled.returncode == 1 and compiled.stderr.count("\n") == 1 and \
            "error:" in compiled.stderr:
        return "refused", compiled.stderr.strip()
    if compiled.returncode != 0:
        return "fail", f"cnnc compile exited with {compiled.returncode}: {compiled.stderr.strip()}"
    params = {k: v for layer in layers for k, v in layer.params.items()}
    weights = os.path.join(workdir, "w.safetensors")
    reference.write_safetensors(weights, params)
    command = [exe, "--weights", weights]
    for name, array in x.items():
        np.save(os.path.join(workdir, name + ".npy"), array)
        command += ["--input", f"{name}={os.path.join(workdir, name + '.npy')}"]
    out = os.path.join(workdir, "out")
    os.makedirs(out, exist_ok=True)
    ran = subprocess.run(command + ["--output-dir", out], capture_output=True, text=True)
    if ran.returncode != 0:
        return "fail", f"the executable exited with {ran.returncode}: {ran.stderr.strip()}"
    for name, expected in reference_outputs(model, layers, x).items():
        ok, error, bound = reference.within_tolerance(
            np.load(os.path.join(out, name + ".npy")), expected)
        if not ok:
            return "fail", f"output '{name}': max error {error:.3g} (bound {bound:.3g})"
    return "pass", ""


def restrict(model, layers, keep):
    """The network of the layers named in `keep`, in order, with the last as
    output; a dropped layer's readers read its input instead."""
    replaced, kept = {}, []
    for layer in layers:
        if layer.name in keep:
            inputs = [replaced.get(i, i) for i in layer.inputs]
            kept.append(Layer(dict(layer.spec, inputs=inputs), inputs, layer.fn,
                              layer.params, layer.shape))
        else:
            replaced[layer.name] = replaced.get(layer.inputs[0], layer.inputs[0])
    return dict(model, layers=[layer.spec for layer in kept],
                outputs=[kept[-1].name]), kept


def shrink(model, layers, x, workdir):
    """A smallest failing network found by cutting and dropping layers."""
    best = (model, layers)
    for end in range(1, len(layers) + 1):
        candidate = restrict(model, layers, {layer.name for layer in layers[:end]})
        if run_cnnc(*candidate, x, workdir)[0] == "fail":
            best = candidate
            break
    model, layers = best
    shapes = {**{name: array.shape for name, array in x.items()},
              **{layer.name: layer.shape for layer in layers}}
    for layer in list(layers[:-1]):
        if len(layer.inputs) != 1 or shapes[layer.inputs[0]] != layer.shape:
            continue
        candidate = restrict(model, layers, {l.name for l in layers} - {layer.name})
        if run_cnnc(*candidate, x, workdir)[0] == "fail":
            model, layers = candidate
    return model


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("workdir")
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--break-reference", metavar="OP")
    args = parser.parse_args()
    global BROKEN_OP
    BROKEN_OP = args.break_reference
    torch.set_grad_enabled(False)
    passed = failed = refused = 0
    for seed in range(args.seed, args.seed + args.count):
        model, layers, x = draw_network(seed)
        if not layers:
            continue
        workdir = os.path.join(args.workdir, str(seed))
        result, why = run_cnnc(model, layers, x, workdir)
        if result == "pass":
            passed += 1
        elif result == "refused":
            refused += 1
            print(f"REFUSED: seed {seed}: {why}")
        else:
            failed += 1
            minimal = shrink(model, layers, x, os.path.join(workdir, "shrink"))
            print(f"FAIL: seed {seed}: {why}\n  minimal network: {json.dumps(minimal)}")
    print(f"random networks: {passed} passed, {failed} failed, {refused} refused")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
