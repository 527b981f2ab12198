"""ONNX models for the importer's lit tests.

usage: make_models.py DIR

DIR/small.onnx (with errors.md's damaged copies) from
test/runtime/Inputs/make_bad_files.py, and DIR/shapes.onnx: batch norm with
its statistics, a Gemm without transB, nearest resizing by constant scales,
reflection padding, and the Shape, Gather, Unsqueeze, Concat chain that
exporters emit for a view by the batch size.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "runtime", "Inputs"))
import make_bad_files  # noqa: E402


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    make_bad_files.onnx_models(lambda name: os.path.join(out, name))

    def const(name, values, dtype=np.int64):
        return numpy_helper.from_array(np.array(values, dtype), name)

    initializers = [
        numpy_helper.from_array(np.ones(2, np.float32), "bn.scale"),
        numpy_helper.from_array(np.zeros(2, np.float32), "bn.shift"),
        numpy_helper.from_array(np.zeros(2, np.float32), "bn.mean"),
        numpy_helper.from_array(np.ones(2, np.float32), "bn.var"),
        numpy_helper.from_array(np.ones((120, 5), np.float32), "fc.weight"),
        const("scales", [1, 1, 2, 2], np.float32), const("pads", [0, 0, 1, 2, 0, 0, 1, 2]),
        const("zero", 0), const("minus_one", [-1]), const("roi", [], np.float32),
    ]
    nodes = [
        helper.make_node("BatchNormalization", ["image", "bn.scale", "bn.shift", "bn.mean",
                                                "bn.var"], ["bn"], name="bn", epsilon=1e-3),
        helper.make_node("Resize", ["bn", "roi", "scales"], ["up"], name="up", mode="nearest"),
        helper.make_node("Pad", ["up", "pads"], ["padded"], name="pad", mode="reflect"),
        helper.make_node("Shape", ["padded"], ["shape"], name="shape"),
        helper.make_node("Gather", ["shape", "zero"], ["batch"], name="batch", axis=0),
        helper.make_node("Unsqueeze", ["batch"], ["batch1"], name="batch1", axes=[0]),
        helper.make_node("Concat", ["batch1", "minus_one"], ["view_shape"], name="view_shape",
                         axis=0),
        helper.make_node("Reshape", ["padded", "view_shape"], ["flat"], name="view"),
        helper.make_node("Gemm", ["flat", "fc.weight"], ["logits"], name="fc"),
    ]
    graph = helper.make_graph(
        nodes, "shapes", [helper.make_tensor_value_info("image", TensorProto.FLOAT,
                                                        ["N", 2, 2, 3])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 5])], initializers)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)]),
              os.path.join(out, "shapes.onnx"))


if __name__ == "__main__":
    main()
