"""A strict fake of the OpenVidu 2.x REST API (openvidu-server 2.32), served on loopback.

Written from the server's REST controller, not from our client: it enforces Basic
auth (`OPENVIDUAPP:<secret>`) on the API and on recording files, validates bodies the
way the server does (400), answers 409 for an existing custom session id, 404 for
unknown sessions / recordings, 406 when starting a recording on a session nobody has
joined, 501 on recording endpoints when recording is disabled.

Like the real server, a session with `recordingMode: ALWAYS` starts recording only when
a participant connects and publishes (`join`), the first recording's id is the session
id and the next ones `<id>~1`, `<id>~2`…; closing the session stops its recording, the
recording becomes `ready` after processing, and its file is served under
`/openvidu/recordings/<id>/<name>.<ext>`. Webhook events are POSTed like OpenVidu's
HttpWebhookSender does (JSON with an `event` field, the configured headers, 200 expected,
no retry on another status).

Test-only controls are Python methods (`join`, `leave`, `finish_processing`, …), never
HTTP endpoints, so the HTTP surface is the API's and nothing more.
"""

from __future__ import annotations

import asyncio
import base64
import hmac
import itertools
import json
import queue
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

_SESSION_ID = re.compile(r"^[a-zA-Z0-9_-]+$")
_RECORDING_MODES = {"ALWAYS", "MANUAL"}
_MEDIA_MODES = {"ROUTED", "RELAYED"}
_OUTPUT_MODES = {"COMPOSED", "COMPOSED_QUICK_START", "INDIVIDUAL"}
_LAYOUTS = {"BEST_FIT", "PICTURE_IN_PICTURE", "VERTICAL_PRESENTATION", "HORIZONTAL_PRESENTATION", "CUSTOM"}
_ROLES = {"SUBSCRIBER", "PUBLISHER", "MODERATOR"}


@dataclass
class FakeConnection:
    id: str
    token: str
    role: str
    data: str
    status: str = "pending"  # pending → active (joined) → gone


@dataclass
class FakeSession:
    id: str
    properties: dict[str, Any]
    created_at: int
    connections: dict[str, FakeConnection] = field(default_factory=dict)
    closed: bool = False

    @property
    def active(self) -> list[FakeConnection]:
        return [c for c in self.connections.values() if c.status == "active"]


@dataclass
class FakeRecording:
    id: str
    session_id: str
    properties: dict[str, Any]
    created_at: int
    status: str = "started"
    size: int = 0
    duration: float = 0.0
    started_monotonic: float = 0.0

    def extension(self) -> str:
        if self.properties.get("outputMode", "COMPOSED").startswith("INDIVIDUAL"):
            return "zip"
        return "mp4" if self.properties.get("hasVideo", True) else "webm"


class FakeOpenVidu:
    def __init__(
        self,
        secret: str | None = None,
        *,
        recording_enabled: bool = True,
        recording_file: Path | None = None,
        auto_ready: bool = True,
        public_url: str | None = None,
    ) -> None:
        self.secret = secret or secrets.token_urlsafe(24)
        self.recording_enabled = recording_enabled
        self.recording_file = recording_file
        self.auto_ready = auto_ready  # a stopped recording turns ready at once (else: finish_processing)
        self.public_url = public_url  # what OpenVidu puts in recording urls (its own domain)
        self.sessions: dict[str, FakeSession] = {}
        self.recordings: dict[str, FakeRecording] = {}
        self.requests: list[tuple[str, str, int]] = []  # (method, path, status) for assertions
        self.fail_next: list[int] = []  # statuses to answer to the next API calls (5xx injection)
        self.unavailable = False  # down behind its proxy: 503 to everything until set back
        self.webhook_url: str | None = None
        self.webhook_headers: dict[str, str] = {}
        self.drop_webhooks = False
        self.download_seconds = 0.0  # a slow link: the file is sent in 20 pieces over this long
        self.webhook_log: list[tuple[dict[str, Any], int | None]] = []
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        self._outbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._sender = threading.Thread(target=self._send_webhooks, daemon=True)
        self._sender.start()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.app = Starlette(routes=self._routes())

    # -- lifecycle -----------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeOpenVidu:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake OpenVidu did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._outbox.put(None)
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)

    def __enter__(self) -> FakeOpenVidu:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- test controls (what participants and the media server do) --------------------
    def join(self, token: str) -> FakeConnection:
        """A browser connects with `token` and publishes: ALWAYS sessions start recording."""
        with self._lock:
            for session in self.sessions.values():
                for conn in session.connections.values():
                    if conn.token == token:
                        if session.closed:
                            raise ValueError("session closed")
                        if conn.status != "pending":
                            raise ValueError("token already used")  # single use, like the real server
                        conn.status = "active"
                        self._event(
                            "participantJoined",
                            session.id,
                            connectionId=conn.id,
                            serverData=conn.data,
                            clientData="",
                            role=conn.role,
                        )
                        if (
                            session.properties.get("recordingMode") == "ALWAYS"
                            and self.recording_enabled
                            and conn.role != "SUBSCRIBER"
                            and not self._recording_in_progress(session.id)
                        ):
                            self._start_recording(session, session.properties.get("defaultRecordingProperties", {}))
                        return conn
        raise ValueError("unknown token")

    def leave(self, token: str) -> None:
        """A participant leaves; after the last one, the recording stops and the session closes
        (what OPENVIDU_RECORDING_AUTOSTOP_TIMEOUT does, without its 120 s wait)."""
        with self._lock:
            for session in list(self.sessions.values()):
                for conn in session.connections.values():
                    if conn.token == token and conn.status == "active":
                        conn.status = "gone"
                        self._event("participantLeft", session.id, connectionId=conn.id, reason="disconnect")
                        if not session.active:
                            self._close(session, "lastParticipantLeft")
                        return
        raise ValueError("not connected")

    def finish_processing(self, recording_id: str | None = None, *, status: str = "ready") -> None:
        """Stopped recordings finish processing (`ready`, or `failed`)."""
        with self._lock:
            for rec in self.recordings.values():
                if rec.status == "stopped" and recording_id in (None, rec.id):
                    self._set_status(rec, status, "sessionClosedByServer")

    def fail_recording(self, recording_id: str) -> None:
        with self._lock:
            self._set_status(self.recordings[recording_id], "failed", "recordingStoppedByServer")

    def session_ids(self) -> set[str]:
        with self._lock:
            return {s.id for s in self.sessions.values() if not s.closed}

    # -- internals -----------------------------------------------------------------
    def _now_ms(self) -> int:
        return int(time.time() * 1000)

    def _recording_in_progress(self, session_id: str) -> FakeRecording | None:
        for rec in self.recordings.values():
            if rec.session_id == session_id and rec.status in ("starting", "started"):
                return rec
        return None

    def _free_recording_id(self, session_id: str) -> str:
        candidate, n = session_id, 1
        while candidate in self.recordings:
            candidate = f"{session_id}~{n}"
            n += 1
        return candidate

    def _start_recording(self, session: FakeSession, props: dict[str, Any]) -> FakeRecording:
        props = {
            "outputMode": "COMPOSED",
            "hasAudio": True,
            "hasVideo": True,
            "recordingLayout": "BEST_FIT",
            "resolution": "1280x720",
            "frameRate": 25,
            **props,
        }
        rec_id = self._free_recording_id(session.id)
        props.setdefault("name", rec_id)
        rec = FakeRecording(rec_id, session.id, props, self._now_ms(), started_monotonic=time.monotonic())
        self.recordings[rec_id] = rec
        self._set_status(rec, "started", None)
        return rec

    def _set_status(self, rec: FakeRecording, status: str, reason: str | None) -> None:
        rec.status = status
        if status == "stopped":
            rec.duration = round(time.monotonic() - rec.started_monotonic, 3)
        if status == "ready":
            rec.size = len(self._file_bytes(rec))
        self._event("recordingStatusChanged", rec.session_id, **self._recording_event(rec, reason))
        if status == "stopped" and self.auto_ready:
            self._set_status(rec, "ready", reason)

    def _close(self, session: FakeSession, reason: str) -> None:
        session.closed = True
        rec = self._recording_in_progress(session.id)
        if rec is not None:
            self._set_status(rec, "stopped", reason)
        self._event("sessionDestroyed", session.id, reason=reason, startTime=session.created_at)
        del self.sessions[session.id]

    def _file_bytes(self, rec: FakeRecording) -> bytes:
        if self.recording_file is not None:
            return self.recording_file.read_bytes()
        return b"\x00\x00\x00\x18ftypmp42" + rec.id.encode() + b"\x00" * 4096

    def _recording_json(self, rec: FakeRecording) -> dict[str, Any]:
        props = rec.properties
        data: dict[str, Any] = {
            "id": rec.id,
            "object": "recording",
            "name": props["name"],
            "outputMode": props["outputMode"],
            "sessionId": rec.session_id,
            "createdAt": rec.created_at,
            "size": rec.size,
            "duration": rec.duration,
            "url": None,
            "hasAudio": props["hasAudio"],
            "hasVideo": props["hasVideo"],
            "status": rec.status,
        }
        if props["outputMode"].startswith("COMPOSED") and props["hasVideo"]:
            data.update(
                resolution=props["resolution"], frameRate=props["frameRate"], recordingLayout=props["recordingLayout"]
            )
        if rec.status == "ready":
            base = self.public_url or self.url
            data["url"] = f"{base}/openvidu/recordings/{rec.id}/{props['name']}.{rec.extension()}"
        return data

    def _recording_event(self, rec: FakeRecording, reason: str | None) -> dict[str, Any]:
        data = self._recording_json(rec)
        event = {k: data[k] for k in ("id", "name", "outputMode", "hasAudio", "hasVideo", "size", "duration", "status")}
        for key in ("resolution", "frameRate", "recordingLayout"):
            if key in data:
                event[key] = data[key]
        event["startTime"] = rec.created_at
        if reason and rec.status != "started":
            event["reason"] = reason
        return event

    def _event(self, event_name: str, session_id: str, /, **fields: Any) -> None:
        """Queue a webhook event; sent from one thread in order, like HttpWebhookSender."""
        if self.webhook_url is None:
            return
        body = {
            "sessionId": session_id,
            "uniqueSessionId": f"{session_id}_{self._now_ms()}",
            "timestamp": self._now_ms(),
            **fields,
            "event": event_name,
        }
        self._outbox.put(body)

    def _send_webhooks(self) -> None:
        while True:
            body = self._outbox.get()
            try:
                if body is None:
                    return
                if self.drop_webhooks:
                    self.webhook_log.append((body, None))
                    continue
                try:
                    response = httpx.post(
                        self.webhook_url,
                        content=json.dumps(body),
                        headers={"Content-Type": "application/json", **self.webhook_headers},
                        timeout=10,
                    )
                    self.webhook_log.append((body, response.status_code))
                except httpx.HTTPError:
                    self.webhook_log.append((body, None))
            finally:
                self._outbox.task_done()

    def flush_webhooks(self, timeout: float = 10.0) -> None:
        """Wait until every queued webhook event has been delivered (or dropped)."""
        deadline = time.monotonic() + timeout
        while self._outbox.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)

    # -- HTTP ------------------------------------------------------------------------
    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:], validate=True).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return user == "OPENVIDUAPP" and hmac.compare_digest(password, self.secret)

    def _guard(self, handler: Callable) -> Callable:
        async def endpoint(request: Request) -> Response:
            if self.unavailable:
                response: Response = Response(status_code=503)
            elif not self._authorised(request):
                response = Response(status_code=401, headers={"WWW-Authenticate": 'Basic realm="OpenVidu"'})
            elif self.fail_next:
                response = Response(status_code=self.fail_next.pop(0))
            else:
                body: Any = None
                if request.method == "POST":
                    raw = await request.body()
                    if raw:
                        if "application/json" not in request.headers.get("content-type", ""):
                            response = Response(status_code=415)
                            self.requests.append((request.method, request.url.path, response.status_code))
                            return response
                        try:
                            body = json.loads(raw)
                        except ValueError:
                            response = _error(400, "Body is not JSON", request.url.path)
                            self.requests.append((request.method, request.url.path, response.status_code))
                            return response
                with self._lock:
                    response = handler(request, body)
            self.requests.append((request.method, request.url.path, response.status_code))
            return response

        return endpoint

    def _routes(self) -> list[Route]:
        api = "/openvidu/api"
        g = self._guard
        return [
            Route(f"{api}/sessions", g(self._create_session), methods=["POST"]),
            Route(f"{api}/sessions", g(self._list_sessions), methods=["GET"]),
            Route(f"{api}/sessions/{{sid}}", g(self._get_session), methods=["GET"]),
            Route(f"{api}/sessions/{{sid}}", g(self._delete_session), methods=["DELETE"]),
            Route(f"{api}/sessions/{{sid}}/connection", g(self._create_connection), methods=["POST"]),
            Route(f"{api}/recordings/start", g(self._start), methods=["POST"]),
            Route(f"{api}/recordings/stop/{{rid}}", g(self._stop), methods=["POST"]),
            Route(f"{api}/recordings", g(self._list_recordings), methods=["GET"]),
            Route(f"{api}/recordings/{{rid}}", g(self._get_recording), methods=["GET"]),
            Route(f"{api}/recordings/{{rid}}", g(self._delete_recording), methods=["DELETE"]),
            Route("/openvidu/recordings/{rid}/{filename}", g(self._file), methods=["GET"]),
        ]

    def _create_session(self, request: Request, body: Any) -> Response:
        body = body or {}
        if not isinstance(body, dict):
            return _error(400, "Body must be a JSON object", request.url.path)
        custom = body.get("customSessionId")
        mode = body.get("recordingMode", "MANUAL")
        media = body.get("mediaMode", "ROUTED")
        if custom is not None and (not isinstance(custom, str) or (custom and not _SESSION_ID.match(custom))):
            return _error(
                400,
                "Parameter 'customSessionId' is wrong. Must be an alphanumeric string [a-zA-Z0-9_-]",
                request.url.path,
            )
        if mode not in _RECORDING_MODES or media not in _MEDIA_MODES:
            return _error(400, "Some parameter is not valid.", request.url.path)
        defaults = body.get("defaultRecordingProperties") or {}
        if not isinstance(defaults, dict) or not _valid_recording_properties(defaults):
            return _error(400, "Parameter 'defaultRecordingProperties' is not valid", request.url.path)
        session_id = custom or f"ses_{secrets.token_hex(5)}"
        if session_id in self.sessions:
            return Response(status_code=409)
        session = FakeSession(
            session_id,
            {**body, "recordingMode": mode, "mediaMode": media, "defaultRecordingProperties": defaults},
            self._now_ms(),
        )
        self.sessions[session_id] = session
        self._event("sessionCreated", session_id)
        return JSONResponse(self._session_json(session))

    def _session_json(self, session: FakeSession) -> dict[str, Any]:
        return {
            "id": session.id,
            "object": "session",
            "sessionId": session.id,
            "createdAt": session.created_at,
            "mediaMode": session.properties["mediaMode"],
            "recordingMode": session.properties["recordingMode"],
            "defaultRecordingProperties": session.properties["defaultRecordingProperties"],
            "customSessionId": session.properties.get("customSessionId", ""),
            "recording": self._recording_in_progress(session.id) is not None,
            "connections": {"numberOfElements": len(session.active), "content": []},
        }

    def _list_sessions(self, request: Request, body: Any) -> Response:
        content = [self._session_json(s) for s in self.sessions.values()]
        return JSONResponse({"numberOfElements": len(content), "content": content})

    def _get_session(self, request: Request, body: Any) -> Response:
        session = self.sessions.get(request.path_params["sid"])
        return JSONResponse(self._session_json(session)) if session else Response(status_code=404)

    def _delete_session(self, request: Request, body: Any) -> Response:
        session = self.sessions.get(request.path_params["sid"])
        if session is None:
            return Response(status_code=404)
        self._close(session, "sessionClosedByServer")
        return Response(status_code=204)

    def _create_connection(self, request: Request, body: Any) -> Response:
        session = self.sessions.get(request.path_params["sid"])
        if session is None:
            return Response(status_code=404)
        body = body or {}
        if not isinstance(body, dict):
            return _error(400, "Body must be a JSON object", request.url.path)
        kind = body.get("type", "WEBRTC")
        role = body.get("role", "PUBLISHER")
        data = body.get("data", "")
        if kind != "WEBRTC" or role not in _ROLES or not isinstance(data, str):
            return _error(400, "Type error in some parameter", request.url.path)
        n = next(self._ids)
        conn_id = f"con_{n:08d}"
        token = f"wss://127.0.0.1:{self.port}?sessionId={session.id}&token=tok_{secrets.token_hex(8)}"
        session.connections[conn_id] = FakeConnection(conn_id, token, role, data)
        return JSONResponse(
            {
                "id": conn_id,
                "object": "connection",
                "type": "WEBRTC",
                "status": "pending",
                "sessionId": session.id,
                "createdAt": self._now_ms(),
                "activeAt": None,
                "role": role,
                "serverData": data,
                "record": True,
                "token": token,
                "kurentoOptions": None,
            }
        )

    def _start(self, request: Request, body: Any) -> Response:
        if not isinstance(body, dict):
            return _error(400, "Error in body parameters. Cannot be empty", request.url.path)
        if not self.recording_enabled:
            return Response(status_code=501)
        session_id = body.get("session")
        if not isinstance(session_id, str):
            return _error(400, '"session" parameter is mandatory', request.url.path)
        session = self.sessions.get(session_id)
        if session is None:
            return Response(status_code=404)
        if self._recording_in_progress(session_id):
            return Response(status_code=409)
        if not session.active:
            return Response(status_code=406)
        props = {k: v for k, v in body.items() if k != "session"}
        if not _valid_recording_properties(props):
            return _error(400, "Invalid recording properties", request.url.path)
        defaults = session.properties.get("defaultRecordingProperties", {})
        return JSONResponse(self._recording_json(self._start_recording(session, {**defaults, **props})))

    def _stop(self, request: Request, body: Any) -> Response:
        if not self.recording_enabled:
            return Response(status_code=501)
        rec = self.recordings.get(request.path_params["rid"])
        if rec is None:
            return Response(status_code=404)
        if rec.status == "starting":
            return Response(status_code=406)
        if rec.status != "started":
            return Response(status_code=409)
        self._set_status(rec, "stopped", "recordingStoppedByServer")
        return JSONResponse(self._recording_json(rec))

    def _list_recordings(self, request: Request, body: Any) -> Response:
        if not self.recording_enabled:
            return Response(status_code=501)
        items = [self._recording_json(r) for r in self.recordings.values()]
        return JSONResponse({"count": len(items), "items": items})

    def _get_recording(self, request: Request, body: Any) -> Response:
        if not self.recording_enabled:
            return Response(status_code=501)
        rec = self.recordings.get(request.path_params["rid"])
        return JSONResponse(self._recording_json(rec)) if rec else Response(status_code=404)

    def _delete_recording(self, request: Request, body: Any) -> Response:
        if not self.recording_enabled:
            return Response(status_code=501)
        rec = self.recordings.get(request.path_params["rid"])
        if rec is None:
            return Response(status_code=404)
        if rec.status in ("starting", "started"):
            return Response(status_code=409)
        del self.recordings[rec.id]
        return Response(status_code=204)

    def _file(self, request: Request, body: Any) -> Response:
        rec = self.recordings.get(request.path_params["rid"])
        expected = f"{rec.properties['name']}.{rec.extension()}" if rec else None
        if rec is None or rec.status != "ready" or request.path_params["filename"] != expected:
            return Response(status_code=404)
        content = self._file_bytes(rec)
        media_type = "video/mp4" if rec.extension() == "mp4" else "application/octet-stream"
        if self.download_seconds <= 0:
            return Response(content, media_type=media_type)
        pause, piece = self.download_seconds / 20, -(-len(content) // 20)

        async def slowly():
            for start in range(0, len(content), piece):
                yield content[start : start + piece]
                await asyncio.sleep(pause)

        return StreamingResponse(slowly(), media_type=media_type, headers={"content-length": str(len(content))})


def _valid_recording_properties(props: dict[str, Any]) -> bool:
    if "outputMode" in props and props["outputMode"] not in _OUTPUT_MODES:
        return False
    if "recordingLayout" in props and props["recordingLayout"] not in _LAYOUTS:
        return False
    for key in ("hasAudio", "hasVideo"):
        if key in props and not isinstance(props[key], bool):
            return False
    if props.get("hasAudio") is False and props.get("hasVideo") is False:
        return False  # the server refuses a recording with neither
    if "resolution" in props and not re.match(r"^\d{2,4}x\d{2,4}$", str(props["resolution"])):
        return False
    if "frameRate" in props and not (isinstance(props["frameRate"], int) and 1 <= props["frameRate"] <= 120):
        return False
    return not ("name" in props and not re.match(r"^[a-zA-Z0-9_\-~]+$", str(props["name"])))


def _error(status: int, message: str, path: str) -> JSONResponse:
    return JSONResponse(
        {
            "timestamp": int(time.time() * 1000),
            "status": status,
            "error": {400: "Bad Request", 404: "Not Found"}.get(status, "Error"),
            "message": message,
            "path": path,
        },
        status_code=status,
    )
