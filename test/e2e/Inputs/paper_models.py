"""The models of models/ that torchvision lacks, against PyTorch modules
written here from the papers.

usage: paper_models.py MODELS_DIR WORKDIR ARCH[:SIZE]...

Each reference below is written from its paper (or, for YOLOv5s, from
Ultralytics' yolov5s.yaml and common.py), independently of the JSON file,
with its state_dict names chosen to be cnnc's parameter names. For each
ARCH: `cnnc summary` must count the reference's parameters; the model
compiled for a SIZE x SIZE input (default: the paper's), fed the
reference's random weights, must agree with it within
max |a - b| <= 1e-3 * max |b| on every output: relative to the output's
size even where that is below 1 (randomly initialised deep networks give
outputs of order 0.01, where an absolute 1e-3 would say little).
"""
import os
import re
import subprocess
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(HERE))), "scripts"))
sys.path.insert(0, HERE)
import export_torchvision  # noqa: E402
import reference  # noqa: E402


class Sequence(nn.Module):
    """Named children applied in order: state_dict names are the names."""

    def __init__(self, *named):
        super().__init__()
        for name, module in named:
            self.add_module(name, module)

    def forward(self, x):
        for module in self.children():
            x = module(x)
        return x


def conv_relu_maxpool(cin, cout, kernel, stride=1, padding=0, pool=2, pool_stride=None,
                      ceil_mode=False):
    """The standard block std.conv_relu_maxpool."""
    return Sequence(("conv", nn.Conv2d(cin, cout, kernel, stride, padding)),
                    ("relu", nn.ReLU()),
                    ("pool", nn.MaxPool2d(pool, pool_stride or pool, ceil_mode=ceil_mode)))


# Fukushima 1980, rendered with convolution + ReLU as S-layers and max
# pooling as C-layers: 24 planes per layer, 16x16 input, 10-way readout.
def neocognitron(size):
    return Sequence(("s1c1", conv_relu_maxpool(1, 24, 5, padding=2)),
                    ("s2c2", conv_relu_maxpool(24, 24, 3, padding=1)),
                    ("s3c3", conv_relu_maxpool(24, 24, 3, padding=1, pool=4)),
                    ("flatten", nn.Flatten()),
                    ("readout", nn.Linear(24 * (size // 16) ** 2, 10)))


# LeCun et al. 1998, Figure 2 and Table I (rows: S2 maps; columns: C3 maps).
TABLE_I = """
X . . . X X X . . X X X X . X X
X X . . . X X X . . X X X X . X
X X X . . . X X X . . X . X X X
. X X X . . X X X X . . X . X X
. . X X X . . X X X X . X X . X
. . . X X X . . X X X X . X X X
"""


class LeNet1998(nn.Module):
    class Subsampling(nn.Module):
        """Each unit: (sum of a 2x2 window) * coefficient + bias, squashed."""

        def __init__(self, maps):
            super().__init__()
            self.coefficient = nn.Parameter(torch.empty(maps).uniform_(0.5, 1.5))
            self.bias = nn.Parameter(torch.empty(maps).uniform_(-0.5, 0.5))

        def forward(self, x):
            window_sum = F.avg_pool2d(x, 2) * 4
            return torch.tanh(window_sum * self.coefficient[:, None, None] + self.bias[:, None, None])

    def __init__(self):
        super().__init__()
        rows = [line.split() for line in TABLE_I.strip().splitlines()]
        self.c3_inputs = [[s2 for s2 in range(6) if rows[s2][c3] == "X"] for c3 in range(16)]
        self.c1 = nn.Conv2d(1, 6, 5)
        self.s2 = LeNet1998.Subsampling(6)
        # C3: one convolution per map, over the S2 maps Table I connects it to.
        self.c3 = nn.ModuleList(nn.Conv2d(len(inputs), 1, 5) for inputs in self.c3_inputs)
        self.s4 = LeNet1998.Subsampling(16)
        self.c5 = nn.Conv2d(16, 120, 5)
        self.f6 = nn.Linear(120, 84)
        self.output = nn.Linear(84, 10)

    def forward(self, x):
        x = self.s2(torch.tanh(self.c1(x)))
        x = torch.cat([conv(x[:, inputs]) for conv, inputs in zip(self.c3, self.c3_inputs)], 1)
        x = self.s4(torch.tanh(x))
        x = torch.flatten(torch.tanh(self.c5(x)), 1)
        return self.output(torch.tanh(self.f6(x)))

    def cnnc_state_dict(self):
        """cnnc keeps C3 as one [connections, 1, 5, 5] weight in the table's
        row-major order, and a subsampling as average pooling and a per-map
        1x1 convolution (so its weight is 4 x the coefficient)."""
        out = {}
        for name in ("c1", "c5", "f6", "output"):
            module = getattr(self, name)
            out[name + ".weight"], out[name + ".bias"] = module.weight, module.bias
        out["c3.weight"] = torch.cat([conv.weight.reshape(-1, 1, 5, 5) for conv in self.c3])
        out["c3.bias"] = torch.cat([conv.bias for conv in self.c3])
        for name in ("s2", "s4"):
            module = getattr(self, name)
            out[name + ".scale.weight"] = (4 * module.coefficient).reshape(-1, 1, 1, 1)
            out[name + ".scale.bias"] = module.bias
        return {k: v.detach().numpy() for k, v in out.items()}


# Zeiler & Fergus 2013, Figure 3.
def zfnet(size):
    def side(n):  # conv 7/2 pad 1, pool 3/2 ceil, conv 5/2, pool 3/2 ceil, pool 3/2
        n = (n + 2 - 7) // 2 + 1
        n = -(-(n - 3) // 2) + 1
        n = (n - 5) // 2 + 1
        n = -(-(n - 3) // 2) + 1
        return (n - 3) // 2 + 1

    def fc(cin, cout):
        return Sequence(("fc", nn.Linear(cin, cout)), ("relu", nn.ReLU()), ("dropout", nn.Dropout()))

    return Sequence(
        ("layer1", conv_relu_maxpool(3, 96, 7, 2, 1, pool=3, pool_stride=2, ceil_mode=True)),
        ("norm1", nn.LocalResponseNorm(5, 1e-4, 0.75, 2)),
        ("layer2", conv_relu_maxpool(96, 256, 5, 2, 0, pool=3, pool_stride=2, ceil_mode=True)),
        ("norm2", nn.LocalResponseNorm(5, 1e-4, 0.75, 2)),
        ("conv3", nn.Conv2d(256, 384, 3, padding=1)), ("relu3", nn.ReLU()),
        ("conv4", nn.Conv2d(384, 384, 3, padding=1)), ("relu4", nn.ReLU()),
        ("layer5", conv_relu_maxpool(384, 256, 3, 1, 1, pool=3, pool_stride=2)),
        ("flatten", nn.Flatten()),
        ("fc6", fc(256 * side(size) ** 2, 4096)), ("fc7", fc(4096, 4096)),
        ("fc8", nn.Linear(4096, 1000)))


# Redmon et al. 2015, Figure 3: the 24 convolutions, leaky ReLU 0.1.
def yolov1(size):
    def conv(cin, cout, kernel=3, stride=1):
        return Sequence(("conv", nn.Conv2d(cin, cout, kernel, stride, kernel // 2)),
                        ("leaky", nn.LeakyReLU(0.1)))

    def reduce_expand(cin, reduce, expand):
        return Sequence(("reduce", conv(cin, reduce, 1)), ("expand", conv(reduce, expand)))

    class Reshape(nn.Module):
        def forward(self, x):
            return x.reshape(x.shape[0], 7, 7, 30)

    return Sequence(
        ("conv1", conv(3, 64, 7, 2)), ("pool1", nn.MaxPool2d(2)),
        ("conv2", conv(64, 192)), ("pool2", nn.MaxPool2d(2)),
        ("conv3", reduce_expand(192, 128, 256)), ("conv4", reduce_expand(256, 256, 512)),
        ("pool3", nn.MaxPool2d(2)),
        ("conv5", Sequence(*[(str(i), reduce_expand(512, 256, 512)) for i in range(4)])),
        ("conv6", reduce_expand(512, 512, 1024)), ("pool4", nn.MaxPool2d(2)),
        ("conv7", Sequence(*[(str(i), reduce_expand(1024, 512, 1024)) for i in range(2)])),
        ("conv8", conv(1024, 1024)), ("conv9", conv(1024, 1024, 3, 2)),
        ("conv10", conv(1024, 1024)), ("conv11", conv(1024, 1024)),
        ("flatten", nn.Flatten()),
        ("fc1", nn.Linear(1024 * (size // 64) ** 2, 4096)), ("leaky", nn.LeakyReLU(0.1)),
        ("dropout", nn.Dropout()), ("fc2", nn.Linear(4096, 1470)), ("detections", Reshape()))


# Ronneberger et al. 2015, Figure 1.
class UNet(nn.Module):
    class DoubleConv(nn.Module):
        def __init__(self, cin, cout):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3)
            self.conv2 = nn.Conv2d(cout, cout, 3)

        def forward(self, x):
            return F.relu(self.conv2(F.relu(self.conv1(x))))

    class Down(nn.Module):
        def __init__(self, cin, cout):
            super().__init__()
            self.conv = UNet.DoubleConv(cin, cout)

        def forward(self, x):
            return self.conv(F.max_pool2d(x, 2))

    class Up(nn.Module):
        def __init__(self, cin, cout):
            super().__init__()
            self.upconv = nn.ConvTranspose2d(cin, cout, 2, 2)
            self.conv = UNet.DoubleConv(2 * cout, cout)

        def forward(self, below, skip):
            up = self.upconv(below)
            top = (skip.shape[2] - up.shape[2]) // 2
            left = (skip.shape[3] - up.shape[3]) // 2
            crop = skip[:, :, top:top + up.shape[2], left:left + up.shape[3]]
            return self.conv(torch.cat([crop, up], 1))

    def __init__(self):
        super().__init__()
        self.enc1 = UNet.DoubleConv(1, 64)
        self.enc2, self.enc3 = UNet.Down(64, 128), UNet.Down(128, 256)
        self.enc4, self.bottom = UNet.Down(256, 512), UNet.Down(512, 1024)
        self.dec4, self.dec3 = UNet.Up(1024, 512), UNet.Up(512, 256)
        self.dec2, self.dec1 = UNet.Up(256, 128), UNet.Up(128, 64)
        self.classifier = nn.Conv2d(64, 2, 1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(e1)
        e3 = self.enc3(e2)
        e4 = self.enc4(e3)
        d = self.dec4(self.bottom(e4), e4)
        d = self.dec1(self.dec2(self.dec3(d, e3), e2), e1)
        return self.classifier(d)


# YOLOv5s from Ultralytics' yolov5s.yaml (v6) and models/common.py.
class YoloV5s(nn.Module):
    class Conv(nn.Module):
        def __init__(self, cin, cout, kernel=1, stride=1, padding=None):
            super().__init__()
            self.conv = nn.Conv2d(cin, cout, kernel, stride,
                                  kernel // 2 if padding is None else padding, bias=False)
            self.bn = nn.BatchNorm2d(cout, eps=0.001, momentum=0.03)

        def forward(self, x):
            return F.silu(self.bn(self.conv(x)))

    class Bottleneck(nn.Module):
        def __init__(self, c, shortcut):
            super().__init__()
            self.cv1, self.cv2 = YoloV5s.Conv(c, c), YoloV5s.Conv(c, c, 3)
            self.shortcut = shortcut

        def forward(self, x):
            y = self.cv2(self.cv1(x))
            return x + y if self.shortcut else y

    class C3(nn.Module):
        def __init__(self, cin, cout, n=1, shortcut=True):
            super().__init__()
            hidden = cout // 2
            self.cv1, self.cv2 = YoloV5s.Conv(cin, hidden), YoloV5s.Conv(cin, hidden)
            self.cv3 = YoloV5s.Conv(2 * hidden, cout)
            self.m = nn.Sequential(*[YoloV5s.Bottleneck(hidden, shortcut) for _ in range(n)])

        def forward(self, x):
            return self.cv3(torch.cat([self.m(self.cv1(x)), self.cv2(x)], 1))

    class SPPF(nn.Module):
        def __init__(self, cin, cout):
            super().__init__()
            self.cv1, self.cv2 = YoloV5s.Conv(cin, cin // 2), YoloV5s.Conv(cin * 2, cout)

        def forward(self, x):
            x = self.cv1(x)
            y1 = F.max_pool2d(x, 5, 1, 2)
            y2 = F.max_pool2d(y1, 5, 1, 2)
            return self.cv2(torch.cat([x, y1, y2, F.max_pool2d(y2, 5, 1, 2)], 1))

    def __init__(self):
        super().__init__()
        C, C3 = YoloV5s.Conv, YoloV5s.C3
        layers = [C(3, 32, 6, 2, 2), C(32, 64, 3, 2), C3(64, 64), C(64, 128, 3, 2),
                  C3(128, 128, 2), C(128, 256, 3, 2), C3(256, 256, 3), C(256, 512, 3, 2),
                  C3(512, 512), YoloV5s.SPPF(512, 512), C(512, 256), None, None,
                  C3(512, 256, shortcut=False), C(256, 128), None, None,
                  C3(256, 128, shortcut=False), C(128, 128, 3, 2), None,
                  C3(256, 256, shortcut=False), C(256, 256, 3, 2), None,
                  C3(512, 512, shortcut=False)]
        for i, layer in enumerate(layers):
            if layer is not None:
                self.add_module(str(i), layer)
        for i, cin in enumerate([128, 256, 512]):
            self.add_module(f"24_m{i}", nn.Conv2d(cin, 255, 1))

    def forward(self, x):
        m = dict(self.named_children())
        up = lambda t: F.interpolate(t, scale_factor=2, mode="nearest")  # noqa: E731
        x4 = m["4"](m["3"](m["2"](m["1"](m["0"](x)))))
        x6 = m["6"](m["5"](x4))
        x10 = m["10"](m["9"](m["8"](m["7"](x6))))
        x14 = m["14"](m["13"](torch.cat([up(x10), x6], 1)))
        p3 = m["17"](torch.cat([up(x14), x4], 1))
        p4 = m["20"](torch.cat([m["18"](p3), x14], 1))
        p5 = m["23"](torch.cat([m["21"](p4), x10], 1))
        return [m["24_m0"](p3), m["24_m1"](p4), m["24_m2"](p5)]


# name: (reference builder taking the input size, input channels, paper's size)
REFERENCES = {
    "neocognitron": (neocognitron, 1, 16),
    "lenet5-1998": (lambda size: LeNet1998(), 1, 32),
    "zfnet": (zfnet, 3, 224),
    "yolov1": (yolov1, 3, 448),
    "unet": (lambda size: UNet(), 1, 572),
    "yolov5s": (lambda size: YoloV5s(), 3, 640),
}


def check(models, workdir, arch, size):
    build, channels, paper_size = REFERENCES[arch]
    size = size or paper_size
    source = os.path.join(models, arch + ".json")
    torch.manual_seed(0)
    model = build(size).eval()
    reference.calibrate_batch_norm(model, size, channels)
    count = reference.summary_parameter_count(source)
    expected_count = sum(p.numel() for p in build(paper_size).parameters())

    # The reference's tensors under their own names must be exactly cnnc's.
    shape = f"{channels}x{size}x{size}"
    wanted = dict(export_torchvision.cnnc_parameters(source, extra_args=("--input-shape", shape)))
    tensors = model.cnnc_state_dict() if hasattr(model, "cnnc_state_dict") else {
        k: v.numpy() for k, v in model.state_dict().items()
        if not k.endswith("num_batches_tracked")}
    mismatch = sorted(set(wanted) ^ set(tensors)) or sorted(
        k for k in wanted if wanted[k] != tuple(tensors[k].shape))
    if mismatch:
        print(f"FAIL: {arch}: parameters differ from the reference's: {mismatch[:5]}")
        return False
    weights = os.path.join(workdir, arch + ".safetensors")
    reference.write_safetensors(weights, tensors)

    exe = os.path.join(workdir, arch)
    subprocess.run(["cnnc", "compile", source, "--input-shape", shape, "-o", exe], check=True)
    x = np.random.default_rng(1).uniform(-1, 1, (1, channels, size, size)).astype(np.float32)
    x_path, y_dir = os.path.join(workdir, arch + ".x.npy"), os.path.join(workdir, arch + ".y")
    os.makedirs(y_dir, exist_ok=True)
    np.save(x_path, x)
    subprocess.run([exe, "--weights", weights, "--input", x_path, "--output-dir", y_dir],
                   check=True)
    # The outputs in the model's order, by the names the compiled model gives them.
    module = subprocess.run(["cnnc", "compile", source, "--input-shape", shape, "--emit=cnn"],
                            check=True, capture_output=True, text=True).stdout
    output_names = re.findall(r'cnn\.output = "([^"]+)"', module)
    with torch.no_grad():
        expected = model(torch.from_numpy(x))
    expected = [t.numpy() for t in (expected if isinstance(expected, list) else [expected])]
    actual = [np.load(os.path.join(y_dir, name.replace("/", "_") + ".npy"))
              for name in output_names]
    ok = count == expected_count
    report = []
    for a, b in zip(actual, expected):
        scale = float(np.max(np.abs(b)))
        bound = 1e-3 * scale
        error = float(np.max(np.abs(a.astype(np.float64) - b))) if a.shape == b.shape else np.inf
        ok = ok and error <= bound
        report.append(f"output {list(a.shape)} max |output| {scale:.3g}, "
                      f"max error {error:.3g} (bound {bound:.3g})")
    print(f"{'PASS' if ok else 'FAIL'}: {arch}: {count:,} parameters (reference "
          f"{expected_count:,}); at {size}x{size}: {'; '.join(report)}")
    return ok


def main():
    models, workdir, archs = sys.argv[1], sys.argv[2], sys.argv[3:]
    os.makedirs(workdir, exist_ok=True)
    failed = 0
    for entry in archs:
        arch, _, size = entry.partition(":")
        failed += not check(models, workdir, arch, int(size) if size else None)
    print(f"paper models: {len(archs) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
