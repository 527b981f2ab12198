"""The lecture's fixed filters (models/lecture/*-3x3.json, smoothing-5x5.json)
on a real image, against a reference computed here with numpy.

usage: lecture_filters.py MODELS_DIR WORKDIR [IMAGES.idx3-ubyte.gz]

Takes the first test image of Fashion-MNIST (Debian's dataset-fashion-mnist),
scaled to [0, 1]; compiles each filter model, runs it on the image and
compares with the same kernel applied by numpy (border extended: the
nearest pixel repeats). Also checks what each filter is for: the identity
returns the image, smoothing lowers the total variation, the edge filter
is zero on flat regions, sharpening raises the contrast. Writes every
result as a PGM image into WORKDIR for a look.
"""
import gzip
import json
import os
import subprocess
import sys

import numpy as np

IMAGES = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
FILTERS = ["identity-3x3", "smoothing-5x5", "sharpen-3x3", "edge-3x3"]


def first_image(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count, rows, cols = np.frombuffer(data[:16], dtype=">u4")
    assert magic == 2051 and count > 0, "not an idx3 image file"
    pixels = np.frombuffer(data[16:16 + rows * cols], dtype=np.uint8)
    return pixels.reshape(rows, cols).astype(np.float32) / 255.0


def reference(image, kernel):
    """Cross-correlation with extended borders, one kernel tap at a time."""
    k = kernel.shape[0]
    padded = np.pad(image.astype(np.float64), k // 2, mode="edge")
    out = np.zeros(image.shape)
    for i in range(k):
        for j in range(k):
            out += kernel[i, j] * padded[i:i + image.shape[0], j:j + image.shape[1]]
    return out


def write_pgm(path, image):
    scaled = np.clip((image - image.min()) / max(float(np.ptp(image)), 1e-12) * 255, 0, 255)
    with open(path, "wb") as f:
        f.write(b"P5\n%d %d\n255\n" % (image.shape[1], image.shape[0]))
        f.write(scaled.astype(np.uint8).tobytes())


def total_variation(image):
    return float(np.abs(np.diff(image, axis=0)).sum() + np.abs(np.diff(image, axis=1)).sum())


def main():
    models, workdir = sys.argv[1], sys.argv[2]
    images = sys.argv[3] if len(sys.argv) > 3 else IMAGES
    os.makedirs(workdir, exist_ok=True)
    image = first_image(images)
    x_path = os.path.join(workdir, "image.npy")
    np.save(x_path, image[None, None])
    write_pgm(os.path.join(workdir, "image.pgm"), image)
    # The flat background: pixels whose whole 3x3 neighbourhood is black.
    flat = reference(image, np.ones((3, 3))) == 0
    failed = 0
    for name in FILTERS:
        source = os.path.join(models, "lecture", name + ".json")
        with open(source) as f:
            kernel = np.array(json.load(f)["layers"][0]["weights"]["weight"], dtype=np.float64)[0, 0]
        exe = os.path.join(workdir, name)
        y_path = os.path.join(workdir, name + ".npy")
        subprocess.run(["cnnc", "compile", source, "-o", exe], check=True)
        subprocess.run([exe, "--input", x_path, "--output", y_path], check=True)
        actual = np.load(y_path)[0, 0]
        expected = reference(image, kernel)
        error = float(np.max(np.abs(actual - expected)))
        purpose = {
            "identity-3x3": ("equals the image", bool(np.array_equal(actual, image))),
            "smoothing-5x5": ("lowers the total variation",
                              total_variation(actual) < 0.75 * total_variation(image)),
            "sharpen-3x3": ("raises the total variation",
                            total_variation(actual) > 1.5 * total_variation(image)),
            "edge-3x3": ("is zero on the flat background",
                         bool(np.all(np.abs(actual[flat]) < 1e-6)) and flat.sum() > 100),
        }[name]
        ok = error <= 1e-5 and purpose[1]
        failed += not ok
        write_pgm(os.path.join(workdir, name + ".pgm"), actual)
        print(f"{'PASS' if ok else 'FAIL'}: {name}: output {list(actual.shape)}, max error "
              f"{error:.2g} against numpy; {purpose[0]}: {purpose[1]}")
    print(f"lecture filters: {len(FILTERS) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
