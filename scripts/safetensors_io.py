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
