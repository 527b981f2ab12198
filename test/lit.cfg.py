# lit configuration of the cnnc regression tests.
import os
import shutil

import lit.formats

config.name = "cnnc"
# Run RUN lines with bash, so that tests can check exit codes and use pipes.
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]

config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.cnnc_obj_root, "test")

# cnnc's tools first, then LLVM's (FileCheck, not, split-file, count).
config.environment["PATH"] = os.pathsep.join(
    [config.cnnc_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", os.environ["PATH"])]
)
config.substitutions.append(("%models", os.path.join(config.cnnc_src_root, "models")))
config.substitutions.append(("%src_root", config.cnnc_src_root))
config.substitutions.append(("%cnnc_obj_root", config.cnnc_obj_root))
# The independent reference (PyTorch, jsonschema) is Debian's Python.
config.substitutions.append(("%python", "/usr/bin/python3"))
config.substitutions.append(("%cc", config.cnnc_model_cc))
# The Python package from this checkout (the set-up installs it for
# /usr/bin/python3 too); it finds cnnc on the PATH above.
config.environment["PYTHONPATH"] = os.path.join(config.cnnc_src_root, "frontends", "python")

# In the sanitizer build a sanitizer report aborts the process, so that
# `not` (which accepts any non-zero exit but no crash) cannot hide it.
# allow_user_poisoning=0: LLVM's allocators poison their slabs when inlined
# into cnnc's instrumented code but not inside the uninstrumented libMLIR,
# which then trips over the poison (false reports of use-after-poison).
if config.cnnc_sanitize:
    config.environment["ASAN_OPTIONS"] = "abort_on_error=1:detect_leaks=1:allow_user_poisoning=0"
    config.environment["UBSAN_OPTIONS"] = "abort_on_error=1:print_stacktrace=1"
    config.environment["LSAN_OPTIONS"] = "suppressions=" + os.path.join(
        config.cnnc_src_root, "test", "lsan.supp")
    config.available_features.add("sanitize")

# CUDA's PTX assembler, where the machine has one, checks that every kernel
# cnnc generates for --target=nvptx assembles; tests that need it are
# skipped elsewhere.
ptxas = shutil.which("ptxas") or shutil.which("ptxas", path="/usr/local/cuda/bin")
if ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))
