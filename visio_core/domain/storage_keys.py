"""Where objects live in storage, and the keys every storage backend accepts.

Layout (both backends): bucket `recordings` -> `{session_id}/{recording_id}.{ext}` (and, for
rooms we host, `{session_id}/{recording_id}.speakers.json`; for recordings with a picture,
`{session_id}/{recording_id}.poster.jpg`); bucket `transcripts` ->
`{recording_id}.srt`, `.vtt`, `.txt`, `.docx` (the downloads) and `.json` (what pages read). Keys never allow traversal, however spelled.
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import unquote

from visio_core.domain.errors import InvalidInput
from visio_core.domain.i18n import t

RECORDINGS = "recordings"
TRANSCRIPTS = "transcripts"
BUCKETS = (RECORDINGS, TRANSCRIPTS)


def recording_key(session_id: str, recording_id: uuid.UUID, ext: str) -> str:
    """The key of a recording's media file in the `recordings` bucket."""
    return f"{session_id}/{recording_id}.{ext}"


def speaking_key(recording_storage_key: str) -> str:
    """Beside a recording's media in `recordings`: who spoke when (`….speakers.json`), when known."""
    return recording_storage_key.rsplit(".", 1)[0] + ".speakers.json"


def poster_key(recording_storage_key: str) -> str:
    """Beside a recording's media in `recordings`: the still its player shows before playback (JPEG)."""
    return recording_storage_key.rsplit(".", 1)[0] + ".poster.jpg"


def transcript_key(recording_id: uuid.UUID) -> str:
    """The key of a recording's SRT in the `transcripts` bucket."""
    return f"{recording_id}.srt"


EXPORTS = ("srt", "vtt", "txt", "docx")  # the transcript's downloadable forms, each `{recording_id}.{ext}`


def export_key(recording_id: uuid.UUID, kind: str) -> str:
    """One of the transcript's downloadable forms (EXPORTS) in the `transcripts` bucket."""
    return f"{recording_id}.{kind}"


def edited_key(recording_id: uuid.UUID) -> str:
    """The hand-corrected SRT kept aside when the recording is transcribed again."""
    return f"{recording_id}.edited.srt"


def captions_key(recording_id: uuid.UUID) -> str:
    """Beside the SRT: the same transcript as WebVTT, speakers as voice tags."""
    return export_key(recording_id, "vtt")


def transcript_data_key(recording_id: uuid.UUID) -> str:
    """Beside the SRT: the transcript with its speakers and language, as the pages read it (JSON)."""
    return f"{recording_id}.json"


def object_url(bucket: str, key: str) -> str:
    """How a stored object is named in a database row (`recording_url`, `transcript_url`)."""
    return f"{bucket}/{key}"


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
