"""Draws a convolution's filters before and after training, as SVG.

usage: /usr/bin/python3 scripts/filters_picture.py BEFORE.safetensors
           AFTER.safetensors [--layer c1.weight] -o FILTERS.svg

Each filter of LAYER ([F, C, KH, KW]; its first input channel) is a grid of
grey cells, one row of filters per file: black is the row's most negative
weight, white its most positive, mid-grey zero. For LeNet-5's first layer
(docs/training.md):

    cnnc compile models/lenet5.json -o lenet5
    ./lenet5 --save-weights before.safetensors        # cnnc's initialisation
    cnnc train models/lenet5.json --data /usr/share/datasets/fashion-mnist \\
        --weights before.safetensors --batch 64 --lr 0.05 --momentum 0.9 \\
        --epochs 5 -o after.safetensors
    /usr/bin/python3 scripts/filters_picture.py before.safetensors \\
        after.safetensors -o filters.svg
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import read_safetensors  # noqa: E402

CELL = 14
GAP = 10
LABEL = 60


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--layer", default="c1.weight")
    parser.add_argument("-o", dest="output", required=True)
    args = parser.parse_args()
    rows = []
    for label, path in (("before", args.before), ("after", args.after)):
        tensors = read_safetensors(path)
        if args.layer not in tensors:
            sys.exit(f"error: {path} has no tensor '{args.layer}'")
        weight = tensors[args.layer]
        if weight.ndim != 4:
            sys.exit(f"error: {args.layer} in {path} has shape {list(weight.shape)}; "
                     "expected the [F, C, KH, KW] filters of a convolution")
        rows.append((label, weight[:, 0]))
    filters, kh, kw = rows[0][1].shape
    width = LABEL + filters * (kw * CELL + GAP)
    height = len(rows) * (kh * CELL + GAP) + GAP
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="13">']
    for r, (label, weight) in enumerate(rows):
        top = GAP + r * (kh * CELL + GAP)
        out.append(f'<text x="4" y="{top + kh * CELL / 2 + 4}">{label}</text>')
        scale = float(np.max(np.abs(weight))) or 1.0
        for f in range(filters):
            left = LABEL + f * (kw * CELL + GAP)
            for i in range(kh):
                for j in range(kw):
                    grey = int(round(255 * (0.5 + 0.5 * weight[f, i, j] / scale)))
                    out.append(f'<rect x="{left + j * CELL}" y="{top + i * CELL}" '
                               f'width="{CELL}" height="{CELL}" '
                               f'fill="rgb({grey},{grey},{grey})"/>')
    out.append("</svg>")
    with open(args.output, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
