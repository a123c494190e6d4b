"""OpenVidu's webhook: who sent it, and which events we act on. Pure functions, no I/O."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class MalformedEvent(ValueError):
    """A body that is JSON but not an event we can read."""


def verify(headers: Mapping[str, str], body: bytes, secret: str | None) -> bool:
    """True when the Bearer header or the HMAC signature matches; both compared in constant time."""
    if not secret:
        return False
    key = secret.encode("utf-8")
    ok = False
    bearer = headers.get("authorization")
    if bearer is not None:
        # Starlette decodes header bytes as latin-1; encoding back gives the bytes sent.
        ok |= hmac.compare_digest(bearer.encode("latin-1", "replace"), b"Bearer " + key)
    signature = headers.get("x-openvidu-signature")
    if signature is not None:
        expected = hmac.new(key, body, hashlib.sha256).hexdigest().encode()
        ok |= hmac.compare_digest(signature.strip().lower().encode("latin-1", "replace"), expected)
    return ok


def parse_body(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise MalformedEvent("not JSON") from None
    if not isinstance(payload, dict):
        raise MalformedEvent("not a JSON object")
    return payload


@dataclass(frozen=True)
class RecordingEvent:
    recording_id: str
    session_id: str
    status: str
    reason: str | None = None


def recording_event(payload: Mapping[str, Any]) -> RecordingEvent | None:
    """The recording event we act on (`ready` / `failed`), None for everything else."""
    if payload.get("event") != "recordingStatusChanged":
        return None
    status, rec_id, session_id = payload.get("status"), payload.get("id"), payload.get("sessionId")
    if not (
        isinstance(status, str)
        and status
        and isinstance(rec_id, str)
        and rec_id
        and isinstance(session_id, str)
        and session_id
    ):
        raise MalformedEvent("recordingStatusChanged without id, sessionId or status")
    if status not in ("ready", "failed"):
        return None
    reason = payload.get("reason")
    return RecordingEvent(rec_id, session_id, status, reason if isinstance(reason, str) else None)
