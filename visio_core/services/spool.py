"""Copy a stream to a temporary file in chunks: the one way large bodies reach the disk."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from visio_core.domain.errors import InvalidInput
from visio_core.domain.i18n import format_size, t

CHUNK = 1024 * 1024


class Readable(Protocol):
    """What a body must offer to be spooled: `read(size)`, empty bytes at the end (files, sockets, readers)."""

    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class Spooled:
    path: Path
    size: int
    sha256: str


def spool(stream: Readable, folder: Path, max_bytes: int | None = None) -> Spooled:
    """Write `stream` to a new file in `folder`, hashing as it goes, never all in memory.

    Over `max_bytes`: InvalidInput, and the partial file is removed.
    """
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, name = tempfile.mkstemp(dir=folder, prefix=".spool-")
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise InvalidInput(t("storage.too_large", max=format_size(max_bytes)))
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    os.chmod(name, 0o600)
    return Spooled(Path(name), size, digest.hexdigest())
