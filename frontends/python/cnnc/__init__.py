"""cnnc from Python: compile a model (a JSON or ONNX file, or a PyTorch
module) and run it on NumPy arrays or torch tensors.

    import cnnc
    model = cnnc.compile("models/resnet18.json", weights=torch_model.state_dict())
    logits = model(images)                     # NumPy in, NumPy out

    model = cnnc.compile(torch_module, torch.randn(1, 3, 224, 224))
    logits = model(torch.randn(1, 3, 224, 224))  # torch in, torch out

A compiled model is a shared library (`cnnc compile --emit=shared`) that
this package loads with ctypes and drives through the C interface of
runtime/cnnrt.h: no Python extension is built. Failures raise cnnc.Error
(cnnc.CompileError when the compiler refuses the model) with cnnc's message.
"""

import ctypes
import inspect
import os
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Mapping

import numpy as np

from . import _runtime as rt

__all__ = ["compile", "Model", "Error", "CompileError"]

# The symbol prefix of the libraries this package compiles.
_PREFIX = "cnnc_python"
# Buffers are aligned as the executables' are: the generated code's vector
# loads assume nothing, but an aligned buffer keeps them on cache lines.
_ALIGNMENT = 64


class Error(Exception):
    """A model that cannot be compiled, loaded, bound or run."""


class CompileError(Error):
    """`cnnc compile` refused the model; the message is the compiler's."""


def _compiler():
    """The cnnc driver: $CNNC, else cnnc on the PATH, else the build tree
    beside this package's checkout."""
    candidates = [os.environ.get("CNNC"), shutil.which("cnnc"),
                  os.path.join(os.path.dirname(__file__), "..", "..", "..", "build", "bin", "cnnc")]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise Error("cannot find the cnnc compiler: run scripts/setup.sh, put cnnc on "
                "the PATH, or set CNNC to its path")


def _is_torch_module(model):
    try:
        import torch
    except ImportError:
        return False
    return isinstance(model, torch.nn.Module)


def _as_tuple(example_input):
    if example_input is None:
        return ()
    return tuple(example_input) if isinstance(example_input, (tuple, list)) else (example_input,)


def _export_module(module, examples, directory, opset):
    """The module as ONNX, in evaluation mode, with its parameters under
    their state_dict names (no batch norm folded at export: cnnc folds it
    itself), so that a state_dict binds to the compiled model later."""
    import torch
    if not examples:
        raise Error("compiling a torch.nn.Module needs an example input (a tensor "
                    "or a tuple of tensors) of the shape it will run on")
    examples = tuple(torch.as_tensor(x) for x in examples)
    names = [p for p in inspect.signature(module.forward).parameters
             if p not in ("self", "args", "kwargs")]
    input_names = names[:len(examples)] if len(names) >= len(examples) else \
        ["input%d" % i for i in range(len(examples))]
    # The model is named after the module's class, which the file is named after.
    path = os.path.join(directory, type(module).__name__ + ".onnx")
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad(), warnings.catch_warnings():
            # About modules exported in training mode, which this one is not.
            warnings.filterwarnings("ignore", message=".*constant folding.*")
            results = module(*examples)
            count = len(results) if isinstance(results, (tuple, list)) else 1
            output_names = ["output"] if count == 1 else ["output%d" % i for i in range(count)]
            torch.onnx.export(module, examples, path, opset_version=opset,
                              input_names=input_names, output_names=output_names,
                              training=torch.onnx.TrainingMode.PRESERVE)
    except Exception as failure:
        raise Error("torch.onnx.export failed: %s" % failure) from failure
    finally:
        module.train(was_training)
    return path


def compile(model, example_input=None, *, weights=None, batch=None, threads=0,
            output=None, opset=17, flags=()):
    """Compiles `model` for this CPU and loads it.

    model: a path to a model (.json, .onnx, or .mlir in the cnn dialect), or
        a torch.nn.Module, which is exported to ONNX (in evaluation mode, on
        `example_input`, at `opset`) with its weights.
    example_input: an array or tensor, or a tuple of them, of the shapes the
        model will run on; for a file, its first dimension sets the batch.
    weights: a safetensors file or a mapping of names to arrays or tensors
        (a state_dict) to bind; by default the file's own (ONNX initializers,
        a module's parameters) or cnnc's initialisation.
    batch: the batch size (`cnnc compile --batch`).
    threads: threads a call uses; 0: one per core.
    output: where to keep the shared library; by default it is not kept.
    flags: more options of `cnnc compile` ("--fuse-epilogues=false", ...).
    """
    examples = _as_tuple(example_input)
    directory = tempfile.mkdtemp(prefix="cnnc-")
    try:
        if _is_torch_module(model):
            source = _export_module(model, examples, directory, opset)
        elif isinstance(model, (str, os.PathLike)):
            source = os.fspath(model)
            if batch is None and examples:
                batch = int(np.shape(examples[0])[0])
        else:
            raise Error("cnnc.compile takes a model file's path or a torch.nn.Module, "
                        "not %s" % type(model).__name__)
        library = os.fspath(output) if output is not None else os.path.join(directory, "model.so")
        command = [_compiler(), "compile", source, "--emit=shared", "--name", _PREFIX,
                   "-o", library, *flags]
        if batch is not None:
            command += ["--batch", str(batch)]
        result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                universal_newlines=True)
        if result.returncode != 0:
            raise CompileError(result.stderr.strip() or
                               "cnnc compile exited with status %d" % result.returncode)
        loaded = Model(library, threads=threads)
    finally:
        # A loaded library stays mapped once its file is gone.
        shutil.rmtree(directory, ignore_errors=True)
    if weights is not None:
        loaded.load_weights(weights)
    return loaded


def _aligned_zeros(shape):
    count = int(np.prod(shape, dtype=np.int64))
    raw = np.zeros(count + _ALIGNMENT // 4, dtype=np.float32)
    offset = (-raw.ctypes.data % _ALIGNMENT) // 4
    return raw[offset:offset + count].reshape(shape)


def _to_float32(name, value):
    """A weight or input as a C-ordered float32 array, and whether it came
    from torch."""
    is_torch = type(value).__module__.startswith("torch")
    if is_torch:
        value = value.detach().cpu()
        value = value.float() if value.is_floating_point() else value
        value = value.numpy()
    array = np.asarray(value)
    if array.dtype.kind not in "fiub":
        raise Error("'%s' holds %s values, not numbers" % (name, array.dtype))
    return np.ascontiguousarray(array, dtype=np.float32), is_torch


class Model:
    """A compiled model, loaded from its shared library with its own
    context (threads, scratch memory) and buffers."""

    def __init__(self, library_path, threads=0, symbol=_PREFIX + "_model"):
        try:
            self._library = ctypes.CDLL(os.path.abspath(library_path))
            descriptor = rt.ModelDescriptor.in_dll(self._library, symbol)
        except (OSError, ValueError) as failure:
            raise Error("cannot load the model library %s: %s" % (library_path, failure))
        rt.declare(self._library)
        if descriptor.abi_version != rt.CNNRT_ABI_VERSION:
            raise Error("%s was compiled for the runtime interface version %d; this "
                        "package speaks version %d" % (library_path, descriptor.abi_version,
                                                       rt.CNNRT_ABI_VERSION))
        self.name = descriptor.name.decode()
        self._tensors = []
        for i in range(descriptor.num_tensors):
            t = descriptor.tensors[i]
            self._tensors.append((t.name.decode(), tuple(t.shape[d] for d in range(t.rank)),
                                  t.role, ctypes.pointer(descriptor.tensors[i])))
        self._entry_points = {}
        for i in range(descriptor.num_entry_points):
            e = descriptor.entry_points[i]
            self._entry_points[e.name.decode()] = e
        for needed in ("prepare", "forward"):
            if needed not in self._entry_points:
                raise Error("%s has no entry point '%s'" % (library_path, needed))

        options = rt.ContextOptions(rt.CNNRT_ABI_VERSION, 0, 0, int(threads), 0)
        self._context = ctypes.c_void_p()
        status = self._library.cnnrt_context_create(ctypes.byref(options),
                                                    ctypes.byref(self._context))
        if status != 0:
            raise Error("cannot make a context: %s" %
                        self._library.cnnrt_status_string(status).decode())

        self._buffers = [_aligned_zeros(shape) for _, shape, _, _ in self._tensors]
        pointers = [b.ctypes.data_as(ctypes.POINTER(ctypes.c_float)) for b in self._buffers]
        self._arguments = {}
        for name, entry in self._entry_points.items():
            indices = [entry.tensors[k] for k in range(entry.num_tensors)]
            self._arguments[name] = (ctypes.POINTER(ctypes.c_float) * len(indices))(
                *[pointers[k] for k in indices])
        for (name, shape, role, tensor), buffer in zip(self._tensors, self._buffers):
            if role not in (rt.PARAM, rt.BUFFER):
                continue
            if tensor.contents.data:
                buffer.reshape(-1)[:] = np.ctypeslib.as_array(tensor.contents.data,
                                                              shape=(buffer.size,))
            else:
                self._library.cnnrt_initialize(
                    tensor, buffer.ctypes.data_as(ctypes.POINTER(ctypes.c_float)))
        self._prepared = False

    def __del__(self):
        context = getattr(self, "_context", None)
        if context:
            self._library.cnnrt_context_destroy(context)
            self._context = None

    def _named(self, role):
        return {name: shape for name, shape, r, _ in self._tensors if r == role}

    @property
    def inputs(self):
        """The model's inputs, name -> shape, in the order calls take them."""
        return self._named(rt.INPUT)

    @property
    def outputs(self):
        """The model's outputs, name -> shape, in the order calls return them."""
        return self._named(rt.OUTPUT)

    def state_dict(self):
        """Copies of the bound parameters and buffers, by name."""
        return {name: buffer.copy() for (name, _, role, _), buffer
                in zip(self._tensors, self._buffers) if role in (rt.PARAM, rt.BUFFER)}

    def load_weights(self, weights, strict=True):
        """Binds every parameter and buffer from a safetensors file or a
        mapping of names to arrays or tensors (a state_dict: its
        num_batches_tracked counters are passed over), as float32 of each
        tensor's exact shape. With strict, a tensor the model does not have
        is an error too, as in PyTorch's load_state_dict."""
        if isinstance(weights, (str, os.PathLike)):
            label = os.fspath(weights)
            view = rt.SafetensorsFile()
            error = ctypes.create_string_buffer(512)
            if self._library.cnnrt_safetensors_read(label.encode(), ctypes.byref(view),
                                                    error, len(error)):
                raise Error("%s: %s" % (label, error.value.decode()))
            try:
                self._bind(view, label, strict)
            finally:
                self._library.cnnrt_safetensors_free(ctypes.byref(view))
        elif isinstance(weights, Mapping):
            arrays = {name: _to_float32(name, value)[0] for name, value in weights.items()
                      if not name.endswith("num_batches_tracked")}
            for name, array in arrays.items():
                if array.ndim > rt.MAX_RANK:
                    raise Error("weights: tensor '%s' has %d dimensions; the model's have "
                                "at most %d" % (name, array.ndim, rt.MAX_RANK))
            self._bind(rt.file_view(arrays), "weights", strict)
        else:
            raise Error("weights are a safetensors file's path or a mapping of names "
                        "to arrays, not %s" % type(weights).__name__)
        self._prepared = False

    def _bind(self, view, label, strict):
        error = ctypes.create_string_buffer(512)
        names = []
        for (name, shape, role, _), buffer in zip(self._tensors, self._buffers):
            if role not in (rt.PARAM, rt.BUFFER):
                continue
            names.append(name.encode())
            found = ctypes.POINTER(rt.FileTensor)()
            dims = (ctypes.c_int64 * len(shape))(*shape)
            if self._library.cnnrt_match_weight(name.encode(), dims, len(shape),
                                                ctypes.byref(view), ctypes.byref(found),
                                                error, len(error)):
                raise Error("%s: %s" % (label, error.value.decode()))
            ctypes.memmove(buffer.ctypes.data, found.contents.data, found.contents.nbytes)
        if strict and self._library.cnnrt_check_unexpected_weights(
                ctypes.byref(view), (ctypes.c_char_p * len(names))(*names), len(names),
                error, len(error)):
            message = error.value.decode().replace("; --allow-extra-weights ignores them",
                                                   "; strict=False ignores them")
            raise Error("%s: %s" % (label, message))

    def _call(self, entry):
        status = self._entry_points[entry].call(self._context, self._arguments[entry])
        if status != 0:
            raise Error("%s: %s" % (entry, self._library.cnnrt_context_message(
                self._context).decode()))

    def __call__(self, *args, **kwargs):
        """Runs the model on its inputs (positional in the order of
        `inputs`, or by name): NumPy arrays or torch tensors of float32
        values. Returns the output, or a tuple of them, as NumPy arrays, or
        as torch tensors when an input was one."""
        expected = self.inputs
        if len(args) > len(expected):
            raise Error("the model takes %d input%s (%s), not %d" %
                        (len(expected), "" if len(expected) == 1 else "s",
                         ", ".join(expected), len(args)))
        given = dict(zip(expected, args))
        for name, value in kwargs.items():
            if name not in expected:
                raise Error("the model has no input '%s'; its inputs are %s" %
                            (name, ", ".join(expected)))
            if name in given:
                raise Error("input '%s' is given twice" % name)
            given[name] = value
        missing = [name for name in expected if name not in given]
        if missing:
            raise Error("missing input%s %s" % ("s" if len(missing) > 1 else "",
                                                ", ".join("'%s'" % m for m in missing)))
        as_torch = False
        for (name, shape, role, _), buffer in zip(self._tensors, self._buffers):
            if role != rt.INPUT:
                continue
            array, is_torch = _to_float32(name, given[name])
            as_torch |= is_torch
            if array.shape != shape:
                raise Error("input '%s' has shape %s, the model expects %s" %
                            (name, list(array.shape), list(shape)))
            buffer[...] = array
        if not self._prepared:
            self._call("prepare")
            self._prepared = True
        self._call("forward")
        results = [buffer.copy() for (_, _, role, _), buffer
                   in zip(self._tensors, self._buffers) if role == rt.OUTPUT]
        if as_torch:
            import torch
            results = [torch.from_numpy(r) for r in results]
        return results[0] if len(results) == 1 else tuple(results)

    def __repr__(self):
        shapes = lambda named: ", ".join("%s %s" % (n, list(s)) for n, s in named.items())
        return "<cnnc.Model '%s': (%s) -> (%s)>" % (self.name, shapes(self.inputs),
                                                  shapes(self.outputs))
