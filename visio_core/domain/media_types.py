"""The media files a recording may be, and how each is served: one list for the whole product."""

from __future__ import annotations

from visio_core.domain.errors import InvalidInput
from visio_core.domain.i18n import t

# Extension -> Content-Type of the recordings we accept (imports, OpenVidu, the embedded room).
MEDIA_TYPES: dict[str, str] = {
    "mp4": "video/mp4",
    "webm": "video/webm",
    "m4a": "audio/mp4",
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "ogg": "audio/ogg",
}
ALLOWED_EXTENSIONS: tuple[str, ...] = tuple(MEDIA_TYPES)
# Other objects we store and serve.
TEXT_TYPES: dict[str, str] = {"srt": "text/plain; charset=utf-8", "vtt": "text/vtt; charset=utf-8"}
IMAGE_TYPES: dict[str, str] = {"jpg": "image/jpeg"}  # a recording's poster
DEFAULT_TYPE = "application/octet-stream"


def extension_of(filename: str) -> str:
    """The accepted media extension of an uploaded or fetched file's name, or InvalidInput."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in MEDIA_TYPES:
        raise InvalidInput(t("rec.bad_type", allowed=", ".join(ALLOWED_EXTENSIONS)))
    return ext


def content_type(key: str) -> str:
    """The Content-Type of a stored object, from its key's extension."""
    ext = key.rsplit(".", 1)[-1].lower() if "." in key else ""
    return MEDIA_TYPES.get(ext) or TEXT_TYPES.get(ext) or IMAGE_TYPES.get(ext) or DEFAULT_TYPE
