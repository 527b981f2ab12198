"""Seed corpora for the fuzz targets.

usage: make_seeds.py SOURCE_ROOT OUT_DIR

OUT_DIR/json: models/**/*.json, every JSON part of the tests and every
JSON example of docs/errors.md (the inputs behind each error message);
OUT_DIR/safetensors, OUT_DIR/npy and OUT_DIR/idx: small valid and invalid
files (the IDX ones also gzip-compressed, stored and deflated);
OUT_DIR/onnx: the ONNX files behind docs/errors.md (a small valid model and
its damaged copies) and ONNX's node test models of the imported operators.
"""
import glob
import gzip
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from safetensors_io import write_safetensors  # noqa: E402


def main():
    root, out = sys.argv[1], sys.argv[2]
    for kind in ("json", "safetensors", "npy", "idx", "onnx"):
        os.makedirs(os.path.join(out, kind), exist_ok=True)
    count = 0
    for path in glob.glob(os.path.join(root, "models", "**", "*.json"), recursive=True):
        with open(path, "rb") as f:
            data = f.read()
        with open(os.path.join(out, "json", os.path.basename(path)), "wb") as f:
            f.write(data)
    for path in glob.glob(os.path.join(root, "test", "**", "*.test"), recursive=True):
        text = open(path).read()
        for name, body in re.findall(r"^#--- (\S+\.json)\n(.*?)(?=^#--- |\Z)", text, re.S | re.M):
            count += 1
            with open(os.path.join(out, "json", f"{count}-{name}"), "w") as f:
                f.write(body)

    errors = open(os.path.join(root, "docs", "errors.md")).read()
    for name, body in re.findall(r"^```json (\S+)\n(.*?)^```", errors, re.S | re.M):
        count += 1
        with open(os.path.join(out, "json", f"{count}-{name}"), "w") as f:
            f.write(body)

    st = os.path.join(out, "safetensors")
    rng = np.random.default_rng(0)
    write_safetensors(os.path.join(st, "two.safetensors"),
                      {"conv.weight": rng.random((4, 3, 3, 3), dtype=np.float32),
                       "conv.bias": rng.random(4, dtype=np.float32)})
    write_safetensors(os.path.join(st, "metadata.safetensors"),
                      {"a": np.zeros((2, 2), np.float64), "b": np.zeros(3, np.float16)},
                      {"format": "pt", "source": "seed"})
    write_safetensors(os.path.join(st, "empty.safetensors"), {})

    npy = os.path.join(out, "npy")
    np.save(os.path.join(npy, "image.npy"), rng.random((1, 1, 8, 8), dtype=np.float32))
    np.save(os.path.join(npy, "scalar.npy"), np.float32(1.5))
    np.save(os.path.join(npy, "f64.npy"), np.zeros((2, 3)))
    np.save(os.path.join(npy, "fortran.npy"), np.asfortranarray(np.zeros((2, 3), np.float32)))

    idx = os.path.join(out, "idx")
    images = bytes([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 4]) + bytes(range(32))
    labels = bytes([0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3])
    for name, data in (("images", images), ("labels", labels)):
        with open(os.path.join(idx, name + "-idx-ubyte"), "wb") as f:
            f.write(data)
        for level in (0, 9):
            with open(os.path.join(idx, f"{name}-{level}.gz"), "wb") as f:
                f.write(gzip.compress(data, compresslevel=level, mtime=0))

    onnx_dir = os.path.join(out, "onnx")
    sys.path.insert(0, os.path.join(root, "test", "runtime", "Inputs"))
    import make_bad_files  # noqa: E402
    make_bad_files.onnx_models(lambda name: os.path.join(onnx_dir, name))
    for path in glob.glob("/usr/share/libonnx-testdata/data/node/test_*/model.onnx"):
        case = os.path.basename(os.path.dirname(path))
        if re.match(r"test_(conv|maxpool|averagepool|gemm|batchnorm|resize|pad|reshape)", case):
            with open(path, "rb") as f:
                data = f.read()
            with open(os.path.join(onnx_dir, case + ".onnx"), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
