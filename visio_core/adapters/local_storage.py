"""Local storage: buckets as private folders, HMAC-signed URLs served by the app's /files route."""

from __future__ import annotations

import hashlib
import hmac
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote, urlencode

from visio_core.domain.errors import InvalidInput, NotFound
from visio_core.domain.i18n import t
from visio_core.domain.storage_keys import check_bucket, check_key
from visio_core.services.spool import spool

FILES_PREFIX = "/files"


@dataclass
class LocalStorage:
    root: Path
    signing_key: bytes = field(repr=False)
    default_ttl: int = 3600
    clock: Callable[[], float] = time.time
    name: str = "local"

    def path_of(self, bucket: str, key: str) -> Path:
        return self.root / check_bucket(bucket) / check_key(key)

    # -- writing: temp file in the same folder, then an atomic rename --------------------------
    def upload_stream(self, bucket: str, key: str, stream: BinaryIO, *, max_bytes: int | None = None) -> int:
        target = self.path_of(bucket, key)
        spooled = spool(stream, target.parent, max_bytes)  # same folder: the rename below is atomic
        os.replace(spooled.path, target)
        return spooled.size

    def upload_file(self, bucket: str, key: str, path: Path) -> int:
        with open(path, "rb") as source:
            return self.upload_stream(bucket, key, source)

    def move_in(self, bucket: str, key: str, path: Path) -> int:
        target = self.path_of(bucket, key)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        size = Path(path).stat().st_size
        try:
            os.replace(path, target)  # same disk: no second copy of a large recording
        except OSError:
            self.upload_file(bucket, key, Path(path))
            Path(path).unlink(missing_ok=True)
        os.chmod(target, 0o600)
        return size

    @contextmanager
    def local_copy(self, bucket: str, key: str) -> Iterator[Path]:
        yield self._existing(bucket, key)

    # -- reading -------------------------------------------------------------------------------
    def _existing(self, bucket: str, key: str) -> Path:
        path = self.path_of(bucket, key)
        if not path.is_file():
            raise NotFound(t("storage.not_found"))
        return path

    def open_read(self, bucket: str, key: str) -> BinaryIO:
        return open(self._existing(bucket, key), "rb")

    def download_to(self, bucket: str, key: str, dest: Path) -> None:
        shutil.copyfile(self._existing(bucket, key), dest)

    def exists(self, bucket: str, key: str) -> bool:
        return self.path_of(bucket, key).is_file()

    def size(self, bucket: str, key: str) -> int:
        return self._existing(bucket, key).stat().st_size

    def delete(self, bucket: str, key: str) -> None:
        self.path_of(bucket, key).unlink(missing_ok=True)

    # -- signed URLs -----------------------------------------------------------------------------
    def _signature(self, bucket: str, key: str, expires: int, download: str) -> str:
        message = "\n".join((bucket, key, str(expires), download)).encode()
        return hmac.new(self.signing_key, message, hashlib.sha256).hexdigest()

    def signed_url(
        self, bucket: str, key: str, *, expires_in: int | None = None, download_name: str | None = None
    ) -> str:
        self._existing(bucket, key)
        expires = int(self.clock()) + (expires_in if expires_in is not None else self.default_ttl)
        download = download_name or ""
        query = {"expires": expires, "sig": self._signature(bucket, key, expires, download)}
        if download:
            query["download"] = download
        return f"{FILES_PREFIX}/{bucket}/{quote(key)}?{urlencode(query)}"

    def verify(self, bucket: str, key: str, expires: str, sig: str, download: str = "") -> str | None:
        """None when the URL is genuine and fresh; otherwise the reason to show ("expired" or "invalid")."""
        try:
            check_bucket(bucket)
            check_key(key)
            expires_at = int(expires)
        except (InvalidInput, ValueError, TypeError):
            return "invalid"
        expected = self._signature(bucket, key, expires_at, download or "")
        if not hmac.compare_digest(expected, sig or ""):
            return "invalid"
        if expires_at < self.clock():
            return "expired"
        return None
