"""Storage port: private buckets of objects, reached by the browser only through signed URLs."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import BinaryIO, Protocol

RECORDINGS = "recordings"
TRANSCRIPTS = "transcripts"
BUCKETS = (RECORDINGS, TRANSCRIPTS)


class Storage(Protocol):
    name: str

    def upload_stream(self, bucket: str, key: str, stream: BinaryIO, *, max_bytes: int | None = None) -> int:
        """Store the stream's bytes in chunks; returns the size. Nothing is kept if it fails or exceeds max_bytes."""
        ...

    def upload_file(self, bucket: str, key: str, path: Path) -> int: ...

    def move_in(self, bucket: str, key: str, path: Path) -> int:
        """Store a local file, consuming it (a rename when the backend is on the same disk)."""
        ...

    def local_copy(self, bucket: str, key: str) -> AbstractContextManager[Path]:
        """A local file with the object's bytes for the duration of the `with` block."""
        ...

    def open_read(self, bucket: str, key: str) -> BinaryIO: ...

    def download_to(self, bucket: str, key: str, dest: Path) -> None: ...

    def exists(self, bucket: str, key: str) -> bool: ...

    def size(self, bucket: str, key: str) -> int: ...

    def delete(self, bucket: str, key: str) -> None:
        """Remove the object; a missing object is not an error."""
        ...

    def signed_url(
        self, bucket: str, key: str, *, expires_in: int | None = None, download_name: str | None = None
    ) -> str:
        """A URL valid `expires_in` seconds (default from settings); NotFound if the object is missing."""
        ...
