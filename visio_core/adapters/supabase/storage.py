"""Supabase Storage behind the storage port: private buckets, signed URLs served by Supabase.

Uploads, signed URLs, info and removal go through supabase-py's storage client (storage3).
Downloads are streamed with httpx on the same documented route (`GET /object/{bucket}/{path}`)
because storage3's `download` returns the whole file as bytes, and recordings can be gigabytes.
The key used is the caller's: a user's JWT for what a page does, the service-role key only for
workers and the webhook (see visio_core.adapters.supabase.sessions).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TypeVar, cast

import httpx
from storage3 import SyncStorageClient
from storage3.exceptions import StorageApiError
from storage3.types import URLOptions

from visio_core.domain.errors import BackendUnavailable, NotFound
from visio_core.domain.i18n import t
from visio_core.domain.media_types import content_type
from visio_core.domain.storage_keys import check_bucket, check_key
from visio_core.services.spool import CHUNK, spool

if TYPE_CHECKING:
    from storage3._sync.file_api import SyncBucketProxy

T = TypeVar("T")


@dataclass
class SupabaseStorage:
    url: str  # the project URL, e.g. https://xyz.supabase.co
    key: str = field(repr=False)  # the project key sent as `apikey`: anon for pages, service role for workers
    default_ttl: int = 3600
    http: httpx.Client | None = None
    spool_dir: Path | None = None
    name: str = "supabase"
    bearer: str | None = field(default=None, repr=False)  # who acts: a user's JWT; default the key itself

    def __post_init__(self) -> None:
        self.url = self.url.rstrip("/")
        if self.spool_dir is not None:
            self.spool_dir.mkdir(parents=True, exist_ok=True)  # a worker's first job must not fail on it
        self.http = self.http or httpx.Client(timeout=httpx.Timeout(30.0, read=300.0))
        headers = {"apikey": self.key, "Authorization": f"Bearer {self.bearer or self.key}"}
        self._client = SyncStorageClient(f"{self.url}/storage/v1/", headers, http_client=self.http)
        self._headers = headers

    def _bucket(self, bucket: str) -> SyncBucketProxy:
        return self._client.from_(check_bucket(bucket))

    # -- writing ----------------------------------------------------------------------------
    def upload_file(self, bucket: str, key: str, path: Path) -> int:
        check_key(key)
        with open(path, "rb") as source:
            self._call(
                lambda: self._bucket(bucket).upload(key, source, {"content-type": content_type(key), "upsert": "true"})
            )
        return Path(path).stat().st_size

    def upload_stream(self, bucket: str, key: str, stream: BinaryIO, *, max_bytes: int | None = None) -> int:
        # Spooled to disk first: the size limit is checked before anything reaches Supabase.
        spooled = spool(stream, self.spool_dir or Path(tempfile.gettempdir()), max_bytes)
        try:
            return self.upload_file(bucket, key, spooled.path)
        finally:
            spooled.path.unlink(missing_ok=True)

    def move_in(self, bucket: str, key: str, path: Path) -> int:
        size = self.upload_file(bucket, key, path)
        Path(path).unlink(missing_ok=True)
        return size

    def delete(self, bucket: str, key: str) -> None:
        check_key(key)
        self._call(lambda: self._bucket(bucket).remove([key]))

    # -- reading ----------------------------------------------------------------------------
    def exists(self, bucket: str, key: str) -> bool:
        check_key(key)
        return self._call(lambda: self._bucket(bucket).exists(key))

    def size(self, bucket: str, key: str) -> int:
        check_key(key)
        info = self._call(lambda: self._bucket(bucket).info(key))
        return int(info.get("size") or (info.get("metadata") or {}).get("size") or 0)

    def open_read(self, bucket: str, key: str) -> BinaryIO:
        spooled = tempfile.TemporaryFile(dir=self.spool_dir)  # noqa: SIM115 - the caller closes it
        self._download(bucket, key, spooled)
        spooled.seek(0)
        return spooled

    def download_to(self, bucket: str, key: str, dest: Path) -> None:
        with open(dest, "wb") as out:
            self._download(bucket, key, out)

    @contextmanager
    def local_copy(self, bucket: str, key: str) -> Iterator[Path]:
        fd, name = tempfile.mkstemp(dir=self.spool_dir, suffix="." + key.rsplit(".", 1)[-1])
        os.close(fd)
        try:
            self.download_to(bucket, key, Path(name))
            yield Path(name)
        finally:
            Path(name).unlink(missing_ok=True)

    def signed_url(
        self, bucket: str, key: str, *, expires_in: int | None = None, download_name: str | None = None
    ) -> str:
        check_key(key)
        options: URLOptions | None = {"download": download_name} if download_name else None
        signed = self._call(
            lambda: self._bucket(bucket).create_signed_url(key, expires_in or self.default_ttl, options)
        )
        if not signed.get("signedURL"):
            raise NotFound(t("storage.not_found"))
        return cast(str, signed["signedURL"])  # checked just above

    # -- helpers ----------------------------------------------------------------------------
    def _download(self, bucket: str, key: str, out: BinaryIO) -> None:
        check_key(key)
        target = f"{self.url}/storage/v1/object/{check_bucket(bucket)}/{key}"
        try:
            # __post_init__ always sets `http`.
            with cast(httpx.Client, self.http).stream("GET", target, headers=self._headers) as response:
                if response.status_code in (400, 404):
                    raise NotFound(t("storage.not_found"))
                if response.status_code != 200:
                    raise BackendUnavailable(t("storage.backend_error", status=response.status_code))
                for chunk in response.iter_bytes(CHUNK):
                    out.write(chunk)
        except httpx.HTTPError as error:
            raise BackendUnavailable(t("storage.backend_error", status=type(error).__name__)) from None

    @staticmethod
    def _call(action: Callable[[], T]) -> T:
        """Storage errors as our errors; the key is in no message (storage3 never echoes it)."""
        try:
            return action()
        except StorageApiError as error:
            status = str(getattr(error, "status", ""))
            if status in ("400", "404") and "not found" in str(error).lower():
                raise NotFound(t("storage.not_found")) from None
            raise BackendUnavailable(t("storage.backend_error", status=status or "?")) from None
        except httpx.HTTPError as error:
            raise BackendUnavailable(t("storage.backend_error", status=type(error).__name__)) from None
