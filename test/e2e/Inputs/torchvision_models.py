"""The torchvision-layout models of models/ against torchvision itself.

usage: torchvision_models.py MODELS_DIR WORKDIR SIZE ARCH[:SIZE]...

For each ARCH: `cnnc summary` must give torchvision's parameter count; the
model compiled for a SIZE x SIZE input, fed torchvision's randomly
initialised weights (exported by scripts/export_torchvision.py), must agree
with torchvision within max |a - b| <= 1e-3 * max(1, max |b|). The batch
norm statistics are first set from one batch of random inputs, as training
would, so that the activations stay of order 1: with torchvision's
initial statistics GoogLeNet's outputs are near 1e-10 and any error would
pass.
"""
import os
import subprocess
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, HERE)
import export_torchvision  # noqa: E402
import reference  # noqa: E402


def main():
    models, workdir, size, archs = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
    os.makedirs(workdir, exist_ok=True)
    failed = 0
    default_size = size
    for entry in archs:
        arch, _, own = entry.partition(":")
        size = int(own) if own else default_size
        source = os.path.join(models, arch + ".json")
        model = export_torchvision.build(arch, seed=0)
        reference.calibrate_batch_norm(model, size)
        expected_count = sum(p.numel() for p in model.parameters())
        count = reference.summary_parameter_count(source)
        weights = os.path.join(workdir, arch + ".safetensors")
        reference.write_safetensors(
            weights, export_torchvision.export(model, export_torchvision.cnnc_parameters(source)))
        exe = os.path.join(workdir, arch)
        subprocess.run(["cnnc", "compile", source, "--input-shape", f"3x{size}x{size}",
                        "-o", exe], check=True)
        x = np.random.default_rng(1).uniform(-1, 1, (1, 3, size, size)).astype(np.float32)
        np.save(os.path.join(workdir, arch + ".x.npy"), x)
        out = os.path.join(workdir, arch + ".y.npy")
        subprocess.run([exe, "--weights", weights, "--input", os.path.join(workdir, arch + ".x.npy"),
                        "--output", out], check=True)
        with torch.no_grad():
            expected = model(torch.from_numpy(x)).numpy()
        actual = np.load(out)
        scale = float(np.max(np.abs(expected)))
        close, error, expected_bound = reference.within_tolerance(actual, expected, relative=1e-3)
        ok = count == expected_count and close
        failed += not ok
        print(f"{'PASS' if ok else 'FAIL'}: {arch}: {count:,} parameters (torchvision "
              f"{expected_count:,}); output {list(actual.shape)} at {size}x{size}, "
              f"max |output| {scale:.3g}, max error {error:.3g} (bound {expected_bound:.3g})")
    print(f"torchvision models: {len(archs) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
