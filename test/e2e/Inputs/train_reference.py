"""`cnnc train`'s training loop in PyTorch, for the reference runs.

The same images (scaled to [0, 1], centred in the model's input with zeros
around them), the same order of each epoch as runtime/train.c, full batches
only, and the test set's loss and accuracy computed the same way, so that
PyTorch trains on exactly the batches cnnc trains on.
"""
import gzip
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

MASK = (1 << 64) - 1


def read_idx(path):
    """An IDX file of unsigned bytes, read through gzip when it ends in .gz."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if data[:2] != b"\0\0" or data[2] != 0x08:
        raise ValueError(f"{path}: not an IDX file of unsigned bytes")
    rank = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * rank).reshape(shape)


def _find(directory, name):
    path = os.path.join(directory, name)
    return path if os.path.exists(path) else path + ".gz"


def load_split(directory, prefix, size=32):
    """Images [N, 1, size, size] as float32 and labels [N] as int64."""
    images = read_idx(_find(directory, f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(_find(directory, f"{prefix}-labels-idx1-ubyte"))
    count, height, width = images.shape
    top, left = (size - height) // 2, (size - width) // 2
    placed = np.zeros((count, 1, size, size), np.float32)
    placed[:, 0, top:top + height, left:left + width] = images.astype(np.float32) / 255.0
    return placed, labels.astype(np.int64)


def _splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def epoch_order(count, seed, epoch):
    """The order in which epoch `epoch` (from 0) visits `count` images:
    Fisher-Yates driven by splitmix64, as runtime/train.c shuffles."""
    state = (seed * 0x100000001B3 + epoch) & MASK
    order = list(range(count))
    for i in range(count - 1, 0, -1):
        state, value = _splitmix64(state)
        j = value % (i + 1)
        order[i], order[j] = order[j], order[i]
    return np.array(order, np.int64)


def train_torch(forward, optimizer, data, epochs, seed, batch,
                on_epoch=lambda record: None):
    """Trains with `optimizer` on `data` = (train_x, train_y, test_x, test_y)
    for `epochs` epochs; returns one dict a epoch: train_loss, test_loss,
    test_accuracy and seconds (of the training steps alone, as cnnc's log)."""
    train_x, train_y, test_x, test_y = (torch.from_numpy(a) for a in data)
    steps = len(train_x) // batch
    records = []
    for epoch in range(epochs):
        order = torch.from_numpy(epoch_order(len(train_x), seed, epoch))
        start, total = time.perf_counter(), 0.0
        for s in range(steps):
            rows = order[s * batch:(s + 1) * batch]
            optimizer.zero_grad()
            with torch.enable_grad():
                loss = F.cross_entropy(forward(train_x[rows]), train_y[rows])
                loss.backward()
            optimizer.step()
            total += loss.item()
        seconds = time.perf_counter() - start
        with torch.no_grad():
            logits = torch.cat([forward(test_x[i:i + 1000]) for i in range(0, len(test_x), 1000)])
            test_loss = F.cross_entropy(logits, test_y).item()
            accuracy = (logits.argmax(1) == test_y).double().mean().item()
        records.append({"train_loss": total / steps, "test_loss": test_loss,
                        "test_accuracy": accuracy, "seconds": seconds})
        on_epoch(records[-1])
    return records
