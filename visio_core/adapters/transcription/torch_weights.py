"""Tensors of a PyTorch checkpoint (`torch.save`) read as numpy arrays, without torch.

Visio runs the voice encoder in numpy so that it never needs torch (whose PyPI wheel pulls
gigabytes of CUDA). A checkpoint is a pickle whose tensors point at raw storages, either in a
zip archive (torch ≥ 1.6) or after the pickles of the legacy format. The unpickler here knows
only the few names a state dict uses (OrderedDict, the tensor rebuilder, the storage types) and
refuses every other one, so a hostile file cannot run code.
"""

from __future__ import annotations

import collections
import io
import pickle
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_STORAGE_DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
}


class UnsupportedCheckpoint(ValueError):
    """Not a checkpoint this reader understands (or one asking for names it will not load)."""


@dataclass(frozen=True)
class _StorageType:
    dtype: Any


@dataclass
class _Storage:
    key: str
    dtype: Any
    data: np.ndarray | None = None


@dataclass(frozen=True)
class _TensorRef:
    storage: _Storage
    offset: int
    size: tuple[int, ...]
    stride: tuple[int, ...]

    def array(self) -> np.ndarray:
        if self.storage.data is None:
            raise UnsupportedCheckpoint(f"storage {self.storage.key} has no data")
        flat = self.storage.data
        if not self.size:
            return flat[self.offset : self.offset + 1].reshape(()).copy()
        item = flat.itemsize
        view = np.lib.stride_tricks.as_strided(
            flat[self.offset :], shape=self.size, strides=tuple(s * item for s in self.stride)
        )
        return np.array(view)


def _rebuild_tensor(
    storage: _Storage, offset: int, size: tuple[int, ...], stride: tuple[int, ...], *_ignored: Any
) -> _TensorRef:
    return _TensorRef(storage, int(offset), tuple(size), tuple(stride))


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: IO[bytes], storages: dict[str, _Storage]) -> None:
        super().__init__(file)
        self._storages = storages

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(_STORAGE_DTYPES[name])
        raise UnsupportedCheckpoint(f"refusing {module}.{name} in a checkpoint")

    def persistent_load(self, pid: Any) -> _Storage:
        # ('storage', type, key, location, numel[, view metadata])
        if not (isinstance(pid, tuple) and pid and pid[0] == "storage" and isinstance(pid[1], _StorageType)):
            raise UnsupportedCheckpoint(f"unexpected persistent id {pid!r}")
        key = str(pid[2])
        return self._storages.setdefault(key, _Storage(key, pid[1].dtype))


def load_state(path: Path) -> dict[str, Any]:
    """The checkpoint's top-level object, with every tensor as a numpy array."""
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith(b"PK"):
        obj = _materialise(_load_zip(path))
    else:
        with path.open("rb") as handle:
            obj = _materialise(_load_legacy(handle))
    if not isinstance(obj, dict):
        raise UnsupportedCheckpoint("the checkpoint does not hold a dict")
    return obj


def _load_zip(path: Path) -> Any:
    storages: dict[str, _Storage] = {}
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        pickled = next((n for n in names if n.endswith("/data.pkl") or n == "data.pkl"), None)
        if pickled is None:
            raise UnsupportedCheckpoint("no data.pkl in the archive")
        prefix = pickled[: -len("data.pkl")]
        obj = _Unpickler(io.BytesIO(archive.read(pickled)), storages).load()
        for key, storage in storages.items():
            storage.data = np.frombuffer(archive.read(f"{prefix}data/{key}"), dtype=storage.dtype)
    return obj


def _load_legacy(handle: IO[bytes]) -> Any:
    storages: dict[str, _Storage] = {}
    if _Unpickler(handle, storages).load() != _LEGACY_MAGIC:
        raise UnsupportedCheckpoint("not a PyTorch checkpoint")
    _Unpickler(handle, storages).load()  # protocol version
    info = _Unpickler(handle, storages).load()
    if not (isinstance(info, dict) and info.get("little_endian", False)):
        raise UnsupportedCheckpoint("only little-endian checkpoints are read")
    obj = _Unpickler(handle, storages).load()
    keys = _Unpickler(handle, storages).load()
    for key in keys:  # each storage: its element count (int64), then its bytes
        storage = storages[str(key)]
        count = int(np.frombuffer(handle.read(8), dtype="<i8")[0])
        size = count * np.dtype(storage.dtype).itemsize
        raw = handle.read(size)
        if len(raw) != size:
            raise UnsupportedCheckpoint("checkpoint is truncated")
        storage.data = np.frombuffer(raw, dtype=storage.dtype)
    return obj


def _materialise(obj: Any) -> Any:
    if isinstance(obj, _TensorRef):
        return obj.array()
    if isinstance(obj, dict):
        return {key: _materialise(value) for key, value in obj.items()}
    if isinstance(obj, list | tuple):
        return type(obj)(_materialise(value) for value in obj)
    return obj
