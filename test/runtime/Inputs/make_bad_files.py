"""Writes weight and input files with one thing wrong each, for LeNet-5.

usage: make_bad_files.py DIR
"""
import gzip
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "e2e", "Inputs"))
import reference  # noqa: E402

LENET5 = {"c1.weight": (6, 1, 5, 5), "c1.bias": (6,), "c3.weight": (16, 6, 5, 5),
          "c3.bias": (16,), "c5.weight": (120, 16, 5, 5), "c5.bias": (120,),
          "f6.weight": (84, 120), "f6.bias": (84,), "output.weight": (10, 84),
          "output.bias": (10,)}


def weights(**changes):
    tensors = {name: np.zeros(shape, np.float32) for name, shape in LENET5.items()}
    for name, value in changes.items():
        name = name.replace("__", ".")
        if value is None:
            del tensors[name]
        else:
            tensors[name] = value
    return tensors


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    path = lambda name: os.path.join(out, name)
    reference.write_safetensors(path("good.safetensors"), weights())
    reference.write_safetensors(path("missing.safetensors"), weights(c3__bias=None))
    reference.write_safetensors(path("shape.safetensors"),
                                weights(c1__weight=np.zeros((6, 1, 3, 3), np.float32)))
    reference.write_safetensors(path("dtype.safetensors"),
                                weights(c1__bias=np.zeros(6, np.float64)))
    reference.write_safetensors(path("extra.safetensors"),
                                weights(extra__weight=np.zeros(3, np.float32),
                                        output__weights=np.zeros((10, 84), np.float32)))
    nan = np.zeros((6, 1, 5, 5), np.float32)
    nan[0, 0, 0, :2] = np.nan
    nan[1, 0, 0, 0] = -np.inf
    reference.write_safetensors(path("nan.safetensors"), weights(c1__weight=nan))
    with open(path("good.safetensors"), "rb") as f:
        data = f.read()
    with open(path("truncated.safetensors"), "wb") as f:
        f.write(data[: len(data) - 100])
    with open(path("header-length.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", 1 << 40) + data[8:])
    with open(path("short.safetensors"), "wb") as f:
        f.write(b"\x10\x00")
    np.save(path("x28.npy"), np.zeros((1, 1, 28, 28), np.float32))
    np.save(path("x64.npy"), np.zeros((1, 1, 32, 32), np.float64))
    np.save(path("fortran.npy"), np.asfortranarray(np.zeros((1, 1, 32, 32), np.float32)))
    with open(path("not-npy.npy"), "wb") as f:
        f.write(b"P5\n32 32\n255\n" + bytes(1024))
    # IDX datasets for `cnnc train`: a good one, and one thing wrong in each
    # of the others.
    def idx(values):
        header = bytes([0, 0, 8, values.ndim]) + b"".join(
            struct.pack(">I", n) for n in values.shape)
        return header + values.astype(np.uint8).tobytes()

    def dataset(name, train_images=None, train_labels=None, raw_images=None):
        directory = path(name)
        os.makedirs(directory, exist_ok=True)
        rng = np.random.default_rng(0)
        files = {
            "train-images-idx3-ubyte": idx(train_images if train_images is not None
                                           else rng.integers(0, 256, (128, 28, 28))),
            "train-labels-idx1-ubyte": idx(train_labels if train_labels is not None
                                           else rng.integers(0, 10, 128)),
            "t10k-images-idx3-ubyte": idx(rng.integers(0, 256, (16, 28, 28))),
            "t10k-labels-idx1-ubyte": idx(rng.integers(0, 10, 16)),
        }
        if raw_images is not None:
            files["train-images-idx3-ubyte"] = raw_images
        for file, data in files.items():
            with open(os.path.join(directory, file + ".gz"), "wb") as f:
                f.write(gzip.compress(data, mtime=0))
    dataset("idx")
    dataset("idx-labels", train_labels=np.full(128, 12))
    dataset("idx-large", train_images=np.zeros((128, 40, 40)))
    dataset("idx-count", train_labels=np.zeros(100))
    dataset("idx-magic", raw_images=b"\x00\x00\x0d\x03" + bytes(12))
    dataset("idx-crc")
    crc = os.path.join(path("idx-crc"), "train-images-idx3-ubyte.gz")
    with open(crc, "rb") as f:
        damaged = bytearray(f.read())
    damaged[-8] ^= 0xFF  # the stored CRC-32
    with open(crc, "wb") as f:
        f.write(bytes(damaged))
    # Hostile safetensors files: their headers written by hand.
    def raw(name, header, body=b""):
        text = header.encode() if isinstance(header, str) else header
        with open(path(name), "wb") as f:
            f.write(struct.pack("<Q", len(text)) + text + body)
    raw("overlap.safetensors",
        '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
        '"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}', bytes(12))
    raw("gap.safetensors",
        '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
        '"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}', bytes(12))
    raw("trailing.safetensors",
        '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', bytes(8))
    raw("negative.safetensors",
        '{"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}', bytes(4))
    raw("size-mismatch.safetensors",
        '{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', bytes(8))
    raw("backwards.safetensors",
        '{"a":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}', bytes(8))
    raw("utf8.safetensors",
        b'{"c1.\xff\xfe":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', bytes(4))
    raw("unknown-dtype.safetensors",
        '{"a":{"dtype":"Q4","shape":[1],"data_offsets":[0,4]}}', bytes(4))
    raw("huge-shape.safetensors",
        '{"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,4]}}',
        bytes(4))
    raw("not-json.safetensors", "<html>not a header</html>")
    raw("nested.safetensors", '{"__metadata__":' + "[" * 100 + "]" * 100 + "}")
    raw("metadata-twice.safetensors",
        '{"__metadata__":{"epoch":"1"},"__metadata__":{"epoch":"2"}}')
    raw("duplicate.safetensors",
        '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
        '"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', bytes(8))
    # Hostile .npy files.
    def npy(name, header, body=b"", version=1):
        text = header.encode()
        prefix = b"\x93NUMPY" + bytes([version, 0])
        prefix += struct.pack("<H" if version == 1 else "<I", len(text))
        with open(path(name), "wb") as f:
            f.write(prefix + text + body)
    npy("version.npy", "{}", version=9)
    npy("int.npy", "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", bytes(8))
    npy("big-endian.npy", "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", bytes(8))
    npy("negative-shape.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }")
    npy("huge-shape.npy",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4), }")
    npy("no-shape.npy", "{'descr': '<f4', 'fortran_order': False, }")
    with open(path("header-length.npy"), "wb") as f:
        f.write(b"\x93NUMPY\x01\x00\xff\xff{'descr'")
    np.save(path("good.npy"), np.zeros((1, 1, 32, 32), np.float32))
    with open(path("good.npy"), "rb") as f:
        npy = f.read()
    with open(path("truncated.npy"), "wb") as f:
        f.write(npy[:-8])
    onnx_models(path)


def onnx_models(path):
    """A small ONNX model (conv, relu, global pooling, gemm), and the same
    with one thing wrong each."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    def model(nodes, initializers, input_shape=(1, 3, 8, 8), opset=13):
        graph = helper.make_graph(
            nodes, "small",
            [helper.make_tensor_value_info("image", TensorProto.FLOAT, list(input_shape))],
            [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [input_shape[0], 10])],
            [numpy_helper.from_array(np.full(shape, 0.1, np.float32), name)
             for name, shape in initializers.items()])
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])

    weights = {"conv.weight": (4, 3, 3, 3), "conv.bias": (4,), "fc.weight": (10, 4),
               "fc.bias": (10,)}
    layers = [helper.make_node("Conv", ["image", "conv.weight", "conv.bias"], ["c"],
                               name="conv", pads=[1, 1, 1, 1]),
              helper.make_node("Relu", ["c"], ["r"], name="relu"),
              helper.make_node("GlobalAveragePool", ["r"], ["p"], name="pool"),
              helper.make_node("Flatten", ["p"], ["f"], name="flatten"),
              helper.make_node("Gemm", ["f", "fc.weight", "fc.bias"], ["logits"], name="fc",
                               transB=1)]
    good = model(layers, weights)
    onnx.save(good, path("small.onnx"))
    data = good.SerializeToString()
    with open(path("truncated.onnx"), "wb") as f:
        f.write(data[:len(data) // 2])
    with open(path("text.onnx"), "w") as f:
        f.write("this is not an ONNX file\n")
    # An operator outside the conv-net set.
    onnx.save(model(layers[:4] + [helper.make_node("Einsum", ["f", "fc.weight"], ["logits"],
                                                   name="product", equation="ni,mi->nm")],
                    weights), path("einsum.onnx"))
    # The height is a symbol: only the batch may be fixed at compile time.
    onnx.save(model(layers, weights, input_shape=("N", 3, "H", 8)), path("dynamic.onnx"))
    # The first layer reads a weight that no initializer holds.
    del weights["conv.weight"]
    onnx.save(model(layers, weights), path("missing-weight.onnx"))


if __name__ == "__main__":
    main()
