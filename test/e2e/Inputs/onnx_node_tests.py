"""ONNX's own backend node tests for the conv-net operators, through cnnc.

usage: onnx_node_tests.py DATA_DIR SCOPE_FILE WORKDIR

DATA_DIR holds ONNX's node test cases (Debian's libonnx-testdata:
/usr/share/libonnx-testdata/data/node), each a one-node model.onnx and
test_data_set_0/{input,output}_N.pb. Every case whose nodes are of the
operators below (not the function expansions of others) is imported, compiled and run by cnnc on its inputs, and its
outputs compared with the expected ones (|a - b| <= 1e-4 + 1e-3 |b|, ONNX's
own tolerance for float32 being 1e-3 relative).

SCOPE_FILE lists the cases that are out of scope, one per line as
`CASE: reason`. A listed case must still fail cleanly: cnnc exits 1 with one
error message and no crash. A listed case that passes, or an unlisted one
that fails, fails the test, so the list stays the truth.
"""
import concurrent.futures
import os
import re
import subprocess
import sys

import numpy as np
import onnx
import onnx.numpy_helper

OPERATORS = {
    "Conv", "ConvTranspose", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool",
    "BatchNormalization", "Relu", "LeakyRelu", "PRelu", "Elu", "Selu", "Sigmoid",
    "HardSigmoid", "HardSwish", "Tanh", "Softmax", "LogSoftmax", "Gemm", "MatMul", "Add",
    "Sub", "Mul", "Div", "Concat", "Flatten", "Reshape", "Transpose", "Squeeze", "Unsqueeze",
    "Pad", "Resize", "Upsample", "Dropout", "Identity", "Clip", "LRN", "Shape", "Gather",
    "Constant",
}


def read_scope(path):
    scope = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                name, _, reason = line.partition(":")
                scope[name.strip()] = reason.strip()
    return scope


def run_case(case_dir, workdir):
    """(passed, detail): whether cnnc computed the expected outputs."""
    name = os.path.basename(case_dir)
    model = onnx.load(os.path.join(case_dir, "model.onnx"))
    data = os.path.join(case_dir, "test_data_set_0")
    exe = os.path.join(workdir, name)
    run = subprocess.run(["cnnc", "compile", os.path.join(case_dir, "model.onnx"), "-o", exe],
                         capture_output=True, text=True)
    if run.returncode != 0:
        return False, run.returncode, run.stderr.strip()
    initializers = {t.name for t in model.graph.initializer}
    inputs = [i.name for i in model.graph.input if i.name not in initializers]
    command = [exe, "--output-dir", exe + ".out"]
    os.makedirs(exe + ".out", exist_ok=True)
    for index, input_name in enumerate(inputs):
        tensor = onnx.TensorProto()
        with open(os.path.join(data, f"input_{index}.pb"), "rb") as f:
            tensor.ParseFromString(f.read())
        path = os.path.join(workdir, f"{name}.in{index}.npy")
        np.save(path, onnx.numpy_helper.to_array(tensor))
        command += ["--input", f"{input_name}={path}"]
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        return False, run.returncode, "the executable: " + run.stderr.strip()
    worst = 0.0
    for index, output in enumerate(model.graph.output):
        tensor = onnx.TensorProto()
        with open(os.path.join(data, f"output_{index}.pb"), "rb") as f:
            tensor.ParseFromString(f.read())
        expected = onnx.numpy_helper.to_array(tensor).astype(np.float64)
        actual = np.load(os.path.join(exe + ".out", output.name + ".npy")).astype(np.float64)
        if actual.shape != expected.shape:
            return False, 0, f"output {output.name}: shape {actual.shape}, expected {expected.shape}"
        excess = np.abs(actual - expected) - (1e-4 + 1e-3 * np.abs(expected))
        if expected.size and float(np.max(excess)) > 0:
            error = float(np.max(np.abs(actual - expected)))
            return False, 0, f"output {output.name}: max error {error:.3g}"
        if expected.size:
            worst = max(worst, float(np.max(np.abs(actual - expected))))
    return True, 0, f"max error {worst:.3g}"


def main():
    data_dir, scope_file, workdir = sys.argv[1:4]
    os.makedirs(workdir, exist_ok=True)
    scope = read_scope(scope_file)
    cases = []
    for name in sorted(os.listdir(data_dir)):
        path = os.path.join(data_dir, name, "model.onnx")
        if not os.path.exists(path):
            continue
        # A case of these operators: its nodes are of them (the function
        # expansions of other operators, "_expanded", are not).
        ops = {node.op_type for node in onnx.load(path).graph.node}
        if ops <= OPERATORS and not name.endswith("_expanded"):
            cases.append(name)
    for name in scope:
        if name not in cases:
            print(f"FAIL: {name}: listed as out of scope, but no such case of these operators")
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda n: run_case(os.path.join(data_dir, n), workdir), cases))
    passed = failed = out_of_scope = 0
    for name, (ok, returncode, detail) in zip(cases, results):
        detail = detail.replace("\n", " | ")
        if name in scope:
            # Out of scope: cnnc must say so in one line and exit 1.
            clean = not ok and returncode == 1 and len(detail.split(" | ")) == 1 and \
                re.search(r"error: ", detail)
            if ok:
                print(f"FAIL: {name}: listed as out of scope ({scope[name]}), but passes")
                failed += 1
            elif not clean:
                print(f"FAIL: {name}: out of scope, but not a clean error: {detail}")
                failed += 1
            else:
                print(f"OUT OF SCOPE: {name}: {scope[name]}")
                out_of_scope += 1
        elif ok:
            print(f"PASS: {name}: {detail}")
            passed += 1
        else:
            print(f"FAIL: {name}: {detail}")
            failed += 1
    print(f"onnx node tests: {passed} passed, {out_of_scope} out of scope, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
