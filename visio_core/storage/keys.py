"""Object keys every storage backend accepts: no traversal, however it is spelled."""

from __future__ import annotations

import re
from urllib.parse import unquote

from visio_core.errors import InvalidInput
from visio_core.i18n import t
from visio_core.storage import BUCKETS

_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def check_bucket(bucket: str) -> str:
    if bucket not in BUCKETS:
        raise InvalidInput(t("storage.unknown_bucket"))
    return bucket


def check_key(key: str) -> str:
    """The key itself if it is a plain relative path of safe segments, else InvalidInput.

    Decoding repeatedly catches `%2e%2e`, `%252e%252e` and encoded slashes: a key must
    read the same once fully decoded, so no layer below can turn it into a traversal.
    """
    if not isinstance(key, str) or not key or len(key) > 512:
        raise InvalidInput(t("storage.bad_key"))
    decoded = key
    for _ in range(4):
        once = unquote(decoded)
        if once == decoded:
            break
        decoded = once
    if decoded != key or "\\" in key or key.startswith("/"):
        raise InvalidInput(t("storage.bad_key"))
    segments = key.split("/")
    if any(not _SEGMENT.match(s) or s in (".", "..") for s in segments):
        raise InvalidInput(t("storage.bad_key"))
    return key
