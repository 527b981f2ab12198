"""Writes safetensors files, for the scripts and the tests.

cnnc itself reads them with its runtime (runtime/tensor_file.c); this writer
is independent of it, so that the tests check the runtime against a second
implementation of the format.
"""
import json
import struct

import numpy as np

DTYPES = {np.dtype(np.float32): "F32", np.dtype(np.float64): "F64",
          np.dtype(np.float16): "F16"}


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: array}; float64 and float16 arrays keep their type,
    everything else is written as float32."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, value in tensors.items():
        value = np.asarray(value)
        if value.dtype not in DTYPES:
            value = value.astype(np.float32)
        data = np.ascontiguousarray(value).tobytes()
        header[name] = {"dtype": DTYPES[value.dtype], "shape": list(value.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def read_safetensors(path):
    """Reads {name: float32/float64/float16 array} in the file's order."""
    names = {v: k for k, v in DTYPES.items()}
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    header.pop("__metadata__", None)
    body = data[8 + length:]
    tensors = {}
    for name, entry in header.items():
        start, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(body[start:end], dtype=names[entry["dtype"]]
                                      ).reshape(entry["shape"])
    return tensors


def read_safetensors_metadata(path):
    """The file's "__metadata__" strings ({} without any)."""
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        return json.loads(f.read(length)).get("__metadata__", {})
