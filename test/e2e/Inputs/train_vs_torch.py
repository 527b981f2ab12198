"""`cnnc train` on Fashion-MNIST against PyTorch trained the same way.

usage: train_vs_torch.py MODEL.json DATA_DIR WORKDIR

Trains LeNet-5 (SGD, learning rate 0.05, momentum 0.9, batch 64) from
PyTorch's initial weights for one epoch, then resumes the checkpoint for a
second; PyTorch trains from the same weights on the same batches in the same
order (train_reference.py). Checks, printing PASS or FAIL for each: the
training loss goes down; after each epoch the test accuracy is within 0.5
points of PyTorch's; the checkpoint says epoch 2 and holds the optimizer
state; the log has both epochs; the plot exists; and the checkpoint runs in
the compiled inference executable (--weights) with the accuracy the log says.
"""
import csv
import os
import subprocess
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "scripts"))
import train_reference  # noqa: E402
from lenet5_vs_torch import forward, lenet5  # noqa: E402
from safetensors_io import (read_safetensors, read_safetensors_metadata,  # noqa: E402
                            write_safetensors)

failures = passes = 0


def check(ok, what):
    global failures, passes
    print(("PASS" if ok else "FAIL") + ": " + what)
    if ok:
        passes += 1
    else:
        failures += 1


def main():
    source, data_dir, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    torch.manual_seed(0)
    model = lenet5()
    initial = os.path.join(work, "initial.safetensors")
    write_safetensors(initial, {k: v.detach().numpy() for k, v in model.state_dict().items()})
    checkpoint = os.path.join(work, "lenet5.safetensors")
    log = os.path.join(work, "log.csv")
    plot = os.path.join(work, "curves.svg")
    train = ["cnnc", "train", source, "--data", data_dir, "--batch", "64", "--lr", "0.05",
             "--momentum", "0.9", "-o", checkpoint, "--log", log, "--plot", plot]
    subprocess.run(train + ["--epochs", "1", "--weights", initial], check=True)
    subprocess.run(train + ["--epochs", "2", "--resume"], check=True)
    with open(log) as f:
        cnnc = [{k: float(v) for k, v in row.items()} for row in csv.DictReader(f)]

    data = (*train_reference.load_split(data_dir, "train"),
            *train_reference.load_split(data_dir, "t10k"))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    reference = train_reference.train_torch(lambda x: forward(model, x), optimizer, data,
                                            epochs=2, seed=1, batch=64)

    check([int(r["epoch"]) for r in cnnc] == [1, 2], f"the log has epochs 1 and 2: {log}")
    check(len(cnnc) == 2 and cnnc[1]["train_loss"] < cnnc[0]["train_loss"] < np.log(10),
          "the training loss goes down: " +
          ", ".join(f"{r['train_loss']:.4f}" for r in cnnc))
    for e, (c, t) in enumerate(zip(cnnc, reference)):
        check(abs(c["test_accuracy"] - t["test_accuracy"]) <= 0.005,
              f"epoch {e + 1}: test accuracy {100 * c['test_accuracy']:.2f}% "
              f"(PyTorch {100 * t['test_accuracy']:.2f}%)")
        check(abs(c["test_loss"] - t["test_loss"]) <= 0.01,
              f"epoch {e + 1}: test loss {c['test_loss']:.4f} (PyTorch {t['test_loss']:.4f})")
    tensors = read_safetensors(checkpoint)
    metadata = read_safetensors_metadata(checkpoint)
    check(metadata.get("epoch") == "2" and "c1.weight.momentum_buffer" in tensors,
          f"the checkpoint holds epoch 2 and the momentum: {sorted(metadata.items())}")
    with open(plot) as f:
        check(f.read().count("<polyline") == 4, "the plot draws 4 curves")

    # The checkpoint as the weights of the inference executable.
    exe = os.path.join(work, "lenet5-b1000")
    subprocess.run(["cnnc", "compile", source, "--batch", "1000", "-o", exe], check=True)
    test_x, test_y = data[2][:1000], data[3][:1000]
    np.save(os.path.join(work, "x.npy"), test_x)
    subprocess.run([exe, "--weights", checkpoint, "--allow-extra-weights",
                    "--input", os.path.join(work, "x.npy"),
                    "--output", os.path.join(work, "y.npy")], check=True)
    logits = np.load(os.path.join(work, "y.npy"))
    with torch.no_grad():
        expected = forward(model, torch.from_numpy(test_x)).numpy()
    agree = float(np.mean(logits.argmax(1) == expected.argmax(1)))
    check(agree >= 0.99, f"the checkpoint's predictions in the inference executable agree "
                         f"with PyTorch's trained model on {100 * agree:.1f}% of 1000 images")
    print(f"train: {passes} passed, {failures} failed")


if __name__ == "__main__":
    main()
