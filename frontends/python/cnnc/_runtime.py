"""The C interface of compiled models (runtime/cnnrt.h) through ctypes.

Mirrors the structures and functions of cnnrt.h that a program needs to bind
weights and run a model; CNNRT_ABI_VERSION says which version of the header
they mirror, and a library of another version is refused at load time.
"""

import ctypes

CNNRT_ABI_VERSION = 4

# cnnrt_role
PARAM, BUFFER, INPUT, OUTPUT, PREPARED, STATE = range(6)
ROLE_NAMES = ("param", "buffer", "input", "output", "prepared", "state")


class ContextOptions(ctypes.Structure):
    _fields_ = [
        ("abi_version", ctypes.c_int32),
        ("memory_limit", ctypes.c_uint64),
        ("check_numerics", ctypes.c_int32),
        ("num_threads", ctypes.c_int32),
        ("profile", ctypes.c_int32),
    ]


class Tensor(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("shape", ctypes.POINTER(ctypes.c_int64)),
        ("data", ctypes.POINTER(ctypes.c_float)),
        ("role", ctypes.c_int32),
        ("init", ctypes.c_int32),
        ("rank", ctypes.c_int32),
    ]


Buffers = ctypes.POINTER(ctypes.POINTER(ctypes.c_float))
EntryFunction = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, Buffers)


class EntryPoint(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("tensors", ctypes.POINTER(ctypes.c_int32)),
        ("num_tensors", ctypes.c_int32),
        ("call", EntryFunction),
    ]


class ModelDescriptor(ctypes.Structure):
    _fields_ = [
        ("abi_version", ctypes.c_int32),
        ("name", ctypes.c_char_p),
        ("tensors", ctypes.POINTER(Tensor)),
        ("num_tensors", ctypes.c_int32),
        ("entry_points", ctypes.POINTER(EntryPoint)),
        ("num_entry_points", ctypes.c_int32),
    ]


MAX_RANK = 8


class FileTensor(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("dtype", ctypes.c_char * 8),
        ("rank", ctypes.c_int32),
        ("shape", ctypes.c_int64 * MAX_RANK),
        ("data", ctypes.c_void_p),
        ("nbytes", ctypes.c_uint64),
    ]


class SafetensorsFile(ctypes.Structure):
    _fields_ = [
        ("bytes", ctypes.c_void_p),
        ("size", ctypes.c_size_t),
        ("count", ctypes.c_int32),
        ("tensors", ctypes.POINTER(FileTensor)),
        ("metadata_count", ctypes.c_int32),
        ("metadata", ctypes.POINTER(ctypes.c_char_p)),
    ]


def file_view(arrays):
    """Float32 arrays by name seen as a safetensors file, so that the
    runtime's binding rules (cnnrt_match_weight) apply to them as to a
    file. The view refers to the arrays; it keeps them alive."""
    tensors = (FileTensor * max(len(arrays), 1))()
    for slot, (name, array) in zip(tensors, arrays.items()):
        slot.name = name.encode()
        slot.dtype = b"F32"
        slot.rank = array.ndim
        for d, extent in enumerate(array.shape):
            slot.shape[d] = extent
        slot.data = array.ctypes.data
        slot.nbytes = array.nbytes
    view = SafetensorsFile(None, 0, len(arrays), tensors, 0, None)
    view.keep_alive = (tensors, arrays)
    return view


def declare(library):
    """Gives the runtime functions of a loaded model library their types."""
    library.cnnrt_context_create.argtypes = [ctypes.POINTER(ContextOptions),
                                             ctypes.POINTER(ctypes.c_void_p)]
    library.cnnrt_context_create.restype = ctypes.c_int
    library.cnnrt_context_destroy.argtypes = [ctypes.c_void_p]
    library.cnnrt_context_destroy.restype = None
    library.cnnrt_context_message.argtypes = [ctypes.c_void_p]
    library.cnnrt_context_message.restype = ctypes.c_char_p
    library.cnnrt_status_string.argtypes = [ctypes.c_int]
    library.cnnrt_status_string.restype = ctypes.c_char_p
    library.cnnrt_initialize.argtypes = [ctypes.POINTER(Tensor), ctypes.POINTER(ctypes.c_float)]
    library.cnnrt_initialize.restype = None
    library.cnnrt_safetensors_read.argtypes = [ctypes.c_char_p, ctypes.POINTER(SafetensorsFile),
                                               ctypes.c_char_p, ctypes.c_size_t]
    library.cnnrt_safetensors_read.restype = ctypes.c_int
    library.cnnrt_safetensors_free.argtypes = [ctypes.POINTER(SafetensorsFile)]
    library.cnnrt_safetensors_free.restype = None
    library.cnnrt_match_weight.argtypes = [
        ctypes.c_char_p, ctypes.POINTER(ctypes.c_int64), ctypes.c_int32,
        ctypes.POINTER(SafetensorsFile), ctypes.POINTER(ctypes.POINTER(FileTensor)),
        ctypes.c_char_p, ctypes.c_size_t]
    library.cnnrt_match_weight.restype = ctypes.c_int
    library.cnnrt_check_unexpected_weights.argtypes = [
        ctypes.POINTER(SafetensorsFile), ctypes.POINTER(ctypes.c_char_p), ctypes.c_int32,
        ctypes.c_char_p, ctypes.c_size_t]
    library.cnnrt_check_unexpected_weights.restype = ctypes.c_int
