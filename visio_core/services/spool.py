"""Copy a stream to a temporary file in chunks: the one way large bodies reach the disk."""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from visio_core.domain.errors import BackendUnavailable, InvalidInput
from visio_core.domain.i18n import format_size, t

CHUNK = 1024 * 1024
PREFIX = ".spool-"  # then the writing process's pid: a file whose process is gone is an orphan


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
    fd, name = tempfile.mkstemp(dir=folder, prefix=f"{PREFIX}{os.getpid()}-")
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
    except OSError as error:
        Path(name).unlink(missing_ok=True)
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            # Nothing is kept; the caller may try again later (a worker retries its job).
            raise BackendUnavailable(t("storage.disk_full")) from None
        raise
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    os.chmod(name, 0o600)
    return Spooled(Path(name), size, digest.hexdigest())


def remove_orphans(root: Path) -> int:
    """Delete spool files left under `root` by processes of this machine that died mid-write
    (kill -9, power loss); a process calls it when it starts. Returns how many were removed."""
    removed = 0
    for path in root.rglob(f"{PREFIX}*") if root.is_dir() else ():
        pid = path.name[len(PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True
