"""OpenVidu 2.x REST client: sessions, tokens, recordings and their files.

Facts this relies on (openvidu-server 2.32, checked against its source):
- base path `/openvidu/api`, HTTP Basic auth `OPENVIDUAPP:<secret>`;
- `POST /sessions` with our `customSessionId` answers 409 when the session exists:
  opening is therefore idempotent;
- `recordingMode: ALWAYS` starts the recording when the first participant publishes
  (a recording cannot be started on an empty session: 406), and closing the session
  stops it; recording ids are the session id, then `<session id>~1`, `~2`…;
- recording endpoints answer 501 when the server runs with `OPENVIDU_RECORDING=false`;
  `POST /sessions` does not, so `open_session` asks the recordings API first, otherwise
  a meeting would silently go unrecorded;
- the file of a ready recording is served under `/openvidu/recordings/<id>/<name>.<ext>`
  with the same Basic auth.

The secret lives in this module's client only: it never reaches a page, a log line,
an error message or a repr. Tokens are made here, on the server, and only the token
is handed to the browser.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from visio_core.adapters.http_retry import RetryTransport
from visio_core.domain.errors import BackendUnavailable, NotFound
from visio_core.domain.i18n import t

log = logging.getLogger(__name__)

API_PATH = "/openvidu/api"
RECORDINGS_PATH = "/openvidu/recordings/"
BASIC_USER = "OPENVIDUAPP"
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
DOWNLOAD_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
DOWNLOAD_CHUNK = 1024 * 1024

RECORDING_PROPERTIES: dict[str, Any] = {
    "outputMode": "COMPOSED",
    "hasAudio": True,
    "hasVideo": True,
    "recordingLayout": "BEST_FIT",
    "resolution": "1280x720",
    "frameRate": 25,
}


@dataclass(frozen=True)
class OvRecording:
    """A recording as OpenVidu describes it (`GET /recordings/{id}`)."""

    id: str
    session_id: str
    name: str
    status: str  # starting, started, stopped, ready, failed
    output_mode: str = "COMPOSED"
    has_audio: bool = True
    has_video: bool = True
    size: int = 0
    duration: float = 0.0
    created_at: int = 0
    url: str | None = None

    @property
    def ready(self) -> bool:
        return self.status == "ready"

    @property
    def extension(self) -> str:
        if self.url:
            suffix = urlsplit(self.url).path.rsplit(".", 1)
            if len(suffix) == 2 and suffix[1].isalnum():
                return suffix[1].lower()
        if self.output_mode.startswith("INDIVIDUAL"):
            return "zip"
        return "mp4" if self.has_video else "webm"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OvRecording:
        return cls(
            id=str(data["id"]),
            session_id=str(data["sessionId"]),
            name=str(data.get("name") or data["id"]),
            status=str(data.get("status") or ""),
            output_mode=str(data.get("outputMode") or "COMPOSED"),
            has_audio=bool(data.get("hasAudio", True)),
            has_video=bool(data.get("hasVideo", True)),
            size=int(data.get("size") or 0),
            duration=float(data.get("duration") or 0.0),
            created_at=int(data.get("createdAt") or 0),
            url=data.get("url") or None,
        )


class OpenViduClient:
    """Typed calls to the OpenVidu 2.x REST API over one pooled httpx client.

    Connection errors and 500/502/503/504 are retried a few times with a short backoff by
    the RetryTransport under the client. Every failure ends as `BackendUnavailable`
    carrying a French message fit for the user.
    """

    def __init__(
        self,
        base_url: str,
        secret: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        attempts: int = 3,
        backoff: float = 0.25,
        sleep: Callable[[float], None] = time.sleep,
        verify: bool = True,
    ) -> None:
        if not base_url or not secret:
            raise ValueError("OpenVidu needs both a URL and a secret")
        self.base_url = base_url.rstrip("/")
        self._secret = secret
        retrying = RetryTransport(
            transport or httpx.HTTPTransport(retries=1, verify=verify), attempts=attempts, backoff=backoff, sleep=sleep
        )
        self._http = httpx.Client(
            base_url=self.base_url,
            auth=httpx.BasicAuth(BASIC_USER, secret),
            timeout=timeout,
            transport=retrying,
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
            headers={"Accept": "application/json"},
            follow_redirects=False,
        )

    def __repr__(self) -> str:  # never the secret
        return f"OpenViduClient(base_url={self.base_url!r})"

    def close(self) -> None:
        self._http.close()

    # -- sessions ------------------------------------------------------------------
    def create_session(self, session_id: str) -> bool:
        """Create the always-recorded session; False when it already existed (409)."""
        body = {
            "customSessionId": session_id,
            "mediaMode": "ROUTED",
            "recordingMode": "ALWAYS",
            "defaultRecordingProperties": RECORDING_PROPERTIES,
        }
        response = self._request("POST", "/sessions", "create_session", json=body, ok=(200, 409))
        return response.status_code == 200

    def create_token(self, session_id: str, display_name: str) -> str:
        """A PUBLISHER connection token; `display_name` becomes the connection's data.

        Raises NotFound when the session does not exist on the server (closed, or
        the server restarted)."""
        body = {"type": "WEBRTC", "role": "PUBLISHER", "data": display_name}
        response = self._request("POST", f"/sessions/{_seg(session_id)}/connection", "token", json=body, ok=(200, 404))
        if response.status_code == 404:
            raise NotFound(t("ov.error.session_gone"))
        token = self._json(response, "token").get("token")
        if not isinstance(token, str) or not token:
            raise BackendUnavailable(t("ov.error.bad_response", action=t("ov.action.token")))
        if self._secret in token:  # an OpenVidu 1.x-style token would carry it: never hand that out
            raise BackendUnavailable(t("ov.error.bad_response", action=t("ov.action.token")))
        return token

    def close_session(self, session_id: str) -> bool:
        """Close the session (stops its recording); False when it was already gone (404)."""
        response = self._request("DELETE", f"/sessions/{_seg(session_id)}", "close", ok=(204, 200, 404))
        return response.status_code != 404

    # -- recordings ----------------------------------------------------------------
    def get_recording(self, recording_id: str) -> OvRecording | None:
        response = self._request("GET", f"/recordings/{_seg(recording_id)}", "recordings", ok=(200, 404))
        if response.status_code == 404:
            return None
        return self._recording(self._json(response, "recordings"))

    def list_recordings(self) -> list[OvRecording]:
        response = self._request("GET", "/recordings", "recordings", ok=(200,))
        items = self._json(response, "recordings").get("items")
        if not isinstance(items, list):
            raise BackendUnavailable(t("ov.error.bad_response", action=t("ov.action.recordings")))
        return [self._recording(item) for item in items]

    def check_recording_enabled(self, session_id: str) -> None:
        """Raise the "recording disabled" message when the server would not record."""
        self._request("GET", f"/recordings/{_seg(session_id)}", "recordings", ok=(200, 404))

    def download_url(self, recording: OvRecording) -> str:
        """Where the recording's file is fetched, always on the configured server.

        OpenVidu's own `url` uses its public domain, which may differ from the address
        we reach it by; we keep only its path. A path outside the recordings folder is
        never followed: the Basic credentials go to our OpenVidu server and nowhere else.
        """
        if recording.url:
            path = urlsplit(recording.url).path
            if path.startswith(RECORDINGS_PATH) and ".." not in path:
                return self.base_url + path
        return f"{self.base_url}{RECORDINGS_PATH}{_seg(recording.id)}/{_seg(recording.name)}.{recording.extension}"

    @contextmanager
    def open_download(self, recording: OvRecording) -> Iterator[httpx.Response]:
        """Stream the recording's file (Basic auth); the caller iterates `iter_bytes()`."""
        request = self._http.build_request("GET", self.download_url(recording), timeout=DOWNLOAD_TIMEOUT)
        try:
            response = self._http.send(request, stream=True)
        except httpx.TransportError as error:
            raise self._transport_error(error) from None
        if response.status_code != 200:
            response.close()
            raise self._status_error(response.status_code, "download")
        try:
            yield response
        finally:
            response.close()

    @contextmanager
    def download(self, recording: OvRecording) -> Iterator[Iterator[bytes]]:
        """The recording's file as chunks; a broken connection mid-way is a BackendUnavailable."""
        with self.open_download(recording) as response:
            yield self._chunks(response)

    def _chunks(self, response: httpx.Response) -> Iterator[bytes]:
        try:
            yield from response.iter_bytes(DOWNLOAD_CHUNK)
        except httpx.TransportError as error:
            raise self._transport_error(error) from None

    def stream_recording(self, recording: OvRecording, sink: Callable[[bytes], object]) -> int:
        """Copy the file to `sink` chunk by chunk; returns the number of bytes."""
        total = 0
        with self.download(recording) as chunks:
            for chunk in chunks:
                sink(chunk)
                total += len(chunk)
        return total

    # -- plumbing ------------------------------------------------------------------
    def _request(self, method: str, path: str, action: str, *, ok: tuple[int, ...], json: Any = None) -> httpx.Response:
        try:
            response = self._http.request(method, API_PATH + path, json=json)
        except httpx.TransportError as error:
            raise self._transport_error(error) from None
        if response.status_code in ok:
            return response
        raise self._status_error(response.status_code, action)

    def _json(self, response: httpx.Response, action: str) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise BackendUnavailable(t("ov.error.bad_response", action=t(f"ov.action.{action}")))
        return data

    def _recording(self, data: Any) -> OvRecording:
        try:
            return OvRecording.from_json(data)
        except (KeyError, TypeError, ValueError):
            raise BackendUnavailable(t("ov.error.bad_response", action=t("ov.action.recordings"))) from None

    def _status_error(self, status: int, action: str) -> BackendUnavailable:
        log.warning("OpenVidu answered HTTP %s during %s", status, action)
        if status == 401:
            return BackendUnavailable(t("ov.error.auth"))
        if status == 501:
            return BackendUnavailable(t("ov.error.recording_disabled"))
        return BackendUnavailable(t("ov.error.status", status=status, action=t(f"ov.action.{action}")))

    def _transport_error(self, error: httpx.TransportError) -> BackendUnavailable:
        log.warning("OpenVidu at %s unreachable: %s", self.base_url, type(error).__name__)
        if isinstance(error, httpx.TimeoutException):
            detail = t("ov.detail.timeout")
        elif isinstance(error, httpx.ConnectError):
            detail = t("ov.detail.connect")
        else:
            detail = t("ov.detail.network")
        return BackendUnavailable(t("ov.error.unreachable", url=self.base_url, detail=detail))


def _seg(value: str) -> str:
    """One URL path segment (recording ids hold `~`, which stays as is)."""
    return quote(value, safe="~")
