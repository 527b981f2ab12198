"""Ten epochs of the conv + batch norm + ReLU network on Fashion-MNIST.

usage: /usr/bin/python3 bench/train_convnet.py [--epochs 10] [--optimizer adam]
           [--lr 0.001] [--data /usr/share/datasets/fashion-mnist] [--cnnc cnnc]

Trains models/fashion-convnet.json (three blocks of 3x3 convolution, batch
norm in training mode, ReLU and max pooling, then a dense layer with
dropout) with `cnnc train` at batch 64 from cnnc's initialisation, and
prints each epoch's training loss and test accuracy, the best test accuracy
and the epoch that reached it (issue 13's bar: at least 91% within 10
epochs), and the median [min, max] epoch time.
"""
import argparse
import csv
import os
import statistics
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--optimizer", default="adam")
    parser.add_argument("--lr", default="0.001")
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--cnnc", default="cnnc")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="cnnc-convnet-bench-")
    log = os.path.join(work, "log.csv")
    subprocess.run([args.cnnc, "train", os.path.join(ROOT, "models", "fashion-convnet.json"),
                    "--data", args.data, "--epochs", str(args.epochs), "--optimizer",
                    args.optimizer, "--lr", args.lr, "-o", os.path.join(work, "ck.safetensors"),
                    "--log", log], check=True)
    with open(log) as f:
        rows = list(csv.DictReader(f))
    print(f"\n{'epoch':>5} {'train loss':>10} {'test accuracy':>13} {'seconds':>8}")
    for row in rows:
        print(f"{row['epoch']:>5} {float(row['train_loss']):10.4f} "
              f"{100 * float(row['test_accuracy']):12.2f}% {float(row['seconds']):8.1f}")
    best = max(rows, key=lambda row: float(row["test_accuracy"]))
    seconds = [float(row["seconds"]) for row in rows]
    print(f"best test accuracy {100 * float(best['test_accuracy']):.2f}% after epoch "
          f"{best['epoch']}; epoch time median {statistics.median(seconds):.1f} s "
          f"[{min(seconds):.1f}, {max(seconds):.1f}]")


if __name__ == "__main__":
    main()
